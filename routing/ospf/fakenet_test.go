package ospf

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"mxlab/routing"
)

// hub is an in-memory network: segments (links, LANs) joining the ports of
// routers; packets sent out of a port reach the other ports of its segment
// (multicast) or the port with the destination address (unicast).
type hub struct {
	mu    sync.Mutex
	ports []*port
	drop  func(from, to *port, b []byte) bool // loses a packet when true
	// noUnicast loses every unicast packet (as an IPsec tunnel that
	// counts as a hop does those sent with TTL 1), counting them.
	noUnicast bool
	unicast   int
	// source is the address the kernel gives a node's packets sent out
	// of an unnumbered port (its lo0 address).
	source map[string]netip.Addr
}

type port struct {
	node    string
	ifl     string
	index   int
	addr    netip.Addr
	seg     string
	up      bool
	deliver func(Received)
}

type fakeNet struct {
	h    *hub
	node string
}

type fakeConn struct {
	n      *fakeNet
	closed bool
}

func (h *hub) net(node string) *fakeNet { return &fakeNet{h: h, node: node} }

// link adds a port of node on segment seg.
func (h *hub) link(node, ifl, addr, seg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	idx := 2
	for _, p := range h.ports {
		if p.node == node {
			idx++
		}
	}
	a := netip.Addr{}
	if addr != "" {
		a = netip.MustParsePrefix(addr).Addr()
	}
	h.ports = append(h.ports, &port{node: node, ifl: ifl, index: idx, addr: a, seg: seg, up: true})
}

// setUp cuts or restores a segment.
func (h *hub) setUp(seg string, up bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.ports {
		if p.seg == seg {
			p.up = up
		}
	}
}

func (f *fakeNet) Listen(deliver func(Received)) (Conn, error) {
	f.h.mu.Lock()
	defer f.h.mu.Unlock()
	for _, p := range f.h.ports {
		if p.node == f.node {
			p.deliver = deliver
		}
	}
	return &fakeConn{n: f}, nil
}

func (f *fakeNet) Link(ifl string) (Link, error) {
	f.h.mu.Lock()
	defer f.h.mu.Unlock()
	for _, p := range f.h.ports {
		if p.node == f.node && p.ifl == ifl {
			return Link{Index: p.index, MTU: 1500}, nil
		}
	}
	return Link{}, fmt.Errorf("%s: %w", ifl, errors.New("no such link"))
}

func (c *fakeConn) Join(int) error { return nil }

func (c *fakeConn) Send(ifindex int, src, dst netip.Addr, b []byte) error {
	h := c.n.h
	h.mu.Lock()
	var from *port
	for _, p := range h.ports {
		if p.node == c.n.node && p.index == ifindex {
			from = p
		}
	}
	if from == nil || !from.up || c.closed {
		h.mu.Unlock()
		return nil
	}
	if !src.IsValid() {
		src = h.source[c.n.node]
	}
	if !dst.IsMulticast() && h.noUnicast {
		h.unicast++
		h.mu.Unlock()
		return nil
	}
	var to []*port
	for _, p := range h.ports {
		if p == from || p.seg != from.seg || !p.up || p.deliver == nil {
			continue
		}
		if dst.IsMulticast() || p.addr == dst {
			if h.drop == nil || !h.drop(from, p, b) {
				to = append(to, p)
			}
		}
	}
	h.mu.Unlock()
	for _, p := range to {
		p.deliver(Received{IfIndex: p.index, Src: src, Dst: dst, Data: slices.Clone(b)})
	}
	return nil
}

func (c *fakeConn) Close() error {
	h := c.n.h
	h.mu.Lock()
	defer h.mu.Unlock()
	c.closed = true
	for _, p := range h.ports {
		if p.node == c.n.node {
			p.deliver = nil
		}
	}
	return nil
}

// fakeRIB records the routes an instance installs.
type fakeRIB struct {
	mu     sync.Mutex
	routes map[string][]*routing.Route
}

func (r *fakeRIB) SetRoutes(instance string, _ routing.Protocol, routes []*routing.Route) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.routes == nil {
		r.routes = map[string][]*routing.Route{}
	}
	r.routes[instance] = routes
	return nil
}

// get returns the installed routes as "prefix via gw,gw metric N" lines.
func (r *fakeRIB) get(instance string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, rt := range r.routes[instance] {
		var hs []string
		for _, h := range rt.Hops {
			hs = append(hs, h.Gateway.String())
		}
		slices.Sort(hs)
		out[rt.Prefix.String()] = fmt.Sprintf("%v metric %d", hs, *rt.Metric)
	}
	return out
}

// lab is a set of OSPF processes on a hub.
type lab struct {
	t     testing.TB
	h     *hub
	procs map[string]*Process
	ribs  map[string]*fakeRIB
	ifs   map[string][]IfState
}

func newLab(t testing.TB) *lab {
	l := &lab{t: t, h: &hub{}, procs: map[string]*Process{}, ribs: map[string]*fakeRIB{}, ifs: map[string][]IfState{}}
	t.Cleanup(func() {
		for _, p := range l.procs {
			p.Stop()
		}
	})
	return l
}

// port adds an interface of node on segment seg, with its address.
func (l *lab) port(node, ifl, addr, seg string) {
	l.h.link(node, ifl, addr, seg)
	l.ifs[node] = append(l.ifs[node], IfState{Name: ifl, Addrs: []netip.Prefix{netip.MustParsePrefix(addr)}, Up: true})
}

// loopback gives node a lo0.0 address (no port).
func (l *lab) loopback(node, addr string) {
	l.ifs[node] = append(l.ifs[node], IfState{Name: "lo0.0", Addrs: []netip.Prefix{netip.MustParsePrefix(addr)}, Up: true})
}

func (l *lab) start(node string, cfg Config) *Process {
	rib := &fakeRIB{}
	p := New(l.h.net(node), rib)
	l.procs[node], l.ribs[node] = p, rib
	p.SetInterfaces(l.ifs[node])
	p.Configure([]Config{cfg})
	return p
}

// fast are interface timers for tests.
func fast(name string) IfConfig {
	return IfConfig{Name: name, Hello: 1, Dead: 3, Rxmt: 1, Priority: DefaultPriority}
}

func p2p(name string) IfConfig {
	c := fast(name)
	c.P2P = true
	return c
}

// waitFor polls cond until it holds or the timeout passes.
func (l *lab) waitFor(what string, timeout time.Duration, cond func() bool) {
	l.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			for n := range l.procs {
				l.t.Logf("%s: neighbors %v routes %v", n, l.neighbors(n), l.ribs[n].get(""))
			}
			l.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// neighbors returns "rid state" of every neighbor of node.
func (l *lab) neighbors(node string) []string {
	var out []string
	in := l.procs[node].Instance("")
	in.do(t0ctx(), func() {
		for _, a := range in.areas {
			for _, i := range a.ifaces {
				for _, n := range i.nbrs {
					out = append(out, fmt.Sprintf("%s %s", n.id, n.state))
				}
			}
		}
	})
	slices.Sort(out)
	return out
}

func (l *lab) allFull(node string, want int) bool {
	ns := l.neighbors(node)
	full := 0
	for _, n := range ns {
		if len(n) > 4 && n[len(n)-4:] == "Full" {
			full++
		}
	}
	return full == want
}
