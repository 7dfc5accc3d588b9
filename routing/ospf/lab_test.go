package ospf_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"mxlab/lab"
	"mxlab/netns"
)

// ringTopology is a ring of n mxlab routers, r1 ... rn, point-to-point
// links 10.0.<i>.0/30 between ri and ri+1, loopbacks 10.255.0.i.
func ringTopology(t testing.TB, name string, n int, hello string) *lab.Topology {
	t.Helper()
	var y strings.Builder
	fmt.Fprintf(&y, "name: %s\ntopology:\n  nodes:\n", name)
	files := map[string]string{"chassis.yaml": "model: mx480\nboot-delay: -1ns\nfpcs:\n  1:\n    type: mpc\n    pics:\n      0: 10x1ge\n"}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&y, "    r%d: {kind: mx, chassis: chassis.yaml, config: r%d.conf}\n", i, i)
		prev := (i+n-2)%n + 1
		var c strings.Builder
		fmt.Fprintf(&c, "set system host-name r%d\n", i)
		fmt.Fprintf(&c, "set interfaces lo0 unit 0 family inet address 10.255.0.%d/32\n", i)
		fmt.Fprintf(&c, "set routing-options router-id 10.255.0.%d\n", i)
		fmt.Fprintf(&c, "set protocols ospf area 0 interface lo0.0 passive\n")
		// ge-1/0/0 towards the next router (link i), ge-1/0/1 towards the
		// previous one (link prev).
		fmt.Fprintf(&c, "set interfaces ge-1/0/0 unit 0 family inet address 10.%d.%d.1/30\n", i/250, i%250)
		fmt.Fprintf(&c, "set interfaces ge-1/0/1 unit 0 family inet address 10.%d.%d.2/30\n", prev/250, prev%250)
		for _, ifl := range []string{"ge-1/0/0.0", "ge-1/0/1.0"} {
			fmt.Fprintf(&c, "set protocols ospf area 0 interface %s interface-type p2p%s\n", ifl, hello)
		}
		files[fmt.Sprintf("r%d.conf", i)] = c.String()
	}
	y.WriteString("  links:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&y, "    - endpoints: [\"r%d:ge-1/0/0\", \"r%d:ge-1/0/1\"]\n", i, i%n+1)
	}
	topo, err := lab.Parse([]byte(y.String()), ".", func(f string) ([]byte, error) {
		if s, ok := files[f]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	})
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

func needLab(t testing.TB) {
	if err := netnsAvailable(); err != nil {
		t.Skipf("skipping: labs need network namespaces: %v", err)
	}
}

// console runs CLI commands on a lab router, as "mxlab lab console -c".
func console(t *testing.T, l *lab.Lab, node, cmds string) string {
	t.Helper()
	var out bytes.Buffer
	if _, err := lab.Console(l.Dir(), lab.Request{Node: node, Commands: cmds}, nil, &out, nil); err != nil {
		t.Fatalf("console %s %q: %v", node, cmds, err)
	}
	return out.String()
}

// kernelHops returns the gateways of a namespace's kernel route to p.
func kernelHops(ns, p string) string {
	out, _ := exec.Command("ip", "-n", ns, "route", "show", p).Output()
	var gws []string
	f := strings.Fields(string(out))
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "via" {
			gws = append(gws, f[i+1])
		}
	}
	return strings.Join(gws, " ")
}

// TestLabRing runs OSPF in a ring of four mxlab routers: equal-cost paths
// in the kernel, then a link disabled by a commit, a card taken offline
// and both brought back, each followed at once (sooner than the dead
// interval).
func TestLabRing(t *testing.T) {
	needLab(t)
	topo := ringTopology(t, fmt.Sprintf("t%d-ring", os.Getpid()%100000), 4, "")
	l, err := lab.Up(context.Background(), topo, lab.Options{RunDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ns1 := topo.Namespace("r1")
	// r1 reaches r3 through r2 (10.0.1.2) and r4 (10.0.4.1).
	both := "10.0.1.2 10.0.4.1"
	waitFor(t, "ECMP from r1 to r3 in the kernel", 20*time.Second, func() (bool, string) {
		h := kernelHops(ns1, "10.255.0.3")
		return h == both, h
	})
	out := console(t, l, "r1", "show ospf neighbor")
	if strings.Count(out, " Full ") != 2 {
		t.Errorf("show ospf neighbor on r1:\n%s", out)
	}
	out = console(t, l, "r1", "show route 10.255.0.3")
	if !strings.Contains(out, "*[OSPF/10]") || strings.Count(out, "> to ") != 2 {
		t.Errorf("show route 10.255.0.3 on r1: want an OSPF route with two selected hops:\n%s", out)
	}
	// Disable r2's link to r3: r3 loses its carrier, both sides drop the
	// adjacency at once, r1 goes through r4 only.
	console(t, l, "r2", "configure; set interfaces ge-1/0/0 disable; commit and-quit")
	waitFor(t, "r1 through r4 only", 10*time.Second, func() (bool, string) {
		h := kernelHops(ns1, "10.255.0.3")
		return h == "10.0.4.1", h
	})
	console(t, l, "r2", "configure; delete interfaces ge-1/0/0 disable; commit and-quit")
	waitFor(t, "ECMP again", 10*time.Second, func() (bool, string) {
		h := kernelHops(ns1, "10.255.0.3")
		return h == both, h
	})
	// r4's card goes offline: its ports go down, r1 goes through r2.
	console(t, l, "r4", "request chassis fpc slot 1 offline")
	waitFor(t, "r1 through r2 only", 10*time.Second, func() (bool, string) {
		h := kernelHops(ns1, "10.255.0.3")
		return h == "10.0.1.2", h
	})
	console(t, l, "r4", "request chassis fpc slot 1 online")
	waitFor(t, "ECMP after the card is back", 20*time.Second, func() (bool, string) {
		h := kernelHops(ns1, "10.255.0.3")
		return h == both, h
	})
}

func netnsAvailable() error { return netns.Available() }
