package policy_test

import (
	"net/netip"
	"strings"
	"testing"

	"mxlab/config"
	"mxlab/routing/policy"
)

// tree loads set lines into a candidate configuration.
func tree(t *testing.T, lines ...string) *config.Node {
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

const ps = "set policy-options policy-statement "

func TestEvaluate(t *testing.T) {
	root := tree(t,
		ps+"static term 1 from protocol static",
		ps+"static term 1 from route-filter 10.0.0.0/8 orlonger",
		ps+"static term 1 then metric 7",
		ps+"static term 1 then external type 1",
		ps+"static term 1 then accept",
		ps+"direct from protocol direct",
		ps+"direct from interface ge-1/0/0.0",
		ps+"direct then tag 9",
		ps+"direct then accept",
		ps+"upto term a from route-filter 172.16.0.0/12 upto /24",
		ps+"upto term a then accept",
		ps+"upto term b from route-filter 172.16.0.0/12 exact reject",
		ps+"upto term b from route-filter 172.16.5.0/24 exact",
		ps+"upto term b then accept",
		ps+"plist term a from prefix-list nets",
		ps+"plist term a then metric add 3",
		ps+"plist term a then next policy",
		ps+"plist term b then reject",
		ps+"rejectall then reject",
		ps+"ospf-area from protocol ospf",
		ps+"ospf-area from area 1",
		ps+"ospf-area then accept",
		ps+"tagged from tag [ 5 6 ]",
		ps+"tagged then accept",
		ps+"nexterm term a from protocol static",
		ps+"nexterm term a then metric 50",
		ps+"nexterm term a then next term",
		ps+"nexterm term b then accept",
		ps+"sub from policy static",
		ps+"sub then tag 1",
		ps+"sub then accept",
		ps+"plf from prefix-list-filter nets orlonger",
		ps+"plf then accept",
		"set policy-options prefix-list nets 192.168.1.0/24",
		"set policy-options prefix-list nets 192.168.2.0/24",
	)
	set := policy.Parse(root)
	pfx := netip.MustParsePrefix
	static := func(p string) policy.Route { return policy.Route{Prefix: pfx(p), Protocol: "static"} }
	u32 := func(v uint32) *uint32 { return &v }
	tests := []struct {
		name   string
		chain  []string
		route  policy.Route
		want   policy.Action
		metric *uint32
		tag    *uint32
		ext    int
	}{
		{"static in range", []string{"static"}, static("10.1.0.0/16"), policy.Accept, u32(7), nil, 1},
		{"static out of range", []string{"static"}, static("11.0.0.0/8"), policy.Default, nil, nil, 0},
		{"direct wrong protocol", []string{"static"}, policy.Route{Prefix: pfx("10.0.0.0/24"), Protocol: "direct"}, policy.Default, nil, nil, 0},
		{"direct interface", []string{"direct"}, policy.Route{Prefix: pfx("10.0.0.0/24"), Protocol: "direct", Interface: "ge-1/0/0.0"}, policy.Accept, nil, u32(9), 0},
		{"direct physical name", []string{"direct"}, policy.Route{Prefix: pfx("10.0.0.0/24"), Protocol: "direct", Interface: "ge-1/0/1.0"}, policy.Default, nil, nil, 0},
		{"upto inside", []string{"upto"}, static("172.16.4.0/22"), policy.Accept, nil, nil, 0},
		{"upto too long", []string{"upto"}, static("172.16.4.0/25"), policy.Default, nil, nil, 0},
		{"filter action", []string{"upto"}, static("172.16.0.0/12"), policy.Accept, nil, nil, 0},
		{"filter own reject", []string{"upto", "direct"}, policy.Route{Prefix: pfx("172.16.0.0/12"), Protocol: "direct"}, policy.Accept, nil, nil, 0},
		{"prefix-list next policy", []string{"plist", "static"}, static("192.168.1.0/24"), policy.Default, u32(3), nil, 0},
		{"prefix-list miss then reject", []string{"plist"}, static("192.168.3.0/24"), policy.Reject, nil, nil, 0},
		{"chain falls through", []string{"rejectall", "static"}, static("10.0.0.0/8"), policy.Reject, nil, nil, 0},
		{"unknown policy rejects", []string{"nope"}, static("10.0.0.0/8"), policy.Reject, nil, nil, 0},
		{"area", []string{"ospf-area"}, policy.Route{Prefix: pfx("10.0.0.0/8"), Protocol: "ospf", Area: netip.MustParseAddr("0.0.0.1")}, policy.Accept, nil, nil, 0},
		{"other area", []string{"ospf-area"}, policy.Route{Prefix: pfx("10.0.0.0/8"), Protocol: "ospf"}, policy.Default, nil, nil, 0},
		{"tag", []string{"tagged"}, policy.Route{Prefix: pfx("10.0.0.0/8"), Tag: 6}, policy.Accept, nil, nil, 0},
		{"next term keeps metric", []string{"nexterm"}, static("10.0.0.0/8"), policy.Accept, u32(50), nil, 0},
		{"from policy", []string{"sub"}, static("10.9.0.0/16"), policy.Accept, nil, u32(1), 0},
		{"from policy fails", []string{"sub"}, static("12.0.0.0/8"), policy.Default, nil, nil, 0},
		{"prefix-list-filter", []string{"plf"}, static("192.168.2.128/25"), policy.Accept, nil, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := set.Evaluate(tc.chain, tc.route)
			if got.Action != tc.want {
				t.Fatalf("action = %v, want %v", got.Action, tc.want)
			}
			if !eqPtr(got.Metric, tc.metric) || !eqPtr(got.Tag, tc.tag) || got.External != tc.ext {
				t.Errorf("attrs metric=%v tag=%v ext=%d, want %v %v %d", deref(got.Metric), deref(got.Tag), got.External, deref(tc.metric), deref(tc.tag), tc.ext)
			}
		})
	}
}

func eqPtr(a, b *uint32) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func deref(p *uint32) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestParseFilter(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/8")
	tests := []struct {
		kind, val string
		ok        bool
		in, out   []string
	}{
		{"exact", "", true, []string{"10.0.0.0/8"}, []string{"10.0.0.0/9"}},
		{"longer", "", true, []string{"10.0.0.0/9"}, []string{"10.0.0.0/8"}},
		{"orlonger", "", true, []string{"10.0.0.0/8", "10.1.1.1/32"}, nil},
		{"upto", "/16", true, []string{"10.0.0.0/8", "10.1.0.0/16"}, []string{"10.1.1.0/24"}},
		{"upto", "/4", false, nil, nil},
		{"upto", "16", false, nil, nil},
		{"prefix-length-range", "/16-/24", true, []string{"10.1.0.0/16", "10.1.1.0/24"}, []string{"10.0.0.0/8", "10.1.1.0/25"}},
		{"prefix-length-range", "/24-/16", false, nil, nil},
		{"through", "10.1.1.0/24", true, []string{"10.1.0.0/16"}, []string{"10.1.1.0/25"}},
		{"address-mask", "255.255.0.0", true, []string{"10.1.0.0/16"}, []string{"10.1.0.0/24"}},
		{"address-mask", "255.0.255.0", false, nil, nil},
		{"bogus", "", false, nil, nil},
	}
	for _, tc := range tests {
		f, ok := policy.ParseFilter(p, tc.kind, tc.val)
		if ok != tc.ok {
			t.Errorf("%s %s: ok = %v", tc.kind, tc.val, ok)
			continue
		}
		set := &policy.Set{Policies: map[string]*policy.Statement{"p": {Terms: []*policy.Term{{From: policy.From{Filters: []*policy.Filter{f}}, Then: policy.Then{Accept: true}}}}}}
		for _, s := range tc.in {
			if set.Evaluate([]string{"p"}, policy.Route{Prefix: netip.MustParsePrefix(s)}).Action != policy.Accept {
				t.Errorf("%s %s: %s not matched", tc.kind, tc.val, s)
			}
		}
		for _, s := range tc.out {
			if set.Evaluate([]string{"p"}, policy.Route{Prefix: netip.MustParsePrefix(s)}).Action == policy.Accept {
				t.Errorf("%s %s: %s matched", tc.kind, tc.val, s)
			}
		}
	}
}

func TestValidateLoop(t *testing.T) {
	root := tree(t,
		ps+"a from policy b",
		ps+"a then accept",
		ps+"b from policy c",
		ps+"b then accept",
		ps+"c from policy a",
		ps+"c then accept",
		ps+"d from policy c",
		ps+"d then accept",
	)
	var got []string
	for _, e := range policy.Validate(root) {
		got = append(got, e.Format())
	}
	want := "[edit policy-options]\n  'policy-statement a'\n    Policy error: Policy a calls itself through 'from policy'"
	if strings.Join(got, "\n") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	if errs := policy.Validate(tree(t, ps+"x from policy y", ps+"x then accept", ps+"y then accept")); len(errs) != 0 {
		t.Errorf("no loop, errors %v", errs)
	}
}
