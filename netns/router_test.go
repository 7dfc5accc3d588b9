package netns

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func newRouter(t *testing.T, name string) *Router {
	t.Helper()
	r, err := NewRouter(newNS(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func prepareApply(t *testing.T, r *Router, s State) {
	t.Helper()
	p, err := r.Prepare(s)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	p.Apply()
}

func testState() State {
	return State{
		Ports: []Port{
			{Name: "ge-0/0/0", Units: []Unit{{Number: 0, Addrs: []netip.Prefix{pfx("10.0.12.1/24")}}}},
			{Name: "ge-0/0/1", VLANTagging: true, MTU: 9192, Units: []Unit{
				{Number: 100, VLANID: 100, Addrs: []netip.Prefix{pfx("10.1.0.1/24")}},
				{Number: 200, VLANID: 201, Disable: true, Addrs: []netip.Prefix{pfx("10.2.0.1/24")}},
			}},
			{Name: "ge-0/0/2", Disable: true},
		},
		Loopback: []netip.Prefix{pfx("192.0.2.1/32")},
	}
}

// snapshot is the kernel state the tests compare: links with their state,
// MTU and addresses, one normalised line each ("name STATE mtu N addrs").
func snapshot(t *testing.T, r *Router) string {
	t.Helper()
	lines := map[string][]string{}
	var order []string
	for _, l := range strings.Split(ipOut(t, r.h, "-br", "link"), "\n") {
		if f := strings.Fields(l); len(f) > 1 {
			name := strings.Split(f[0], "@")[0]
			order = append(order, name)
			lines[name] = []string{name, f[1]}
		}
	}
	for _, l := range strings.Split(ipOut(t, r.h, "-o", "link"), "\n") {
		if f := strings.Fields(l); len(f) > 4 {
			name := strings.Split(strings.TrimSuffix(f[1], ":"), "@")[0]
			lines[name] = append(lines[name], "mtu", f[4])
		}
	}
	for _, l := range strings.Split(ipOut(t, r.h, "-br", "-4", "addr"), "\n") {
		if f := strings.Fields(l); len(f) > 2 {
			name := strings.Split(f[0], "@")[0]
			addrs := f[2:]
			slices.Sort(addrs)
			lines[name] = append(lines[name], addrs...)
		}
	}
	slices.Sort(order)
	var b strings.Builder
	for _, n := range order {
		b.WriteString(strings.Join(lines[n], " ") + "\n")
	}
	return b.String()
}

func TestRouterPrepareApply(t *testing.T) {
	needRoot(t)
	r := newRouter(t, "r")
	prepareApply(t, r, testState())
	got := snapshot(t, r)
	wants := []string{
		"ge-0_0_0 LOWERLAYERDOWN mtu 1500 10.0.12.1/24\n",
		"ge-0_0_2 DOWN mtu 1500\n",
		"lo UNKNOWN mtu 65536 127.0.0.1/8 192.0.2.1/32\n",
	}
	if r.vlans {
		wants = append(wants, "ge-0_0_1 LOWERLAYERDOWN mtu 9174\n",
			"ge-0_0_1.100 LOWERLAYERDOWN mtu 9174 10.1.0.1/24\n", "ge-0_0_1.200 DOWN mtu 9174 10.2.0.1/24\n")
	} else {
		wants = append(wants, "ge-0_0_1 LOWERLAYERDOWN mtu 9174 10.1.0.1/24 10.2.0.1/24\n")
	}
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("kernel state lacks %q:\n%s", want, got)
		}
	}
	if li, err := r.Link("ge-0/0/2"); err != nil || li.AdminUp {
		t.Errorf("disabled port ge-0/0/2: %+v, %v; want admin down", li, err)
	}
	if li, err := r.Link("ge-0/0/0.0"); err != nil || !li.AdminUp || li.OperUp {
		t.Errorf("unplugged port ge-0/0/0: %+v, %v; want admin up, no carrier", li, err)
	}
	if li, err := r.Link("ge-0/0/1.100"); err != nil || r.vlans && li.VLANID != 100 {
		t.Errorf("ge-0/0/1.100: %+v, %v; want vlan 100", li, err)
	}
}

func TestRouterAbortRestores(t *testing.T) {
	needRoot(t)
	r := newRouter(t, "r")
	prepareApply(t, r, testState())
	before := snapshot(t, r)
	next := State{Ports: []Port{
		{Name: "ge-0/0/0", MTU: 4000, Units: []Unit{{Number: 0, Addrs: []netip.Prefix{pfx("10.9.9.1/24")}}}},
		{Name: "ge-0/0/1", VLANTagging: true, Units: []Unit{{Number: 100, VLANID: 101}}},
		{Name: "ge-0/0/3"},
	}}
	p, err := r.Prepare(next)
	if err != nil {
		t.Fatal(err)
	}
	if mid := snapshot(t, r); mid == before || !strings.Contains(mid, "10.9.9.1/24") {
		t.Fatalf("Prepare changed nothing:\n%s", mid)
	}
	p.Abort()
	if after := snapshot(t, r); after != before {
		// ge-0/0/3 was created by Prepare and is gone again after Abort.
		t.Errorf("after Abort:\n%s\nwant:\n%s", after, before)
	}
}

func TestRouterPrepareFailureChangesNothing(t *testing.T) {
	needRoot(t)
	r := newRouter(t, "r")
	prepareApply(t, r, testState())
	bad := testState()
	bad.Ports[0].Units[0].Addrs = []netip.Prefix{pfx("10.7.0.1/24")}
	// A foreign link holds the name of ge-0/0/9's parked peer: the kernel
	// refuses to create the port, after ge-0/0/0 was already changed.
	ipOut(t, r.h, "link", "add", "ge-0_0_9~", "type", "veth", "peer", "name", "vtestx")
	bad.Ports = append(bad.Ports, Port{Name: "ge-0/0/9"})
	before := snapshot(t, r)
	if _, err := r.Prepare(bad); err == nil {
		t.Fatal("Prepare over a name clash succeeded")
	}
	if after := snapshot(t, r); after != before {
		t.Errorf("after a failed Prepare:\n%s\nwant:\n%s", after, before)
	}
}

func TestRouterPrepareRefuses(t *testing.T) {
	needRoot(t)
	r := newRouter(t, "r")
	tests := []struct {
		name string
		s    State
		want error
	}{
		{"unit without tagging", State{Ports: []Port{{Name: "ge-0/0/0", Units: []Unit{{Number: 5}}}}}, ErrBadConfig},
		{"mtu", State{Ports: []Port{{Name: "ge-0/0/0", MTU: 100}}}, ErrBadConfig},
		{"vlan id", State{Ports: []Port{{Name: "ge-0/0/0", VLANTagging: true, Units: []Unit{{Number: 1, VLANID: 5000}}}}}, ErrBadConfig},
		{"long", State{Ports: []Port{{Name: "xe-11/3/47", VLANTagging: true, Units: []Unit{{Number: 32767, VLANID: 5}}}}}, ErrNameTooLong},
	}
	for _, tt := range tests {
		if _, err := r.Prepare(tt.s); !errors.Is(err, tt.want) {
			t.Errorf("%s: Prepare error = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestRouterSetLinkUp(t *testing.T) {
	needRoot(t)
	r := newRouter(t, "r")
	prepareApply(t, r, testState())
	if err := r.SetLinkUp("ge-0/0/0", false); err != nil {
		t.Fatal(err)
	}
	if li, _ := r.Link("ge-0/0/0"); li.AdminUp {
		t.Error("ge-0/0/0 still up after SetLinkUp(false)")
	}
	// A commit while the PIC is offline keeps the port down.
	prepareApply(t, r, testState())
	if li, _ := r.Link("ge-0/0/0"); li.AdminUp {
		t.Error("ge-0/0/0 up again after a commit while offline")
	}
	if err := r.SetLinkUp("ge-0/0/0", true); err != nil {
		t.Fatal(err)
	}
	if li, _ := r.Link("ge-0/0/0"); !li.AdminUp {
		t.Error("ge-0/0/0 down after SetLinkUp(true)")
	}
	if err := r.SetLinkUp("ge-0/0/2", true); err != nil {
		t.Fatal(err)
	}
	if li, _ := r.Link("ge-0/0/2"); li.AdminUp {
		t.Error("disabled ge-0/0/2 brought up by SetLinkUp(true)")
	}
}

func TestRouterFIB(t *testing.T) {
	needRoot(t)
	r := newRouter(t, "r")
	prepareApply(t, r, testState())
	fib := FIB{Tables: []Table{
		{ID: MainTable, Routes: []Route{
			{Prefix: pfx("10.0.12.0/24"), NextHops: []NextHop{{Interface: "ge-0/0/0.0"}}},
			{Prefix: pfx("172.16.0.0/16"), NextHops: []NextHop{{Gateway: netip.MustParseAddr("10.0.12.2"), Interface: "ge-0/0/0.0"}}},
			{Prefix: pfx("172.17.0.0/16"), Kind: Discard},
			{Prefix: pfx("172.18.0.0/16"), Kind: Reject},
			{Prefix: pfx("172.20.0.0/16"), NextHops: []NextHop{{Interface: "ge-0/0/0.0"}}, Source: netip.MustParseAddr("192.0.2.1")},
		}},
		{ID: 1001, Interfaces: []string{"ge-0/0/1.100"}, Sources: []netip.Addr{netip.MustParseAddr("10.1.0.1")}, Routes: []Route{
			{Prefix: pfx("10.1.0.0/24"), NextHops: []NextHop{{Interface: "ge-0/0/1.100"}}},
			{Prefix: pfx("0.0.0.0/0"), NextHops: []NextHop{{Gateway: netip.MustParseAddr("10.1.0.254"), Interface: "ge-0/0/1.100"}}},
		}},
	}}
	before := ipOut(t, r.h, "route", "show", "table", "all") + ipOut(t, r.h, "rule")
	p, err := r.PrepareFIB(fib)
	if err != nil {
		t.Fatal(err)
	}
	p.Apply()
	main := ipOut(t, r.h, "route")
	wantLines(t, "main table", main,
		"172.16.0.0/16 via 10.0.12.2 dev ge-0_0_0 proto static",
		"blackhole 172.17.0.0/16 proto static",
		"unreachable 172.18.0.0/16 proto static",
		"172.20.0.0/16 dev ge-0_0_0 proto static scope link src 192.0.2.1",
		"10.0.12.0/24 dev ge-0_0_0 proto kernel")
	if strings.Contains(main, "10.1.0.0/24") {
		t.Errorf("main table still routes the instance's subnet:\n%s", main)
	}
	unit := "ge-0_0_1"
	if r.vlans {
		unit = "ge-0_0_1.100"
	}
	inst := ipOut(t, r.h, "route", "show", "table", "1001")
	wantLines(t, "table 1001", inst,
		"unreachable default proto static metric 4278198272",
		"default via 10.1.0.254 dev "+unit+" proto static",
		"10.1.0.0/24 dev "+unit+" proto static scope link")
	wantLines(t, "rules", ipOut(t, r.h, "rule"),
		"1000:\tfrom all iif "+unit+" lookup 1001",
		"1000:\tfrom 10.1.0.1 lookup 1001",
		"1000:\tfrom all fwmark 0x3e9 lookup 1001")
	krs, err := r.KernelRoutes(MainTable)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, kr := range krs {
		if kr.Prefix == pfx("172.16.0.0/16") && kr.Ours && kr.Interface == "ge-0/0/0.0" && kr.Gateway.String() == "10.0.12.2" {
			found = true
		}
	}
	if !found {
		t.Errorf("KernelRoutes(main) = %+v; lacks 172.16.0.0/16 via 10.0.12.2", krs)
	}
	// An empty FIB, aborted, leaves everything as it was; applied, it
	// removes every route and rule programmed above.
	p, err = r.PrepareFIB(FIB{})
	if err != nil {
		t.Fatal(err)
	}
	p.Abort()
	if got := ipOut(t, r.h, "route", "show", "table", "1001"); got != inst {
		t.Errorf("after Abort table 1001 = %q; want %q", got, inst)
	}
	p, err = r.PrepareFIB(FIB{})
	if err != nil {
		t.Fatal(err)
	}
	p.Apply()
	after := ipOut(t, r.h, "route", "show", "table", "all") + ipOut(t, r.h, "rule")
	if strings.Contains(after, "proto static") || strings.Contains(after, "lookup 1001") {
		t.Errorf("after an empty FIB:\n%s\nbefore:\n%s", after, before)
	}
}

// wantLines fails the test for each of want that the output of what lacks.
func wantLines(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}
