package ikev2

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"slices"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
)

// Ports of IKE.
const (
	ikePort = 500
	natPort = 4500
)

// nonceLen is the length of the nonces this side sends.
const nonceLen = 32

// startInit opens a new IKE SA with gw for tunnel t (initiator).
func (p *Protocol) startInit(t *ike.Tunnel, gw netip.Addr) {
	if len(t.IKE.Proposals) == 0 {
		return
	}
	sa := &ikeSA{p: p, initiator: true, spii: newSPI(), local: netip.AddrPortFrom(t.Local, ikePort),
		remote: netip.AddrPortFrom(gw, ikePort), tunnel: t, policy: t.IKE, pending: []*ike.Tunnel{t},
		created: p.h.Now(), ni: randomBytes(nonceLen), group: t.IKE.Proposals[0].Group, state: stateInitSent}
	p.sas[sa.spii] = sa
	sa.logf("initiating IKE_SA_INIT for %s (%v)", t.Name(), sa.group)
	sa.sendInit()
}

// sendInit sends (or sends again, after a COOKIE or INVALID_KE_PAYLOAD
// answer) the IKE_SA_INIT request.
func (sa *ikeSA) sendInit() {
	dh, err := sa.group.GenerateKey()
	if err != nil {
		sa.logf("%v", err)
		sa.fail()
		return
	}
	sa.dh = dh
	var ps []Payload
	if sa.cookie != nil {
		ps = append(ps, &Notify{Kind: NotifyCookie, Data: sa.cookie})
	}
	ps = append(ps, ikeSAPayload(sa.policy, nil), &KE{Group: uint16(sa.group), Data: dh.Public()}, &Nonce{Data: sa.ni})
	if sa.tunnel.NATT {
		ps = append(ps, sa.natPayloads()...)
	}
	if policyUsesCerts(sa.policy) {
		ps = append(ps, hashNotify())
	}
	m := &Message{Header: Header{SPIi: sa.spii, Exchange: ExchangeSAInit, Flags: FlagInitiator}, Payloads: ps}
	sa.initReq = m.Encode()
	if sa.out != nil && sa.out.timer != nil {
		sa.out.timer.Stop()
	}
	sa.out = nil
	sa.nextID = 1
	sa.transmit(&request{id: 0, exchange: ExchangeSAInit, raw: sa.initReq, max: sa.p.opts.Retransmits + 1,
		interval: sa.p.opts.RetransmitTimeout, backoff: sa.p.opts.Backoff, onTimeout: sa.unreachable})
}

// natPayloads are the NAT detection notifications for the SA's current
// addresses.
func (sa *ikeSA) natPayloads() []Payload {
	return []Payload{
		&Notify{Kind: NotifyNATSource, Data: natHash(sa.spii, sa.spir, sa.local)},
		&Notify{Kind: NotifyNATDestination, Data: natHash(sa.spii, sa.spir, sa.remote)},
	}
}

// detectNAT compares the peer's NAT detection hashes with the addresses
// the message came on; it reports whether the peer sent them.
func (sa *ikeSA) detectNAT(m *Message, local, remote netip.AddrPort) bool {
	// RFC 7296 §2.23: in the request SPIr is zero.
	spir := sa.spir
	if !m.Response() {
		spir = [8]byte{}
	}
	var src, dst bool
	peerNAT := true
	for _, x := range m.Payloads {
		n, ok := x.(*Notify)
		switch {
		case !ok:
		case n.Kind == NotifyNATSource:
			src = true
			if hmac.Equal(n.Data, natHash(sa.spii, spir, remote)) {
				peerNAT = false // one of the peer's addresses is the one seen
			}
		case n.Kind == NotifyNATDestination:
			dst = true
			sa.behind = !hmac.Equal(n.Data, natHash(sa.spii, spir, local))
		}
	}
	if !src || !dst {
		sa.behind = false
		return false
	}
	sa.nat = peerNAT || sa.behind
	return true
}

// initResponse handles the answer to an IKE_SA_INIT request (initiator).
func (p *Protocol) initResponse(local, remote netip.AddrPort, raw []byte, h Header) {
	sa := p.sas[h.SPIi]
	if sa == nil || !sa.initiator || sa.state != stateInitSent || h.MsgID != 0 || h.FromInitiator() {
		p.drops.UnknownSPI++
		return
	}
	m, err := Decode(raw)
	if err != nil {
		p.drops.Malformed++
		return
	}
	if t := m.Critical(); t != NoNext {
		p.drops.Critical++
		return
	}
	sa.stats.InPackets++
	sa.stats.InBytes += uint64(len(raw))
	if c := m.Notify(NotifyCookie); c != nil && h.SPIr == ([8]byte{}) {
		if len(c.Data) < 1 || len(c.Data) > 64 || sa.cookie != nil {
			p.drops.Unexpected++
			return
		}
		sa.logf("responder asks for a cookie")
		sa.cookie = bytes.Clone(c.Data)
		sa.sendInit()
		return
	}
	if n := m.Notify(NotifyInvalidKE); n != nil && h.SPIr == ([8]byte{}) {
		if len(n.Data) != 2 {
			p.drops.Malformed++
			return
		}
		g := suite.Group(binary.BigEndian.Uint16(n.Data))
		if g == sa.group || !slices.ContainsFunc(sa.policy.Proposals, func(x *ipsec.IKEProposal) bool { return x.Group == g }) {
			sa.logf("responder wants %v, which the policy does not offer", g)
			p.drops.NoProposal++
			sa.fail()
			return
		}
		sa.logf("responder wants %v: trying again", g)
		sa.group = g
		sa.sendInit()
		return
	}
	if n := m.Error(); n != nil {
		sa.logf("IKE_SA_INIT refused: %v", n.Kind)
		if n.Kind == NotifyNoProposalChosen {
			p.drops.NoProposal++
		}
		sa.fail()
		return
	}
	sap, _ := m.Get(PayloadSA).(*SA)
	ke, _ := m.Get(PayloadKE).(*KE)
	nr, _ := m.Get(PayloadNonce).(*Nonce)
	if sap == nil || ke == nil || nr == nil || h.SPIr == ([8]byte{}) {
		p.drops.Malformed++
		return
	}
	prop, ok := acceptIKE(sap, sa.policy)
	if !ok || prop.Group != sa.group || suite.Group(ke.Group) != sa.group {
		p.drops.NoProposal++
		sa.logf("responder chose a proposal that was not offered")
		sa.fail()
		return
	}
	shared, err := sa.dh.SharedSecret(ke.Data)
	if err != nil {
		p.drops.Malformed++
		return
	}
	sa.spir = h.SPIr
	sa.nr = bytes.Clone(nr.Data)
	sa.notePeerHashes(m)
	sa.proposal, sa.alg = prop, ikeAlgorithms(prop)
	sa.keys, err = deriveKeys(sa.alg, skeyseed(sa.alg.PRF, sa.ni, sa.nr, shared), sa.ni, sa.nr, sa.spii, sa.spir)
	if err != nil {
		sa.logf("%v", err)
		sa.fail()
		return
	}
	sa.dh = nil
	sa.out.timer.Stop()
	sa.out = nil
	sa.initResp = bytes.Clone(raw)
	if sa.tunnel.NATT && sa.detectNAT(m, local, remote) && sa.nat {
		sa.local = netip.AddrPortFrom(sa.local.Addr(), natPort)
		sa.remote = netip.AddrPortFrom(sa.remote.Addr(), natPort)
		sa.logf("NAT detected: moving to port %d", natPort)
	}
	sa.lastRecv = p.h.Now()
	sa.state = stateAuthSent
	sa.sendAuth()
}

// cookieFor computes the cookie a responder asks for (RFC 7296 §2.6).
func (p *Protocol) cookieFor(ni []byte, peer netip.AddrPort, spii [8]byte) []byte {
	m := hmac.New(sha256.New, p.cookieKey)
	m.Write(ni)
	m.Write(peer.Addr().AsSlice())
	m.Write(spii[:])
	return append([]byte{0}, m.Sum(nil)[:16]...)
}

// initRequest answers an IKE_SA_INIT request (responder). Nothing is
// kept until the request passes the cookie check, a proposal is chosen
// and the KE payload is of the chosen group.
func (p *Protocol) initRequest(local, remote netip.AddrPort, raw []byte, h Header) {
	if !h.FromInitiator() || h.MsgID != 0 || h.SPIr != ([8]byte{}) || h.SPIi == ([8]byte{}) {
		p.drops.Malformed++
		return
	}
	hk := halfKey{remote.Addr(), h.SPIi}
	if sa := p.halfOpen[hk]; sa != nil {
		if bytes.Equal(raw, sa.initReq) {
			sa.send(sa.initResp) // a retransmission
		} else {
			p.drops.Replayed++
		}
		return
	}
	m, err := Decode(raw)
	if err != nil {
		p.drops.Malformed++
		return
	}
	if t := m.Critical(); t != NoNext {
		p.drops.Critical++
		return
	}
	sap, _ := m.Get(PayloadSA).(*SA)
	ke, _ := m.Get(PayloadKE).(*KE)
	ni, _ := m.Get(PayloadNonce).(*Nonce)
	if sap == nil || ke == nil || ni == nil {
		p.drops.Malformed++
		return
	}
	cands := p.peerTunnels(local.Addr(), remote.Addr(), nil)
	if len(cands) == 0 {
		p.drops.Unexpected++
		p.h.Logf("IKEv2: IKE_SA_INIT from %s to %s: no tunnel or access profile accepts that peer: NO_PROPOSAL_CHOSEN sent", remote, local)
		out := &Message{Header: Header{SPIi: h.SPIi, Exchange: ExchangeSAInit, Flags: FlagResponse},
			Payloads: []Payload{&Notify{Kind: NotifyNoProposalChosen}}}
		p.h.Send(local, remote, out.Encode())
		return
	}
	reply := func(n *Notify) {
		out := &Message{Header: Header{SPIi: h.SPIi, Exchange: ExchangeSAInit, Flags: FlagResponse}, Payloads: []Payload{n}}
		p.h.Send(local, remote, out.Encode())
	}
	if len(p.halfOpen) >= p.opts.HalfOpenLimit {
		p.drops.HalfOpen++
		return
	}
	if len(p.halfOpen) >= p.opts.CookieThreshold {
		want := p.cookieFor(ni.Data, remote, h.SPIi)
		if c := m.Notify(NotifyCookie); c == nil || !hmac.Equal(c.Data, want) {
			p.drops.HalfOpen++
			reply(&Notify{Kind: NotifyCookie, Data: want})
			return
		}
	}
	var t *ike.Tunnel
	var prop *ipsec.IKEProposal
	var chosen Proposal
	for _, c := range cands {
		if c.IKE.Version != 2 {
			continue
		}
		if x, pr, ok := chooseIKE(sap, c.IKE); ok {
			t, prop, chosen = c, x, pr
			break
		}
	}
	if t == nil {
		p.drops.NoProposal++
		p.h.Logf("IKEv2: IKE_SA_INIT from %s: no proposal chosen", remote)
		reply(&Notify{Kind: NotifyNoProposalChosen})
		return
	}
	if dyn := !t.Remote.IsValid() || t.Remote.IsUnspecified(); dyn && p.opts.MaxDynamicPeers > 0 {
		n := 0
		for _, sa := range p.sas {
			if sa.tunnel != nil && (!sa.tunnel.Remote.IsValid() || sa.tunnel.Remote.IsUnspecified()) {
				n++
			}
		}
		if n >= p.opts.MaxDynamicPeers {
			p.drops.HalfOpen++
			p.h.Logf("IKEv2: IKE_SA_INIT from %s: %d SAs with dynamic peers", remote, n)
			return
		}
	}
	if suite.Group(ke.Group) != prop.Group {
		p.h.Logf("IKEv2: IKE_SA_INIT from %s: KE of %v, asking for %v", remote, suite.Group(ke.Group), prop.Group)
		reply(&Notify{Kind: NotifyInvalidKE, Data: binary.BigEndian.AppendUint16(nil, uint16(prop.Group))})
		return
	}
	dh, err := prop.Group.GenerateKey()
	if err != nil {
		return
	}
	shared, err := dh.SharedSecret(ke.Data)
	if err != nil {
		p.drops.Malformed++
		return
	}
	sa := &ikeSA{p: p, spii: h.SPIi, spir: newSPI(), local: local, remote: remote, tunnel: t, policy: t.IKE,
		proposal: prop, alg: ikeAlgorithms(prop), ni: bytes.Clone(ni.Data), nr: randomBytes(nonceLen),
		created: p.h.Now(), lastRecv: p.h.Now(), state: stateHalfOpen, peerID: 1, initReq: bytes.Clone(raw)}
	sa.keys, err = deriveKeys(sa.alg, skeyseed(sa.alg.PRF, sa.ni, sa.nr, shared), sa.ni, sa.nr, sa.spii, sa.spir)
	if err != nil {
		return
	}
	ps := []Payload{&SA{Proposals: []Proposal{chosen}}, &KE{Group: uint16(prop.Group), Data: dh.Public()}, &Nonce{Data: sa.nr}}
	if t.NATT && sa.detectNAT(m, local, remote) {
		ps = append(ps, sa.natPayloads()...)
	}
	if usesCerts(prop) {
		if cr := sa.certReq(); cr != nil {
			ps = append(ps, cr)
		}
		if m.Notify(NotifySignatureHashes) != nil {
			sa.notePeerHashes(m)
			ps = append(ps, hashNotify())
		}
	}
	out := &Message{Header: Header{SPIi: sa.spii, SPIr: sa.spir, Exchange: ExchangeSAInit, Flags: FlagResponse}, Payloads: ps}
	sa.initResp = out.Encode()
	p.sas[sa.spir] = sa
	p.halfOpen[hk] = sa
	sa.stats.InPackets++
	sa.stats.InBytes += uint64(len(raw))
	sa.logf("IKE_SA_INIT answered for %s (%v, %v, %v)", t.Name(), prop.Encryption, prop.Hash, prop.Group)
	sa.send(sa.initResp)
	sa.halfOpenT = p.h.AfterFunc(p.opts.HalfOpenTimeout, func() {
		if sa.state == stateHalfOpen {
			sa.logf("half-open SA timed out")
			sa.remove()
		}
	})
}
