package ikev1

import (
	"strings"
	"testing"
	"time"
)

// TestAccessProfile: a hub answers dynamic peers through an access
// profile's tunnel (allowed-proxy-pair 10.0.0.0/24 <-> 10.0.0.0/16 is the
// tunnel's LocalTS/RemoteTS): two peers with their own networks within
// the pair get pairs of their own, which neither replaces; a peer asking
// for networks outside the pair is refused with INVALID-ID-INFORMATION
// and the refusal is logged. A dedicated tunnel takes one peer at a time.
func TestAccessProfile(t *testing.T) {
	for _, dedicated := range []bool{false, true} {
		l := newLab(t)
		hub := l.add("hub", "192.168.255.2", 1)
		hubT := site("TEST/rule-ike/term-ike", "192.168.255.2", "0.0.0.0", "10.0.0.0/24", "10.1.0.0/16", ExchMain)
		hubT.Profile, hubT.Dedicated = "IKE-profile-TEST", dedicated
		hub.configure(Config{Tunnels: []Tunnel{hubT}})
		spoke := func(name, addr, lan string, seed uint64) *node {
			n := l.add(name, addr, seed)
			x := site("to-hub/r/t", addr, "192.168.255.2", lan, "10.0.0.0/24", ExchMain)
			x.AutoStart = true
			n.configure(Config{Tunnels: []Tunnel{x}})
			return n
		}
		a := spoke("a", "192.168.1.1", "10.1.1.0/24", 2)
		l.run(time.Second)
		b := spoke("b", "192.168.2.1", "10.1.2.0/24", 3)
		l.run(time.Second)
		bad := spoke("bad", "192.168.3.1", "10.2.3.0/24", 4)
		l.run(time.Second)
		peers := map[string]int{}
		for _, c := range hub.installed {
			peers[c.Remote.String()+" "+c.RemoteTS.String()]++
		}
		want := map[string]int{"192.168.1.1 10.1.1.0/24": 1, "192.168.2.1 10.1.2.0/24": 1}
		if dedicated {
			want = map[string]int{"192.168.1.1 10.1.1.0/24": 1}
		}
		if len(peers) != len(want) || peers["192.168.1.1 10.1.1.0/24"] != 1 || (!dedicated && peers["192.168.2.1 10.1.2.0/24"] != 1) {
			t.Fatalf("dedicated %v: hub pairs %v, want %v\n%s", dedicated, peers, want, hub.dumpLog())
		}
		if len(a.installed) != 1 || len(bad.installed) != 0 || (len(b.installed) == 1) == dedicated {
			t.Fatalf("dedicated %v: spokes have %d, %d, %d pairs", dedicated, len(a.installed), len(b.installed), len(bad.installed))
		}
		log := hub.dumpLog()
		if !strings.Contains(log, "proxy pair local 10.0.0.0/24 remote 10.2.3.0/24 is not allowed by access profile IKE-profile-TEST: INVALID-ID-INFORMATION sent") {
			t.Errorf("refusal not logged:\n%s", log)
		}
		if hub.m.Stats().ProxyRefused == 0 {
			t.Errorf("refusals not counted: %+v", hub.m.Stats())
		}
		// Both peers keep their pairs through an hour of rekeys.
		l.run(time.Hour)
		if !dedicated && len(hub.installed) != 2 {
			t.Errorf("after an hour the hub has %d pairs, want 2\n%s", len(hub.installed), hub.dumpLog())
		}
	}
}
