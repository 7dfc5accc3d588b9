package ospf_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
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
	topo, err := lab.Parse([]byte(y.String()), ".", lab.FilesOf(files))
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
	l, err := lab.Up(context.Background(), topo, lab.Options{RunDir: privateDir(t)})
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
	if !strings.Contains(out, "*[OSPF/10]") || len(regexp.MustCompile(`>\s+to `).FindAllString(out, -1)) != 2 {
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

// TestLabRoutingInstance runs OSPF in a virtual-router instance and in the
// master instance of the same router: r1 - (vr) r2 (master) - r3. Each
// instance's routes go to its own table, kernel table included.
func TestLabRoutingInstance(t *testing.T) {
	needLab(t)
	files := map[string]string{
		"chassis.yaml": "model: mx480\nboot-delay: -1ns\nfpcs:\n  1:\n    type: mpc\n    pics:\n      0: 10x1ge\n",
		"r1.conf": `set interfaces ge-1/0/0 unit 0 family inet address 10.0.12.1/30
set interfaces lo0 unit 0 family inet address 10.255.0.1/32
set protocols ospf area 0 interface ge-1/0/0.0 interface-type p2p
set protocols ospf area 0 interface lo0.0 passive
`,
		"r2.conf": `set interfaces ge-1/0/0 unit 0 family inet address 10.0.12.2/30
set interfaces ge-1/0/1 unit 0 family inet address 10.0.23.1/30
set interfaces lo0 unit 0 family inet address 10.255.0.2/32
set routing-instances vr instance-type virtual-router
set routing-instances vr interface ge-1/0/0.0
set routing-instances vr protocols ospf area 0 interface ge-1/0/0.0 interface-type p2p
set protocols ospf area 0 interface ge-1/0/1.0 interface-type p2p
set protocols ospf area 0 interface lo0.0 passive
`,
		"r3.conf": `set interfaces ge-1/0/1 unit 0 family inet address 10.0.23.2/30
set interfaces lo0 unit 0 family inet address 10.255.0.3/32
set protocols ospf area 0 interface ge-1/0/1.0 interface-type p2p
set protocols ospf area 0 interface lo0.0 passive
`,
	}
	y := fmt.Sprintf(`name: t%d-vr
topology:
  nodes:
    r1: {kind: mx, chassis: chassis.yaml, config: r1.conf}
    r2: {kind: mx, chassis: chassis.yaml, config: r2.conf}
    r3: {kind: mx, chassis: chassis.yaml, config: r3.conf}
  links:
    - endpoints: ["r1:ge-1/0/0", "r2:ge-1/0/0"]
    - endpoints: ["r2:ge-1/0/1", "r3:ge-1/0/1"]
`, os.Getpid()%100000)
	topo, err := lab.Parse([]byte(y), ".", lab.FilesOf(files))
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Up(context.Background(), topo, lab.Options{RunDir: privateDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r2 := l.Router("r2")
	waitFor(t, "routes in both tables of r2", 20*time.Second, func() (bool, string) {
		out := console(t, l, "r2", "show route protocol ospf")
		ok := strings.Contains(out, "vr.inet.0") && regexpMatch(`(?s)inet\.0:.*10\.255\.0\.3/32 .*vr\.inet\.0:.*10\.255\.0\.1/32`, out)
		return ok, out
	})
	out := console(t, l, "r2", "show route table inet.0 10.255.0.1")
	if strings.Contains(out, "OSPF") {
		t.Errorf("r1's loopback leaked into inet.0:\n%s", out)
	}
	var vrTable int
	for _, tb := range r2.Routing.RIB().Tables {
		if tb.Instance == "vr" {
			vrTable = tb.ID
		}
	}
	krs, err := r2.Netns.KernelRoutes(vrTable)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, kr := range krs {
		found = found || kr.Prefix.String() == "10.255.0.1/32" && kr.Gateway.String() == "10.0.12.1"
	}
	if !found {
		t.Errorf("kernel table %d has no route to 10.255.0.1 via 10.0.12.1: %+v", vrTable, krs)
	}
	if out := console(t, l, "r2", "show ospf neighbor instance vr"); !strings.Contains(out, "10.0.12.1") || !strings.Contains(out, "Full") {
		t.Errorf("show ospf neighbor instance vr:\n%s", out)
	}
	if out := console(t, l, "r2", "ping 10.255.0.1 routing-instance vr count 1"); !strings.Contains(out, "1 packets received") {
		t.Errorf("ping in the instance:\n%s", out)
	}
	if out := console(t, l, "r1", "show route 10.255.0.3"); strings.Contains(out, "OSPF") {
		t.Errorf("r1 learned a route of r2's master instance:\n%s", out)
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// privateDir returns a temporary directory of mode 0700, as a run
// directory of labs must be.
func privateDir(tb testing.TB) string {
	dir := tb.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	return dir
}
