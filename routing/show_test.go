package routing

import (
	"bytes"
	"flag"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mxlab/netns"
	"mxlab/netns/netnstest"
	"mxlab/shell/cmdtree"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenRouter is the fixed RIB of the golden tests: routes of three ages,
// a hidden route, a qualified next hop and a routing instance.
func goldenRouter(t testing.TB) (*Router, *netnstest.Router, *time.Time) {
	t.Helper()
	now := t0
	fake := netnstest.New()
	r := New(fake, WithClock(func() time.Time { return now }))
	cfg := Config{
		RouterID:   addr("192.0.2.1"),
		Interfaces: ifaces(),
		Static: []StaticRoute{
			{Prefix: pfx("0.0.0.0/0"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}},
				Qualified: []QualifiedNextHop{{NextHop: NextHop{Addr: addr("10.0.13.2")}, Preference: 7}}},
			{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Addr: addr("10.0.12.2")}, {Addr: addr("10.0.13.2")}}},
		},
		Instances: []Instance{{Name: "red", Type: "virtual-router", Interfaces: []string{"ge-0/0/3.0"}}},
	}
	cfg.Interfaces = append(cfg.Interfaces, IfAddr{Name: "ge-0/0/3.0", Prefix: pfx("10.3.0.1/24"), Up: true})
	commit(t, r, cfg)
	now = now.Add(62 * time.Second)
	cfg.Static = append(cfg.Static,
		StaticRoute{Prefix: pfx("172.17.0.0/16"), Discard: true},
		StaticRoute{Prefix: pfx("172.18.0.0/16"), Reject: true, Preference: 10},
		StaticRoute{Prefix: pfx("172.19.0.0/16"), NextHops: []NextHop{{Addr: addr("10.9.9.9")}}},
	)
	cfg.Instances[0].Static = []StaticRoute{{Prefix: pfx("0.0.0.0/0"), NextHops: []NextHop{{Addr: addr("10.3.0.254")}}}}
	commit(t, r, cfg)
	now = now.Add(16*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second)
	fake.SetNeighbors([]netns.Neighbor{
		{Addr: addr("10.0.13.2"), MAC: net.HardwareAddr{0x02, 0, 0x5e, 0, 0x13, 0x02}, Interface: "ge-0/0/1.0"},
		{Addr: addr("10.0.12.2"), MAC: net.HardwareAddr{0x02, 0, 0x5e, 0x0a, 0x12, 0x02}, Interface: "ge-0/0/0.0", Permanent: true},
	})
	return r, fake, &now
}

func TestShowGolden(t *testing.T) {
	tests := []struct {
		name    string
		path    []string
		args    cmdtree.Args
		display string // "| display xml" or json
	}{
		{"route", []string{"show", "route"}, nil, ""},
		{"route_terse", []string{"show", "route"}, cmdtree.Args{"terse": ""}, ""},
		{"route_detail", []string{"show", "route"}, cmdtree.Args{"detail": ""}, ""},
		{"route_extensive", []string{"show", "route"}, cmdtree.Args{"extensive": "", "destination": "172.16.0.0/16"}, ""},
		{"route_hidden", []string{"show", "route"}, cmdtree.Args{"hidden": ""}, ""},
		{"route_address", []string{"show", "route"}, cmdtree.Args{"destination": "172.16.5.5"}, ""},
		{"route_prefix", []string{"show", "route"}, cmdtree.Args{"destination": "10.0.12/24"}, ""},
		{"route_exact", []string{"show", "route"}, cmdtree.Args{"destination": "10.0.12.0/24", "exact": ""}, ""},
		{"route_longer", []string{"show", "route"}, cmdtree.Args{"destination": "10.0.0.0/8", "longer": ""}, ""},
		{"route_protocol_static", []string{"show", "route"}, cmdtree.Args{"protocol": "static"}, ""},
		{"route_table_red", []string{"show", "route"}, cmdtree.Args{"table": "red.inet.0"}, ""},
		{"route_summary", []string{"show", "route", "summary"}, nil, ""},
		{"route_forwarding_table", []string{"show", "route", "forwarding-table"}, nil, ""},
		{"arp", []string{"show", "arp"}, nil, ""},
		{"arp_no_resolve", []string{"show", "arp"}, cmdtree.Args{"no-resolve": ""}, ""},
		{"route_xml", []string{"show", "route"}, nil, "xml"},
		{"route_terse_json", []string{"show", "route"}, cmdtree.Args{"terse": "", "table": "red"}, "json"},
		{"arp_xml", []string{"show", "arp"}, nil, "xml"},
	}
	reg := cmdtree.New()
	r, _, _ := goldenRouter(t)
	Register(reg, func(*cmdtree.Env) *Router { return r })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := reg.Root()
			for _, w := range tt.path {
				n = n.Child(w)
			}
			var first []byte
			for i := range 3 { // the output is the same every time
				var out bytes.Buffer
				if err := n.Run(&cmdtree.Env{Out: &out, Router: r, Display: tt.display, Version: "24.4R1.9"}, tt.args); err != nil {
					t.Fatal(err)
				}
				if i > 0 && !bytes.Equal(out.Bytes(), first) {
					t.Fatalf("output changed between runs:\n%s\nthen\n%s", first, out.Bytes())
				}
				first = out.Bytes()
			}
			checkGolden(t, tt.name, first)
		})
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestAges(t *testing.T) {
	tests := []struct {
		d             time.Duration
		brief, detail string
	}{
		{45 * time.Second, "00:00:45", "45"},
		{9*time.Minute + 22*time.Second, "00:09:22", "9:22"},
		{time.Hour + 21*time.Minute + 8*time.Second, "01:21:08", "1:21:08"},
		{2*24*time.Hour + 16*time.Hour + 19*time.Minute + 14*time.Second, "2d 16:19:14", "2d 16:19:14"},
		{(5*7+2)*24*time.Hour + 15*time.Hour + 42*time.Minute + 25*time.Second, "5w2d 15:42:25", "5w2d 15:42:25"},
		{-time.Second, "00:00:00", "0"},
	}
	for _, tt := range tests {
		if got := briefAge(tt.d); got != tt.brief {
			t.Errorf("briefAge(%v) = %q; want %q", tt.d, got, tt.brief)
		}
		if got := detailAge(tt.d); got != tt.detail {
			t.Errorf("detailAge(%v) = %q; want %q", tt.d, got, tt.detail)
		}
	}
}

func TestParseDestination(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		isAddr bool
		ok     bool
	}{
		{"10.1.1.1", "10.1.1.1/32", true, true},
		{"10.1.1.0/24", "10.1.1.0/24", false, true},
		{"10/8", "10.0.0.0/8", false, true},
		{"10.1/16", "10.1.0.0/16", false, true},
		{"10.1.1.7/24", "10.1.1.0/24", false, true},
		{"10.1", "", false, false},
		{"10.1.1.1/33", "", false, false},
		{"256.1.1.1", "", false, false},
		{"a.b.c.d", "", false, false},
		{"", "", false, false},
		{"1.2.3.4.5/8", "", false, false},
	}
	for _, tt := range tests {
		p, isAddr, err := ParseDestination(tt.in)
		if (err == nil) != tt.ok || tt.ok && (p.String() != tt.want || isAddr != tt.isAddr) {
			t.Errorf("ParseDestination(%q) = %v, %v, %v; want %s, %v, ok=%v", tt.in, p, isAddr, err, tt.want, tt.isAddr, tt.ok)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, args := range []cmdtree.Args{
		{"exact": ""},
		{"destination": "x"},
		{"protocol": "bgp"},
	} {
		if _, err := ParseQuery(args); err == nil {
			t.Errorf("ParseQuery(%v) succeeded", args)
		}
	}
}

func FuzzShowRouteArgs(f *testing.F) {
	f.Add("10.0.0.0/8", "static", "inet.0", true, false)
	f.Add("10/8", "direct", "red", false, true)
	f.Add("1.2.3.4", "", "", false, false)
	r, _, _ := goldenRouter(f)
	f.Fuzz(func(t *testing.T, dest, proto, table string, exact, longer bool) {
		args := cmdtree.Args{"destination": dest, "protocol": proto, "table": table, "terse": ""}
		if exact {
			args["exact"] = ""
		}
		if longer {
			args["longer"] = ""
		}
		q, err := ParseQuery(args)
		if err != nil {
			return
		}
		var out bytes.Buffer
		ShowRoute(&out, r.RIB(), q, t0, nil)
	})
}

func FuzzParseDestination(f *testing.F) {
	for _, s := range []string{"10.1.1.1", "10/8", "10.1.1.0/24", "1.2.3.4/", "/", "..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, isAddr, err := ParseDestination(s)
		if err != nil {
			return
		}
		if !p.IsValid() || isAddr && p.Bits() != 32 || p != p.Masked() {
			t.Fatalf("ParseDestination(%q) = %v, %v", s, p, isAddr)
		}
		if _, _, err := ParseDestination(p.String()); err != nil {
			t.Fatalf("ParseDestination(%q) refuses its own output %q: %v", s, p, err)
		}
	})
}
