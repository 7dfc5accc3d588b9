package ospf

import (
	"net/netip"
	"testing"
	"time"

	"mxlab/routing"
	"mxlab/routing/policy"
)

// exportStatic is a policy that exports static routes.
var exportStatic = &policy.Set{Policies: map[string]*policy.Statement{"st": {Name: "st", Terms: []*policy.Term{
	{From: policy.From{Protocols: []string{"static"}}, Then: policy.Then{Accept: true}}}}}}

// staticRIB is a routing table holding one static route.
func staticRIB(prefix string) *routing.RIB {
	return &routing.RIB{Tables: []*routing.Table{{Name: "inet.0", Dests: []*routing.Dest{{Prefix: netip.MustParsePrefix(prefix),
		Routes: []*routing.Route{{Prefix: netip.MustParsePrefix(prefix), Protocol: routing.Static, Preference: 5, Active: true}}}}}}}
}

// multiArea builds
//
//	r1 -(area 1: 10.1.12.0/24)- r2 -(area 0: 10.0.23.0/24)- r3 -(area 0: 10.0.34.0/24)- r4 -(area 2: 10.2.45.0/24)- r5
//
// area 1 is a stub (r2 sends a default with metric 10), area 2 an NSSA;
// r3 exports 172.16.3.0/24 and r5 172.16.5.0/24.
func multiArea(t *testing.T, area1 AreaConfig) *lab {
	l := newLab(t)
	links := []struct{ a, b, net string }{{"r1", "r2", "10.1.12"}, {"r2", "r3", "10.0.23"}, {"r3", "r4", "10.0.34"}, {"r4", "r5", "10.2.45"}}
	for _, k := range links {
		l.port(k.a, "ge-0/0/"+k.b[1:]+".0", k.net+"."+k.a[1:]+"/24", k.net)
		l.port(k.b, "ge-0/0/"+k.a[1:]+".0", k.net+"."+k.b[1:]+"/24", k.net)
	}
	for _, n := range []string{"r1", "r2", "r3", "r4", "r5"} {
		l.loopback(n, "192.0.2."+n[1:]+"/32")
	}
	a1 := func(ifs ...IfConfig) AreaConfig { c := area1; c.ID = 1; c.Interfaces = ifs; return c }
	nssa := func(ifs ...IfConfig) AreaConfig { return AreaConfig{ID: 2, NSSA: true, Interfaces: ifs} }
	bb := func(ifs ...IfConfig) AreaConfig { return AreaConfig{ID: 0, Interfaces: ifs} }
	lo := fast("lo0.0")
	l.start("r1", Config{Areas: []AreaConfig{a1(p2p("ge-0/0/2.0"), lo)}})
	l.start("r2", Config{Areas: []AreaConfig{bb(p2p("ge-0/0/3.0"), lo), a1(p2p("ge-0/0/1.0"))}})
	l.start("r3", Config{Areas: []AreaConfig{bb(p2p("ge-0/0/2.0"), p2p("ge-0/0/4.0"), lo)}, Export: []string{"st"}, Policies: exportStatic})
	l.start("r4", Config{Areas: []AreaConfig{bb(p2p("ge-0/0/3.0"), lo), nssa(p2p("ge-0/0/5.0"))}})
	l.start("r5", Config{Areas: []AreaConfig{nssa(p2p("ge-0/0/4.0"), lo)}, Export: []string{"st"}, Policies: exportStatic})
	l.procs["r3"].SetRIB(staticRIB("172.16.3.0/24"))
	l.procs["r5"].SetRIB(staticRIB("172.16.5.0/24"))
	return l
}

func TestAreas(t *testing.T) {
	l := multiArea(t, AreaConfig{Stub: true, DefaultMetric: 10})
	want := map[string]map[string]string{
		"r1": {"0.0.0.0/0": "[10.1.12.2] metric 11", "192.0.2.2/32": "[10.1.12.2] metric 1", "192.0.2.5/32": "[10.1.12.2] metric 4",
			"10.2.45.0/24": "[10.1.12.2] metric 4"},
		"r3": {"192.0.2.1/32": "[10.0.23.2] metric 2", "10.1.12.0/24": "[10.0.23.2] metric 2", "172.16.5.0/24": "[10.0.34.4] metric 0",
			"192.0.2.5/32": "[10.0.34.4] metric 2"},
		"r5": {"192.0.2.1/32": "[10.2.45.4] metric 4"},
		"r2": {"172.16.3.0/24": "[10.0.23.3] metric 0", "172.16.5.0/24": "[10.0.23.3] metric 0"},
	}
	l.waitFor("routes in every area", 20*time.Second, func() bool {
		for n, routes := range want {
			got := l.ribs[n].get("")
			for p, w := range routes {
				if got[p] != w {
					return false
				}
			}
		}
		return true
	})
	// The stub area gets no externals.
	if r := l.ribs["r1"].get("")["172.16.3.0/24"]; r != "" {
		t.Errorf("r1 (stub) has an external route: %s", r)
	}
}

func TestTotallyStubby(t *testing.T) {
	l := multiArea(t, AreaConfig{Stub: true, NoSummaries: true, DefaultMetric: 5})
	l.waitFor("default only", 20*time.Second, func() bool {
		got := l.ribs["r1"].get("")
		return got["0.0.0.0/0"] == "[10.1.12.2] metric 6" && len(got) == 1
	})
}
