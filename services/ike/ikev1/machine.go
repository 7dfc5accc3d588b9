package ikev1

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"

	"mxlab/services/ike/suite"
)

// Host is what a Machine needs from the key-management engine of its PIC.
// The Machine calls it from the goroutine that calls the Machine.
type Host interface {
	// Send sends an IKE message from local to remote over UDP; from port
	// 4500 the host puts the 4-byte non-ESP marker before it (RFC 3948),
	// except before a NAT keepalive (the single octet 0xFF).
	Send(local, remote netip.AddrPort, msg []byte)
	// Install installs a negotiated SA pair. The new pair carries the
	// tunnel's outbound traffic from now on; older pairs of the tunnel
	// stay until removed (make before break).
	Install(sa *ChildSA) error
	// Remove removes the SA pair of a tunnel with the given inbound SPI.
	Remove(tunnel string, inSPI uint32)
}

// Logger receives the key-management trace: level is a Junos
// traceoptions level (error, warning, notice, info, verbose). Messages
// never hold keys.
type Logger func(level, msg string)

// Options configure a Machine.
type Options struct {
	Host Host
	Log  Logger
	// Rand is the source of cookies, nonces, SPIs, message IDs, DH keys
	// and timer jitter; nil means crypto/rand.
	Rand io.Reader
	// PKI authenticates with certificates (authentication-method
	// rsa-signatures); nil refuses them.
	PKI Certificates
}

// Machine is the IKEv1 key management of one PIC: its phase-1 SAs, quick
// modes and the tunnels they key. A Machine is not safe for concurrent
// use: one goroutine (the PIC's key-management goroutine) calls it, with
// the current time, for every received message (Receive), configuration
// (Configure), request (Initiate, ClearIKE, ClearIPsec, Expired) and
// timer (Tick at the time Next returns).
type Machine struct {
	host  Host
	log   Logger
	pki   Certificates
	rand  io.Reader
	now   time.Time
	cfg   Config
	tuns  []*tunnel
	byTun map[string]*tunnel
	sas   map[Cookie]*ikeSA // by our own cookie
	// byPeerCookie finds a responder SA from the initiator's cookie and
	// address (retransmitted first messages).
	byPeerCookie map[peerCookie]*ikeSA
	spis         map[uint32]bool // inbound SPIs in use
	halfOpen     int
	seq          int // creation order of phase-1 SAs
	stats        Stats
}

type peerCookie struct {
	remote netip.Addr
	cookie Cookie
}

// NewMachine returns a Machine with no tunnels.
func NewMachine(o Options) *Machine {
	m := &Machine{host: o.Host, log: o.Log, rand: o.Rand, pki: o.PKI, byTun: map[string]*tunnel{},
		sas: map[Cookie]*ikeSA{}, byPeerCookie: map[peerCookie]*ikeSA{}, spis: map[uint32]bool{}}
	if m.rand == nil {
		m.rand = rand.Reader
	}
	if m.log == nil {
		m.log = func(string, string) {}
	}
	return m
}

func (m *Machine) logf(level, format string, args ...any) {
	m.log(level, fmt.Sprintf(format, args...))
}

// random fills b; crypto/rand does not fail.
func (m *Machine) random(b []byte) {
	if _, err := io.ReadFull(m.rand, b); err != nil {
		panic("ikev1: random source failed: " + err.Error())
	}
}

func (m *Machine) randomU32() uint32 {
	var b [4]byte
	m.random(b[:])
	return binary.BigEndian.Uint32(b[:])
}

// jitter returns d scaled by a random factor in [lo, hi).
func (m *Machine) jitter(d time.Duration, lo, hi float64) time.Duration {
	f := lo + (hi-lo)*float64(m.randomU32())/float64(1<<32)
	return time.Duration(float64(d) * f)
}

// minSPI is the lowest SPI this side chooses: above the SPIs of manual
// SAs (256..16639), so that negotiated and manual SAs never share one.
const minSPI = 1 << 16

// newSPI returns an unused inbound SPI.
func (m *Machine) newSPI() uint32 {
	for {
		s := m.randomU32()
		if s >= minSPI && !m.spis[s] {
			m.spis[s] = true
			return s
		}
	}
}

func (m *Machine) newCookie() Cookie {
	for {
		var c Cookie
		m.random(c[:])
		if !c.IsZero() && m.sas[c] == nil {
			return c
		}
	}
}

func (m *Machine) newDH(g suite.Group) (*suite.DHKey, error) { return g.GenerateKeyFrom(m.rand) }

// Configure replaces the tunnels. Tunnels that disappear or change lose
// their SAs (deleted with a notification to the peer); phase-1 SAs with
// peers no tunnel names any more are deleted too.
func (m *Machine) Configure(now time.Time, cfg Config) {
	m.now = now
	old := m.byTun
	m.cfg = cfg
	m.tuns, m.byTun = nil, map[string]*tunnel{}
	for _, tc := range cfg.Tunnels {
		t := old[tc.Name]
		if t != nil && sameTunnel(t.cfg, tc) {
			t.cfg = tc
			delete(old, tc.Name)
		} else {
			t = &tunnel{cfg: tc, peer: tc.Remote}
		}
		m.tuns = append(m.tuns, t)
		m.byTun[tc.Name] = t
	}
	for _, t := range old {
		m.dropTunnel(t, "tunnel removed from the configuration")
	}
	for _, sa := range m.sortedSAs() {
		if sa.state != stateDead && m.policyFor(sa.local.Addr(), sa.remote.Addr()) == nil {
			m.deleteIKE(sa, true, "no tunnel uses the peer any more")
		}
	}
	for _, t := range m.tuns {
		if t.cfg.AutoStart {
			t.wanted = true
		}
	}
	for _, sa := range m.sortedSAs() {
		if sa.state == stateEstablished {
			sa.dpd.next = time.Time{}
			m.tickDPD(sa)
		}
	}
	m.kickAll()
}

// sameTunnel reports whether a tunnel keeps its SAs across a
// configuration change: only DPD and establish-tunnels may change.
func sameTunnel(a, b Tunnel) bool {
	a.DPD, b.DPD = DPD{}, DPD{}
	a.AutoStart, b.AutoStart = false, false
	a.ResponderOnly, b.ResponderOnly = false, false
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// Initiate asks for the SAs of a tunnel (establish-tunnels on-traffic:
// the first matching packet). It does nothing when they exist or are
// being negotiated, or for a dynamic peer.
func (m *Machine) Initiate(now time.Time, name string) {
	m.now = now
	if t := m.byTun[name]; t != nil && !dynamic(t.peer) && !t.cfg.ResponderOnly {
		t.wanted = true
		m.kick(t)
	}
}

// Receive handles one IKE datagram that arrived from remote on local (the
// non-ESP marker already removed). It reports whether the message reached
// an SA or made one; when not (dropped, or refused without state), no
// timer changed and Next need not be asked again.
func (m *Machine) Receive(now time.Time, local, remote netip.AddrPort, msg []byte) (touched bool) {
	m.now = now
	if len(msg) == 1 && msg[0] == 0xff {
		return false // a NAT keepalive (RFC 3948 §2.3)
	}
	m.stats.InPackets++
	m.stats.InBytes += uint64(len(msg))
	if len(msg) > MaxMessage {
		m.drop(nil, &m.stats.Malformed, "message of %d bytes from %v", len(msg), remote)
		return false
	}
	h, err := ParseHeader(msg)
	if err != nil {
		m.drop(nil, &m.stats.Malformed, "from %v: %v", remote, err)
		return false
	}
	msg = msg[:h.Length]
	sa := m.lookup(&h, remote.Addr())
	if sa == nil {
		if h.RCookie.IsZero() && (h.Exchange == ExchMain || h.Exchange == ExchAggressive) && h.MsgID == 0 {
			return m.respond(local, remote, &h, msg)
		}
		m.drop(nil, &m.stats.NoSA, "%v message from %v for unknown cookies %v/%v", h.Exchange, remote, h.ICookie, h.RCookie)
		return false
	}
	sa.stats.InPackets++
	sa.stats.InBytes += uint64(len(msg))
	defer m.kickAll() // a deletion may leave a tunnel that wants SAs without
	switch h.Exchange {
	case ExchMain, ExchAggressive:
		m.phase1(sa, local, remote, &h, msg)
	case ExchQuick:
		m.quickIn(sa, local, remote, &h, msg)
	case ExchInformational:
		m.infoIn(sa, local, remote, &h, msg)
	default:
		m.drop(sa, &m.stats.Unexpected, "unsupported exchange %v from %v", h.Exchange, remote)
	}
	return true
}

// lookup finds the phase-1 SA a message belongs to: ours as responder
// (the responder cookie is ours) or as initiator (the initiator cookie is
// ours, the responder cookie the one the peer chose, or zero until its
// first answer).
func (m *Machine) lookup(h *Header, remote netip.Addr) *ikeSA {
	if sa := m.sas[h.RCookie]; sa != nil && !h.RCookie.IsZero() && !sa.initiator && sa.icookie == h.ICookie {
		return sa
	}
	if sa := m.sas[h.ICookie]; sa != nil && sa.initiator {
		if sa.rcookie == h.RCookie || (sa.rcookie.IsZero() && sa.remote.Addr() == remote) {
			return sa
		}
	}
	if h.RCookie.IsZero() {
		return m.byPeerCookie[peerCookie{remote, h.ICookie}]
	}
	return nil
}

// drop counts a message that is dropped and traces why.
func (m *Machine) drop(sa *ikeSA, counter *uint64, format string, args ...any) {
	*counter++
	if sa != nil {
		sa.stats.Dropped++
	}
	m.logf("warning", "dropped: "+format, args...)
}

// send sends msg on sa's current ports and counts it.
func (m *Machine) send(sa *ikeSA, msg []byte) {
	m.stats.OutPackets++
	m.stats.OutBytes += uint64(len(msg))
	sa.stats.OutPackets++
	sa.stats.OutBytes += uint64(len(msg))
	m.host.Send(sa.local, sa.remote, msg)
}

// Retransmission timers: the side that waits for the next message of an
// exchange resends its last one after 2, 4, 8, 16 and 16 seconds (each
// with ±10 % jitter) and gives up after that; a negotiation that has not
// finished in negotiationTimeout is abandoned.
const (
	rtxBase            = 2 * time.Second
	rtxMax             = 16 * time.Second
	rtxTries           = 5
	negotiationTimeout = 60 * time.Second
)

// rtx is the retransmission state of the last message of an exchange.
type rtx struct {
	msg    []byte
	at     time.Time // next retransmission; zero: none
	tries  int
	lastIn [32]byte // hash of the last message received in the exchange
}

func (m *Machine) arm(r *rtx, msg []byte) {
	r.msg, r.tries = msg, 0
	r.at = m.now.Add(m.jitter(rtxBase, 0.9, 1.1))
}

// fire retransmits when due; it reports false when the tries are spent.
func (m *Machine) fire(sa *ikeSA, r *rtx) bool {
	if r.at.IsZero() || m.now.Before(r.at) {
		return true
	}
	if r.tries == rtxTries {
		r.at = time.Time{}
		return false
	}
	r.tries++
	m.stats.Retransmits++
	sa.stats.Retransmits++
	m.send(sa, r.msg)
	r.at = m.now.Add(m.jitter(min(rtxBase<<r.tries, rtxMax), 0.9, 1.1))
	return true
}

// duplicate reports whether msg repeats the last message received in the
// exchange, and then resends our answer to it (the peer lost it).
func (m *Machine) duplicate(sa *ikeSA, r *rtx, msg []byte) bool {
	if sha256.Sum256(msg) != r.lastIn {
		return false
	}
	m.stats.Duplicates++
	if r.msg != nil {
		m.send(sa, r.msg)
	}
	return true
}

func (r *rtx) received(msg []byte) { r.lastIn = sha256.Sum256(msg) }

// Next returns when Tick must run next (the zero time: nothing pending).
func (m *Machine) Next() time.Time {
	var next time.Time
	early := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, sa := range m.sas {
		sa.deadlines(early)
	}
	for _, t := range m.tuns {
		t.deadlines(m.now, early)
	}
	return next
}

// Tick runs the timers due at now: retransmissions, negotiation
// timeouts, dead peer detection, rekeying and expiry.
func (m *Machine) Tick(now time.Time) {
	m.now = now
	for _, sa := range m.sortedSAs() {
		if sa.state != stateDead {
			m.tickIKE(sa)
		}
	}
	for _, t := range slices.Clone(m.tuns) {
		m.tickTunnel(t)
	}
	m.kickAll()
}

// sortedSAs returns the phase-1 SAs in creation order, so that timers run
// in a deterministic order.
func (m *Machine) sortedSAs() []*ikeSA {
	out := make([]*ikeSA, 0, len(m.sas))
	for _, sa := range m.sas {
		out = append(out, sa)
	}
	slices.SortFunc(out, func(a, b *ikeSA) int { return a.seq - b.seq })
	return out
}
