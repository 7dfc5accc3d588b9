package mspic

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// pair is two cards joined by a fake network: A protects 10.1/16 -> 10.2/16.
type pair struct {
	net        *fakeNet
	a, b       *Card
	devA, devB *fakeDevice
}

func newPair(t *testing.T) *pair {
	t.Helper()
	p := &pair{net: newFakeNet(), devA: newFakeDevice(), devB: newFakeDevice()}
	p.a = New(Options{Name: "ms-4/0/0", Net: p.net})
	p.b = New(Options{Name: "ms-1/0/0", Net: p.net})
	for _, c := range []*Card{p.a, p.b} {
		c.Start(context.Background())
		t.Cleanup(c.Stop)
	}
	must(t, p.a.Configure(Config{Sets: []*ServiceSetT{testSet("ss", "ms-4/0/0.1", "10.0.1.1", "10.0.1.2", "10.1.0.0/16", "10.2.0.0/16")},
		Devices: map[string]Device{"ms-4/0/0.1": p.devA}}))
	must(t, p.b.Configure(Config{Sets: []*ServiceSetT{testSet("ss", "ms-1/0/0.1", "10.0.1.2", "10.0.1.1", "10.2.0.0/16", "10.1.0.0/16")},
		Devices: map[string]Device{"ms-1/0/0.1": p.devB}}))
	must(t, p.a.SetOnline(true))
	must(t, p.b.SetOnline(true))
	return p
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, ch chan []byte) []byte {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(2 * time.Second):
		t.Fatal("no packet")
	}
	return nil
}

func quiet(t *testing.T, ch chan []byte) {
	t.Helper()
	select {
	case p := <-ch:
		t.Fatalf("unexpected packet % x", p)
	case <-time.After(100 * time.Millisecond):
	}
}

func setStats(t *testing.T, c *Card) Stats {
	t.Helper()
	st, err := c.Status()
	must(t, err)
	return st.Sets[0].Stats
}

func TestCardTunnel(t *testing.T) {
	p := newPair(t)
	in := icmpPacket("10.1.0.1", "10.2.0.1", 64)
	p.devA.in <- in
	got := recv(t, p.devB.out)
	want := icmpPacket("10.1.0.1", "10.2.0.1", 63) // the tunnel is a hop
	if !bytes.Equal(got, want) {
		t.Errorf("inner packet\n got % x\nwant % x", got, want)
	}
	p.devB.in <- icmpPacket("10.2.0.1", "10.1.0.1", 64)
	recv(t, p.devA.out)
	if s := setStats(t, p.a); s.EncryptedPackets != 1 || s.DecryptedPackets != 1 {
		t.Errorf("A stats %+v", s)
	}
	// No term matches: dropped and counted.
	p.devA.in <- icmpPacket("10.9.0.1", "10.2.0.1", 64)
	quiet(t, p.devB.out)
	if s := setStats(t, p.a); s.NoMatch != 1 {
		t.Errorf("no match = %d", s.NoMatch)
	}
	must(t, p.a.ClearStats(""))
	if s := setStats(t, p.a); s.EncryptedPackets != 0 || s.NoMatch != 0 {
		t.Errorf("cleared stats %+v", s)
	}
}

func TestCardTTLExceeded(t *testing.T) {
	p := newPair(t)
	p.net.sent = make(chan []byte, 8)
	p.devA.in <- icmpPacket("10.1.0.1", "10.2.0.1", 1)
	icmp := recv(t, p.net.sent)
	if icmp[9] != 1 || icmp[20] != 11 || !bytes.Equal(icmp[12:16], []byte{10, 0, 1, 1}) {
		t.Errorf("not a time exceeded from the local gateway: % x", icmp)
	}
	if s := setStats(t, p.a); s.TTLExceeded != 1 || s.ICMPSent != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestCardOffline(t *testing.T) {
	p := newPair(t)
	must(t, p.a.SetOnline(false))
	st, _ := p.a.Status()
	if len(st.Sets[0].Tunnels) != 0 {
		t.Errorf("SAs left with the PIC offline: %+v", st.Sets[0].Tunnels)
	}
	p.devA.in <- icmpPacket("10.1.0.1", "10.2.0.1", 64)
	quiet(t, p.devB.out)
	must(t, p.a.SetOnline(true))
	st, _ = p.a.Status()
	if len(st.Sets[0].Tunnels) != 1 || len(st.Sets[0].Tunnels[0].SAs) != 2 {
		t.Fatalf("SAs not installed again: %+v", st.Sets[0].Tunnels)
	}
	p.devA.in <- icmpPacket("10.1.0.1", "10.2.0.1", 64)
	recv(t, p.devB.out)
}

func TestCardGateway(t *testing.T) {
	p := newPair(t)
	st, _ := p.a.Status()
	ss := st.Sets[0].Set
	ss.GWInterface = "ge-1/0/1.0"
	for _, c := range []struct {
		style     StyleT
		tunnels   int
		installed bool
	}{{NextHopT, 0, false}, {InterfaceT, 1, false}} {
		ss.Style = c.style
		must(t, p.a.Configure(Config{Sets: []*ServiceSetT{ss}, Devices: map[string]Device{"ms-4/0/0.1": p.devA}}))
		must(t, p.a.SetGateway("ge-1/0/1.0", false))
		st, _ = p.a.Status()
		tun := st.Sets[0].Tunnels
		if len(tun) != c.tunnels || len(tun) > 0 && tun[0].SAs[0].Installed != c.installed {
			t.Errorf("%v: gateway down: tunnels %+v", c.style, tun)
		}
		must(t, p.a.SetGateway("ge-1/0/1.0", true))
		st, _ = p.a.Status()
		if tun := st.Sets[0].Tunnels; len(tun) != 1 || !tun[0].SAs[0].Installed {
			t.Errorf("%v: gateway up: tunnels %+v", c.style, tun)
		}
	}
}

func TestCardStop(t *testing.T) {
	c := New(Options{Name: "ms-4/0/0", Net: newFakeNet()})
	c.Start(context.Background())
	c.Stop()
	c.Stop()
	if _, err := c.Status(); err != ErrStopped {
		t.Errorf("status after stop: %v", err)
	}
}

// memSeqs is a SeqStore in memory.
type memSeqs struct{ m map[string]uint64 }

func (s *memSeqs) Load() (map[string]uint64, error) { return s.m, nil }
func (s *memSeqs) Save(m map[string]uint64) error {
	s.m = map[string]uint64{}
	for k, v := range m {
		s.m[k] = v
	}
	return nil
}

// TestCardRestartKeepsSequence: after a PIC restart, and after the card
// itself is replaced (a router restart), a manual SA goes on with higher
// sequence numbers, so its peer's anti-replay window lets the traffic in.
func TestCardRestartKeepsSequence(t *testing.T) {
	p := newPair(t)
	for range 3 {
		p.devA.in <- icmpPacket("10.1.0.1", "10.2.0.1", 64)
		recv(t, p.devB.out)
	}
	must(t, p.a.SetOnline(false))
	must(t, p.a.SetOnline(true))
	p.devA.in <- icmpPacket("10.1.0.1", "10.2.0.1", 64)
	recv(t, p.devB.out)
	if s := setStats(t, p.b); s.ReplayErrors != 0 {
		t.Errorf("peer counted %d replay errors after a PIC restart", s.ReplayErrors)
	}

	// A new card on the same store: the reservation on disk is ahead of
	// every number the old card sent.
	store := &memSeqs{}
	cfg := func(c *Card, dev *fakeDevice) {
		must(t, c.Configure(Config{Sets: []*ServiceSetT{testSet("ss", "ms-4/0/0.1", "10.0.1.1", "10.0.1.2", "10.1.0.0/16", "10.2.0.0/16")},
			Devices: map[string]Device{"ms-4/0/0.1": dev}}))
		must(t, c.SetOnline(true))
	}
	net := newFakeNet()
	b := New(Options{Name: "ms-1/0/0", Net: net})
	b.Start(context.Background())
	t.Cleanup(b.Stop)
	devB := newFakeDevice()
	must(t, b.Configure(Config{Sets: []*ServiceSetT{testSet("ss", "ms-1/0/0.1", "10.0.1.2", "10.0.1.1", "10.2.0.0/16", "10.1.0.0/16")},
		Devices: map[string]Device{"ms-1/0/0.1": devB}}))
	must(t, b.SetOnline(true))
	a1 := New(Options{Name: "ms-4/0/0", Net: net, Seqs: store})
	a1.Start(context.Background())
	devA := newFakeDevice()
	cfg(a1, devA)
	for range 3 {
		devA.in <- icmpPacket("10.1.0.1", "10.2.0.1", 64)
		recv(t, devB.out)
	}
	a1.Stop()
	if len(store.m) != 1 {
		t.Fatalf("store %v, want one reservation", store.m)
	}
	a2 := New(Options{Name: "ms-4/0/0", Net: net, Seqs: store})
	a2.Start(context.Background())
	t.Cleanup(a2.Stop)
	devA2 := newFakeDevice()
	cfg(a2, devA2)
	devA2.in <- icmpPacket("10.1.0.1", "10.2.0.1", 64)
	recv(t, devB.out)
	if s := setStats(t, b); s.ReplayErrors != 0 {
		t.Errorf("peer counted %d replay errors after a router restart", s.ReplayErrors)
	}
}

// TestCardSocketFaults: a socket that cannot be opened leaves the SAs of
// its sets "Not installed" with the reason, logged once and sent to the
// system log; the card tries again and recovers by itself.
func TestCardSocketFaults(t *testing.T) {
	for _, tc := range []struct {
		name      string
		esp, send error
		fault     string
	}{
		{"receive", errors.New("cannot assign requested address"), nil, "local gateway 10.0.1.1 cannot receive ESP: cannot assign requested address"},
		{"send", nil, errors.New("permission denied"), "cannot send ESP: permission denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := newFakeNet()
			net.fail(tc.esp, tc.send)
			var mu sync.Mutex
			var logs, events []string
			c := New(Options{Name: "ms-4/0/0", Net: net,
				Log: func(level, msg string) { mu.Lock(); logs = append(logs, level+": "+msg); mu.Unlock() },
				Event: func(tag, msg string) {
					mu.Lock()
					events = append(events, tag+": "+msg)
					mu.Unlock()
				}})
			c.Start(context.Background())
			t.Cleanup(c.Stop)
			dev := newFakeDevice()
			must(t, c.Configure(Config{Sets: []*ServiceSetT{testSet("ss", "ms-4/0/0.1", "10.0.1.1", "10.0.1.2", "10.1.0.0/16", "10.2.0.0/16")},
				Devices: map[string]Device{"ms-4/0/0.1": dev}}))
			must(t, c.SetOnline(true))
			st, err := c.Status()
			must(t, err)
			ss := st.Sets[0]
			if ss.Fault != tc.fault {
				t.Errorf("fault %q, want %q", ss.Fault, tc.fault)
			}
			for _, sa := range ss.Tunnels[0].SAs {
				if sa.Installed {
					t.Errorf("%s SA shown installed although its socket failed", sa.Direction)
				}
			}
			mu.Lock()
			nEvents := len(events)
			found := false
			for _, e := range events {
				found = found || strings.HasPrefix(e, "KMD_INTERNAL_ERROR: ms-4/0/0: ")
			}
			mu.Unlock()
			if !found {
				t.Errorf("no system log line: %q", events)
			}
			// Retries do not log again; recovery does.
			must(t, c.do(func(s *state) error { s.retryIO(); s.retryIO(); return nil }))
			mu.Lock()
			if len(events) != nEvents {
				t.Errorf("retries logged again: %q", events[nEvents:])
			}
			mu.Unlock()
			net.fail(nil, nil)
			must(t, c.do(func(s *state) error { s.retryIO(); return nil }))
			st, _ = c.Status()
			if st.Sets[0].Fault != "" || !st.Sets[0].Tunnels[0].SAs[0].Installed {
				t.Errorf("not recovered: %+v", st.Sets[0])
			}
			mu.Lock()
			defer mu.Unlock()
			if last := events[len(events)-1]; !strings.HasSuffix(last, "recovered") {
				t.Errorf("recovery not logged: %q", last)
			}
		})
	}
}
