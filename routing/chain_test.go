package routing

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxlab/netns"
	"mxlab/shell/cmdtree"
)

// A chain of n routers, r0 ... r(n-1):
//
//	r0 ge-0/0/1 --- ge-0/0/0 r1 ge-0/0/1 --- ge-0/0/0 r2 ...
//	  10.0.0.1/24    10.0.0.2/24  10.0.1.1/24    10.0.1.2/24
//
// Link j is 10.0.j.0/24; router i has lo0 192.0.2.(i+1)/32 and static
// routes to every other subnet and loopback through its neighbours.
type chainRouter struct {
	ns  *netns.Router
	rt  *Router
	cfg Config
}

func needRoot(tb testing.TB) {
	tb.Helper()
	if err := netns.Available(); err != nil {
		tb.Skipf("skipping: %v", err)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		tb.Skip("skipping: iproute2's ip command is not installed")
	}
}

func buildChain(tb testing.TB, n int) []*chainRouter {
	tb.Helper()
	needRoot(tb)
	prefix := fmt.Sprintf("mxr%d-", os.Getpid())
	tb.Cleanup(func() { netns.Cleanup(prefix) })
	rs := make([]*chainRouter, n)
	for i := range rs {
		h, err := netns.Create(fmt.Sprintf("%s%d", prefix, i))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { h.Delete() })
		nr, err := netns.NewRouter(h)
		if err != nil {
			tb.Fatal(err)
		}
		rs[i] = &chainRouter{ns: nr, rt: New(nr)}
	}
	for i := 0; i+1 < n; i++ {
		if err := netns.Connect(rs[i].ns.Handle(), "ge-0_0_1", rs[i+1].ns.Handle(), "ge-0_0_0"); err != nil {
			tb.Fatal(err)
		}
	}
	for i, r := range rs {
		r.cfg = chainConfig(i, n)
		commitChain(tb, r)
	}
	return rs
}

func commitChain(tb testing.TB, r *chainRouter) {
	tb.Helper()
	var st netns.State
	for _, a := range r.cfg.Interfaces {
		if a.Name == "lo0.0" {
			st.Loopback = append(st.Loopback, a.Prefix)
			continue
		}
		port, _ := netns.SplitUnit(a.Name)
		st.Ports = append(st.Ports, netns.Port{Name: port, Units: []netns.Unit{{Addrs: []netip.Prefix{a.Prefix}}}})
	}
	p, err := r.ns.Prepare(st)
	if err != nil {
		tb.Fatal(err)
	}
	q, err := r.rt.Prepare(r.cfg)
	if err != nil {
		p.Abort()
		tb.Fatal(err)
	}
	p.Apply()
	q.Apply()
}

func chainConfig(i, n int) Config {
	cfg := Config{Interfaces: []IfAddr{{Name: "lo0.0", Prefix: netip.PrefixFrom(loopback(i), 32), Up: true}}}
	if i > 0 {
		cfg.Interfaces = append(cfg.Interfaces, IfAddr{Name: "ge-0/0/0.0", Prefix: pfx(fmt.Sprintf("10.0.%d.2/24", i-1)), Up: true})
	}
	if i < n-1 {
		cfg.Interfaces = append(cfg.Interfaces, IfAddr{Name: "ge-0/0/1.0", Prefix: pfx(fmt.Sprintf("10.0.%d.1/24", i)), Up: true})
	}
	left, right := netip.AddrFrom4([4]byte{10, 0, byte(i - 1), 1}), netip.AddrFrom4([4]byte{10, 0, byte(i), 2})
	route := func(p netip.Prefix, toward int) {
		gw := right
		if toward < i {
			gw = left
		}
		cfg.Static = append(cfg.Static, StaticRoute{Prefix: p, NextHops: []NextHop{{Addr: gw}}})
	}
	for j := 0; j+1 < n; j++ {
		if j != i && j != i-1 {
			route(pfx(fmt.Sprintf("10.0.%d.0/24", j)), j)
		}
	}
	for k := range n {
		if k != i {
			route(netip.PrefixFrom(loopback(k), 32), k)
		}
	}
	return cfg
}

func loopback(i int) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}) }

var (
	msRE  = regexp.MustCompile(`\d+\.\d{3} ms`)
	rttRE = regexp.MustCompile(`= [\d./]+ ms`)
)

// mask hides the times that change from run to run.
func mask(s string) string {
	s = rttRE.ReplaceAllString(s, "= X ms")
	return msRE.ReplaceAllString(s, "X ms")
}

func runCmd(t *testing.T, r *Router, path []string, args cmdtree.Args) string {
	t.Helper()
	reg := cmdtree.New()
	Register(reg, func(*cmdtree.Env) *Router { return r })
	n := reg.Root()
	for _, w := range path {
		n = n.Child(w)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Run(&cmdtree.Env{Ctx: ctx, Out: &out, Router: r}, args); err != nil {
		t.Fatalf("%v %v: %v", path, args, err)
	}
	return out.String()
}

func TestChainPingTraceroute(t *testing.T) {
	rs := buildChain(t, 3)
	got := mask(runCmd(t, rs[0].rt, []string{"ping"}, cmdtree.Args{"host": "192.0.2.3", "count": "3", "source": "192.0.2.1"}))
	want := `PING 192.0.2.3 (192.0.2.3): 56 data bytes
64 bytes from 192.0.2.3: icmp_seq=0 ttl=63 time=X ms
64 bytes from 192.0.2.3: icmp_seq=1 ttl=63 time=X ms
64 bytes from 192.0.2.3: icmp_seq=2 ttl=63 time=X ms

--- 192.0.2.3 ping statistics ---
3 packets transmitted, 3 packets received, 0% packet loss
round-trip min/avg/max/stddev = X ms
`
	if got != want {
		t.Errorf("ping:\n%s\nwant:\n%s", got, want)
	}
	got = mask(runCmd(t, rs[0].rt, []string{"ping"}, cmdtree.Args{"host": "10.0.1.2", "rapid": "", "size": "1400", "do-not-fragment": ""}))
	want = `PING 10.0.1.2 (10.0.1.2): 1400 data bytes
!!!!!
--- 10.0.1.2 ping statistics ---
5 packets transmitted, 5 packets received, 0% packet loss
round-trip min/avg/max/stddev = X ms
`
	if got != want {
		t.Errorf("ping rapid:\n%s\nwant:\n%s", got, want)
	}
	got = mask(runCmd(t, rs[0].rt, []string{"traceroute"}, cmdtree.Args{"host": "192.0.2.3"}))
	want = `traceroute to 192.0.2.3 (192.0.2.3), 30 hops max, 40 byte packets
 1  10.0.0.2 (10.0.0.2)  X ms  X ms  X ms
 2  192.0.2.3 (192.0.2.3)  X ms  X ms  X ms
`
	if got != want {
		t.Errorf("traceroute:\n%s\nwant:\n%s", got, want)
	}
	got = mask(runCmd(t, rs[0].rt, []string{"traceroute"}, cmdtree.Args{"host": "192.0.2.3", "source": "192.0.2.1", "no-resolve": ""}))
	want = `traceroute to 192.0.2.3 (192.0.2.3) from 192.0.2.1, 30 hops max, 40 byte packets
 1  10.0.0.2  X ms  X ms  X ms
 2  192.0.2.3  X ms  X ms  X ms
`
	if got != want {
		t.Errorf("traceroute no-resolve:\n%s\nwant:\n%s", got, want)
	}
	if got := runCmd(t, rs[0].rt, []string{"show", "arp"}, cmdtree.Args{"no-resolve": ""}); !strings.Contains(got, " 10.0.0.2        ge-0/0/1.0               none\nTotal entries: 1\n") {
		t.Errorf("show arp no-resolve:\n%s", got)
	}
	fwd := runCmd(t, rs[0].rt, []string{"show", "route", "forwarding-table"}, nil)
	index := map[string]string{} // destination -> next-hop index
	for _, re := range []string{
		`default            perm     0                    rjct       36     1`,
		`10\.0\.0\.0/24        intf     0                    rslv +\d+     1 ge-0/0/1\.0`,
		`10\.0\.0\.0/32        dest     0 10\.0\.0\.0           recv +\d+     1 ge-0/0/1\.0`,
		`10\.0\.0\.1/32        intf     0 10\.0\.0\.1           locl +\d+     2`,
		`10\.0\.0\.1/32        dest     0 10\.0\.0\.1           locl +\d+     2`,
		`10\.0\.0\.2/32        dest     0 [0-9a-f:]+ +ucst +(\d+)     4 ge-0/0/1\.0`,
		`10\.0\.0\.255/32      dest     0 10\.0\.0\.255         bcst +\d+     1 ge-0/0/1\.0`,
		`192\.0\.2\.3/32       user     0 10\.0\.0\.2           ucst +(\d+)     4 ge-0/0/1\.0`,
		`224\.0\.0\.1/32       perm     0 224\.0\.0\.1          mcst       31     1`,
	} {
		m := regexp.MustCompile(`(?m)^` + re + `$`).FindStringSubmatch(fwd)
		if m == nil {
			t.Errorf("forwarding table lacks /%s/:\n%s", re, fwd)
		} else if len(m) > 1 {
			index[strings.Fields(m[0])[0]] = m[1]
		}
	}
	// The route and the neighbour it leads to share one next hop.
	if index["192.0.2.3/32"] != index["10.0.0.2/32"] {
		t.Errorf("route and neighbour have next hops %v:\n%s", index, fwd)
	}

	// The middle router's link to r2 goes down: pings fail, and r1 hears
	// why (Linux does not answer the first packet of a new peer).
	if err := rs[1].ns.SetLinkUp("ge-0/0/1", false); err != nil {
		t.Fatal(err)
	}
	if err := rs[1].rt.SetInterfaceUp("ge-0/0/1.0", false); err != nil {
		t.Fatal(err)
	}
	got = runCmd(t, rs[0].rt, []string{"ping"}, cmdtree.Args{"host": "192.0.2.3", "count": "2", "source": "192.0.2.1"})
	if !strings.Contains(got, "2 packets transmitted, 0 packets received, 100% packet loss\n") ||
		!strings.Contains(got, " bytes from 10.0.0.2: Destination Net Unreachable\n") {
		t.Errorf("ping across a down link:\n%s", got)
	}
	if strings.Contains(got, "round-trip") {
		t.Errorf("round-trip line printed with nothing received:\n%s", got)
	}
}

func TestChainPingInterrupted(t *testing.T) {
	rs := buildChain(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	o := PingOptions{Host: loopback(1)}
	if err := Ping(ctx, &out, rs[0].ns.Do, o); err != nil {
		t.Fatal(err)
	}
	got := mask(out.String())
	want := `PING 192.0.2.2 (192.0.2.2): 56 data bytes
64 bytes from 192.0.2.2: icmp_seq=0 ttl=64 time=X ms
64 bytes from 192.0.2.2: icmp_seq=1 ttl=64 time=X ms
^C
--- 192.0.2.2 ping statistics ---
2 packets transmitted, 2 packets received, 0% packet loss
round-trip min/avg/max/stddev = X ms
`
	if got != want {
		t.Errorf("interrupted ping:\n%s\nwant:\n%s", got, want)
	}
}

// TestChainSendErrors checks the texts of ping and traceroute when the
// kernel refuses to send: no route and a reject route give FreeBSD's
// "No route to host" (Junos always has its reject default), a discard
// route drops the packet silently.
func TestChainSendErrors(t *testing.T) {
	rs := buildChain(t, 1)
	r := rs[0]
	r.cfg.Static = append(r.cfg.Static,
		StaticRoute{Prefix: pfx("10.50.0.0/16"), Discard: true},
		StaticRoute{Prefix: pfx("10.60.0.0/16"), Reject: true})
	commitChain(t, r)
	tests := []struct{ host, want string }{
		{"10.99.0.1", `PING 10.99.0.1 (10.99.0.1): 56 data bytes
ping: sendto: No route to host

--- 10.99.0.1 ping statistics ---
1 packets transmitted, 0 packets received, 100% packet loss
`},
		{"10.60.0.1", `PING 10.60.0.1 (10.60.0.1): 56 data bytes
ping: sendto: No route to host

--- 10.60.0.1 ping statistics ---
1 packets transmitted, 0 packets received, 100% packet loss
`},
		{"10.50.0.1", `PING 10.50.0.1 (10.50.0.1): 56 data bytes

--- 10.50.0.1 ping statistics ---
1 packets transmitted, 0 packets received, 100% packet loss
`},
	}
	for _, tt := range tests {
		got := runCmd(t, r.rt, []string{"ping"}, cmdtree.Args{"host": tt.host, "count": "1", "wait": "1"})
		if got != tt.want {
			t.Errorf("ping %s:\n%s\nwant:\n%s", tt.host, got, tt.want)
		}
	}
	got := runCmd(t, r.rt, []string{"traceroute"}, cmdtree.Args{"host": "10.99.0.1", "ttl": "1", "no-resolve": ""})
	want := `traceroute to 10.99.0.1 (10.99.0.1), 1 hops max, 40 byte packets
traceroute: sendto: No route to host
 1 traceroute: wrote 10.99.0.1 40 chars, ret=-1
 *traceroute: sendto: No route to host
traceroute: wrote 10.99.0.1 40 chars, ret=-1
 *traceroute: sendto: No route to host
traceroute: wrote 10.99.0.1 40 chars, ret=-1
 *
`
	if got != want {
		t.Errorf("traceroute to no route:\n%s\nwant:\n%s", got, want)
	}
}
