package ikev2

import (
	"bytes"
	"crypto/hmac"
	"encoding/hex"
	"net/netip"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/pki"
)

// idPayload is the ID payload of an identity; the default identity is
// the gateway's address.
func idPayload(kind PayloadType, id ipsec.Identity, addr netip.Addr) *ID {
	switch id.Type {
	case "fqdn":
		return &ID{Kind: kind, IDType: IDFQDN, Data: []byte(id.Value)}
	case "key-id":
		if b, err := hex.DecodeString(id.Value); err == nil {
			return &ID{Kind: kind, IDType: IDKeyID, Data: b}
		}
		return &ID{Kind: kind, IDType: IDKeyID, Data: []byte(id.Value)}
	case "distinguished-name":
		return &ID{Kind: kind, IDType: IDDERASN1DN, Data: []byte(id.Value)}
	case "ipv4_addr", "ipv6-addr":
		if a, err := netip.ParseAddr(id.Value); err == nil {
			addr = a
		}
	}
	if addr.Is4() {
		return &ID{Kind: kind, IDType: IDIPv4, Data: addr.AsSlice()}
	}
	return &ID{Kind: kind, IDType: IDIPv6, Data: addr.AsSlice()}
}

// idAccepted reports whether the peer's identity is the one the policy
// expects (any identity when the policy names none: the pre-shared key
// authenticates the peer).
func idAccepted(want ipsec.Identity, got *ID, peer netip.Addr) bool {
	if want.Any || want.Type == "" {
		return true
	}
	exp := idPayload(got.Kind, want, peer)
	return exp.IDType == got.IDType && bytes.Equal(exp.Data, got.Data)
}

// firstContact reports whether sa is the only IKE SA with its peer
// (INITIAL_CONTACT, RFC 7296 §2.4).
func (sa *ikeSA) firstContact() bool {
	for _, o := range sa.p.sas {
		if o != sa && o.remote.Addr() == sa.remote.Addr() && o.state == stateEstablished {
			return false
		}
	}
	return true
}

// sendAuth sends the IKE_AUTH request (initiator), with the first
// pending tunnel's child SA.
func (sa *ikeSA) sendAuth() {
	var cred *pki.Credential
	if sa.certMode() {
		c, err := sa.credential()
		if err != nil {
			sa.logf("cannot authenticate with a certificate: %v", err)
			sa.fail()
			return
		}
		cred = c
	}
	idi := sa.localID(PayloadIDi, cred)
	ps := []Payload{idi}
	if cred != nil {
		ps = append(ps, sa.certPayloads(cred)...)
	}
	if sa.firstContact() {
		ps = append(ps, &Notify{Kind: NotifyInitialContact})
	}
	if cred != nil {
		if cr := sa.certReq(); cr != nil {
			ps = append(ps, cr)
		}
	}
	if idr := sa.remoteIDPayload(); idr != nil {
		ps = append(ps, idr)
	}
	if cred != nil {
		auth, err := sa.sign(cred, sa.signedOctets(sa.initReq, sa.nr, sa.keys.pi, idi))
		if err != nil {
			sa.logf("cannot sign AUTH with certificate %s: %v", cred.ID, err)
			sa.fail()
			return
		}
		ps = append(ps, auth)
	} else {
		ps = append(ps, &Auth{Method: AuthPSK, Data: pskAuth(sa.alg.PRF, sa.policy.PSK, sa.initReq, sa.nr, sa.keys.pi, idi.body())})
	}
	var cr *childReq
	if len(sa.pending) > 0 {
		cr = sa.newChildReq(sa.pending[0], nil, false)
		ps = append(ps, cr.payloads()...)
	}
	sa.enqueue(func(sa *ikeSA) {
		sa.request(ExchangeAuth, ps, func(m *Message) { sa.authReply(m, cr) }, sa.unreachable)
	})
}

// authReply handles the IKE_AUTH response (initiator).
func (sa *ikeSA) authReply(m *Message, cr *childReq) {
	idr, _ := m.Get(PayloadIDr).(*ID)
	auth, _ := m.Get(PayloadAUTH).(*Auth)
	if idr == nil || auth == nil {
		if n := m.Error(); n != nil {
			sa.logf("IKE_AUTH refused by the peer: %v", n.Kind)
		} else {
			sa.p.drops.Malformed++
			sa.logf("IKE_AUTH response without IDr and AUTH")
		}
		sa.fail()
		return
	}
	if sa.certMode() {
		if err := sa.verifyPeer(m, idr, auth, sa.signedOctets(sa.initResp, sa.ni, sa.keys.pr, idr)); err != nil {
			sa.refused(idr, err)
			sa.fail()
			return
		}
	} else {
		want := pskAuth(sa.alg.PRF, sa.policy.PSK, sa.initResp, sa.ni, sa.keys.pr, idr.body())
		if auth.Method != AuthPSK || !hmac.Equal(auth.Data, want) {
			sa.p.drops.BadAuth++
			sa.logf("peer %s failed authentication (pre-shared key mismatch)", idr)
			sa.fail()
			return
		}
		if !idAccepted(sa.policy.RemoteID, idr, sa.remote.Addr()) {
			sa.p.drops.BadAuth++
			sa.logf("peer identity %s is not the remote-id of policy %s", idr, sa.policy.Name)
			sa.fail()
			return
		}
	}
	sa.establish(idr)
	if cr != nil {
		sa.childReply(m, cr)
	}
	sa.createPending()
	sa.resolveDuplicate()
}

// authRequest answers the IKE_AUTH request (responder).
func (sa *ikeSA) authRequest(m *Message, raw []byte) {
	p := sa.p
	delete(p.halfOpen, halfKey{sa.remote.Addr(), sa.spii})
	if sa.halfOpenT != nil {
		sa.halfOpenT.Stop()
	}
	idi, _ := m.Get(PayloadIDi).(*ID)
	auth, _ := m.Get(PayloadAUTH).(*Auth)
	if idi == nil || auth == nil {
		p.drops.Malformed++
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyInvalidSyntax}})
		sa.remove()
		return
	}
	failed := func() {
		sa.respond(m, raw, []Payload{&Notify{Kind: NotifyAuthFailed}})
		sa.remove()
	}
	var ps []Payload
	if sa.certMode() {
		if err := sa.verifyPeer(m, idi, auth, sa.signedOctets(sa.initReq, sa.nr, sa.keys.pi, idi)); err != nil {
			sa.refused(idi, err)
			failed()
			return
		}
		cred, err := sa.credential()
		if err != nil {
			sa.logf("cannot authenticate with a certificate: %v", err)
			failed()
			return
		}
		idr := sa.localID(PayloadIDr, cred)
		a, err := sa.sign(cred, sa.signedOctets(sa.initResp, sa.ni, sa.keys.pr, idr))
		if err != nil {
			sa.logf("cannot sign AUTH with certificate %s: %v", cred.ID, err)
			failed()
			return
		}
		ps = append(append([]Payload{idr}, sa.certPayloads(cred)...), a)
	} else {
		want := pskAuth(sa.alg.PRF, sa.policy.PSK, sa.initReq, sa.nr, sa.keys.pi, idi.body())
		if auth.Method != AuthPSK || sa.policy.PSK == nil || !hmac.Equal(auth.Data, want) || !idAccepted(sa.policy.RemoteID, idi, sa.remote.Addr()) {
			p.drops.BadAuth++
			sa.logf("peer %s failed authentication", idi)
			failed()
			return
		}
		idr := idPayload(PayloadIDr, sa.policy.LocalID, sa.local.Addr())
		ps = []Payload{idr, &Auth{Method: AuthPSK, Data: pskAuth(sa.alg.PRF, sa.policy.PSK, sa.initResp, sa.ni, sa.keys.pr, idr.body())}}
	}
	if m.Notify(NotifyInitialContact) != nil {
		// The peer has no other SA with us: those established before it
		// started this one are stale (it restarted). SAs negotiated at
		// the same time are not (see resolveDuplicate).
		for _, o := range p.sortedSAs() {
			if o != sa && o.remote.Addr() == sa.remote.Addr() && o.local.Addr() == sa.local.Addr() &&
				o.state == stateEstablished && o.established.Before(sa.created) {
				o.logf("INITIAL_CONTACT from the peer: deleting this older SA")
				o.remove()
			}
		}
	}
	sa.establish(idi)
	if m.Get(PayloadSA) != nil {
		ps = append(ps, sa.childRequest(m, sa.ni, sa.nr, nil)...)
	}
	sa.respond(m, raw, ps)
	sa.resolveDuplicate()
}

// establish marks the SA authenticated and starts its timers.
func (sa *ikeSA) establish(peer *ID) {
	p := sa.p
	sa.state = stateEstablished
	sa.established = p.h.Now()
	sa.logf("established with %s (%v, %v, %v, %v)", peer, sa.alg.Encryption, sa.alg.PRF, sa.alg.Integrity, sa.alg.Group)
	life := p.lifetime(sa.proposal.Lifetime)
	sa.rekeyT = p.h.AfterFunc(jitter(time.Duration(float64(life)*p.opts.Soft)), func() { sa.rekeyIKE() })
	sa.expireT = p.h.AfterFunc(life, func() {
		sa.logf("lifetime expired")
		sa.delete(true)
		sa.retryTunnels()
	})
	sa.startDPD()
	sa.startKeepalive()
}

// resolveDuplicate settles two IKE SAs with one peer that both sides
// initiated at the same time (establish-tunnels immediately on both): the
// SA initiated by the lower address stays; the router with the higher
// address deletes the one it initiated and asks for its tunnels' child
// SAs over the other. Both routers reach the same decision.
func (sa *ikeSA) resolveDuplicate() {
	p := sa.p
	for _, o := range p.sortedSAs() {
		if o == sa || o.initiator == sa.initiator || o.state != stateEstablished || o.rekeyedTo != nil ||
			o.remote.Addr() != sa.remote.Addr() || o.local.Addr() != sa.local.Addr() {
			continue
		}
		if sa.local.Addr().Less(sa.remote.Addr()) {
			return // the peer deletes the SA it initiated
		}
		mine, theirs := o, sa
		if sa.initiator {
			mine, theirs = sa, o
		}
		tunnels := mine.tunnels()
		mine.logf("the peer initiated %x:%x at the same time: deleting this SA", theirs.spii, theirs.spir)
		mine.delete(true)
		for _, t := range tunnels {
			if !p.tunnelHasChild(t) {
				theirs.pending = append(theirs.pending, t)
				theirs.createChild(t, nil)
			}
		}
		return
	}
}
