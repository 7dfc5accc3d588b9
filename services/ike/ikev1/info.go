package ikev1

// Informational exchanges (RFC 2408 §4.8, RFC 2409 §5.7): one message,
// HDR*, HASH(1), N/D, protected by the phase-1 SA, with
//
//	HASH(1) = prf(SKEYID_a, M-ID | N/D)
//
// They carry deletions of phase-1 and IPsec SAs, INITIAL-CONTACT (in the
// last phase-1 message) and the R-U-THERE / R-U-THERE-ACK of dead peer
// detection (RFC 3706).

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// withHash returns the chain HASH(hash) followed by the payloads of c.
func withHash(hash []byte, c *chain) *chain {
	out := newChain()
	out.add(PayloadHash, hash)
	if c.last >= 0 {
		out.b[0] = byte(c.first)
		out.last = len(out.b) + c.last
		out.b = append(out.b, c.b...)
	}
	return out
}

func (m *Machine) newMsgID(sa *ikeSA) uint32 {
	for {
		mid := m.randomU32()
		if mid != 0 && sa.qms[mid] == nil {
			return mid
		}
	}
}

// sendInfo sends the payloads of c in an informational exchange of sa.
func (m *Machine) sendInfo(sa *ikeSA, c *chain) {
	if sa.cbc == nil || sa.keys.a == nil {
		return
	}
	mid := m.newMsgID(sa)
	hash := sa.chosen.Hash.PRF(sa.keys.a, binary.BigEndian.AppendUint32(nil, mid), c.b)
	msg := m.seal(sa, sa.header(ExchInformational, mid), withHash(hash, c), false)
	m.send(sa, msg)
}

// infoIn handles an informational message of sa.
func (m *Machine) infoIn(sa *ikeSA, local, remote netip.AddrPort, h *Header, msg []byte) {
	if remote.Addr() != sa.remote.Addr() {
		m.drop(sa, &m.stats.Unexpected, "informational for %v from %v", sa, remote)
		return
	}
	if h.Flags&FlagEncrypted == 0 {
		// Only a negotiation in progress may hear (unprotected) errors;
		// they are traced, never acted upon.
		d, err := Decode(msg)
		if err != nil || sa.state == stateEstablished {
			m.drop(sa, &m.stats.Unauthenticated, "unprotected informational from %v", remote)
			return
		}
		m.stats.Unauthenticated++
		for _, p := range d.All(PayloadNotify) {
			if n, err := ParseNotify(p.Body); err == nil {
				m.logf("warning", "%v: unprotected notification %s from %v", sa, NotifyName(n.Type), remote)
			}
		}
		return
	}
	if h.MsgID == 0 || sa.keys.a == nil {
		m.drop(sa, &m.stats.Malformed, "informational with message ID %d from %v", h.MsgID, remote)
		return
	}
	if sa.seen(h.MsgID) {
		m.drop(sa, &m.stats.Replayed, "replayed informational %d from %v", h.MsgID, remote)
		return
	}
	d, _, err := m.open(sa, h, msg)
	if err == nil {
		err = checkHash1(sa, d)
	}
	if err != nil {
		m.dropDecode(sa, err, "informational from %v", remote)
		return
	}
	sa.remember(h.MsgID)
	sa.dpd.lastHeard = m.now
	for _, p := range d.Payloads[1:] {
		switch p.Type {
		case PayloadNotify:
			if n, err := ParseNotify(p.Body); err == nil {
				m.notifyIn(sa, n)
			}
		case PayloadDelete:
			if del, err := ParseDelete(p.Body); err == nil {
				m.deleteIn(sa, del)
			}
		}
		if sa.state == stateDead {
			return
		}
	}
}

// checkHash1 verifies the HASH(1) of an informational message: the first
// payload, over the message ID and every payload after it.
func checkHash1(sa *ikeSA, d *Message) error {
	if len(d.Payloads) < 2 || d.Payloads[0].Type != PayloadHash {
		return fmt.Errorf("%w: informational without HASH first", errAuth)
	}
	want := sa.chosen.Hash.NewPRF(sa.keys.a)
	want.Write(binary.BigEndian.AppendUint32(nil, d.MsgID))
	for _, p := range d.Payloads[1:] {
		want.Write(p.Raw)
	}
	if !hashEqual(d.Payloads[0].Body, want.Sum(nil)) {
		return fmt.Errorf("%w: HASH(1) does not verify", errAuth)
	}
	return nil
}

// maxSeenIDs is how many message IDs of finished exchanges an SA
// remembers, to drop their replays.
const maxSeenIDs = 256

// seen reports whether mid is the message ID of a finished exchange.
func (sa *ikeSA) seen(mid uint32) bool {
	for _, x := range sa.done {
		if x == mid {
			return true
		}
	}
	return false
}

func (sa *ikeSA) remember(mid uint32) {
	if len(sa.done) == maxSeenIDs {
		sa.done = sa.done[1:]
	}
	sa.done = append(sa.done, mid)
}

func (m *Machine) notifyIn(sa *ikeSA, n Notify) {
	switch n.Type {
	case NotifyRUThere, NotifyRUThereAck:
		if n.Proto != ProtoISAKMP || len(n.Data) != 4 ||
			!bytes.Equal(n.SPI, append(sa.icookie[:], sa.rcookie[:]...)) || sa.state != stateEstablished {
			m.stats.Malformed++
			return
		}
		seq := binary.BigEndian.Uint32(n.Data)
		if n.Type == NotifyRUThere {
			sa.stats.DPDRequestsIn++
			ack := Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: NotifyRUThereAck, SPI: n.SPI, Data: n.Data}
			c := newChain()
			c.add(PayloadNotify, ack.Append(nil))
			m.sendInfo(sa, c)
			sa.stats.DPDResponsesOut++
			return
		}
		sa.stats.DPDResponsesIn++
		m.dpdAck(sa, seq)
	case NotifyInitialContact:
	case NotifyInvalidSPI:
		sa.stats.InvalidSPIIn++
		m.logf("notice", "%v: peer reports an invalid SPI %x", sa, n.SPI)
	default:
		m.logf("warning", "%v: notification %s from the peer", sa, NotifyName(n.Type))
		if n.Type < 16384 && n.Proto == ProtoESP && len(n.SPI) == 4 {
			// An error about a quick mode this side started.
			spi := binary.BigEndian.Uint32(n.SPI)
			for _, q := range sa.quickList() {
				if q.initiator && q.spiIn == spi {
					m.abandonQuick(sa, q, "peer answered "+NotifyName(n.Type))
				}
			}
		}
	}
}

// deleteIn handles a delete payload: of a phase-1 SA (this one or an
// older one with the same peer) or of IPsec SAs, named by the SPIs the
// peer receives on (our outbound SPIs).
func (m *Machine) deleteIn(sa *ikeSA, d Delete) {
	sa.stats.DeletesIn++
	switch d.Proto {
	case ProtoISAKMP:
		for _, spi := range d.SPIs {
			if len(spi) != 16 {
				continue
			}
			var ic, rc Cookie
			copy(ic[:], spi[:8])
			copy(rc[:], spi[8:])
			for _, x := range m.sortedSAs() {
				if x.icookie == ic && x.rcookie == rc && x.remote.Addr() == sa.remote.Addr() {
					m.deleteIKE(x, false, "deleted by the peer")
				}
			}
		}
	case ProtoESP:
		for _, spi := range d.SPIs {
			if len(spi) != 4 {
				continue
			}
			out := binary.BigEndian.Uint32(spi)
			for _, t := range m.tuns {
				if t.cfg.Local != sa.local.Addr() {
					continue
				}
				for _, c := range t.children {
					if c.OutSPI == out && c.Remote == sa.remote.Addr() {
						m.removeChild(t, c, false, "deleted by the peer")
						break
					}
				}
			}
		}
	}
}

// addInitialContact adds INITIAL-CONTACT to the last phase-1 message of
// an initiator that has no other SA with the peer (RFC 2407 §4.6.3.3).
func (m *Machine) addInitialContact(sa *ikeSA, c *chain) {
	if m.ikeFor(sa.local.Addr(), sa.remote.Addr()) != nil || m.childrenWith(sa.local.Addr(), sa.remote.Addr()) > 0 {
		return
	}
	n := Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: NotifyInitialContact, SPI: append(sa.icookie[:], sa.rcookie[:]...)}
	c.add(PayloadNotify, n.Append(nil))
	sa.contact = true
}

// initialContact acts on an INITIAL-CONTACT in an authenticated phase-1
// message: the peer restarted, so every other SA with it is stale.
func (m *Machine) initialContact(sa *ikeSA, d *Message) {
	for _, p := range d.All(PayloadNotify) {
		n, err := ParseNotify(p.Body)
		if err != nil || n.Type != NotifyInitialContact {
			continue
		}
		m.logf("info", "%v: INITIAL-CONTACT, removing the other SAs with %v", sa, sa.remote.Addr())
		// The SAs this side started while the peer's negotiation ran
		// (both sides initiating at once) are known to the peer: they
		// stay, with their pairs.
		keep := map[[2]Cookie]bool{{sa.icookie, sa.rcookie}: true}
		for _, x := range m.sortedSAs() {
			if x == sa || x.local.Addr() != sa.local.Addr() || x.remote.Addr() != sa.remote.Addr() {
				continue
			}
			if x.initiator && x.started.After(sa.started.Add(-negotiationTimeout)) {
				keep[[2]Cookie{x.icookie, x.rcookie}] = true
				continue
			}
			m.deleteIKE(x, false, "peer sent INITIAL-CONTACT")
		}
		for _, t := range m.tuns {
			for _, c := range append([]*child(nil), t.children...) {
				if c.Local == sa.local.Addr() && c.Remote == sa.remote.Addr() && !keep[[2]Cookie{c.IKEInitiatorCookie, c.IKEResponderCookie}] {
					m.removeChild(t, c, false, "peer sent INITIAL-CONTACT")
				}
			}
		}
		return
	}
}

// dpdState is the dead peer detection (and informational replay) state
// of a phase-1 SA.
type dpdState struct {
	next        time.Time
	seq         uint32
	outstanding bool
	sentAt      time.Time
	misses      int
	lastHeard   time.Time
}

// dpdConfig returns the DPD settings of the first tunnel with the peer
// that initiates DPD.
func (m *Machine) dpdConfig(sa *ikeSA) (DPD, bool) {
	for _, t := range m.tuns {
		if t.cfg.DPD.Initiate && t.cfg.Local == sa.local.Addr() && t.peer == sa.remote.Addr() {
			return t.cfg.DPD, true
		}
	}
	if sa.policy.cfg.DPD.Initiate && dynamic(sa.policy.cfg.Remote) {
		return sa.policy.cfg.DPD, true
	}
	return DPD{}, false
}

// tickDPD sends R-U-THERE when the peer has been silent for the interval
// and declares it dead after threshold unanswered ones.
func (m *Machine) tickDPD(sa *ikeSA) {
	cfg, ok := m.dpdConfig(sa)
	if !ok || !sa.vend.dpd || sa.rekeyed {
		sa.dpd.next = time.Time{}
		return
	}
	iv := cfg.interval()
	if sa.dpd.next.IsZero() {
		sa.dpd.next = sa.dpd.lastHeard.Add(iv)
	}
	if m.now.Before(sa.dpd.next) {
		return
	}
	if sa.dpd.outstanding {
		sa.dpd.misses++
		sa.stats.DPDMissed++
		if sa.dpd.misses >= cfg.threshold() {
			m.peerDead(sa)
			return
		}
	} else if since := m.now.Sub(sa.dpd.lastHeard); since < iv {
		sa.dpd.next = sa.dpd.lastHeard.Add(iv)
		return
	}
	if sa.dpd.seq == 0 {
		sa.dpd.seq = m.randomU32()&0x7fffffff + 1
	} else {
		sa.dpd.seq++
	}
	n := Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: NotifyRUThere,
		SPI: append(sa.icookie[:], sa.rcookie[:]...), Data: binary.BigEndian.AppendUint32(nil, sa.dpd.seq)}
	c := newChain()
	c.add(PayloadNotify, n.Append(nil))
	m.sendInfo(sa, c)
	sa.stats.DPDRequestsOut++
	sa.dpd.outstanding = true
	sa.dpd.sentAt = m.now
	sa.dpd.next = m.now.Add(iv)
}

func (m *Machine) dpdAck(sa *ikeSA, seq uint32) {
	if !sa.dpd.outstanding || seq != sa.dpd.seq {
		return
	}
	if d := m.now.Sub(sa.dpd.sentAt); d > sa.stats.DPDMaxDelay {
		sa.stats.DPDMaxDelay = d
	}
	sa.dpd.outstanding = false
	sa.dpd.misses = 0
	cfg, _ := m.dpdConfig(sa)
	sa.dpd.next = m.now.Add(cfg.interval())
}

// peerDead removes every SA with a peer DPD declared dead.
func (m *Machine) peerDead(sa *ikeSA) {
	local, remote := sa.local.Addr(), sa.remote.Addr()
	m.logf("notice", "peer %v is dead: %d R-U-THERE unanswered", remote, sa.dpd.misses)
	m.stats.PeersDead++
	for _, x := range m.sortedSAs() {
		if x.local.Addr() == local && x.remote.Addr() == remote {
			m.deleteIKE(x, false, "dead peer detection")
		}
	}
	m.removeChildrenWith(local, remote, "dead peer detection")
	m.failover(local, remote)
}
