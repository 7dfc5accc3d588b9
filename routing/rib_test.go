package routing

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxlab/netns"
	"mxlab/netns/netnstest"
)

var t0 = time.Date(2026, 8, 30, 19, 0, 0, 0, time.UTC)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func ifaces() []IfAddr {
	return []IfAddr{
		{Name: "ge-0/0/0.0", Prefix: pfx("10.0.12.1/24"), Up: true},
		{Name: "ge-0/0/1.0", Prefix: pfx("10.0.13.1/30"), Up: true},
		{Name: "ge-0/0/2.0", Prefix: pfx("10.0.14.1/24"), Up: false},
		{Name: "lo0.0", Prefix: pfx("192.0.2.1/32"), Up: true},
	}
}

func commit(t testing.TB, r *Router, cfg Config) {
	t.Helper()
	p, err := r.Prepare(cfg)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	p.Apply()
}

// describe prints the routes of a destination compactly: "*Static/5 to
// 10.0.12.2 via ge-0/0/0.0", hidden ones with "H".
func describe(d *Dest) string {
	var parts []string
	for _, r := range d.Routes {
		s := " "
		if r.Active {
			s = "*"
		}
		if r.Hidden {
			s = "H"
		}
		s += r.Protocol.String() + "/" + strconv.Itoa(r.Preference)
		for _, l := range hopLines(r) {
			s += " " + strings.TrimSpace(strings.TrimPrefix(l, ">"))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func find(t *testing.T, rib *RIB, table, prefix string) *Dest {
	t.Helper()
	tb := rib.Table(table)
	if tb == nil {
		t.Fatalf("no table %s", table)
	}
	for _, d := range tb.Dests {
		if d.Prefix == pfx(prefix) {
			return d
		}
	}
	return nil
}

func TestSelection(t *testing.T) {
	tests := []struct {
		name   string
		static []StaticRoute
		prefix string
		want   string // describe() of the destination; "" when absent
	}{
		{"direct", nil, "10.0.12.0/24", "*Direct/0 via ge-0/0/0.0"},
		{"local", nil, "10.0.12.1/32", "*Local/0 Local via ge-0/0/0.0"},
		{"loopback is direct only", nil, "192.0.2.1/32", "*Direct/0 via lo0.0"},
		{"down interface has no routes", nil, "10.0.14.0/24", ""},
		{"static via address", []StaticRoute{{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}}}},
			"172.16.0.0/16", "*Static/5 to 10.0.12.2 via ge-0/0/0.0"},
		{"static via interface", []StaticRoute{{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Interface: "ge-0/0/1.0"}}}},
			"172.16.0.0/16", "*Static/5 via ge-0/0/1.0"},
		{"unresolvable next hop is hidden", []StaticRoute{{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.9.9.9")}}}},
			"172.16.0.0/16", "HStatic/5 to 10.9.9.9"},
		{"next hop on a down interface is hidden", []StaticRoute{{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.14.2")}}}},
			"172.16.0.0/16", "HStatic/5 to 10.0.14.2"},
		{"first resolvable hop selected", []StaticRoute{{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.9.9.9")}, {Addr: addr("10.0.13.2")}}}},
			"172.16.0.0/16", "*Static/5 to 10.0.13.2 via ge-0/0/1.0"},
		{"discard", []StaticRoute{{Prefix: pfx("172.17.0.0/16"), Discard: true}}, "172.17.0.0/16", "*Static/5 Discard"},
		{"reject with preference", []StaticRoute{{Prefix: pfx("172.18.0.0/16"), Reject: true, Preference: 7}}, "172.18.0.0/16", "*Static/7 Reject"},
		{"qualified next hop is a second route", []StaticRoute{{Prefix: pfx("0.0.0.0/0"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}},
			Qualified: []QualifiedNextHop{{NextHop: NextHop{Addr: addr("10.0.13.2")}, Preference: 7}}}},
			"0.0.0.0/0", "*Static/5 to 10.0.12.2 via ge-0/0/0.0;  Static/7 to 10.0.13.2 via ge-0/0/1.0"},
		{"qualified next hop takes over when the first is hidden", []StaticRoute{{Prefix: pfx("0.0.0.0/0"), NextHops: []NextHop{{Addr: addr("10.0.14.2")}},
			Qualified: []QualifiedNextHop{{NextHop: NextHop{Addr: addr("10.0.13.2")}, Preference: 7}}}},
			"0.0.0.0/0", "*Static/7 to 10.0.13.2 via ge-0/0/1.0; HStatic/5 to 10.0.14.2"},
		{"direct beats static", []StaticRoute{{Prefix: pfx("10.0.12.0/24"), Discard: true}},
			"10.0.12.0/24", "*Direct/0 via ge-0/0/0.0;  Static/5 Discard"},
		{"static preference 1 loses to direct", []StaticRoute{{Prefix: pfx("10.0.12.0/24"), Discard: true, Preference: 1}},
			"10.0.12.0/24", "*Direct/0 via ge-0/0/0.0;  Static/1 Discard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(netnstest.New(), WithClock(func() time.Time { return t0 }))
			commit(t, r, Config{Interfaces: ifaces(), Static: tt.static})
			d := find(t, r.RIB(), "inet.0", tt.prefix)
			got := ""
			if d != nil {
				got = describe(d)
			}
			if got != tt.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func TestFIBFollowsRIB(t *testing.T) {
	fake := netnstest.New()
	r := New(fake, WithClock(func() time.Time { return t0 }))
	commit(t, r, Config{Interfaces: ifaces(), Static: []StaticRoute{
		{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}}},
		{Prefix: pfx("172.19.0.0/16"), NextHops: []NextHop{{Addr: addr("10.9.9.9")}}},
		{Prefix: pfx("172.17.0.0/16"), Discard: true},
	}, Instances: []Instance{{Name: "red", Type: "virtual-router", Interfaces: []string{"ge-0/0/1.0"},
		Static: []StaticRoute{{Prefix: pfx("0.0.0.0/0"), NextHops: []NextHop{{Addr: addr("10.0.13.2")}}}}}}})
	fib := fake.FIB()
	if len(fib.Tables) != 2 || fib.Tables[0].ID != netns.MainTable || fib.Tables[1].ID != firstInstanceTable {
		t.Fatalf("tables = %+v", fib.Tables)
	}
	var main []string
	for _, rt := range fib.Tables[0].Routes {
		main = append(main, rt.Prefix.String())
	}
	want := "10.0.12.0/24 172.16.0.0/16 172.17.0.0/16 192.0.2.1/32"
	if got := strings.Join(main, " "); got != want {
		t.Errorf("main FIB = %s; want %s (no hidden, no local, no instance routes)", got, want)
	}
	red := fib.Tables[1]
	if len(red.Routes) != 2 || red.Routes[0].Prefix != pfx("0.0.0.0/0") || red.Routes[0].NextHops[0].Interface != "ge-0/0/1.0" {
		t.Errorf("red FIB = %+v", red.Routes)
	}
	if len(red.Interfaces) != 1 || len(red.Sources) != 1 || red.Sources[0] != addr("10.0.13.1") {
		t.Errorf("red rules: interfaces %v sources %v", red.Interfaces, red.Sources)
	}
}

func TestAgeKeptAcrossCommits(t *testing.T) {
	now := t0
	r := New(netnstest.New(), WithClock(func() time.Time { return now }))
	s1 := StaticRoute{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}}}
	commit(t, r, Config{Interfaces: ifaces(), Static: []StaticRoute{s1}})
	now = t0.Add(time.Hour)
	s2 := StaticRoute{Prefix: pfx("172.20.0.0/16"), Discard: true}
	commit(t, r, Config{Interfaces: ifaces(), Static: []StaticRoute{s1, s2}})
	if got := find(t, r.RIB(), "inet.0", "172.16.0.0/16").Routes[0].Since; !got.Equal(t0) {
		t.Errorf("unchanged route's age restarted: since %v", got)
	}
	if got := find(t, r.RIB(), "inet.0", "172.20.0.0/16").Routes[0].Since; !got.Equal(now) {
		t.Errorf("new route since %v; want %v", got, now)
	}
}

func TestPrepareFailureKeepsRIB(t *testing.T) {
	fake := netnstest.New()
	r := New(fake, WithClock(func() time.Time { return t0 }))
	commit(t, r, Config{Interfaces: ifaces()})
	before := r.RIB()
	fake.FailPrepare = errors.New("kernel said no")
	if _, err := r.Prepare(Config{Interfaces: ifaces(), Static: []StaticRoute{{Prefix: pfx("172.17.0.0/16"), Discard: true}}}); err == nil {
		t.Fatal("Prepare succeeded")
	}
	p, err := r.Prepare(Config{Interfaces: ifaces(), Static: []StaticRoute{{Prefix: pfx("172.17.0.0/16"), Discard: true}}})
	if err != nil {
		t.Fatal(err)
	}
	p.Abort()
	if r.RIB() != before {
		t.Error("RIB changed by a failed or aborted commit")
	}
	if _, err := r.Prepare(Config{Instances: []Instance{{Name: "a"}, {Name: "a"}}}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("repeated instance: error %v; want ErrBadConfig", err)
	}
}

func TestSetInterfaceUp(t *testing.T) {
	r := New(netnstest.New(), WithClock(func() time.Time { return t0 }))
	commit(t, r, Config{Interfaces: ifaces(), Static: []StaticRoute{{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}}}}})
	if err := r.SetInterfaceUp("ge-0/0/0.0", false); err != nil {
		t.Fatal(err)
	}
	if d := find(t, r.RIB(), "inet.0", "172.16.0.0/16"); d.Routes[0].Active || !d.Routes[0].Hidden {
		t.Errorf("route through a down interface: %s", describe(d))
	}
	if d := find(t, r.RIB(), "inet.0", "10.0.12.0/24"); d != nil {
		t.Errorf("direct route of a down interface: %s", describe(d))
	}
}

func TestDefaultAddress(t *testing.T) {
	up := func(name, p string) IfAddr { return IfAddr{Name: name, Prefix: pfx(p), Up: true} }
	tests := []struct {
		name  string
		addrs []IfAddr
		want  string
	}{
		{"lo0 first, lowest address", []IfAddr{up("ge-0/0/0.0", "10.0.0.1/24"), up("lo0.0", "192.0.2.9/32"), up("lo0.0", "192.0.2.5/32")}, "192.0.2.5"},
		{"127 on lo0 does not count", []IfAddr{up("lo0.0", "127.0.0.1/32"), up("ge-1/0/1.0", "10.0.1.1/30")}, "10.0.1.1"},
		{"lowest-numbered Ethernet port", []IfAddr{up("ge-1/0/1.0", "10.0.1.1/30"), up("ge-1/0/0.0", "172.16.0.1/16")}, "172.16.0.1"},
		{"slot before name", []IfAddr{up("xe-0/0/0.0", "10.9.0.1/24"), up("ge-1/0/0.0", "10.1.0.1/24")}, "10.9.0.1"},
		{"Ethernet before point-to-point", []IfAddr{up("so-0/0/0.0", "10.2.0.1/30"), up("ge-1/0/0.0", "10.1.0.1/24")}, "10.1.0.1"},
		{"point-to-point when nothing else", []IfAddr{up("so-0/0/0.0", "10.2.0.1/30")}, "10.2.0.1"},
		{"down and unnumbered interfaces do not count", []IfAddr{{Name: "ge-0/0/0.0", Prefix: pfx("10.0.0.1/24")}, {Name: "ms-1/0/0.1", Up: true}}, "invalid IP"},
		{"fxp0 is not in the forwarding plane", []IfAddr{up("fxp0.0", "192.168.1.1/24")}, "invalid IP"},
	}
	for _, tt := range tests {
		if got := defaultAddress(tt.addrs).String(); got != tt.want {
			t.Errorf("%s: default address %s; want %s", tt.name, got, tt.want)
		}
	}
}

// TestFIBSourceUnnumbered checks that a route into an unnumbered unit (the
// inside unit of a services interface) carries the default address as its
// source, and that no other route does.
func TestFIBSourceUnnumbered(t *testing.T) {
	fake := netnstest.New()
	r := New(fake, WithClock(func() time.Time { return t0 }))
	cfg := Config{Interfaces: append(ifaces()[:2], IfAddr{Name: "ms-1/0/0.1", Up: true}), Static: []StaticRoute{
		{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Interface: "ms-1/0/0.1"}}},
		{Prefix: pfx("172.17.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.13.2")}}},
	}}
	commit(t, r, cfg)
	for _, rt := range fake.FIB().Tables[0].Routes {
		want := ""
		if rt.Prefix == pfx("172.16.0.0/16") {
			want = "10.0.12.1"
		}
		if got := rt.Source; (got.IsValid() || want != "") && got.String() != want {
			t.Errorf("route %s: source %s; want %q", rt.Prefix, got, want)
		}
	}
}

// TestHighwater checks the "Highwater Mark" counters: the maximum and its
// time survive a smaller RIB, the average weighs each RIB by how long it
// lasted.
func TestHighwater(t *testing.T) {
	now := t0
	r := New(netnstest.New(), WithClock(func() time.Time { return now }))
	many := Config{Interfaces: ifaces(), Static: []StaticRoute{
		{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}}},
		{Prefix: pfx("172.17.0.0/16"), Discard: true},
	}, Instances: []Instance{{Name: "v", Type: "vrf"}}}
	commit(t, r, many) // 3 direct + 2 local + 2 static: 7 destinations and routes, 5 in the FIB
	now = now.Add(time.Hour)
	commit(t, r, Config{Interfaces: ifaces()[:1]}) // 2 destinations, 1 in the FIB
	now = now.Add(3 * time.Hour)
	got := r.Summary().Highwater
	want := []Watermark{
		{Label: "RIB unique destination routes", Max: 7, At: t0, Average: 3, HasAvg: true}, // (7*1 + 2*3) / 4
		{Label: "RIB routes", Max: 7, At: t0, Average: 3, HasAvg: true},
		{Label: "FIB routes", Max: 5, At: t0, Average: 2, HasAvg: true}, // (5*1 + 1*3) / 4
		{Label: "VRF type routing instances", Max: 1, At: t0},
	}
	if len(got) != len(want) {
		t.Fatalf("highwater = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: %+v; want %+v", want[i].Label, got[i], want[i])
		}
	}
}
