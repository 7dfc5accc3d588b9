package ikev1

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"mxlab/services/ike"
)

// hubLab is a hub (192.168.255.2) whose access-profile tunnel allows
// 10.0.0.0/24 <-> 10.1.0.0/16, and n spokes (192.168.i.j) with LANs
// 10.1.i.0/24 that start their tunnels at once.
func hubLab(tb testing.TB, n int, cfg Config) (*lab, *node, []*node) {
	l := newLab(tb)
	hub := l.add("hub", "192.168.255.2", 1)
	ht := site("TEST/rule-ike/term-ike", "192.168.255.2", "0.0.0.0", "10.0.0.0/24", "10.1.0.0/16", ExchMain)
	ht.Profile = "IKE-profile-TEST"
	cfg.Tunnels = []Tunnel{ht}
	hub.configure(cfg)
	var spokes []*node
	for i := range n {
		addr := fmt.Sprintf("192.168.%d.%d", 1+i/250, 1+i%250)
		s := l.add("spoke"+addr, addr, uint64(i+2))
		t := site("to-hub/r/t", addr, "192.168.255.2", fmt.Sprintf("10.1.%d.0/24", i), "10.0.0.0/24", ExchMain)
		t.AutoStart = true
		s.configure(Config{Tunnels: []Tunnel{t}})
		spokes = append(spokes, s)
	}
	return l, hub, spokes
}

// paired reports whether spoke s has one live pair and the hub its twin
// (hub handles several peers, so pair does not apply).
func paired(s, hub *node) bool {
	n := 0
	for _, x := range s.installed {
		if y := hub.installed[x.OutSPI]; y != nil && y.OutSPI == x.InSPI && string(y.InEncKey) == string(x.OutEncKey) {
			n++
		}
	}
	return n >= 1
}

// firstMessage returns a main-mode first message a spoke sends.
func firstMessage(t *testing.T) []byte {
	l, _, _ := hubLab(t, 1, Config{})
	var mm1 []byte
	l.filter = func(d *datagram) bool {
		if mm1 == nil && len(d.msg) > 28 && d.msg[18] == byte(ExchMain) {
			mm1 = append([]byte(nil), d.msg...)
		}
		return false
	}
	l.run(time.Millisecond)
	if mm1 == nil {
		t.Fatal("no first message")
	}
	return mm1
}

// TestFloodFirstMessages: 10,000 spoofed main-mode first messages from
// 1,000 source addresses reach a hub whose ten dynamic peers carry
// tunnels. The peers keep their SAs (and renew them), the half-open SAs
// stay within MaxHalfOpen, and they are gone once the negotiations time
// out.
func TestFloodFirstMessages(t *testing.T) {
	mm1 := firstMessage(t)
	const maxHalfOpen = 256
	l, hub, spokes := hubLab(t, 10, Config{MaxHalfOpen: maxHalfOpen})
	l.run(time.Second)
	if len(hub.installed) != 10 {
		t.Fatalf("hub has %d pairs before the flood\n%s", len(hub.installed), hub.dumpLog())
	}
	before := map[uint32]bool{}
	for spi := range hub.installed {
		before[spi] = true
	}
	local := netip.MustParseAddrPort("192.168.255.2:500")
	sent := 0
	maxSAs := 0
	for burst := range 10 {
		for i := range 1000 {
			msg := append([]byte(nil), mm1...)
			msg[0], msg[1], msg[2] = byte(burst), byte(i>>8), byte(i) // a fresh initiator cookie
			src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{172, 31, byte(i / 250), byte(1 + i%250)}), 500)
			hub.m.Receive(l.now, local, src, msg)
			sent++
		}
		maxSAs = max(maxSAs, len(hub.m.sas))
		l.run(time.Second)
	}
	st := hub.m.Stats()
	if sent != 10000 || maxSAs > 10+maxHalfOpen || st.HalfOpenDropped == 0 {
		t.Fatalf("sent %d, hub SAs at most %d (bound %d), half-open dropped %d", sent, maxSAs, 10+maxHalfOpen, st.HalfOpenDropped)
	}
	for _, s := range spokes {
		if !paired(s, hub) {
			t.Fatalf("%s lost its tunnel during the flood\n%s", s.name, hub.dumpLog())
		}
	}
	for spi := range hub.installed {
		if !before[spi] {
			t.Fatalf("pair %d appeared during the flood", spi)
		}
	}
	// The half-open SAs time out; the peers go on renewing their pairs.
	l.run(9 * time.Hour)
	if hub.m.halfOpen != 0 || len(hub.m.sas) > 10 {
		t.Errorf("after the flood: %d half-open, %d SAs", hub.m.halfOpen, len(hub.m.sas))
	}
	for _, s := range spokes {
		if !paired(s, hub) {
			t.Errorf("%s: no pair after 9 hours", s.name)
		}
	}
	if len(before) == 10 && len(hub.installed) == 10 {
		for spi := range hub.installed {
			if before[spi] {
				t.Errorf("pair %d was never renewed", spi)
			}
		}
	}
}

// TestMaxDynamicPeers: beyond MaxDynamicPeers, a hub answers no new
// dynamic peer; those it has keep their tunnels.
func TestMaxDynamicPeers(t *testing.T) {
	l, hub, spokes := hubLab(t, 12, Config{MaxDynamicPeers: 10})
	l.run(5 * time.Second)
	up := 0
	for _, s := range spokes {
		up += len(s.installed)
	}
	if up != 10 || len(hub.installed) != 10 || hub.m.Stats().PeersLimited == 0 {
		t.Fatalf("%d spokes up, hub %d pairs, limited %d", up, len(hub.installed), hub.m.Stats().PeersLimited)
	}
	// The refusals show in show services ipsec-vpn ike statistics.
	if st := hub.m.Stats(); st.drops().HalfOpen < st.PeersLimited {
		t.Errorf("show: %d dropped at the half-open limit, %d refused at the bound of dynamic peers", st.drops().HalfOpen, st.PeersLimited)
	}
}

// BenchmarkDynamicPeers: a hub and 100 dynamic peers that start at once
// (in memory, both sides' protocol work): the time until all tunnels are
// up, and the hub's memory per tunnel (live heap after a collection).
func BenchmarkDynamicPeers(b *testing.B) {
	const n = 100
	var perTunnel float64
	for range b.N {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		l, hub, _ := hubLab(b, n, Config{})
		l.run(time.Second)
		if len(hub.installed) != n {
			b.Fatalf("%d of %d tunnels up", len(hub.installed), n)
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		// The lab holds the hub and the peers alike: the hub's share is
		// half of what the lab retains.
		perTunnel = float64(m1.HeapAlloc-m0.HeapAlloc) / 2 / n
		runtime.KeepAlive(l)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tunnels/s")
	b.ReportMetric(perTunnel, "hub-bytes/tunnel")
}

// TestSimultaneousInitiation: both sites start main mode at the same
// moment, each with INITIAL-CONTACT; neither deletes the SA it started
// on the other's INITIAL-CONTACT, so the quick modes on both SAs succeed
// and the pairs match.
func TestSimultaneousInitiation(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) { t2.AutoStart = true })
	l.run(5 * time.Second)
	if n := pair(t, r1, r2); n == 0 {
		t.Fatalf("no pair after both sides initiated\n%s\n%s", r1.dumpLog(), r2.dumpLog())
	}
	if r1.m.Stats().Timeouts != 0 || r2.m.Stats().Timeouts != 0 {
		t.Errorf("negotiations timed out: %+v %+v", r1.m.Stats(), r2.m.Stats())
	}
}

// BenchmarkRefusedFirstMessage: the work of a hub's key management for
// one spoofed main-mode first message once the half-open SAs are at their
// bound (1,024 of them and ten established peers): the refusal, then, as
// the engine does (proto.Receive), the next deadline of its timer unless
// the message was refused without state.
func BenchmarkRefusedFirstMessage(b *testing.B) {
	mm1 := firstMessage(&testing.T{})
	l, hub, _ := hubLab(b, 10, Config{})
	l.run(time.Second)
	local := netip.MustParseAddrPort("192.168.255.2:500")
	msg := append([]byte(nil), mm1...)
	spoof := func(i int) {
		msg[0], msg[1], msg[2], msg[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{172, 31, byte(i / 250 % 4), byte(1 + i%250)}), 500)
		if hub.m.Receive(l.now, local, src, msg) {
			hub.m.Next()
		}
	}
	for i := range DefaultMaxHalfOpen {
		spoof(i)
	}
	l.filter = func(*datagram) bool { return true }
	if hub.m.halfOpen != DefaultMaxHalfOpen {
		b.Fatalf("%d half-open SAs", hub.m.halfOpen)
	}
	i := DefaultMaxHalfOpen
	for b.Loop() {
		spoof(i)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// TestProtocolFlood: through the engine's protocol interface, the first
// messages beyond the half-open bound are refused without state, so the
// engine skips recomputing its timer (Next walks every SA): Next is the
// same after each of them. The timer still ends the half-open SAs and
// keeps the tunnel rekeyed.
func TestProtocolFlood(t *testing.T) {
	e := &fakeEngine{t: t, now: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC), hosts: map[netip.Addr]*fakeHost{}}
	h1, h2 := e.host("10.0.1.1"), e.host("10.0.1.2")
	t1 := engineTunnel("10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", "immediately", "juniper123")
	t2 := engineTunnel("10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", "responder-only", "juniper123")
	h2.p.Configure([]*ike.Tunnel{t2})
	h1.p.Configure([]*ike.Tunnel{t1})
	if len(e.queue) == 0 {
		t.Fatal("no first message")
	}
	mm1 := bytes.Clone(e.queue[0].msg)
	e.run(time.Second)
	if len(h1.installed) != 1 || len(h2.installed) != 1 {
		t.Fatalf("children %d %d", len(h1.installed), len(h2.installed))
	}
	p2 := h2.p.(*proto)
	m := p2.m
	local, remote := netip.MustParseAddrPort("10.0.1.2:500"), netip.MustParseAddrPort("10.0.1.1:500")
	const refused = 500
	for i := range DefaultMaxHalfOpen + refused {
		msg := bytes.Clone(mm1)
		binary.BigEndian.PutUint64(msg, 0xf100d000_00000000|uint64(i))
		next := m.Next()
		// What proto.Receive does, with the verdict in view.
		wasRefused := !m.Receive(p2.h.Now(), local, remote, msg)
		if !wasRefused {
			p2.schedule()
		}
		if wasRefused != (i >= DefaultMaxHalfOpen) {
			t.Fatalf("message %d: refused %v", i, wasRefused)
		}
		if wasRefused && !m.Next().Equal(next) {
			t.Fatalf("message %d was refused but Next moved from %v to %v", i, next, m.Next())
		}
	}
	sas, drops := h2.p.Status()
	if len(sas) != 1+DefaultMaxHalfOpen || drops.HalfOpen != refused {
		t.Fatalf("%d IKE SAs, %d dropped at the half-open limit; want %d and %d", len(sas), drops.HalfOpen, 1+DefaultMaxHalfOpen, refused)
	}
	e.run(2 * time.Minute)
	if sas, _ := h2.p.Status(); len(sas) != 1 || !sas[0].Matured {
		t.Errorf("%d IKE SAs two minutes after the flood, want the matured one", len(sas))
	}
	e.run(time.Hour)
	if len(h1.installed) != 1 || len(h2.installed) != 1 || h2.removed == 0 {
		t.Errorf("after an hour: children %d %d, %d removed by rekeys", len(h1.installed), len(h2.installed), h2.removed)
	}
}
