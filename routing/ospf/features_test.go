package ospf

import (
	"testing"
	"time"

	"mxlab/routing"
	"mxlab/routing/policy"
)

// line3 is r1 -(area 0)- r2 -(area 1)- r3 on the simulator, point-to-point
// links, loopbacks in the routers' areas; cfg1 and cfg3 change the areas
// of r2's and r3's side of area 1.
func line3(t *testing.T, area1 AreaConfig, r3 Config, table3 *routing.Table) *sim {
	s := newSim(t)
	s.port("r1", "ge-0/0/0.0", "10.0.12.1/30", "12")
	s.port("r2", "ge-0/0/0.0", "10.0.12.2/30", "12")
	s.port("r2", "ge-0/0/1.0", "10.1.23.1/30", "23")
	s.port("r3", "ge-0/0/1.0", "10.1.23.2/30", "23")
	s.port("r3", "ge-0/0/2.0", "10.1.3.1/24", "lan3")
	s.port("r3", "ge-0/0/3.0", "10.1.4.1/24", "lan4")
	for _, n := range []string{"r1", "r2", "r3"} {
		s.loopback(n, "192.0.2."+n[1:]+"/32")
	}
	p := func(n string) IfConfig { return IfConfig{Name: n, P2P: true, Priority: DefaultPriority} }
	lo := IfConfig{Name: "lo0.0", Passive: true}
	a1 := func(ifs ...IfConfig) AreaConfig { c := area1; c.ID = 1; c.Interfaces = ifs; return c }
	s.start("r1", Config{RouterID: id("192.0.2.1"), Areas: []AreaConfig{{ID: 0, Interfaces: []IfConfig{p("ge-0/0/0.0"), lo}}}}, nil)
	s.start("r2", Config{RouterID: id("192.0.2.2"), Areas: []AreaConfig{{ID: 0, Interfaces: []IfConfig{p("ge-0/0/0.0"), lo}},
		a1(p("ge-0/0/1.0"))}}, nil)
	r3.RouterID = id("192.0.2.3")
	r3Area := area1
	r3Area.Ranges = nil
	r3Area.ID = 1
	r3Area.Interfaces = []IfConfig{p("ge-0/0/1.0"), {Name: "ge-0/0/2.0", Passive: true}, {Name: "ge-0/0/3.0", Passive: true}, lo}
	r3.Areas = []AreaConfig{r3Area}
	s.start("r3", r3, table3)
	s.run(10 * time.Second)
	return s
}

func TestAreaRanges(t *testing.T) {
	s := line3(t, AreaConfig{Ranges: []Range{{Prefix: mustPrefix("10.1.0.0/16")}, {Prefix: mustPrefix("192.0.2.3/32"), Restrict: true}}}, Config{}, nil)
	got := s.ribs["r1"].get("")
	if got["10.1.0.0/16"] != "[10.0.12.2] metric 3" { // the range costs its dearest route, 2
		t.Errorf("no area range route on r1: %v", got)
	}
	for _, p := range []string{"10.1.3.0/24", "10.1.23.0/30", "192.0.2.3/32"} {
		if r, ok := got[p]; ok {
			t.Errorf("r1 has %s (%s): the range should hide it", p, r)
		}
	}
}

func TestNSSADefaultAndTranslation(t *testing.T) {
	exp := &policy.Set{Policies: map[string]*policy.Statement{"st": {Terms: []*policy.Term{{
		From: policy.From{Protocols: []string{"static"}}, Then: policy.Then{Accept: true, Metric: &policy.Arith{Op: '=', Value: 7}}}}}}}
	s := line3(t, AreaConfig{NSSA: true, NSSADefault: &NSSADefault{Metric: 5, MetricType: 1}},
		Config{Export: []string{"st"}, Policies: exp}, staticRIB("172.16.3.0/24").Tables[0])
	if got := s.ribs["r3"].get("")["0.0.0.0/0"]; got != "[10.1.23.1] metric 6" {
		t.Errorf("r3: NSSA default %q, want via r2 metric 6 (type 1: 5 + 1)", got)
	}
	// r2 translates r3's type 7 into a type 5 that r1 uses.
	if got := s.ribs["r1"].get("")["172.16.3.0/24"]; got != "[10.0.12.2] metric 7" {
		t.Errorf("r1: translated external %q", got)
	}
	var b []byte
	buf := &byteWriter{&b}
	s.ins["r1"].ShowDatabase(buf, Brief, DBFilter{Types: []LSAType{ExternalLSA}})
	if want := "Extern   172.16.3.0       192.0.2.2"; !contains(string(b), want) {
		t.Errorf("r1's database has no translated LSA from r2:\n%s", b)
	}
}

func TestOverloadAndExportWithdrawal(t *testing.T) {
	s := line3(t, AreaConfig{}, Config{Export: []string{"st"}, Policies: exportStatic}, staticRIB("172.16.3.0/24").Tables[0])
	if got := s.ribs["r1"].get("")["172.16.3.0/24"]; got == "" {
		t.Fatal("r1 has no external route")
	}
	// The export stops: the LSA is flushed and the route goes.
	in3 := s.ins["r3"]
	in3.apply(pending{table: &routing.Table{Name: "inet.0"}})
	in3.afterPacket()
	s.run(5 * time.Second)
	if got := s.ribs["r1"].get("")["172.16.3.0/24"]; got != "" {
		t.Errorf("r1 still routes the withdrawn external: %s", got)
	}
	// Overload on r2: its transit links cost 65535, r1 reaches r3's
	// loopback at 1+65535.
	c := in2cfg(s)
	c.Overload = true
	s.ins["r2"].apply(pending{cfg: &c})
	s.ins["r2"].afterPacket()
	s.run(5 * time.Second)
	if got := s.ribs["r1"].get("")["192.0.2.3/32"]; got != "[10.0.12.2] metric 65536" {
		t.Errorf("r1 to r3 through an overloaded r2: %q", got)
	}
}

func in2cfg(s *sim) Config { return s.ins["r2"].cfg }

func TestClearNeighborsAndDatabase(t *testing.T) {
	s := line3(t, AreaConfig{}, Config{}, nil)
	in := s.ins["r2"]
	in.ClearNeighbors(NeighborFilter{Address: "10.0.12.1"})
	in.afterPacket()
	if n := len(in.areas[0].ifaces[0].nbrs); n != 0 {
		t.Fatalf("neighbor not cleared: %d", n)
	}
	in.ClearDatabase(false)
	in.afterPacket()
	s.run(30 * time.Second) // hellos every 10 s bring the neighbors back
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			for _, n := range i.nbrs {
				if n.state != nbrFull {
					t.Errorf("%s: neighbor %s is %s", i.name, n.id, n.state)
				}
			}
		}
	}
	if got := s.ribs["r1"].get("")["192.0.2.3/32"]; got != "[10.0.12.2] metric 2" {
		t.Errorf("r1 to r3 after clear ospf database on r2: %q", got)
	}
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
