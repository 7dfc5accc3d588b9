package ospf

import (
	"context"
	"net/netip"
	"testing"
	"time"
)

func t0ctx() context.Context { return context.Background() }

func id(s string) ID { return IDOf(netip.MustParseAddr(s)) }

func TestTwoRoutersP2P(t *testing.T) {
	l := newLab(t)
	l.port("r1", "ge-0/0/0.0", "10.0.12.1/30", "12")
	l.port("r2", "ge-0/0/0.0", "10.0.12.2/30", "12")
	l.loopback("r1", "192.0.2.1/32")
	l.loopback("r2", "192.0.2.2/32")
	for _, n := range []string{"r1", "r2"} {
		l.start(n, Config{Areas: []AreaConfig{{ID: 0, Interfaces: []IfConfig{p2p("ge-0/0/0.0"), fast("lo0.0")}}}})
	}
	l.waitFor("adjacency", 10*time.Second, func() bool { return l.allFull("r1", 1) && l.allFull("r2", 1) })
	l.waitFor("routes", 10*time.Second, func() bool {
		return l.ribs["r1"].get("")["192.0.2.2/32"] == "[10.0.12.2] metric 1" && l.ribs["r2"].get("")["192.0.2.1/32"] == "[10.0.12.1] metric 1"
	})
}

func TestBroadcastDR(t *testing.T) {
	l := newLab(t)
	for i, n := range []string{"r1", "r2", "r3"} {
		l.port(n, "ge-0/0/0.0", "10.0.0."+string(rune('1'+i))+"/24", "lan")
		l.loopback(n, "192.0.2."+string(rune('1'+i))+"/32")
	}
	for _, n := range []string{"r1", "r2", "r3"} {
		l.start(n, Config{Areas: []AreaConfig{{ID: 0, Interfaces: []IfConfig{fast("ge-0/0/0.0"), fast("lo0.0")}}}})
	}
	l.waitFor("adjacencies", 15*time.Second, func() bool {
		return l.allFull("r1", 2) && l.allFull("r2", 2) && l.allFull("r3", 2)
	})
	// Every router comes to agree on a DR and a BDR (which ones depends
	// on who declared itself first: the election is sticky).
	l.waitFor("one DR and BDR", 10*time.Second, func() bool {
		roles := map[string]bool{}
		for _, n := range []string{"r1", "r2", "r3"} {
			in := l.procs[n].Instance("")
			in.do(t0ctx(), func() {
				i := in.areas[0].ifaces[0]
				if i.drID != 0 && i.bdrID != 0 && i.drID != i.bdrID {
					roles[i.drID.String()+"/"+i.bdrID.String()] = true
				}
			})
		}
		return len(roles) == 1
	})
	l.waitFor("routes", 10*time.Second, func() bool {
		r := l.ribs["r1"].get("")
		return r["192.0.2.2/32"] == "[10.0.0.2] metric 1" && r["192.0.2.3/32"] == "[10.0.0.3] metric 1"
	})
}
