package services_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"mxlab/chassis"
	"mxlab/netns"
	"mxlab/router"
)

// The E2 lab (spec E2): h1 - r1 (ms-4/0/0) - WAN 10.0.1.0/30 - r2 (ms-1/0/0) - h2.
//
//	h1 eth1 172.16.0.10/16 -- ge-1/0/0 r1 ge-1/0/1 10.0.1.1 -- 10.0.1.2 ge-0/0/1 r2 ge-0/0/0 -- eth1 h2 192.168.0.10/16
//
// R2's MS-MPC is FPC 1 (ms-1/0/0), so its ports, ge-1/0/x in the example,
// are on FPC 0 (ge-0/0/x): one FPC cannot hold both.
const (
	r1Layout = "boot-delay: -1ns\nfpcs:\n  1:\n    type: mpc\n    pics:\n      0: 10x1ge\n  4:\n    type: ms-mpc\n"
	r2Layout = "boot-delay: -1ns\nfpcs:\n  0:\n    type: mpc\n    pics:\n      0: 10x1ge\n  1:\n    type: ms-mpc\n"
)

// routerT is a router of the lab.
type routerT = *router.Router

type lab struct {
	t      *testing.T
	prefix string
	r1, r2 *router.Router
	ns     map[string]*netns.Handle
}

func needRoot(t *testing.T) {
	t.Helper()
	if err := netns.Available(); err != nil {
		t.Skipf("skipping: the E2 lab needs network namespaces: %v", err)
	}
}

// readExample returns an example configuration of config/testdata.
func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// e2Config is an E2 example with extra set lines.
func e2Config(t *testing.T, router string, extra ...string) string {
	cfg := readExample(t, "e2-"+router+".set")
	return cfg + strings.Join(extra, "\n") + "\n"
}

// newLab builds the E2 lab with the given configurations.
func newLab(t *testing.T, cfg1, cfg2 string) *lab {
	needRoot(t)
	l := &lab{t: t, prefix: fmt.Sprintf("mxsvc%d-", os.Getpid()%100000), ns: map[string]*netns.Handle{}}
	t.Cleanup(l.close)
	for _, n := range []string{"r1", "r2", "h1", "h2"} {
		h, err := netns.Create(l.prefix + n + t.Name()[len(t.Name())-min(3, len(t.Name())):])
		if err != nil {
			t.Fatal(err)
		}
		l.ns[n] = h
	}
	l.connect("r1", "ge-1_0_0", "h1", "eth1")
	l.connect("r1", "ge-1_0_1", "r2", "ge-0_0_1")
	l.connect("r2", "ge-0_0_0", "h2", "eth1")
	l.host("h1", "172.16.0.10/16", "172.16.0.1")
	l.host("h2", "192.168.0.10/16", "192.168.0.1")
	l.r1 = l.router("r1", r1Layout, cfg1)
	l.r2 = l.router("r2", r2Layout, cfg2)
	return l
}

func (l *lab) connect(a, an, b, bn string) {
	if err := netns.Connect(l.ns[a], an, l.ns[b], bn); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) host(name, addr, gw string) {
	h := l.ns[name]
	if err := h.AddrAdd("eth1", netip.MustParsePrefix(addr)); err != nil {
		l.t.Fatal(err)
	}
	if err := h.RouteAdd(netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr(gw)); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) router(name, layout, cfg string) *router.Router {
	lay, err := chassis.ParseLayout([]byte(layout))
	if err != nil {
		l.t.Fatal(err)
	}
	r, err := router.New(router.Options{Name: name, Layout: lay, StateDir: l.t.TempDir(), Netns: l.ns[name]})
	if err != nil {
		l.t.Fatal(err)
	}
	if err := r.Start(context.Background(), cfg); err != nil {
		r.Stop()
		l.t.Fatal(err)
	}
	return r
}

func (l *lab) close() {
	for _, r := range []*router.Router{l.r1, l.r2} {
		if r != nil {
			r.Stop()
		}
	}
	for _, h := range l.ns {
		h.Delete()
	}
}

// cli runs operational commands on a router and returns the output.
func (l *lab) cli(r *router.Router, cmds string) string {
	var out bytes.Buffer
	sh, done := r.NewShell(router.ShellOptions{In: strings.NewReader(""), Out: &out, User: "lab"})
	defer done()
	sh.RunCommands(context.Background(), cmds)
	return out.String()
}

// exec runs a command in a namespace.
func (l *lab) exec(ns string, args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", l.ns[ns].Name()}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (l *lab) ping(from, to string, n int) error {
	out, err := l.exec(from, "ping", "-c", fmt.Sprint(n), "-i", "0.2", "-W", "2", to)
	if err != nil {
		return fmt.Errorf("ping %s from %s: %v\n%s", to, from, err, out)
	}
	return nil
}

// waitPing pings once until it succeeds (the lab settles) or time runs out.
func (l *lab) waitPing(from, to string) {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := l.ping(from, to, 1)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("%v\nr1:\n%s\nr2:\n%s", err, l.cli(l.r1, "show route; show services ipsec-vpn ipsec statistics detail"),
				l.cli(l.r2, "show route; show services ipsec-vpn ipsec statistics detail"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
