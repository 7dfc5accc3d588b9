package ikev1

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// sendKeepalive sends a NAT keepalive (RFC 3948 §2.3: one octet 0xFF on
// the NAT-T port, without the non-ESP marker) and schedules the next.
func (m *Machine) sendKeepalive(sa *ikeSA) {
	if sa.state != stateEstablished || sa.rekeyed {
		sa.keepalive = time.Time{}
		return
	}
	m.host.Send(sa.local, sa.remote, []byte{0xff})
	sa.keepalive = m.now.Add(sa.policy.natKeepalive())
}

func (t *tunnel) natKeepalive() time.Duration {
	if t.cfg.NATKeepalive > 0 {
		return t.cfg.NATKeepalive
	}
	return DefaultNATKeepalive
}

// natdHash returns HASH(CKY-I | CKY-R | IP | Port) with the negotiated
// hash algorithm (RFC 3947 §3.2).
func natdHash(sa *ikeSA, ap netip.AddrPort) []byte {
	h := sa.chosen.Hash.New()()
	h.Write(sa.icookie[:])
	h.Write(sa.rcookie[:])
	h.Write(ap.Addr().AsSlice())
	h.Write(binary.BigEndian.AppendUint16(nil, ap.Port()))
	return h.Sum(nil)
}

// addNATD adds the NAT-D payloads of a message to the peer: first the
// hash of the destination (the peer as this side sends to it), then the
// source (this side).
func (m *Machine) addNATD(sa *ikeSA, c *chain) {
	if sa.natt == NATTNone {
		return
	}
	t := sa.natt.natdPayload()
	c.add(t, natdHash(sa, sa.remote))
	c.add(t, natdHash(sa, sa.local))
}

// detectNAT compares the peer's NAT-D payloads with the addresses this
// side sees: a first payload that is not the hash of our address and
// port means a NAT in front of us; no other payload matching the peer's
// address and port means a NAT in front of it.
func (m *Machine) detectNAT(sa *ikeSA, d *Message) {
	if sa.natt == NATTNone {
		return
	}
	ps := d.All(sa.natt.natdPayload())
	if len(ps) < 2 {
		return
	}
	sa.natHere = !hashEqual(ps[0].Body, natdHash(sa, sa.local))
	there := true
	want := natdHash(sa, sa.remote)
	for _, p := range ps[1:] {
		if hashEqual(p.Body, want) {
			there = false
		}
	}
	sa.natThere = there
}
