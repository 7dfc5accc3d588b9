package ikev1

import (
	"encoding/binary"
	"net/netip"
	"time"

	"mxlab/services/ike/suite"
)

// ChildSA is a negotiated pair of ESP SAs (tunnel mode) for the host to
// install: inbound SPI and keys, outbound SPI and keys.
type ChildSA struct {
	Tunnel        string
	Local, Remote netip.Addr // gateways
	// UDP is ESP in UDP (NAT-T, RFC 3948) between LocalPort and
	// RemotePort; KeepAlive asks for NAT keepalives (this side is behind
	// the NAT).
	UDP                   bool
	LocalPort, RemotePort uint16
	KeepAlive             bool
	InSPI, OutSPI         uint32
	Encryption            suite.Encryption
	Integrity             suite.Integrity // 0 with aes-gcm
	InEncKey, InAuthKey   []byte          // the GCM salt ends InEncKey
	OutEncKey, OutAuthKey []byte
	// LocalTS and RemoteTS are the proxy identities (cleartext
	// addresses) the pair protects.
	LocalTS, RemoteTS netip.Prefix
	Lifetime          time.Duration
	Kilobytes         uint64 // 0: no volume limit
	PFS               suite.Group
	Initiator         bool // this side started the quick mode
	Created           time.Time
	Rekey             time.Time // soft lifetime: a new pair is negotiated
	Expires           time.Time // hard lifetime
	// The phase-1 SA that negotiated the pair.
	IKEInitiatorCookie, IKEResponderCookie Cookie
}

// child is an installed pair.
type child struct {
	ChildSA
	superseded bool      // a newer pair of the tunnel exists
	rekeying   bool      // a quick mode replacing it is in progress
	deleteAt   time.Time // replaced: deleted then
}

// tunnel is the state of a configured tunnel.
type tunnel struct {
	cfg Tunnel
	// peer is the gateway this side negotiates with: the remote gateway,
	// or the backup gateway after dead peer detection failed over.
	peer     netip.Addr
	children []*child // installed pairs, oldest first
	q        *quick   // the quick mode this side runs for it
	wanted   bool     // SAs are asked for (AutoStart, Initiate)
	retryAt  time.Time
	failures int
}

// Retry delays after a failed negotiation: 5 s, doubling up to a minute.
const (
	retryBase = 5 * time.Second
	retryMax  = time.Minute
)

func (t *tunnel) live() bool {
	for _, c := range t.children {
		if !c.superseded {
			return true
		}
	}
	return false
}

func dynamic(a netip.Addr) bool { return !a.IsValid() || a.IsUnspecified() }

// kick starts what a wanted tunnel lacks: phase 1, then quick mode.
func (m *Machine) kick(t *tunnel) {
	if !t.wanted || t.q != nil || t.live() || dynamic(t.peer) || m.now.Before(t.retryAt) {
		return
	}
	if sa := m.ikeFor(t.cfg.Local, t.peer); sa != nil {
		if sa.outgoing() < maxOutgoingQuick {
			m.startQuick(sa, t, nil)
		}
		return
	}
	if m.negotiating(t.cfg.Local, t.peer) == nil {
		m.startIKE(t)
	}
}

func (m *Machine) kickAll() {
	for _, t := range m.tuns {
		m.kick(t)
	}
}

// kickPeer starts the quick modes waiting for a phase-1 SA with a peer.
func (m *Machine) kickPeer(local, remote netip.Addr) {
	for _, t := range m.tuns {
		if t.cfg.Local == local && t.peer == remote {
			m.kick(t)
		}
	}
}

// wantedPeer reports whether some tunnel with a peer wants SAs.
func (m *Machine) wantedPeer(local, remote netip.Addr) bool {
	for _, t := range m.tuns {
		if t.cfg.Local == local && t.peer == remote && (t.wanted || len(t.children) > 0) {
			return true
		}
	}
	return false
}

// failed schedules the next attempt of a tunnel whose negotiation
// failed.
func (m *Machine) failed(t *tunnel) {
	d := min(retryBase<<min(t.failures, 4), retryMax)
	t.failures++
	t.retryAt = m.now.Add(m.jitter(d, 0.9, 1.1))
}

// retryPeer schedules the tunnels waiting for a failed phase 1.
func (m *Machine) retryPeer(local, remote netip.Addr) {
	for _, t := range m.tuns {
		if t.cfg.Local == local && t.peer == remote && t.wanted && !t.live() && t.q == nil {
			m.failed(t)
		}
	}
}

func (t *tunnel) deadlines(now time.Time, early func(time.Time)) {
	if t.wanted && !t.live() && t.q == nil && t.retryAt.After(now) {
		early(t.retryAt)
	}
	for _, c := range t.children {
		if !c.superseded && !c.rekeying && t.q == nil {
			early(c.Rekey)
		}
		early(c.Expires)
		early(c.deleteAt)
	}
}

// tickTunnel rekeys and expires a tunnel's SA pairs.
func (m *Machine) tickTunnel(t *tunnel) {
	for _, c := range append([]*child(nil), t.children...) {
		switch {
		case !m.now.Before(c.Expires):
			m.removeChild(t, c, true, "lifetime expired")
		case !c.deleteAt.IsZero() && !m.now.Before(c.deleteAt):
			m.removeChild(t, c, true, "replaced by a new pair")
		case !c.superseded && !c.rekeying && !m.now.Before(c.Rekey):
			m.rekey(t, c)
		}
	}
}

// rekey negotiates the successor of a pair (make before break).
// A responder-only tunnel never starts a negotiation: the peer renews the
// pair or it expires; so does a pair with a dynamic peer that has no
// phase-1 SA left.
func (m *Machine) rekey(t *tunnel, c *child) {
	if t.q != nil {
		return // the quick mode in progress replaces it
	}
	sa := m.ikeFor(c.Local, c.Remote)
	if sa != nil && sa.outgoing() >= maxOutgoingQuick {
		c.Rekey = m.now.Add(time.Second) // its turn comes
		return
	}
	c.rekeying = true
	if t.cfg.ResponderOnly || (sa == nil && c.Remote != t.peer) {
		return
	}
	m.stats.Phase2Rekeys++
	if sa != nil {
		m.logf("info", "%s: rekeying IPsec SAs %d/%d", t.cfg.Name, c.InSPI, c.OutSPI)
		m.startQuick(sa, t, c)
		return
	}
	// No phase-1 SA left: negotiate one; the tunnel's new pair follows.
	t.wanted = true
	c.superseded = true
	if m.negotiating(c.Local, c.Remote) == nil {
		m.startIKE(t)
	}
}

// removeChild removes a pair, telling the peer when notify is set and a
// phase-1 SA with it exists.
func (m *Machine) removeChild(t *tunnel, c *child, notify bool, why string) {
	for i, x := range t.children {
		if x == c {
			t.children = append(t.children[:i], t.children[i+1:]...)
			break
		}
	}
	m.host.Remove(t.cfg.Name, c.InSPI)
	delete(m.spis, c.InSPI)
	m.stats.Phase2Deleted++
	if sa := m.ikeFor(c.Local, c.Remote); sa != nil {
		sa.stats.ChildDeleted++
		if notify {
			d := Delete{DOI: DOIIPsec, Proto: ProtoESP, SPIs: [][]byte{binary.BigEndian.AppendUint32(nil, c.InSPI)}}
			ch := newChain()
			ch.add(PayloadDelete, d.Append(nil))
			m.sendInfo(sa, ch)
			sa.stats.DeletesSent++
		}
	}
	m.logf("info", "%s: IPsec SAs %d/%d removed: %s", t.cfg.Name, c.InSPI, c.OutSPI, why)
	if !t.live() && !t.cfg.AutoStart && !c.superseded {
		t.wanted = false
	}
}

// childrenWith counts the pairs with a peer.
func (m *Machine) childrenWith(local, remote netip.Addr) int {
	n := 0
	for _, t := range m.tuns {
		for _, c := range t.children {
			if c.Local == local && c.Remote == remote {
				n++
			}
		}
	}
	return n
}

// removeChildrenWith removes the pairs with a peer created before
// before (every pair when before is zero), without telling it.
func (m *Machine) removeChildrenWith(local, remote netip.Addr, before time.Time, why string) {
	for _, t := range m.tuns {
		for _, c := range append([]*child(nil), t.children...) {
			if c.Local == local && c.Remote == remote && (before.IsZero() || c.Created.Before(before)) {
				m.removeChild(t, c, false, why)
			}
		}
	}
}

// dropTunnel removes a tunnel that left the configuration.
func (m *Machine) dropTunnel(t *tunnel, why string) {
	for _, sa := range m.sortedSAs() {
		for _, q := range sa.quickList() {
			if q.tun == t {
				m.abandonQuick(sa, q, why)
			}
		}
	}
	for _, c := range append([]*child(nil), t.children...) {
		m.removeChild(t, c, true, why)
	}
}

// DeleteIKE deletes the phase-1 SAs with peer (every peer when peer is
// not valid), telling the peers when notify is set; IPsec SAs stay.
// Tunnels that want SAs negotiate a new phase 1 when they next need one.
func (m *Machine) DeleteIKE(now time.Time, peer netip.Addr, notify bool) int {
	m.now = now
	n := 0
	for _, sa := range m.sortedSAs() {
		if !peer.IsValid() || sa.remote.Addr() == peer {
			m.deleteIKE(sa, notify, "cleared")
			n++
		}
	}
	// Quick modes cut short here are no failure of the tunnels: the
	// ones that want SAs negotiate again at once.
	for _, t := range m.tuns {
		if !peer.IsValid() || t.peer == peer {
			t.retryAt, t.failures = time.Time{}, 0
		}
	}
	m.kickAll()
	return n
}

// DeleteChildren deletes the IPsec SA pairs of the tunnels match accepts
// (by name), telling the peers when notify is set. Tunnels that
// establish immediately negotiate new ones at once, the others when
// asked (Initiate).
func (m *Machine) DeleteChildren(now time.Time, match func(name string) bool, notify bool) int {
	m.now = now
	n := 0
	for _, t := range m.tuns {
		if !match(t.cfg.Name) {
			continue
		}
		for _, sa := range m.sortedSAs() {
			for _, q := range sa.quickList() {
				if q.tun == t && q.state != qmDone {
					m.abandonQuick(sa, q, "cleared")
				}
			}
		}
		for _, c := range append([]*child(nil), t.children...) {
			m.removeChild(t, c, notify, "cleared")
			n++
		}
		t.wanted = t.cfg.AutoStart
		t.retryAt, t.failures = time.Time{}, 0
	}
	m.kickAll()
	return n
}

// Expired tells the machine that the host counted a pair's volume
// lifetime out (Kilobytes): soft asks for a new pair, hard removes it.
func (m *Machine) Expired(now time.Time, name string, inSPI uint32, hard bool) {
	m.now = now
	t := m.byTun[name]
	if t == nil {
		return
	}
	for _, c := range t.children {
		if c.InSPI != inSPI {
			continue
		}
		if hard {
			m.removeChild(t, c, true, "volume lifetime expired")
		} else if !c.superseded && !c.rekeying {
			m.rekey(t, c)
		}
		return
	}
}

// gateway reports whether a is one of the tunnel's remote gateways.
func (t *tunnel) gateway(a netip.Addr) bool {
	return a == t.cfg.Remote || (t.cfg.Backup.IsValid() && a == t.cfg.Backup)
}

// failover moves the tunnels whose peer was declared dead to their other
// gateway (backup-remote-gateway), or schedules a new attempt with the
// same one.
func (m *Machine) failover(local, dead netip.Addr) {
	for _, t := range m.tuns {
		if t.cfg.Local != local || t.peer != dead || dynamic(t.cfg.Remote) {
			continue
		}
		if t.cfg.Backup.IsValid() && !t.cfg.Backup.IsUnspecified() {
			t.peer = t.cfg.Backup
			if dead == t.cfg.Backup {
				t.peer = t.cfg.Remote
			}
			t.wanted, t.retryAt, t.failures = true, time.Time{}, 0
			m.logf("notice", "%s: switching to gateway %v", t.cfg.Name, t.peer)
			continue
		}
		if t.wanted {
			m.failed(t)
		}
	}
}
