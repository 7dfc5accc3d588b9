package ikev1

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"mxlab/services/ike/suite"
)

// respond answers the first message of a phase-1 negotiation a peer
// starts. It reports whether it kept an SA for it (and armed its timer).
func (m *Machine) respond(local, remote netip.AddrPort, h *Header, msg []byte) (kept bool) {
	max := m.cfg.MaxHalfOpen
	if max <= 0 {
		max = DefaultMaxHalfOpen
	}
	if m.halfOpen >= max {
		m.drop(nil, &m.stats.HalfOpenDropped, "%v from %v: %d half-open SAs", h.Exchange, remote, m.halfOpen)
		return false
	}
	d, err := Decode(msg)
	if err == nil {
		err = checkTypes(d)
	}
	if err != nil {
		m.dropDecode(nil, err, "%v from %v", h.Exchange, remote)
		return false
	}
	sab, err := need(d, PayloadSA)
	if err != nil {
		m.drop(nil, &m.stats.Malformed, "%v from %v: %v", h.Exchange, remote, err)
		return false
	}
	offer, err := ParseSA(sab)
	if err != nil {
		m.drop(nil, &m.stats.Malformed, "%v from %v: %v", h.Exchange, remote, err)
		return false
	}
	pol := m.policyFor(local.Addr(), remote.Addr())
	var idi ID
	if h.Exchange == ExchAggressive {
		if idb, err := need(d, PayloadID); err == nil {
			idi, _ = ParseID(idb)
			pol = m.aggressivePolicy(local.Addr(), remote.Addr(), idi)
		}
	}
	if pol != nil && dynamic(pol.cfg.Remote) && !pol.gateway(remote.Addr()) && m.dynamicSAs() >= cmp.Or(m.cfg.MaxDynamicPeers, DefaultMaxDynamicPeers) {
		m.drop(nil, &m.stats.PeersLimited, "%v from %v: %d SAs with dynamic peers", h.Exchange, remote, m.dynamicSAs())
		return false
	}
	if pol == nil {
		m.drop(nil, &m.stats.NoPolicy, "%v from %v: no tunnel or access profile accepts this peer on %v: NO-PROPOSAL-CHOSEN sent", h.Exchange, remote, local.Addr())
		m.notifyClear(local, remote, h, NotifyNoProposalChosen)
		return false
	}
	var group suite.Group
	if h.Exchange == ExchAggressive {
		if ke, err := need(d, PayloadKE); err == nil {
			group = groupOfKE(offer, ke)
		}
	}
	ours := pol.cfg.IKE.proposals()
	if h.Exchange == ExchAggressive {
		ours = slices.DeleteFunc(ours, func(p IKEProposal) bool { return p.Signatures })
	}
	reply, chosen, ok := chooseP1(offer, ours, group)
	if !ok {
		m.stats.NoProposal++
		m.logf("warning", "%v from %v: no proposal chosen (%s offered)", h.Exchange, remote, describeP1(offer))
		m.notifyClear(local, remote, h, NotifyNoProposalChosen)
		return false
	}
	sa := &ikeSA{mode: h.Exchange, icookie: h.ICookie, rcookie: m.newCookie(), local: local, remote: remote,
		policy: pol, chosen: chosen, sai: append([]byte(nil), sab...), vend: parseVendors(d)}
	sa.natt = sa.vend.natt
	if pol.cfg.NoNATT {
		sa.natt = NATTNone
	}
	m.register(sa)
	c := newChain()
	c.add(PayloadSA, reply.Append(nil))
	if h.Exchange == ExchMain {
		addVendors(c, sa.natt != NATTNone, false, sa.vend.nattVID)
		sa.state = stateMM2
		msg := encode(sa.header(0, 0), c)
		sa.r.received(msg)
		m.arm(&sa.r, msg)
		m.send(sa, msg)
		return true
	}
	if err := m.am1(sa, d, idi, c); err != nil {
		m.dropDecode(sa, err, "aggressive mode from %v", remote)
		m.deleteIKE(sa, false, err.Error())
		return true
	}
	sa.r.received(msg)
	return true
}

// dynamicSAs counts the phase-1 SAs with dynamic peers.
func (m *Machine) dynamicSAs() int {
	n := 0
	for _, sa := range m.sas {
		if sa.policy != nil && dynamic(sa.policy.cfg.Remote) && sa.state != stateDead {
			n++
		}
	}
	return n
}

// aggressivePolicy returns the policy for an aggressive-mode peer: the
// tunnel of its address, else a dynamic-peer tunnel that accepts its
// identity.
func (m *Machine) aggressivePolicy(local, remote netip.Addr, id ID) *tunnel {
	for _, t := range m.tuns {
		if t.cfg.Local == local && t.gateway(remote) {
			return t
		}
	}
	for _, t := range m.tuns {
		if t.cfg.Local == local && dynamic(t.cfg.Remote) && len(t.cfg.IKE.RemoteIDs) > 0 && acceptID(t, id) {
			return t
		}
	}
	return m.policyFor(local, remote)
}

// groupOfKE returns the group of an aggressive-mode offer (all
// transforms share it) whose public value has the KE's length.
func groupOfKE(offer SA, ke []byte) suite.Group {
	for _, p := range offer.Proposals {
		for i := range p.Transforms {
			if x, ok := parseP1Transform(&p.Transforms[i]); ok && x.Group.PublicLen() == len(ke) {
				return x.Group
			}
		}
	}
	return 0
}

func describeP1(sa SA) string {
	s := ""
	for _, p := range sa.Proposals {
		for i := range p.Transforms {
			if s != "" {
				s += ", "
			}
			if x, ok := parseP1Transform(&p.Transforms[i]); ok {
				s += fmt.Sprintf("%v/%v/%v", x.Encryption, x.Hash, x.Group)
				if x.Signatures {
					s += "/rsa-signatures"
				}
			} else {
				s += "unsupported"
			}
		}
	}
	return s
}

// notifyClear answers a first message with an unencrypted notification
// (NO-PROPOSAL-CHOSEN); it holds no state.
func (m *Machine) notifyClear(local, remote netip.AddrPort, h *Header, typ uint16) {
	n := Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: typ, SPI: append(h.ICookie[:], make([]byte, 8)...)}
	c := newChain()
	c.add(PayloadNotify, n.Append(nil))
	out := encode(Header{ICookie: h.ICookie, Version: Version, Exchange: ExchInformational}, c)
	m.stats.OutPackets++
	m.stats.OutBytes += uint64(len(out))
	m.host.Send(local, remote, out)
}
