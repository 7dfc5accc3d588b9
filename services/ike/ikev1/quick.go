package ikev1

// Quick mode (RFC 2409 §5.5), under the protection of a phase-1 SA:
//
//	I: HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]
//	R: HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
//	I: HDR*, HASH(3)
//
//	HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| KE] [| IDci | IDcr])
//	HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr [| KE] [| IDci | IDcr])
//	HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
//
// (each covering the payloads after HASH with their headers). KE is
// there with perfect forward secrecy; the IDs are the proxy identities,
// from the rule term's addresses. The responder installs the SA pair as
// it sends HASH(2) and the initiator as it sends HASH(3), so that the
// initiator's first packets find the responder ready (RFC 2409 §5.5
// leaves the order open; the commit bit is not used). A pair whose
// HASH(3) never comes is removed again.

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"mxlab/services/ike/suite"
)

type qmState uint8

const (
	qmSent1 qmState = iota + 1 // initiator sent HASH(1)
	qmSent2                    // responder sent HASH(2)
	qmDone                     // initiator sent HASH(3); kept to answer a repeated HASH(2)
)

// maxQuickModes bounds the quick modes in progress on one phase-1 SA;
// this side starts at most maxOutgoingQuick of them at once (the other
// tunnels wait their turn).
const (
	maxQuickModes    = 64
	maxOutgoingQuick = 16
)

// outgoing counts the quick modes this side runs on sa.
func (sa *ikeSA) outgoing() int { return sa.running }

// qmLinger is how long an initiator keeps a finished quick mode to resend
// HASH(3) when the responder repeats HASH(2): as long as the responder
// may wait for it.
const qmLinger = negotiationTimeout

// quick is a quick-mode exchange in progress.
type quick struct {
	mid       uint32
	initiator bool
	tun       *tunnel
	rekeyOf   *child
	spiIn     uint32
	spiOut    uint32
	props     []IPsecProposal
	pfs       suite.Group
	encap     uint64
	dh        *suite.DHKey
	ni, nr    []byte
	gqm       []byte // g(qm)^xy
	chosen    childProposal
	child     *child // the responder's pair, installed with HASH(2)
	localTS   netip.Prefix
	remoteTS  netip.Prefix
	state     qmState
	r         rtx
	deadline  time.Time
}

// quickDue reports whether a timer of a quick mode of sa is due.
func (sa *ikeSA) quickDue(now time.Time) bool {
	for _, q := range sa.qms {
		if (!q.r.at.IsZero() && !now.Before(q.r.at)) || !now.Before(q.deadline) {
			return true
		}
	}
	return false
}

// quickList returns the quick modes of sa in message-ID order.
func (sa *ikeSA) quickList() []*quick {
	out := make([]*quick, 0, len(sa.qms))
	for _, q := range sa.qms {
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b *quick) int { return cmp.Compare(a.mid, b.mid) })
	return out
}

// anyPrefix is the proxy identity of an unset term address.
var anyPrefix = netip.MustParsePrefix("0.0.0.0/0")

func orAny(p netip.Prefix) netip.Prefix {
	if !p.IsValid() {
		return anyPrefix
	}
	return p.Masked()
}

// startQuick starts a quick mode as initiator for tunnel t on sa;
// rekeyOf is the pair it replaces, if any.
func (m *Machine) startQuick(sa *ikeSA, t *tunnel, rekeyOf *child) {
	q := &quick{mid: m.newMsgID(sa), initiator: true, tun: t, rekeyOf: rekeyOf, spiIn: m.newSPI(),
		props: t.cfg.IPsec.proposals(), pfs: t.cfg.IPsec.PFS, encap: EncapTunnel,
		localTS: orAny(t.cfg.LocalTS), remoteTS: orAny(t.cfg.RemoteTS), state: qmSent1,
		deadline: m.now.Add(negotiationTimeout)}
	if sa.nat() {
		q.encap = sa.natt.udpTunnel()
	}
	q.ni = make([]byte, nonceLen)
	m.random(q.ni)
	c := newChain()
	sap := phase2SA(q.props, q.spiIn, q.pfs, q.encap)
	c.add(PayloadSA, sap.Append(nil))
	c.add(PayloadNonce, q.ni)
	if q.pfs != 0 {
		dh, err := m.newDH(q.pfs)
		if err != nil {
			delete(m.spis, q.spiIn)
			m.logf("error", "%s: %v", t.cfg.Name, err)
			return
		}
		q.dh = dh
		c.add(PayloadKE, dh.Public())
	}
	idci, idcr := SubnetID(q.localTS), SubnetID(q.remoteTS)
	c.add(PayloadID, idci.Append(nil))
	c.add(PayloadID, idcr.Append(nil))
	hash := sa.chosen.Hash.PRF(sa.keys.a, binary.BigEndian.AppendUint32(nil, q.mid), c.b)
	msg := m.seal(sa, sa.header(ExchQuick, q.mid), withHash(hash, c), true)
	sa.qms[q.mid] = q
	sa.running++
	t.q = q
	m.logf("info", "%s: quick mode with %v for %v === %v", t.cfg.Name, sa.remote.Addr(), q.localTS, q.remoteTS)
	m.arm(&q.r, msg)
	m.send(sa, msg)
}

// quickIn handles a quick-mode message of sa.
func (m *Machine) quickIn(sa *ikeSA, local, remote netip.AddrPort, h *Header, msg []byte) {
	if sa.state != stateEstablished || h.MsgID == 0 || remote.Addr() != sa.remote.Addr() {
		m.drop(sa, &m.stats.Unexpected, "quick mode %d from %v on %v", h.MsgID, remote, sa)
		return
	}
	if h.Flags&FlagEncrypted == 0 {
		m.drop(sa, &m.stats.Unauthenticated, "unencrypted quick mode from %v", remote)
		return
	}
	q := sa.qms[h.MsgID]
	if q != nil && m.duplicate(sa, &q.r, msg) {
		return
	}
	if q == nil && sa.seen(h.MsgID) {
		m.drop(sa, &m.stats.Replayed, "replayed quick mode %d from %v", h.MsgID, remote)
		return
	}
	if q == nil && len(sa.qms) >= maxQuickModes {
		m.drop(sa, &m.stats.Malformed, "quick mode from %v: %d in progress", remote, len(sa.qms))
		return
	}
	d, last, err := m.open(sa, h, msg)
	if err == nil && (len(d.Payloads) == 0 || d.Payloads[0].Type != PayloadHash) {
		err = fmt.Errorf("%w: quick mode without HASH first", errAuth)
	}
	if err != nil {
		m.dropDecode(sa, err, "quick mode from %v", remote)
		return
	}
	switch {
	case q == nil:
		err = m.quick1(sa, d, last, msg)
	case q.state == qmSent1:
		err = m.quick2(sa, q, d, last)
	case q.state == qmSent2:
		err = m.quick3(sa, q, d)
	default:
		err = fmt.Errorf("%w: quick mode already done", ErrPayload)
	}
	if err != nil {
		m.dropDecode(sa, err, "quick mode %d from %v", h.MsgID, remote)
		return
	}
	sa.dpd.lastHeard = m.now
	m.follow(sa, local, remote)
	if q = sa.qms[h.MsgID]; q != nil {
		q.r.received(msg)
	}
}

// qmHash returns prf(SKEYID_a, M-ID | [prefix |] payloads after HASH).
func qmHash(sa *ikeSA, mid uint32, prefix []byte, d *Message) []byte {
	h := sa.chosen.Hash.NewPRF(sa.keys.a)
	h.Write(binary.BigEndian.AppendUint32(nil, mid))
	h.Write(prefix)
	for _, p := range d.Payloads[1:] {
		h.Write(p.Raw)
	}
	return h.Sum(nil)
}

// quickIDs returns the proxy identities of a quick-mode message: none or
// two ID payloads (IDci, IDcr).
func quickIDs(d *Message) (ci, cr *ID, err error) {
	ids := d.All(PayloadID)
	switch len(ids) {
	case 0:
		return nil, nil, nil
	case 2:
		a, err1 := ParseID(ids[0].Body)
		b, err2 := ParseID(ids[1].Body)
		if err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("%w: proxy identity", ErrPayload)
		}
		return &a, &b, nil
	}
	return nil, nil, fmt.Errorf("%w: %d ID payloads", ErrPayload, len(ids))
}

// quick1: the responder reads the initiator's offer and answers with
// HASH(2).
func (m *Machine) quick1(sa *ikeSA, d *Message, last []byte, msg []byte) error {
	if !hashEqual(d.Payloads[0].Body, qmHash(sa, d.MsgID, nil, d)) {
		return fmt.Errorf("%w: HASH(1) does not verify", errAuth)
	}
	sab, err := need(d, PayloadSA)
	if err != nil {
		return err
	}
	offer, err := ParseSA(sab)
	if err != nil {
		return err
	}
	ni, err := need(d, PayloadNonce)
	if err != nil {
		return err
	}
	if len(ni) < minNonce || len(ni) > maxNonce {
		return fmt.Errorf("%w: nonce of %d bytes", ErrPayload, len(ni))
	}
	ci, cr, err := quickIDs(d)
	if err != nil {
		return err
	}
	// The initiator's local side is our remote side.
	remoteTS := netip.PrefixFrom(sa.remote.Addr(), sa.remote.Addr().BitLen())
	localTS := netip.PrefixFrom(sa.local.Addr(), sa.local.Addr().BitLen())
	var ok1, ok2 bool = true, true
	if ci != nil {
		remoteTS, ok1 = ci.Prefix()
		localTS, ok2 = cr.Prefix()
	}
	sa.cbc.advance(d.MsgID, last, true)
	t := m.tunnelFor(sa, localTS, remoteTS)
	if !ok1 || !ok2 || t == nil {
		m.stats.NoProposal++
		if ps := m.profiles(sa.local.Addr()); len(ps) > 0 && t == nil {
			m.stats.ProxyRefused++
			m.logf("warning", "IKE Phase-2 failure: peer %v: proxy pair local %v remote %v is not allowed by access profile %s: INVALID-ID-INFORMATION sent",
				sa.remote, localTS, remoteTS, strings.Join(ps, ", "))
		} else {
			m.logf("warning", "%v: quick mode for %v === %v matches no tunnel", sa, localTS, remoteTS)
		}
		m.quickNotify(sa, offer, NotifyInvalidIDInfo)
		sa.cbc.forget(d.MsgID)
		sa.remember(d.MsgID)
		return nil
	}
	spi := m.newSPI()
	reply, spiOut, chosen, ok := chooseP2(offer, t.cfg.IPsec.proposals(), t.cfg.IPsec.PFS, sa.nat(), spi)
	if !ok {
		delete(m.spis, spi)
		m.stats.NoProposal++
		m.logf("warning", "%s: no IPsec proposal of %v acceptable", t.cfg.Name, sa.remote.Addr())
		m.quickNotify(sa, offer, NotifyNoProposalChosen)
		sa.cbc.forget(d.MsgID)
		sa.remember(d.MsgID)
		return nil
	}
	q := &quick{mid: d.MsgID, tun: t, spiIn: spi, spiOut: spiOut, chosen: chosen, pfs: chosen.group,
		encap: chosen.encap, ni: append([]byte(nil), ni...), localTS: localTS, remoteTS: remoteTS,
		state: qmSent2, deadline: m.now.Add(negotiationTimeout)}
	q.nr = make([]byte, nonceLen)
	m.random(q.nr)
	c := newChain()
	c.add(PayloadSA, reply.Append(nil))
	c.add(PayloadNonce, q.nr)
	if q.pfs != 0 {
		ke, err := need(d, PayloadKE)
		if err != nil {
			delete(m.spis, spi)
			return err
		}
		dh, err := m.newDH(q.pfs)
		if err != nil {
			delete(m.spis, spi)
			return err
		}
		if q.gqm, err = dh.SharedSecret(ke); err != nil {
			delete(m.spis, spi)
			return fmt.Errorf("%w: %w", ErrPayload, err)
		}
		c.add(PayloadKE, dh.Public())
	}
	if ci != nil {
		c.add(PayloadID, ci.Append(nil))
		c.add(PayloadID, cr.Append(nil))
	}
	hash := sa.chosen.Hash.PRF(sa.keys.a, binary.BigEndian.AppendUint32(nil, q.mid), q.ni, c.b)
	out := m.seal(sa, sa.header(ExchQuick, q.mid), withHash(hash, c), true)
	sa.qms[q.mid] = q
	m.arm(&q.r, out)
	m.send(sa, out)
	q.child = m.finishQuick(sa, q)
	return nil
}

// quickNotify answers a refused quick mode with a protected notification
// that names the initiator's SPI.
func (m *Machine) quickNotify(sa *ikeSA, offer SA, typ uint16) {
	n := Notify{DOI: DOIIPsec, Proto: ProtoESP, Type: typ}
	if len(offer.Proposals) > 0 {
		n.SPI = offer.Proposals[0].SPI
	}
	c := newChain()
	c.add(PayloadNotify, n.Append(nil))
	m.sendInfo(sa, c)
}

// quick2: the initiator checks the responder's answer, sends HASH(3) and
// installs the SA pair.
func (m *Machine) quick2(sa *ikeSA, q *quick, d *Message, last []byte) error {
	if !hashEqual(d.Payloads[0].Body, qmHash(sa, q.mid, q.ni, d)) {
		return fmt.Errorf("%w: HASH(2) does not verify", errAuth)
	}
	sab, err := need(d, PayloadSA)
	if err != nil {
		return err
	}
	reply, err := ParseSA(sab)
	if err != nil {
		return err
	}
	spiOut, chosen, ok := acceptP2(reply, q.props, q.pfs, q.encap)
	if !ok {
		return fmt.Errorf("%w: the responder's IPsec proposal is not ours", errNoProposal)
	}
	nr, err := need(d, PayloadNonce)
	if err != nil {
		return err
	}
	if len(nr) < minNonce || len(nr) > maxNonce {
		return fmt.Errorf("%w: nonce of %d bytes", ErrPayload, len(nr))
	}
	ci, cr, err := quickIDs(d)
	if err != nil {
		return err
	}
	if ci != nil && (!ci.Equal(SubnetID(q.localTS)) || !cr.Equal(SubnetID(q.remoteTS))) {
		return fmt.Errorf("%w: the responder changed the proxy identities", ErrPayload)
	}
	if q.pfs != 0 {
		ke, err := need(d, PayloadKE)
		if err != nil {
			return err
		}
		if q.gqm, err = q.dh.SharedSecret(ke); err != nil {
			return fmt.Errorf("%w: %w", ErrPayload, err)
		}
	}
	sa.cbc.advance(q.mid, last, true)
	q.nr, q.spiOut, q.chosen = append([]byte(nil), nr...), spiOut, chosen
	c := newChain()
	c.add(PayloadHash, sa.chosen.Hash.PRF(sa.keys.a, []byte{0}, binary.BigEndian.AppendUint32(nil, q.mid), q.ni, q.nr))
	out := m.seal(sa, sa.header(ExchQuick, q.mid), c, false)
	sa.cbc.forget(q.mid)
	q.state = qmDone
	sa.running--
	q.r.msg, q.r.at = out, time.Time{}
	q.deadline = m.now.Add(qmLinger)
	q.dh = nil
	sa.remember(q.mid)
	m.send(sa, out)
	m.finishQuick(sa, q)
	return nil
}

// quick3: the responder checks HASH(3) and installs the SA pair.
func (m *Machine) quick3(sa *ikeSA, q *quick, d *Message) error {
	want := sa.chosen.Hash.PRF(sa.keys.a, []byte{0}, binary.BigEndian.AppendUint32(nil, q.mid), q.ni, q.nr)
	if len(d.Payloads) != 1 || !hashEqual(d.Payloads[0].Body, want) {
		return fmt.Errorf("%w: HASH(3) does not verify", errAuth)
	}
	delete(sa.qms, q.mid)
	sa.cbc.forget(q.mid)
	sa.remember(q.mid)
	if q.child != nil {
		m.logf("verbose", "%s: IPsec SAs %d/%d confirmed by %v", q.tun.cfg.Name, q.child.InSPI, q.child.OutSPI, sa.remote.Addr())
	}
	return nil
}

// finishQuick derives the keys of a negotiated quick mode and installs
// the SA pair; it returns nil when there is none.
func (m *Machine) finishQuick(sa *ikeSA, q *quick) *child {
	t := q.tun
	if t.q == q {
		t.q = nil
	}
	if m.byTun[t.cfg.Name] != t {
		delete(m.spis, q.spiIn)
		return nil // the tunnel went away meanwhile
	}
	enc, integ := q.chosen.Encryption, q.chosen.Integrity
	n := enc.KeyLen()
	if integ != 0 {
		n += integ.KeyLen()
	}
	h := sa.chosen.Hash
	in := keymat(h, sa.keys.d, q.gqm, ProtoESP, q.spiIn, q.ni, q.nr, n)
	out := keymat(h, sa.keys.d, q.gqm, ProtoESP, q.spiOut, q.ni, q.nr, n)
	life := q.chosen.Lifetime
	c := &child{ChildSA: ChildSA{
		Tunnel: t.cfg.Name, Local: sa.local.Addr(), Remote: sa.remote.Addr(),
		UDP: sa.nat(), LocalPort: sa.local.Port(), RemotePort: sa.remote.Port(), KeepAlive: sa.natHere,
		InSPI: q.spiIn, OutSPI: q.spiOut, Encryption: enc, Integrity: integ,
		InEncKey: in[:enc.KeyLen()], InAuthKey: in[enc.KeyLen():],
		OutEncKey: out[:enc.KeyLen()], OutAuthKey: out[enc.KeyLen():],
		LocalTS: q.localTS, RemoteTS: q.remoteTS, Lifetime: life, Kilobytes: q.chosen.Kilobytes,
		PFS: q.pfs, Initiator: q.initiator, Created: m.now, Expires: m.now.Add(life),
		IKEInitiatorCookie: sa.icookie, IKEResponderCookie: sa.rcookie,
	}}
	if q.initiator {
		c.Rekey = m.now.Add(m.jitter(life, 0.85, 0.9))
	} else {
		c.Rekey = m.now.Add(m.jitter(life, 0.93, 0.96))
	}
	if err := m.host.Install(&c.ChildSA); err != nil {
		delete(m.spis, q.spiIn)
		m.stats.InstallFailed++
		m.logf("error", "%s: installing IPsec SAs %d/%d failed: %v", t.cfg.Name, c.InSPI, c.OutSPI, err)
		if q.rekeyOf != nil {
			q.rekeyOf.rekeying = false
		}
		m.failed(t)
		return nil
	}
	m.stats.Phase2Done++
	sa.stats.ChildCreated++
	for _, old := range t.children {
		if old.Remote == c.Remote || !dynamic(t.cfg.Remote) {
			old.superseded = true
		}
	}
	t.children = append(t.children, c)
	t.retryAt, t.failures = time.Time{}, 0
	if q.rekeyOf != nil {
		sa.stats.ChildRekeys++
		q.rekeyOf.deleteAt = m.now.Add(min(rekeyGrace, max(0, q.rekeyOf.Expires.Sub(m.now))))
	}
	how := "ESP"
	if c.UDP {
		how = fmt.Sprintf("ESP in UDP %d/%d", c.LocalPort, c.RemotePort)
	}
	pfs := "no PFS"
	if c.PFS != 0 {
		pfs = "PFS " + c.PFS.String()
	}
	m.logf("info", "%s: IPsec SAs installed with %v: SPI in %d out %d, %v %v, %s, lifetime %d seconds, %s",
		t.cfg.Name, sa.remote.Addr(), c.InSPI, c.OutSPI, enc, integ, pfs, int(life.Seconds()), how)
	return c
}

// rekeyGrace is how long a replaced SA pair stays after its successor is
// installed (packets in flight still arrive on it).
const rekeyGrace = 5 * time.Second

// abandonQuick ends a quick mode that will not finish.
func (m *Machine) abandonQuick(sa *ikeSA, q *quick, why string) {
	delete(sa.qms, q.mid)
	sa.remember(q.mid)
	if sa.cbc != nil {
		sa.cbc.forget(q.mid)
	}
	if q.state == qmDone {
		return
	}
	if q.initiator {
		sa.running--
	}
	if q.child != nil && m.byTun[q.tun.cfg.Name] == q.tun && slices.Contains(q.tun.children, q.child) {
		m.removeChild(q.tun, q.child, true, "quick mode not confirmed")
	}
	delete(m.spis, q.spiIn)
	if q.tun.q == q {
		q.tun.q = nil
		m.failed(q.tun)
	}
	m.stats.Phase2Failed++
	m.logf("warning", "%s: quick mode with %v failed: %s", q.tun.cfg.Name, sa.remote.Addr(), why)
}

// tickQuick runs a quick mode's timers.
func (m *Machine) tickQuick(sa *ikeSA, q *quick) {
	if q.state == qmDone {
		if !m.now.Before(q.deadline) {
			delete(sa.qms, q.mid)
			sa.cbc.forget(q.mid)
		}
		return
	}
	if !m.fire(sa, &q.r) || !m.now.Before(q.deadline) {
		m.stats.Timeouts++
		m.abandonQuick(sa, q, "timed out")
	}
}

// tunnelFor returns the tunnel with sa's peer whose proxy identities hold
// the ones the initiator proposes (its local addresses are ours remote).
func (m *Machine) tunnelFor(sa *ikeSA, localTS, remoteTS netip.Prefix) *tunnel {
	var dyn *tunnel
	for _, t := range m.tuns {
		if t.cfg.Local != sa.local.Addr() {
			continue
		}
		if !covers(orAny(t.cfg.LocalTS), localTS) || !covers(orAny(t.cfg.RemoteTS), remoteTS) {
			continue
		}
		if t.gateway(sa.remote.Addr()) {
			return t
		}
		if dyn == nil && dynamic(t.cfg.Remote) && !t.takenBy(sa.remote.Addr()) {
			dyn = t
		}
	}
	return dyn
}

// takenBy reports whether a dedicated tunnel carries pairs with a peer
// other than a.
func (t *tunnel) takenBy(a netip.Addr) bool {
	if !t.cfg.Dedicated {
		return false
	}
	for _, c := range t.children {
		if c.Remote != a {
			return true
		}
	}
	return false
}

// profiles returns the access profiles of the dynamic-peer tunnels of a
// local gateway.
func (m *Machine) profiles(local netip.Addr) []string {
	var out []string
	for _, t := range m.tuns {
		if t.cfg.Local == local && t.cfg.Profile != "" && !slices.Contains(out, t.cfg.Profile) {
			out = append(out, t.cfg.Profile)
		}
	}
	return out
}

// covers reports whether prefix p holds prefix q.
func covers(p, q netip.Prefix) bool {
	return p.Addr().Is4() == q.Addr().Is4() && p.Bits() <= q.Bits() && p.Contains(q.Addr())
}
