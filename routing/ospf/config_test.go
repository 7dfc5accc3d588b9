package ospf

import (
	"slices"
	"strings"
	"testing"

	"mxlab/config"
)

func configTree(t *testing.T, lines ...string) *config.Node {
	t.Helper()
	db, err := config.Open(config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _, _, err := db.Begin(config.Who{User: "test"}, config.Private)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Load(config.LoadSet, strings.Join(lines, "\n"), "test", false); err != nil {
		t.Fatal(err)
	}
	return s.Candidate()
}

func TestParse(t *testing.T) {
	root := configTree(t,
		"set interfaces ge-1/0/0 unit 0 family inet address 10.0.12.1/30",
		"set interfaces ge-1/0/1 unit 0 family inet address 10.0.13.1/30",
		"set interfaces ms-1/2/0 unit 1 family inet address 10.1.15.1/30",
		"set interfaces lo0 unit 0 family inet address 192.0.2.1/32",
		"set routing-instances vr instance-type virtual-router",
		"set routing-instances vr interface ge-1/0/1.0",
		"set routing-instances vr protocols ospf area 0 interface ge-1/0/1.0 metric 7",
		"set protocols ospf area 0 interface ge-1/0/0.0 hello-interval 2 dead-interval 8 priority 0",
		"set protocols ospf area 0 interface ge-1/0/0.0 authentication md5 5 key secret",
		"set protocols ospf area 0 interface ms-1/2/0.1",
		"set protocols ospf area 0.0.0.2 nssa default-lsa default-metric 9",
		"set protocols ospf area 0.0.0.2 nssa no-summaries",
		"set protocols ospf area 0.0.0.2 area-range 10.2.0.0/16 restrict",
		"set protocols ospf reference-bandwidth 10g",
		"set protocols ospf overload timeout 120",
		"set protocols ospf spf-options delay 100",
		"set protocols ospf export ex",
		"set policy-options policy-statement ex then accept",
	)
	cs := Parse(root)
	if len(cs) != 2 || cs[0].Instance != "" || cs[1].Instance != "vr" {
		t.Fatalf("instances %+v", cs)
	}
	m := cs[0]
	if m.RouterID != id("192.0.2.1") || m.RefBandwidth != 10_000_000_000 || !m.Overload || m.OverloadUntil.Seconds() != 120 ||
		m.SPFDelay.Milliseconds() != 100 || !slices.Equal(m.Export, []string{"ex"}) || m.Policies.Policies["ex"] == nil {
		t.Errorf("master %+v", m)
	}
	ge := m.Areas[0].Interfaces[0]
	if ge.Hello != 2 || ge.Dead != 8 || ge.Priority != 0 || ge.P2P || ge.Auth.Type != AuthCrypto || ge.Auth.Keys[0].ID != 5 ||
		string(ge.Auth.Keys[0].Key[:6]) != "secret" {
		t.Errorf("ge-1/0/0.0 %+v", ge)
	}
	if ms := m.Areas[0].Interfaces[1]; !ms.P2P || ms.Priority != DefaultPriority {
		t.Errorf("an ms- inside unit runs point-to-point: %+v", ms)
	}
	a2 := m.Areas[1]
	if !a2.NSSA || !a2.NoSummaries || a2.NSSADefault == nil || a2.NSSADefault.Metric != 9 || a2.NSSADefault.MetricType != 1 ||
		len(a2.Ranges) != 1 || !a2.Ranges[0].Restrict {
		t.Errorf("area 2 %+v", a2)
	}
	vr := cs[1]
	if vr.RouterID != id("10.0.13.1") || vr.Areas[0].Interfaces[0].Metric != 7 {
		t.Errorf("vr %+v", vr)
	}
	// "interface all" (which the schema refuses for now) takes the
	// instance's other inet interfaces.
	c := Config{Areas: []AreaConfig{{Interfaces: []IfConfig{{Name: "ge-1/0/0.0"}, {Name: "all", Passive: true}}}}}
	expandAll(&c, root, func(ifl string) bool { return ifl != "ge-1/0/1.0" })
	var names []string
	for _, i := range c.Areas[0].Interfaces {
		names = append(names, i.Name)
	}
	if !slices.Equal(names, []string{"ge-1/0/0.0", "lo0.0", "ms-1/2/0.1"}) || !c.Areas[0].Interfaces[2].Passive || !c.Areas[0].Interfaces[2].P2P {
		t.Errorf("interface all expands to %v", names)
	}
}

func TestParseBandwidth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{{"100m", 100_000_000, true}, {"10g", 10_000_000_000, true}, {"1000", 1000, true}, {"64K", 64_000, true}, {"x", 0, false}, {"0", 0, false}} {
		got, err := ParseBandwidth(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("%s: %d %v", tc.in, got, err)
		}
	}
}
