package ikev2

import (
	"bytes"
	"encoding/binary"
	"time"

	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
)

// createChildRequest answers a CREATE_CHILD_SA request: an IKE SA rekey,
// a child SA rekey (REKEY_SA) or a new child SA.
func (sa *ikeSA) createChildRequest(m *Message, raw []byte) {
	sap, _ := m.Get(PayloadSA).(*SA)
	ni, _ := m.Get(PayloadNonce).(*Nonce)
	if sap == nil || ni == nil {
		sa.p.drops.Malformed++
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyInvalidSyntax}})
		return
	}
	if sap.Proposals[0].Protocol == ProtoIKE {
		sa.rekeyRequest(m, raw, sap, ni.Data)
		return
	}
	if sa.rekeying {
		// RFC 7296 §2.25: this side is rekeying the IKE SA.
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyTemporaryFailure}})
		return
	}
	var old *child
	if n := m.Notify(NotifyRekeySA); n != nil {
		v := spiValue(n.SPI)
		for _, c := range sa.children {
			if c.c.OutSPI == v && !c.deleted {
				old = c
			}
		}
		if old == nil {
			sa.respond(m, raw, []Payload{&Notify{Protocol: ProtoESP, SPI: n.SPI, Kind: NotifyChildSANotFound}})
			return
		}
		if old.rekeyed {
			sa.respond(m, raw, []Payload{&Notify{Kind: NotifyTemporaryFailure}})
			return
		}
	}
	nr := randomBytes(nonceLen)
	sa.respond(m, raw, sa.childRequest(m, ni.Data, nr, old))
}

// rekeyIKE rekeys the IKE SA at its soft lifetime (RFC 7296 §2.18).
func (sa *ikeSA) rekeyIKE() {
	if sa.state != stateEstablished || sa.rekeying || sa.rekeyedTo != nil {
		return
	}
	sa.enqueue(func(s *ikeSA) {
		if s.state != stateEstablished || s.rekeying {
			return
		}
		spi := newSPI()
		ni := randomBytes(nonceLen)
		dh, err := s.alg.Group.GenerateKey()
		if err != nil {
			return
		}
		s.rekeying = true
		s.logf("rekeying the IKE SA")
		offer := ikeSAPayload(s.policy, spi[:])
		ps := []Payload{offer, &Nonce{Data: ni}, &KE{Group: uint16(dh.Group()), Data: dh.Public()}}
		s.request(ExchangeCreateChildSA, ps, func(m *Message) { s.rekeyReply(m, spi, ni, dh) }, s.unreachable)
	})
}

// rekeyReply completes an IKE SA rekey this side started.
func (sa *ikeSA) rekeyReply(m *Message, spi [8]byte, ni []byte, dh *suite.DHKey) {
	sa.rekeying = false
	retry := func(why string) {
		sa.logf("IKE SA rekey failed: %s", why)
		stop(sa.rekeyT)
		sa.rekeyT = sa.p.h.AfterFunc(jitter(5*time.Second), func() { sa.rekeyIKE() })
	}
	if n := m.Error(); n != nil {
		retry("the peer answered " + n.Kind.String())
		return
	}
	sap, _ := m.Get(PayloadSA).(*SA)
	nr, _ := m.Get(PayloadNonce).(*Nonce)
	ke, _ := m.Get(PayloadKE).(*KE)
	if sap == nil || nr == nil || ke == nil || len(sap.Proposals) != 1 || len(sap.Proposals[0].SPI) != 8 {
		sa.p.drops.Malformed++
		retry("malformed response")
		return
	}
	prop, ok := acceptIKE(sap, sa.policy)
	if !ok || prop.Group != dh.Group() || suite.Group(ke.Group) != dh.Group() {
		sa.p.drops.NoProposal++
		retry("the peer chose a proposal that was not offered")
		return
	}
	shared, err := dh.SharedSecret(ke.Data)
	if err != nil {
		sa.p.drops.Malformed++
		retry(err.Error())
		return
	}
	var spir [8]byte
	copy(spir[:], sap.Proposals[0].SPI)
	n := sa.successor(true, spi, spir, prop, ni, nr.Data, shared)
	if n == nil {
		retry("key derivation failed")
		return
	}
	// The old SA is deleted by this side, on the old SA.
	old := sa
	old.stats.DeletesOut++
	old.request(ExchangeInformational, []Payload{&Delete{Protocol: ProtoIKE}}, func(*Message) { old.remove() }, old.remove)
}

// rekeyRequest answers an IKE SA rekey the peer started.
func (sa *ikeSA) rekeyRequest(m *Message, raw []byte, sap *SA, ni []byte) {
	ke, _ := m.Get(PayloadKE).(*KE)
	if ke == nil || len(sap.Proposals[0].SPI) != 8 {
		sa.p.drops.Malformed++
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyInvalidSyntax}})
		return
	}
	if sa.rekeying || sa.out != nil && sa.out.exchange == ExchangeCreateChildSA {
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyTemporaryFailure}})
		return
	}
	prop, reply, ok := chooseIKE(sap, sa.policy)
	if !ok {
		sa.p.drops.NoProposal++
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyNoProposalChosen}})
		return
	}
	if suite.Group(ke.Group) != prop.Group {
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyInvalidKE, Data: binary.BigEndian.AppendUint16(nil, uint16(prop.Group))}})
		return
	}
	dh, err := prop.Group.GenerateKey()
	if err != nil {
		return
	}
	shared, err := dh.SharedSecret(ke.Data)
	if err != nil {
		sa.p.drops.Malformed++
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyInvalidSyntax}})
		return
	}
	var spii [8]byte
	for _, pr := range sap.Proposals {
		if pr.Num == reply.Num {
			copy(spii[:], pr.SPI)
		}
	}
	spir := newSPI()
	nr := randomBytes(nonceLen)
	reply.SPI = spir[:]
	ps := []Payload{&SA{Proposals: []Proposal{reply}}, &Nonce{Data: nr}, &KE{Group: uint16(prop.Group), Data: dh.Public()}}
	sa.respond(m, raw, ps)
	if sa.successor(false, spii, spir, prop, ni, nr, shared) == nil {
		return
	}
	// The peer deletes the old SA; forget it anyway if it does not.
	sa.stopTimers()
	sa.halfOpenT = sa.p.h.AfterFunc(sa.p.opts.HalfOpenTimeout, sa.remove)
}

// successor creates the IKE SA that replaces sa after a rekey (this side
// initiated the rekey when initiator is true) and moves the children,
// pending tunnels and queued requests to it.
func (sa *ikeSA) successor(initiator bool, spii, spir [8]byte, prop *ipsec.IKEProposal, ni, nr, shared []byte) *ikeSA {
	p := sa.p
	n := &ikeSA{p: p, initiator: initiator, spii: spii, spir: spir, local: sa.local, remote: sa.remote,
		tunnel: sa.tunnel, policy: sa.policy, proposal: prop, alg: ikeAlgorithms(prop),
		ni: bytes.Clone(ni), nr: bytes.Clone(nr), nat: sa.nat, behind: sa.behind, created: p.h.Now(),
		lastRecv: p.h.Now(), stats: sa.stats}
	var err error
	n.keys, err = deriveKeys(n.alg, rekeySeed(sa.alg.PRF, sa.keys.d, shared, n.ni, n.nr), n.ni, n.nr, spii, spir)
	if err != nil {
		return nil
	}
	n.children, sa.children = sa.children, nil
	for _, c := range n.children {
		c.sa = n
	}
	n.pending, sa.pending = sa.pending, nil
	n.queue, sa.queue = sa.queue, nil
	p.sas[n.ourSPI()] = n
	sa.rekeyedTo = n
	sa.state = stateDeleting
	stop(sa.rekeyT)
	stop(sa.expireT)
	stop(sa.dpdT)
	stop(sa.keepaliveT)
	n.logf("IKE SA rekeyed (replaces %x:%x)", sa.spii, sa.spir)
	n.establishRekeyed()
	return n
}

// establishRekeyed starts the timers of an SA born from a rekey.
func (sa *ikeSA) establishRekeyed() {
	sa.state = stateEstablished
	sa.established = sa.p.h.Now()
	life := sa.p.lifetime(sa.proposal.Lifetime)
	sa.rekeyT = sa.p.h.AfterFunc(jitter(time.Duration(float64(life)*sa.p.opts.Soft)), func() { sa.rekeyIKE() })
	sa.expireT = sa.p.h.AfterFunc(life, func() {
		sa.logf("lifetime expired")
		sa.delete(true)
		sa.retryTunnels()
	})
	sa.startDPD()
	sa.startKeepalive()
	sa.next()
}
