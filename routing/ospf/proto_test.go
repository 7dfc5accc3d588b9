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

// square is r1-r2-r4 and r1-r3-r4, all point-to-point with metric 1.
func square(t *testing.T, auth func(node string) Auth) *lab {
	l := newLab(t)
	links := []struct{ a, b, net string }{{"r1", "r2", "10.0.12"}, {"r1", "r3", "10.0.13"}, {"r2", "r4", "10.0.24"}, {"r3", "r4", "10.0.34"}}
	ifs := map[string][]IfConfig{}
	for _, k := range links {
		l.port(k.a, "ge-0/0/"+k.b[1:]+".0", k.net+"."+k.a[1:]+"/24", k.net)
		l.port(k.b, "ge-0/0/"+k.a[1:]+".0", k.net+"."+k.b[1:]+"/24", k.net)
		for _, e := range [][2]string{{k.a, k.b}, {k.b, k.a}} {
			c := p2p("ge-0/0/" + e[1][1:] + ".0")
			if k.net == "10.0.34" {
				// A dead interval no wait of TestECMPAndFailure reaches:
				// what it sees comes from r3's own LSA.
				c.Dead = 40
			}
			if auth != nil {
				c.Auth = auth(e[0])
			}
			ifs[e[0]] = append(ifs[e[0]], c)
		}
	}
	for _, n := range []string{"r1", "r2", "r3", "r4"} {
		l.loopback(n, "192.0.2."+n[1:]+"/32")
		l.start(n, Config{Areas: []AreaConfig{{ID: 0, Interfaces: append(ifs[n], fast("lo0.0"))}}})
	}
	return l
}

func TestECMPAndFailure(t *testing.T) {
	l := square(t, nil)
	l.waitFor("two paths to r4", 10*time.Second, func() bool {
		return l.ribs["r1"].get("")["192.0.2.4/32"] == "[10.0.12.2 10.0.13.3] metric 2"
	})
	// Cut r2-r4: after the dead interval r1 goes through r3 only.
	l.h.setUp("10.0.24", false)
	l.waitFor("one path left", 10*time.Second, func() bool {
		return l.ribs["r1"].get("")["192.0.2.4/32"] == "[10.0.13.3] metric 2"
	})
	// r3's interface towards r4 goes down: r1 routes through r2... which
	// lost r4 too: r4 is unreachable.
	l.h.setUp("10.0.24", true)
	l.waitFor("both paths back", 10*time.Second, func() bool {
		return l.ribs["r1"].get("")["192.0.2.4/32"] == "[10.0.12.2 10.0.13.3] metric 2"
	})
	time.Sleep(time.Second) // past MinLSInterval of the last originations
	st := l.ifs["r3"]
	for i := range st {
		if st[i].Name == "ge-0/0/4.0" {
			st[i].Up = false
		}
	}
	l.procs["r3"].SetInterfaces(st)
	// Sooner than the dead interval of that link (40 s) would tell r4.
	l.waitFor("interface down followed at once", 20*time.Second, func() bool {
		return l.ribs["r1"].get("")["192.0.2.4/32"] == "[10.0.12.2] metric 2"
	})
}

func md5Auth(key string) Auth {
	a := Auth{Type: AuthCrypto, Keys: []MD5Key{{ID: 1}}}
	copy(a.Keys[0].Key[:], key)
	return a
}

func TestMD5(t *testing.T) {
	l := square(t, func(node string) Auth {
		if node == "r4" {
			return md5Auth("wrong")
		}
		return md5Auth("secret")
	})
	l.waitFor("r1 full with r2 and r3", 10*time.Second, func() bool { return l.allFull("r1", 2) })
	time.Sleep(2 * time.Second)
	if ns := l.neighbors("r4"); len(ns) != 0 {
		t.Errorf("r4 with the wrong key has neighbors %v", ns)
	}
	in := l.procs["r4"].Instance("")
	var fails uint64
	in.do(t0ctx(), func() { fails = in.stats.errAuth })
	if fails == 0 {
		t.Error("no authentication failure counted")
	}
}
