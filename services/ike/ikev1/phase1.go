package ikev1

// Phase 1 (RFC 2409 §5) with pre-shared keys:
//
//	Main mode                              Aggressive mode
//	I: HDR, SA, V...                       I: HDR, SA, KE, Ni, IDii, V...
//	R: HDR, SA, V...                       R: HDR, SA, KE, Nr, IDir, HASH_R, NAT-D, NAT-D, V...
//	I: HDR, KE, Ni, NAT-D, NAT-D           I: HDR*, HASH_I, NAT-D, NAT-D [, N(INITIAL-CONTACT)]
//	R: HDR, KE, Nr, NAT-D, NAT-D
//	I: HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)]
//	R: HDR*, IDir, HASH_R
//
// NAT-D payloads go only when both sides announced NAT-T; after a NAT is
// detected the initiator moves to port 4500 for its next message (MM5,
// AM3) and the responder follows. "*" is encryption with SKEYID_e.

import (
	"errors"
	"fmt"
	"net/netip"

	"mxlab/services/pki"
)

// nonceLen is the length of the nonces this side sends.
const nonceLen = 32

// Limits of received values.
const (
	minNonce = 8
	maxNonce = 256
)

var errNoPSK = errors.New("the IKE policy has no pre-shared key")

// startIKE starts a phase-1 negotiation as initiator for tunnel t's
// gateways and IKE policy.
func (m *Machine) startIKE(t *tunnel) {
	sa := &ikeSA{initiator: true, mode: t.cfg.IKE.Mode, icookie: m.newCookie(), policy: t,
		local: netip.AddrPortFrom(t.cfg.Local, PortIKE), remote: netip.AddrPortFrom(t.peer, PortIKE)}
	if sa.mode != ExchAggressive {
		sa.mode = ExchMain
	}
	sa.props = t.cfg.IKE.proposals()
	if sa.mode == ExchAggressive {
		// One key exchange: every transform must share its group.
		g := sa.props[0].Group
		var same []IKEProposal
		for _, p := range sa.props {
			if p.Group == g {
				same = append(same, p)
			}
		}
		sa.props = same
	}
	sap := phase1SA(sa.props)
	sa.sai = sap.Append(nil)
	m.register(sa)
	c := newChain()
	c.add(PayloadSA, sa.sai)
	if sa.mode == ExchMain {
		addVendors(c, !t.cfg.NoNATT, true, nil)
		sa.state = stateMM1
	} else {
		dh, err := m.newDH(sa.props[0].Group)
		if err != nil {
			m.deleteIKE(sa, false, err.Error())
			return
		}
		sa.dh, sa.gxi = dh, dh.Public()
		sa.ni = make([]byte, nonceLen)
		m.random(sa.ni)
		id := localID(t)
		c.add(PayloadKE, sa.gxi)
		c.add(PayloadNonce, sa.ni)
		c.add(PayloadID, id.Append(nil))
		addVendors(c, !t.cfg.NoNATT, true, nil)
		sa.state = stateAM1
	}
	m.logf("info", "initiating %v mode with %v", sa.mode, sa.remote.Addr())
	msg := encode(sa.header(0, 0), c)
	m.arm(&sa.r, msg)
	m.send(sa, msg)
}

// header returns the header of a message of this SA.
func (sa *ikeSA) header(exch Exchange, mid uint32) Header {
	if exch == 0 {
		exch = sa.mode
	}
	return Header{ICookie: sa.icookie, RCookie: sa.rcookie, Version: Version, Exchange: exch, MsgID: mid}
}

// phase1 handles a main- or aggressive-mode message of a known SA.
func (m *Machine) phase1(sa *ikeSA, local, remote netip.AddrPort, h *Header, msg []byte) {
	if h.Exchange != sa.mode || h.MsgID != 0 {
		m.drop(sa, &m.stats.Unexpected, "%v message in a %v SA %v", h.Exchange, sa.mode, sa)
		return
	}
	if m.duplicate(sa, &sa.r, msg) {
		return
	}
	if sa.state == stateEstablished || remote.Addr() != sa.remote.Addr() {
		m.drop(sa, &m.stats.Unexpected, "unexpected %v message for %v", h.Exchange, sa)
		return
	}
	d, last, err := m.open(sa, h, msg)
	if err != nil {
		m.dropDecode(sa, err, "%v message from %v", h.Exchange, remote)
		return
	}
	if !sa.initiator && sa.state == stateMM2 && !sa.rcookie.IsZero() && h.RCookie.IsZero() {
		// A repeated first message whose bytes changed: not ours to answer.
		m.drop(sa, &m.stats.Unexpected, "second first message from %v", remote)
		return
	}
	switch sa.state {
	case stateMM1:
		err = m.mm2(sa, d)
	case stateMM2:
		err = m.mm3(sa, d)
	case stateMM3:
		err = m.mm4(sa, d)
	case stateMM4:
		err = m.mm5(sa, d, local, remote, last)
	case stateMM5:
		err = m.mm6(sa, d, last)
	case stateAM1:
		err = m.am2(sa, d)
	case stateAM2:
		err = m.am3(sa, d, local, remote, last)
	}
	if err != nil {
		m.dropDecode(sa, err, "%v from %v", sa.state, remote)
		return
	}
	sa.r.received(msg)
}

// mm2: the initiator reads the responder's SA and sends KE, Ni.
func (m *Machine) mm2(sa *ikeSA, d *Message) error {
	sab, err := need(d, PayloadSA)
	if err != nil {
		return err
	}
	reply, err := ParseSA(sab)
	if err != nil {
		return err
	}
	chosen, ok := acceptP1(reply, sa.props)
	if !ok {
		return fmt.Errorf("%w: the responder chose %s", errNoProposal, describeP1(reply))
	}
	if d.RCookie.IsZero() {
		return fmt.Errorf("%w: zero responder cookie", ErrPayload)
	}
	sa.chosen = chosen
	sa.rcookie = d.RCookie
	sa.vend = parseVendors(d)
	sa.natt = sa.vend.natt
	if sa.policy.cfg.NoNATT {
		sa.natt = NATTNone
	}
	dh, err := m.newDH(chosen.Group)
	if err != nil {
		return err
	}
	sa.dh, sa.gxi = dh, dh.Public()
	sa.ni = make([]byte, nonceLen)
	m.random(sa.ni)
	c := newChain()
	c.add(PayloadKE, sa.gxi)
	c.add(PayloadNonce, sa.ni)
	if sa.sig() {
		m.addCertReq(sa, c)
	}
	m.addNATD(sa, c)
	sa.state = stateMM3
	msg := encode(sa.header(0, 0), c)
	m.arm(&sa.r, msg)
	m.send(sa, msg)
	return nil
}

// mm3: the responder reads KE, Ni and sends KE, Nr.
func (m *Machine) mm3(sa *ikeSA, d *Message) error {
	ke, ni, err := keNonce(d)
	if err != nil {
		return err
	}
	dh, err := m.newDH(sa.chosen.Group)
	if err != nil {
		return err
	}
	sa.dh, sa.gxi, sa.gxr, sa.ni = dh, ke, dh.Public(), ni
	sa.nr = make([]byte, nonceLen)
	m.random(sa.nr)
	if err := m.deriveKeys(sa); err != nil {
		return err
	}
	m.detectNAT(sa, d)
	c := newChain()
	c.add(PayloadKE, sa.gxr)
	c.add(PayloadNonce, sa.nr)
	if sa.sig() {
		m.addCertReq(sa, c)
	}
	m.addNATD(sa, c)
	sa.state = stateMM4
	msg := encode(sa.header(0, 0), c)
	m.arm(&sa.r, msg)
	m.send(sa, msg)
	return nil
}

// mm4: the initiator reads KE, Nr, derives the keys and sends IDii,
// HASH_I encrypted (from port 4500 when a NAT is between the peers).
func (m *Machine) mm4(sa *ikeSA, d *Message) error {
	ke, nr, err := keNonce(d)
	if err != nil {
		return err
	}
	sa.gxr, sa.nr = ke, nr
	if err := m.deriveKeys(sa); err != nil {
		return err
	}
	m.detectNAT(sa, d)
	m.float(sa)
	c := newChain()
	if sa.sig() {
		if err := m.addSigAuth(sa, c, true); err != nil {
			m.localAuthFailed(sa, err)
			return nil
		}
	} else {
		id := localID(sa.policy).Append(nil)
		c.add(PayloadID, id)
		c.add(PayloadHash, authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, id, true))
	}
	m.addInitialContact(sa, c)
	sa.state = stateMM5
	msg := m.seal(sa, sa.header(0, 0), c, true)
	m.arm(&sa.r, msg)
	m.send(sa, msg)
	return nil
}

// mm5: the responder checks IDii, HASH_I and sends IDir, HASH_R.
func (m *Machine) mm5(sa *ikeSA, d *Message, local, remote netip.AddrPort, last []byte) error {
	if err := m.checkPeer(sa, d, true); err != nil {
		return err
	}
	c := newChain()
	if sa.sig() {
		if err := m.addSigAuth(sa, c, false); err != nil {
			m.localAuthFailed(sa, err)
			return nil
		}
	} else {
		id := localID(sa.policy).Append(nil)
		c.add(PayloadID, id)
		c.add(PayloadHash, authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, id, false))
	}
	sa.cbc.advance(0, last, true)
	m.follow(sa, local, remote)
	m.initialContact(sa, d)
	msg := m.seal(sa, sa.header(0, 0), c, true)
	sa.r.msg = msg
	m.send(sa, msg)
	m.established(sa)
	return nil
}

// mm6: the initiator checks IDir, HASH_R (or CERT, SIG_R).
func (m *Machine) mm6(sa *ikeSA, d *Message, last []byte) error {
	if err := m.checkPeer(sa, d, false); err != nil {
		return err
	}
	sa.cbc.advance(0, last, true)
	m.established(sa)
	return nil
}

// am1: the responder reads KE, Ni, IDii of the first aggressive message
// (whose SA c already answers) and sends KE, Nr, IDir, HASH_R.
func (m *Machine) am1(sa *ikeSA, d *Message, idi ID, c *chain) error {
	ke, ni, err := keNonce(d)
	if err != nil {
		return err
	}
	if d.First(PayloadID) == nil {
		return fmt.Errorf("%w ID", errMissing)
	}
	if !acceptID(sa.policy, idi) {
		return fmt.Errorf("%w: identity %s not accepted", errAuth, idString(idi))
	}
	sa.peerID = ID{Type: idi.Type, Proto: idi.Proto, Port: idi.Port, Data: append([]byte(nil), idi.Data...)}
	dh, err := m.newDH(sa.chosen.Group)
	if err != nil {
		return err
	}
	sa.dh, sa.gxi, sa.gxr, sa.ni = dh, ke, dh.Public(), ni
	sa.nr = make([]byte, nonceLen)
	m.random(sa.nr)
	if err := m.deriveKeys(sa); err != nil {
		return err
	}
	id := localID(sa.policy).Append(nil)
	c.add(PayloadKE, sa.gxr)
	c.add(PayloadNonce, sa.nr)
	c.add(PayloadID, id)
	c.add(PayloadHash, authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, id, false))
	m.addNATD(sa, c)
	addVendors(c, sa.natt != NATTNone, false, sa.vend.nattVID)
	sa.state = stateAM2
	msg := encode(sa.header(0, 0), c)
	m.arm(&sa.r, msg)
	m.send(sa, msg)
	return nil
}

// am2: the initiator checks the responder's answer and sends HASH_I
// encrypted, which ends the exchange.
func (m *Machine) am2(sa *ikeSA, d *Message) error {
	sab, err := need(d, PayloadSA)
	if err != nil {
		return err
	}
	reply, err := ParseSA(sab)
	if err != nil {
		return err
	}
	chosen, ok := acceptP1(reply, sa.props)
	if !ok || chosen.Group != sa.dh.Group() {
		return fmt.Errorf("%w: the responder chose %s", errNoProposal, describeP1(reply))
	}
	if d.RCookie.IsZero() {
		return fmt.Errorf("%w: zero responder cookie", ErrPayload)
	}
	ke, nr, err := keNonce(d)
	if err != nil {
		return err
	}
	sa.chosen, sa.rcookie, sa.gxr, sa.nr = chosen, d.RCookie, ke, nr
	sa.vend = parseVendors(d)
	sa.natt = sa.vend.natt
	if sa.policy.cfg.NoNATT {
		sa.natt = NATTNone
	}
	if err := m.deriveKeys(sa); err != nil {
		return err
	}
	if err := m.checkAuth(sa, d, false); err != nil {
		return err
	}
	m.detectNAT(sa, d)
	m.float(sa)
	c := newChain()
	c.add(PayloadHash, authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, localID(sa.policy).Append(nil), true))
	m.addNATD(sa, c)
	m.addInitialContact(sa, c)
	msg := m.seal(sa, sa.header(0, 0), c, true)
	sa.r.msg = msg
	m.send(sa, msg)
	m.established(sa)
	return nil
}

// am3: the responder checks HASH_I.
func (m *Machine) am3(sa *ikeSA, d *Message, local, remote netip.AddrPort, last []byte) error {
	hb, err := need(d, PayloadHash)
	if err != nil {
		return err
	}
	want := authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, idBody(sa.peerID), true)
	if !hashEqual(hb, want) {
		return fmt.Errorf("%w: HASH_I does not verify (pre-shared key mismatch?)", errAuth)
	}
	if last != nil {
		sa.cbc.advance(0, last, true)
	}
	m.detectNAT(sa, d)
	m.follow(sa, local, remote)
	m.initialContact(sa, d)
	m.established(sa)
	return nil
}

func idBody(id ID) []byte { return id.Append(nil) }

func idString(id ID) string {
	switch id.Type {
	case IDIPv4, IDIPv6:
		if a, ok := netip.AddrFromSlice(id.Data); ok {
			return a.String()
		}
	case IDFQDN, IDUserFQDN, IDKeyID:
		return fmt.Sprintf("%q", id.Data)
	case IDDERASN1DN:
		return pki.Identity{Type: pki.IDDN, Data: id.Data}.String()
	}
	if p, ok := id.Prefix(); ok {
		return p.String()
	}
	return fmt.Sprintf("type %d", id.Type)
}

// keNonce returns the KE and nonce of a message.
func keNonce(d *Message) (ke, nonce []byte, err error) {
	if ke, err = need(d, PayloadKE); err != nil {
		return nil, nil, err
	}
	if nonce, err = need(d, PayloadNonce); err != nil {
		return nil, nil, err
	}
	if len(nonce) < minNonce || len(nonce) > maxNonce {
		return nil, nil, fmt.Errorf("%w: nonce of %d bytes", ErrPayload, len(nonce))
	}
	return append([]byte(nil), ke...), append([]byte(nil), nonce...), nil
}

// deriveKeys computes g^xy and the phase-1 keys from the PSK.
func (m *Machine) deriveKeys(sa *ikeSA) error {
	if !sa.sig() && len(sa.policy.cfg.IKE.PSK) == 0 {
		return errNoPSK
	}
	peer := sa.gxr
	if !sa.initiator {
		peer = sa.gxi
	}
	gxy, err := sa.dh.SharedSecret(peer)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPayload, err)
	}
	h := sa.chosen.Hash
	var skeyid []byte
	if sa.sig() {
		skeyid = skeyidSig(h, sa.ni, sa.nr, gxy)
	} else {
		skeyid = skeyidPSK(h, sa.policy.cfg.IKE.PSK, sa.ni, sa.nr)
	}
	sa.keys = deriveKeys(h, skeyid, gxy, sa.icookie, sa.rcookie, sa.chosen.Encryption.KeyLen())
	sa.cbc, err = newCBC(h, sa.chosen.Encryption, sa.keys.ka, sa.gxi, sa.gxr)
	return err
}

// checkPeer authenticates the peer's last main-mode message: its
// certificate and SIG, or its HASH.
func (m *Machine) checkPeer(sa *ikeSA, d *Message, peerInitiator bool) error {
	if sa.sig() {
		return m.checkSig(sa, d, peerInitiator)
	}
	return m.checkAuth(sa, d, peerInitiator)
}

// checkAuth verifies the peer's ID and HASH payloads (HASH_I when the
// peer is the initiator).
func (m *Machine) checkAuth(sa *ikeSA, d *Message, peerInitiator bool) error {
	idb, err := need(d, PayloadID)
	if err != nil {
		return err
	}
	hb, err := need(d, PayloadHash)
	if err != nil {
		return err
	}
	want := authHash(sa.chosen.Hash, sa.keys.skeyid, sa.gxi, sa.gxr, sa.icookie, sa.rcookie, sa.sai, idb, peerInitiator)
	if !hashEqual(hb, want) {
		return fmt.Errorf("%w: HASH does not verify (pre-shared key mismatch?)", errAuth)
	}
	id, err := ParseID(idb)
	if err != nil {
		return err
	}
	if !acceptID(sa.policy, id) {
		return fmt.Errorf("%w: identity %s not accepted", errAuth, idString(id))
	}
	sa.peerID = ID{Type: id.Type, Proto: id.Proto, Port: id.Port, Data: append([]byte(nil), id.Data...)}
	return nil
}

// float moves an initiator to port 4500 once a NAT is detected.
func (m *Machine) float(sa *ikeSA) {
	if sa.nat() && sa.local.Port() == PortIKE {
		sa.local = netip.AddrPortFrom(sa.local.Addr(), PortNATT)
		sa.remote = netip.AddrPortFrom(sa.remote.Addr(), PortNATT)
	}
}

// follow adopts the ports of an authentic message that arrived on port
// 4500 (the peer floated, or a NAT changed its port).
func (m *Machine) follow(sa *ikeSA, local, remote netip.AddrPort) {
	if local.Port() == PortNATT && (sa.local != local || sa.remote != remote) {
		sa.local, sa.remote = local, remote
	}
}
