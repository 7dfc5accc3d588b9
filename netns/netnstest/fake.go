package netnstest

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"mxlab/netns"
)

// Router records what a netns.Router would have programmed.
type Router struct {
	mu       sync.Mutex
	state    netns.State
	fib      netns.FIB
	down     map[string]bool // ports taken down with SetLinkUp
	stats    map[string]netns.LinkStats
	neigh    []netns.Neighbor
	prepares int
	// FailPrepare, when set, is returned by the next Prepare or PrepareFIB.
	FailPrepare error
	// RunInHost lets Do run its function in the test process's namespace.
	RunInHost bool
}

// New returns an empty fake router.
func New() *Router {
	return &Router{down: map[string]bool{}, stats: map[string]netns.LinkStats{}}
}

type pending struct {
	once  sync.Once
	apply func()
}

func (p *pending) Apply() { p.once.Do(p.apply) }
func (p *pending) Abort() { p.once.Do(func() {}) }

func (f *Router) takeFailure() error {
	err := f.FailPrepare
	f.FailPrepare = nil
	f.prepares++
	return err
}

// Prepare records s when the Pending is applied.
func (f *Router) Prepare(s netns.State) (netns.Pending, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.takeFailure(); err != nil {
		return nil, err
	}
	for _, p := range s.Ports {
		if _, err := netns.LinuxName(p.Name); err != nil {
			return nil, err
		}
	}
	return &pending{apply: func() {
		f.mu.Lock()
		f.state = s
		f.mu.Unlock()
	}}, nil
}

// PrepareFIB records fib when the Pending is applied.
func (f *Router) PrepareFIB(fib netns.FIB) (netns.Pending, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.takeFailure(); err != nil {
		return nil, err
	}
	return &pending{apply: func() {
		f.mu.Lock()
		f.fib = fib
		f.mu.Unlock()
	}}, nil
}

// State returns the applied interface state.
func (f *Router) State() netns.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

// FIB returns the applied forwarding table.
func (f *Router) FIB() netns.FIB {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fib
}

// Prepares counts the calls of Prepare and PrepareFIB.
func (f *Router) Prepares() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prepares
}

// SetLinkUp records a port's state.
func (f *Router) SetLinkUp(port string, up bool) error {
	if _, err := netns.LinuxName(port); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down[port] = !up
	return nil
}

// LinkUp reports the state SetLinkUp left a port in (up by default).
func (f *Router) LinkUp(port string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.down[port]
}

// SetStats sets the counters Stats returns for an interface.
func (f *Router) SetStats(ifname string, s netns.LinkStats) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stats[ifname] = s
}

// Stats returns the counters set with SetStats.
func (f *Router) Stats(ifname string) (netns.LinkStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.stats[ifname]
	if !ok {
		return netns.LinkStats{}, fmt.Errorf("interface %s: %w", ifname, netns.ErrNoLink)
	}
	return s, nil
}

// SetNeighbors sets the ARP table Neighbors returns.
func (f *Router) SetNeighbors(ns []netns.Neighbor) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.neigh = slices.Clone(ns)
}

// Neighbors returns the entries set with SetNeighbors.
func (f *Router) Neighbors() ([]netns.Neighbor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.neigh), nil
}

// KernelRoutes returns what the kernel would hold in table: the routes of
// the applied forwarding table (marked Ours unless they are connected
// routes) and, in the local table, the local addresses of the applied
// interfaces.
func (f *Router) KernelRoutes(table int) ([]netns.KernelRoute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []netns.KernelRoute
	for _, t := range f.fib.Tables {
		if t.ID != table {
			continue
		}
		for _, r := range t.Routes {
			kr := netns.KernelRoute{Prefix: r.Prefix, Kind: r.Kind, Ours: true}
			if len(r.NextHops) == 0 {
				out = append(out, kr)
			}
			for _, h := range r.NextHops {
				kr.Gateway, kr.Interface = h.Gateway, h.Interface
				kr.Connected = !h.Gateway.IsValid()
				kr.Ours = h.Gateway.IsValid()
				out = append(out, kr)
			}
		}
	}
	if table == netns.LocalTable {
		out = append(out, f.localRoutes()...)
	}
	return out, nil
}

func (f *Router) localRoutes() []netns.KernelRoute {
	var out []netns.KernelRoute
	add := func(ifl string, p netip.Prefix) {
		out = append(out, netns.KernelRoute{Prefix: netip.PrefixFrom(p.Addr(), 32), Kind: netns.Local, Interface: ifl, Connected: true})
	}
	for _, p := range f.state.Ports {
		for _, u := range p.Units {
			for _, a := range u.Addrs {
				add(fmt.Sprintf("%s.%d", p.Name, u.Number), a)
			}
		}
	}
	for _, a := range f.state.Loopback {
		add("lo0.0", a)
	}
	return out
}

// ErrNoNamespace is returned by Do: the fake has no namespace to enter.
var ErrNoNamespace = errors.New("netnstest: no network namespace")

// Do runs fn in the calling process's own namespace when RunInHost is
// set, and fails with ErrNoNamespace otherwise.
func (f *Router) Do(fn func() error) error {
	f.mu.Lock()
	host := f.RunInHost
	f.mu.Unlock()
	if !host {
		return ErrNoNamespace
	}
	return fn()
}

// LinuxIFL returns the Linux name of a Junos interface name.
func (f *Router) LinuxIFL(ifl string) (string, error) { return netns.LinuxName(ifl) }
