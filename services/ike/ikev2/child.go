package ikev2

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec/esp"
)

// child is a child SA of an IKE SA.
type child struct {
	sa      *ikeSA
	tunnel  *ike.Tunnel
	c       *ike.Child
	nonces  [2][]byte // Ni, Nr of the exchange that created it
	byPeer  bool      // the peer sent the request that created it
	rekeyed bool      // replaced by a newer child; waits for its delete
	// replacedBy is the child the peer's rekey of this one created.
	replacedBy *child
	deleted    bool
	rekeyT     ike.Timer
	expireT    ike.Timer
}

// childReq is a child SA this side asks for.
type childReq struct {
	sa     *ikeSA
	tunnel *ike.Tunnel
	old    *child // the child a rekey replaces
	spi    uint32
	ni     []byte       // nil in IKE_AUTH (the IKE SA's nonces count)
	dh     *suite.DHKey // PFS
}

// newChildReq prepares a request for a child of t (a rekey of old when
// old is not nil); ownExchange is true for CREATE_CHILD_SA, false in
// IKE_AUTH, which has no nonce and no KE for the child.
func (sa *ikeSA) newChildReq(t *ike.Tunnel, old *child, ownExchange bool) *childReq {
	cr := &childReq{sa: sa, tunnel: t, old: old, spi: ike.NewSPI()}
	if ownExchange {
		cr.ni = randomBytes(nonceLen)
		if g := t.IPsec.PFS; g != 0 {
			cr.dh, _ = g.GenerateKey()
		}
	}
	return cr
}

// payloads are the payloads of the request.
func (cr *childReq) payloads() []Payload {
	var ps []Payload
	if cr.old != nil {
		ps = append(ps, &Notify{Protocol: ProtoESP, SPI: spiBytes(cr.old.c.InSPI), Kind: NotifyRekeySA})
	}
	pfs := suite.Group(0)
	if cr.dh != nil {
		pfs = cr.dh.Group()
	}
	ps = append(ps, espSAPayload(cr.tunnel.IPsec, cr.spi, pfs))
	if cr.ni != nil {
		ps = append(ps, &Nonce{Data: cr.ni})
	}
	if cr.dh != nil {
		ps = append(ps, &KE{Group: uint16(cr.dh.Group()), Data: cr.dh.Public()})
	}
	return append(ps,
		&TS{Kind: PayloadTSi, Selectors: []Selector{prefixSelector(cr.tunnel.LocalTS)}},
		&TS{Kind: PayloadTSr, Selectors: []Selector{prefixSelector(cr.tunnel.RemoteTS)}})
}

// createPending asks for the children of the tunnels waiting for one.
func (sa *ikeSA) createPending() {
	for _, t := range slices.Clone(sa.pending) {
		sa.createChild(t, nil)
	}
}

// createChild sends a CREATE_CHILD_SA request for t (a rekey of old
// when old is not nil). t must be in sa.pending for a new child.
func (sa *ikeSA) createChild(t *ike.Tunnel, old *child) {
	sa.enqueue(func(s *ikeSA) {
		if old == nil && !slices.Contains(s.pending, t) {
			return // deleted or configured away meanwhile
		}
		if old != nil && (old.deleted || old.rekeyed) {
			return
		}
		cr := s.newChildReq(t, old, true)
		if old != nil {
			s.logf("rekeying child SA %08x/%08x of %s", old.c.InSPI, old.c.OutSPI, t.Name())
		}
		s.request(ExchangeCreateChildSA, cr.payloads(), func(m *Message) { s.childReply(m, cr) }, s.unreachable)
	})
}

// childReply handles the answer to a child SA request (in IKE_AUTH or
// CREATE_CHILD_SA).
func (sa *ikeSA) childReply(m *Message, cr *childReq) {
	t := cr.tunnel
	sa.pending = slices.DeleteFunc(sa.pending, func(x *ike.Tunnel) bool { return x == t })
	fail := func(why string) {
		sa.logf("child SA for %s not created: %s", t.Name(), why)
		if cr.old == nil {
			sa.p.scheduleRetry(t)
		} else {
			sa.retryRekey(cr.old)
		}
	}
	if n := m.Error(); n != nil {
		if n.Kind == NotifyNoProposalChosen {
			sa.p.drops.NoProposal++
		}
		fail("the peer answered " + n.Kind.String())
		return
	}
	sap, _ := m.Get(PayloadSA).(*SA)
	tsi, _ := m.Get(PayloadTSi).(*TS)
	tsr, _ := m.Get(PayloadTSr).(*TS)
	nr, _ := m.Get(PayloadNonce).(*Nonce)
	ke, _ := m.Get(PayloadKE).(*KE)
	if sap == nil || tsi == nil || tsr == nil || (cr.ni != nil && nr == nil) || (cr.dh != nil && ke == nil) {
		sa.p.drops.Malformed++
		fail("malformed response")
		return
	}
	pfs := suite.Group(0)
	if cr.dh != nil {
		pfs = cr.dh.Group()
	}
	choice, ok := acceptESP(sap, t.IPsec, pfs)
	if !ok {
		sa.p.drops.NoProposal++
		fail("the peer chose a proposal that was not offered")
		return
	}
	if !within(tsi.Selectors, t.LocalTS) || !within(tsr.Selectors, t.RemoteTS) {
		fail("the peer's traffic selectors are wider than the ones offered")
		return
	}
	var shared []byte
	if cr.dh != nil {
		var err error
		if suite.Group(ke.Group) != pfs {
			fail("KE of the wrong group")
			return
		}
		if shared, err = cr.dh.SharedSecret(ke.Data); err != nil {
			sa.p.drops.Malformed++
			fail(err.Error())
			return
		}
	}
	ni, nrd := sa.ni, sa.nr
	if cr.ni != nil {
		ni, nrd = cr.ni, nr.Data
	}
	c := sa.makeChild(t, choice, cr.spi, ni, nrd, shared, true, false, tsi.Selectors, tsr.Selectors)
	if c == nil {
		return
	}
	if old := cr.old; old != nil {
		sa.stats.ChildRekeys++
		if r := old.replacedBy; r != nil && !r.deleted {
			// Both sides rekeyed old at once (RFC 7296 §2.8.1): the
			// child of the exchange with the lowest of the four nonces
			// is redundant, and its creator deletes it.
			if bytes.Compare(minBytes(ni, nrd), minBytes(r.nonces[0], r.nonces[1])) < 0 {
				sa.logf("simultaneous rekey: deleting the redundant child SA %08x/%08x", c.c.InSPI, c.c.OutSPI)
				sa.deleteChildren([]*child{c}, true)
			}
		}
		sa.retire(old)
	}
}

func minBytes(a, b []byte) []byte {
	if bytes.Compare(a, b) < 0 {
		return a
	}
	return b
}

// childRequest answers a request for a child SA (in IKE_AUTH or
// CREATE_CHILD_SA) and returns the payloads of the answer; old is the
// child a rekey replaces. ni and nr are the exchange's nonces.
func (sa *ikeSA) childRequest(m *Message, ni, nr []byte, old *child) []Payload {
	sap, _ := m.Get(PayloadSA).(*SA)
	tsi, _ := m.Get(PayloadTSi).(*TS)
	tsr, _ := m.Get(PayloadTSr).(*TS)
	if sap == nil || tsi == nil || tsr == nil {
		sa.p.drops.Malformed++
		return []Payload{&Notify{Kind: NotifyInvalidSyntax}}
	}
	withKE := m.Exchange == ExchangeCreateChildSA
	refuse := NotifyTSUnacceptable
	for _, t := range sa.candidates(old) {
		ti, tr := narrow(tsi.Selectors, t.RemoteTS), narrow(tsr.Selectors, t.LocalTS)
		if len(ti) == 0 || len(tr) == 0 {
			continue
		}
		choice, ok := chooseESP(sap, t.IPsec, withKE)
		if !ok {
			refuse = NotifyNoProposalChosen
			continue
		}
		var shared []byte
		var ps []Payload
		if withKE {
			ps = append(ps, &Nonce{Data: nr})
		}
		if choice.pfs != 0 {
			ke, _ := m.Get(PayloadKE).(*KE)
			if ke == nil {
				refuse = NotifyNoProposalChosen
				continue
			}
			if suite.Group(ke.Group) != choice.pfs {
				return []Payload{&Notify{Kind: NotifyInvalidKE, Data: binary.BigEndian.AppendUint16(nil, uint16(choice.pfs))}}
			}
			dh, err := choice.pfs.GenerateKey()
			if err != nil {
				return []Payload{&Notify{Kind: NotifyNoProposalChosen}}
			}
			if shared, err = dh.SharedSecret(ke.Data); err != nil {
				sa.p.drops.Malformed++
				return []Payload{&Notify{Kind: NotifyInvalidSyntax}}
			}
			ps = append(ps, &KE{Group: uint16(choice.pfs), Data: dh.Public()})
		}
		spi := ike.NewSPI()
		c := sa.makeChild(t, choice, spi, ni, nr, shared, false, old != nil, tr, ti)
		if c == nil {
			return []Payload{&Notify{Kind: NotifyNoAdditionalSAs}}
		}
		c.byPeer = true
		if old != nil {
			sa.stats.ChildRekeys++
			old.rekeyed = true
			old.replacedBy = c
			stop(old.rekeyT)
		}
		reply := choice.reply
		reply.SPI = spiBytes(spi)
		return append([]Payload{&SA{Proposals: []Proposal{reply}}}, append(ps,
			&TS{Kind: PayloadTSi, Selectors: ti}, &TS{Kind: PayloadTSr, Selectors: tr})...)
	}
	if refuse == NotifyNoProposalChosen {
		sa.p.drops.NoProposal++
	}
	var profiles []string
	for _, t := range sa.candidates(old) {
		if t.Profile != "" && !slices.Contains(profiles, t.Profile) {
			profiles = append(profiles, t.Profile)
		}
	}
	if refuse == NotifyTSUnacceptable && len(profiles) > 0 {
		sa.p.drops.ProxyRefused++
		sa.logf("IKE Phase-2 failure: peer %s: traffic selectors %v === %v are not allowed by access profile %s: TS_UNACCEPTABLE sent",
			sa.remote, tsr.Selectors, tsi.Selectors, strings.Join(profiles, ", "))
	} else {
		sa.logf("child SA refused: %v", refuse)
	}
	return []Payload{&Notify{Kind: refuse}}
}

// candidates are the tunnels a child asked by the peer may belong to: the
// rekeyed child's tunnel, or the tunnels with this peer and IKE policy.
func (sa *ikeSA) candidates(old *child) []*ike.Tunnel {
	if old != nil {
		return []*ike.Tunnel{old.tunnel}
	}
	return sa.p.peerTunnels(sa.local.Addr(), sa.remote.Addr(), sa.policy)
}

// makeChild derives the keys of a negotiated child SA, installs it and
// starts its timers. exchangeInitiator is true when this side sent the
// request that created it; standby keeps the tunnel's traffic on the
// child it replaces until that one is removed (a rekey the peer started).
// It returns nil when the card refused it.
func (sa *ikeSA) makeChild(t *ike.Tunnel, ch espChoice, inSPI uint32, ni, nr, shared []byte, exchangeInitiator, standby bool, local, remote []Selector) *child {
	p := sa.p
	if sa.state == stateDeleting {
		return nil
	}
	integLen := 0
	if ch.integ != esp.NoAuthentication {
		integLen = ch.integ.KeyLen()
	}
	i2r, r2i := childKeys(sa.alg.PRF, sa.keys.d, shared, ni, nr, ch.enc.KeyLen(), integLen)
	in, out := i2r, r2i
	if exchangeInitiator {
		in, out = r2i, i2r
	}
	c := &ike.Child{Tunnel: t, InSPI: inSPI, OutSPI: ch.peerSPI, Encryption: ch.enc, Integrity: ch.integ,
		InKeys: ike.Keys{Encryption: in[0], Integrity: in[1]}, OutKeys: ike.Keys{Encryption: out[0], Integrity: out[1]},
		Local: netip.AddrPortFrom(sa.local.Addr(), 0), Remote: netip.AddrPortFrom(sa.remote.Addr(), 0),
		LocalTS: selectorPrefix(local, t.LocalTS), RemoteTS: selectorPrefix(remote, t.RemoteTS),
		PFS: ch.pfs, Created: p.h.Now(), Lifetime: p.lifetime(ch.proposal.Lifetime), Standby: standby}
	if sa.nat {
		c.Local, c.Remote = sa.local, sa.remote
	}
	if err := p.h.Install(c); err != nil {
		sa.logf("child SA %08x/%08x of %s not installed: %v", c.InSPI, c.OutSPI, t.Name(), err)
		return nil
	}
	x := &child{sa: sa, tunnel: t, c: c, nonces: [2][]byte{bytes.Clone(ni), bytes.Clone(nr)}}
	sa.children = append(sa.children, x)
	sa.stats.ChildrenCreated++
	delete(p.failed, key(t))
	sa.logf("child SA installed for %s: inbound SPI %08x, outbound SPI %08x, %v/%v%s, lifetime %v",
		t.Name(), c.InSPI, c.OutSPI, c.Encryption, c.Integrity, pfsNote(c.PFS), c.Lifetime)
	x.rekeyT = p.h.AfterFunc(jitter(time.Duration(float64(c.Lifetime)*p.opts.Soft)), func() { x.sa.rekeyChild(x) })
	x.expireT = p.h.AfterFunc(c.Lifetime, func() {
		if x.deleted {
			return
		}
		x.sa.logf("child SA %08x/%08x expired", x.c.InSPI, x.c.OutSPI)
		x.sa.deleteChildren([]*child{x}, true)
		x.sa.p.retryTunnel(x.tunnel)
	})
	return x
}

func pfsNote(g suite.Group) string {
	if g == 0 {
		return ""
	}
	return ", PFS " + g.String()
}

func stop(t ike.Timer) {
	if t != nil {
		t.Stop()
	}
}

// rekeyChild starts the rekey of a child at its soft lifetime.
func (sa *ikeSA) rekeyChild(c *child) {
	if c.deleted || c.rekeyed {
		return
	}
	if sa.state != stateEstablished || sa.rekeying {
		sa.retryRekey(c)
		return
	}
	sa.createChild(c.tunnel, c)
}

// retryRekey tries a rekey again a little later (the IKE SA was busy or
// the peer answered TEMPORARY_FAILURE).
func (sa *ikeSA) retryRekey(c *child) {
	stop(c.rekeyT)
	c.rekeyT = sa.p.h.AfterFunc(jitter(2*time.Second), func() { c.sa.rekeyChild(c) })
}

// retire deletes a rekeyed child: the peer is told, and the child stays
// installed (its inbound SA decrypting what is still in flight) until
// the peer answers.
func (sa *ikeSA) retire(old *child) {
	old.rekeyed = true
	stop(old.rekeyT)
	sa.enqueue(func(s *ikeSA) {
		if old.deleted {
			return
		}
		done := func() { s.removeChild(old) }
		s.request(ExchangeInformational, []Payload{&Delete{Protocol: ProtoESP, SPIs: [][]byte{spiBytes(old.c.InSPI)}}},
			func(*Message) { done() }, done)
		s.stats.DeletesOut++
	})
}

// removeChild takes a child out of the data path and of the SA.
func (sa *ikeSA) removeChild(c *child) {
	if c.deleted {
		return
	}
	c.deleted = true
	stop(c.rekeyT)
	stop(c.expireT)
	sa.p.h.Remove(c.c)
	sa.stats.ChildrenDeleted++
	sa.children = slices.DeleteFunc(sa.children, func(x *child) bool { return x == c })
	sa.logf("child SA %08x/%08x of %s removed", c.c.InSPI, c.c.OutSPI, c.tunnel.Name())
}

// deleteChildren removes children at once and, with notify, tells the
// peer.
func (sa *ikeSA) deleteChildren(cs []*child, notify bool) {
	var spis [][]byte
	for _, c := range cs {
		if !c.deleted {
			spis = append(spis, spiBytes(c.c.InSPI))
			sa.removeChild(c)
		}
	}
	if !notify || len(spis) == 0 || sa.state != stateEstablished {
		return
	}
	sa.stats.DeletesOut++
	sa.enqueue(func(s *ikeSA) {
		s.request(ExchangeInformational, []Payload{&Delete{Protocol: ProtoESP, SPIs: spis}}, nil, nil)
	})
}

// tunnelHasChild reports whether some IKE SA has a live child of t or
// negotiates one.
func (p *Protocol) tunnelHasChild(t *ike.Tunnel) bool {
	for _, sa := range p.sas {
		if sa.hasTunnel(t) {
			return true
		}
	}
	return false
}

// retryTunnel negotiates a tunnel with establish-tunnels immediately
// again (after RetryInterval) when it lost its last child.
func (p *Protocol) retryTunnel(t *ike.Tunnel) {
	if !p.tunnelHasChild(t) {
		p.scheduleRetry(t)
	}
}
