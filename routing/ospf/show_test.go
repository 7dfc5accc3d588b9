package ospf

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mxlab/netns/netnstest"
	"mxlab/routing"
	"mxlab/routing/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exportType1 exports static routes as type 1 externals, metric 20, tag
// 100.
func exportType1() *policy.Set {
	return &policy.Set{Policies: map[string]*policy.Statement{"st": {Name: "st", Terms: []*policy.Term{{
		From: policy.From{Protocols: []string{"static"}},
		Then: policy.Then{Accept: true, External: 1, Metric: &policy.Arith{Op: '=', Value: 20}, Tag: &policy.Arith{Op: '=', Value: 100}}}}}}}
}

// showLab is the network of the golden displays:
//
//	r1 -p2p md5- r2 ==LAN 10.0.0.0/24== r3, r4 -p2p- r5
//	   area 0          area 0                 area 1 (stub)
//
// r1 exports 172.16.1.0/24 as a type 1 external.
func showLab(t *testing.T, rib5 RIB) *sim {
	s := newSim(t)
	s.port("r1", "ge-0/0/0.0", "10.0.12.1/30", "12")
	s.port("r2", "ge-0/0/0.0", "10.0.12.2/30", "12")
	for _, n := range []string{"r2", "r3", "r4"} {
		s.port(n, "ge-0/0/1.0", "10.0.0."+n[1:]+"/24", "lan")
	}
	s.port("r4", "ge-0/0/2.0", "10.1.45.1/30", "45")
	s.port("r5", "ge-0/0/2.0", "10.1.45.2/30", "45")
	for _, n := range []string{"r1", "r2", "r3", "r4", "r5"} {
		s.loopback(n, "192.0.2."+n[1:]+"/32")
	}
	md5 := IfConfig{Name: "ge-0/0/0.0", P2P: true, Priority: DefaultPriority, Auth: md5Auth("secret")}
	lan := IfConfig{Name: "ge-0/0/1.0", Priority: DefaultPriority}
	p2p := IfConfig{Name: "ge-0/0/2.0", P2P: true, Priority: DefaultPriority}
	lo := IfConfig{Name: "lo0.0", Passive: true, Priority: DefaultPriority}
	bb := func(ifs ...IfConfig) AreaConfig { return AreaConfig{ID: 0, Interfaces: ifs} }
	stub := func(ifs ...IfConfig) AreaConfig {
		return AreaConfig{ID: 1, Stub: true, DefaultMetric: 10, Interfaces: ifs}
	}
	s.start("r1", Config{Areas: []AreaConfig{bb(md5, lo)}, Export: []string{"st"}, Policies: exportType1(), RouterID: id("192.0.2.1")},
		staticRIB("172.16.1.0/24").Tables[0])
	s.start("r2", Config{Areas: []AreaConfig{bb(md5, lan, lo)}, RouterID: id("192.0.2.2")}, nil)
	s.start("r3", Config{Areas: []AreaConfig{bb(lan, lo)}, RouterID: id("192.0.2.3")}, nil)
	s.start("r4", Config{Areas: []AreaConfig{bb(lan, lo), stub(p2p)}, RouterID: id("192.0.2.4")}, nil)
	in5 := s.start("r5", Config{Areas: []AreaConfig{stub(p2p, lo)}, RouterID: id("192.0.2.5")}, nil)
	if rib5 != nil {
		in5.rib = rib5
	}
	s.run(60 * time.Second)
	return s
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// TestShowGolden renders every display on a converged network. The
// layouts follow captures of real routers (CiscoTestAutomation/genieparser
// src/genie/libs/parser/junos/tests, and public lab write-ups):
//   - neighbor: ShowOspfNeighbor/golden_output_output.txt and the
//     ntc-templates juniper_junos_show_ospf_neighbor.raw capture;
//     neighbor detail: ShowOspfNeighborDetail/golden_output_output.txt
//   - interface: ShowOspfInterfaceBrief/golden_output_master_output.txt;
//     interface detail: ShowOspfInterfaceExtensive/golden_output_output.txt
//   - database: an unanonymised vQFX "show ospf database" capture and
//     ShowOspfDatabase/golden_output_output.txt; detail and extensive:
//     ShowOspfDatabaseExtensive/golden_output_2_output.txt,
//     ShowOspfDatabaseLsaidDetail/golden_output_output.txt
//   - route: ShowOspfRouteBrief/golden_output_output.txt and a cRPD
//     "show ospf route abr" capture; detail: ShowOspfRouteDetail
//   - overview: ShowOspfOverview/golden_output_output.txt
//   - statistics: ShowOspfStatistics/golden_output_output.txt
func TestShowGolden(t *testing.T) {
	s := showLab(t, nil)
	type show struct {
		file, node string
		f          func(in *Instance, b *bytes.Buffer)
	}
	for _, c := range []show{
		{"neighbor.golden", "r2", func(in *Instance, b *bytes.Buffer) { in.ShowNeighbors(b, Brief, NeighborFilter{}) }},
		{"neighbor_detail.golden", "r2", func(in *Instance, b *bytes.Buffer) { in.ShowNeighbors(b, Detail, NeighborFilter{}) }},
		{"interface.golden", "r4", func(in *Instance, b *bytes.Buffer) { in.ShowInterfaces(b, Brief, "") }},
		{"interface_detail.golden", "r2", func(in *Instance, b *bytes.Buffer) { in.ShowInterfaces(b, Detail, "") }},
		{"database.golden", "r4", func(in *Instance, b *bytes.Buffer) { in.ShowDatabase(b, Brief, DBFilter{}) }},
		{"database_detail.golden", "r2", func(in *Instance, b *bytes.Buffer) { in.ShowDatabase(b, Detail, DBFilter{}) }},
		{"database_router_extensive.golden", "r3", func(in *Instance, b *bytes.Buffer) {
			in.ShowDatabase(b, Extensive, DBFilter{Types: []LSAType{RouterLSA, NetworkLSA}})
		}},
		{"database_summary.golden", "r4", func(in *Instance, b *bytes.Buffer) { in.ShowDatabase(b, Summary, DBFilter{}) }},
		{"route.golden", "r3", func(in *Instance, b *bytes.Buffer) { in.ShowRoutes(b, Brief, RouteFilter{}) }},
		{"route_detail.golden", "r5", func(in *Instance, b *bytes.Buffer) { in.ShowRoutes(b, Detail, RouteFilter{}) }},
		{"overview.golden", "r4", func(in *Instance, b *bytes.Buffer) { in.ShowOverview(b) }},
		{"statistics.golden", "r2", func(in *Instance, b *bytes.Buffer) { in.ShowStatistics(b) }},
	} {
		var b bytes.Buffer
		c.f(s.ins[c.node], &b)
		// Render again: the output must not depend on map order.
		var again bytes.Buffer
		c.f(s.ins[c.node], &again)
		if b.String() != again.String() {
			t.Errorf("%s: two renderings differ", c.file)
		}
		golden(t, c.file, b.String())
	}
}

// TestShowRouteProtocolOSPF shows OSPF routes in the routing table: the
// brief format of "show route" (capture: a public MX lab, "show route
// protocol ospf" with "*[OSPF/10] 00:25:27, metric 2").
func TestShowRouteProtocolOSPF(t *testing.T) {
	fake := netnstest.New()
	rt := routing.New(fake, routing.WithClock(func() time.Time { return simStart.Add(time.Minute) }))
	var ifs []routing.IfAddr
	for _, s := range []string{"ge-0/0/2.0=10.1.45.2/30", "lo0.0=192.0.2.5/32"} {
		name, p, _ := cut(s)
		ifs = append(ifs, routing.IfAddr{Name: name, Prefix: mustPrefix(p), Up: true})
	}
	p, err := rt.Prepare(routing.Config{Interfaces: ifs})
	if err != nil {
		t.Fatal(err)
	}
	p.Apply()
	showLab(t, rt)
	proto := routing.OSPF
	var b bytes.Buffer
	routing.ShowRoute(&b, rt.RIB(), routing.Query{Protocol: &proto}, simStart.Add(2*time.Minute), nil)
	golden(t, "show_route_protocol_ospf.golden", b.String())
}
