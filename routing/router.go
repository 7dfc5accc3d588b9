package routing

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"mxlab/netns"
)

// Dataplane is what the routing engine needs from a router's namespace;
// *netns.Router implements it, and so does *netnstest.Router.
type Dataplane interface {
	PrepareFIB(netns.FIB) (netns.Pending, error)
	KernelRoutes(table int) ([]netns.KernelRoute, error)
	Neighbors() ([]netns.Neighbor, error)
	Do(fn func() error) error
	LinuxIFL(ifl string) (string, error)
}

var (
	_ Dataplane = (*netns.Router)(nil)
)

// ErrBadConfig reports a routing configuration that cannot be applied.
var ErrBadConfig = errors.New("invalid routing configuration")

// firstInstanceTable is the kernel table of the first routing instance.
const firstInstanceTable = 100

// Router is the routing engine of one router: its RIB, computed from the
// committed configuration and interface state, and the kernel FIB that
// follows it.
type Router struct {
	dp  Dataplane
	now func() time.Time

	// prep is held from Prepare until Apply or Abort, and by SetRoutes:
	// one change of the RIB and FIB at a time.
	prep sync.Mutex

	mu       sync.Mutex     // guards the fields below
	cfg      Config         // last applied configuration
	ids      map[string]int // routing instance -> kernel table
	rib      *RIB
	dyn      map[dynKey][]*Route // routes of protocols (OSPF), by instance
	watchers []func(Config, *RIB)

	nh  nhIndexes // the next-hop indexes of the forwarding table
	hwm highwater // the highwater marks of `show route summary`
}

// dynKey names the routes one protocol gives one routing instance.
type dynKey struct {
	instance string
	proto    Protocol
}

// Option configures a Router.
type Option func(*Router)

// WithClock sets the clock routes are timestamped with (tests fix it).
func WithClock(now func() time.Time) Option { return func(r *Router) { r.now = now } }

// New returns a routing engine programming dp.
func New(dp Dataplane, opts ...Option) *Router {
	r := &Router{dp: dp, now: time.Now, ids: map[string]int{}, rib: &RIB{}, dyn: map[dynKey][]*Route{}}
	for _, o := range opts {
		o(r)
	}
	r.rib = r.compute(Config{}, nil)
	return r
}

// Now returns the router's clock.
func (r *Router) Now() time.Time { return r.now() }

// RIB returns the current routing tables; callers must not change them.
func (r *Router) RIB() *RIB {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rib
}

// Config returns the configuration last applied.
func (r *Router) Config() Config {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cfg
}

type pending struct {
	once   sync.Once
	fib    netns.Pending
	apply  func()
	unlock func()
}

func (p *pending) Apply() {
	p.once.Do(func() {
		p.fib.Apply()
		p.apply()
		p.unlock()
	})
}

func (p *pending) Abort() {
	p.once.Do(func() {
		p.fib.Abort()
		p.unlock()
	})
}

// Prepare computes the RIB of cfg and programs its FIB; Apply makes the
// new RIB current, Abort puts the kernel back.
func (r *Router) Prepare(cfg Config) (netns.Pending, error) {
	if err := check(cfg); err != nil {
		return nil, err
	}
	r.prep.Lock()
	r.mu.Lock()
	ids := r.tableIDs(cfg)
	rib := r.compute(cfg, ids)
	r.mu.Unlock()
	fp, err := r.dp.PrepareFIB(buildFIB(rib, cfg))
	if err != nil {
		r.prep.Unlock()
		return nil, fmt.Errorf("routing: %w", err)
	}
	return &pending{fib: fp, unlock: r.prep.Unlock, apply: func() {
		r.mu.Lock()
		r.cfg, r.ids, r.rib = cfg, ids, rib
		ws := r.watchers
		r.mu.Unlock()
		r.nh.number(rib, cfg)
		r.hwm.observe(r.now(), rib, cfg)
		notify(ws, cfg, rib)
	}}, nil
}

// SetRoutes replaces the routes protocol p gives the table of a routing
// instance ("" for inet.0) and programs the FIB. The routes' hops must
// resolve through up interfaces of the table, as static next hops do.
func (r *Router) SetRoutes(instance string, p Protocol, routes []*Route) error {
	r.prep.Lock()
	defer r.prep.Unlock()
	r.mu.Lock()
	k := dynKey{instance, p}
	old := r.dyn[k]
	if len(routes) == 0 {
		delete(r.dyn, k)
	} else {
		r.dyn[k] = routes
	}
	cfg, ids := r.cfg, r.ids
	rib := r.compute(cfg, ids)
	r.mu.Unlock()
	fp, err := r.dp.PrepareFIB(buildFIB(rib, cfg))
	if err != nil {
		r.mu.Lock()
		if old == nil {
			delete(r.dyn, k)
		} else {
			r.dyn[k] = old
		}
		r.mu.Unlock()
		return fmt.Errorf("routing: %w", err)
	}
	fp.Apply()
	r.mu.Lock()
	r.rib = rib
	ws := r.watchers
	r.mu.Unlock()
	r.nh.number(rib, cfg)
	r.hwm.observe(r.now(), rib, cfg)
	notify(ws, cfg, rib)
	return nil
}

// Watch calls f after every change of the RIB (a commit, an interface
// going up or down, a protocol's routes) with the configuration and the
// new RIB, which f must not change. f must not block.
func (r *Router) Watch(f func(Config, *RIB)) {
	r.mu.Lock()
	r.watchers = append(r.watchers, f)
	cfg, rib := r.cfg, r.rib
	r.mu.Unlock()
	f(cfg, rib)
}

func notify(ws []func(Config, *RIB), cfg Config, rib *RIB) {
	for _, f := range ws {
		f(cfg, rib)
	}
}

// SetInterfaceUp records that a logical interface went up or down (a PIC
// offline, a link down) and reprograms the FIB without a commit.
func (r *Router) SetInterfaceUp(name string, up bool) error {
	cfg := r.Config()
	cfg.Interfaces = slices.Clone(cfg.Interfaces)
	for i := range cfg.Interfaces {
		if cfg.Interfaces[i].Name == name {
			cfg.Interfaces[i].Up = up
		}
	}
	p, err := r.Prepare(cfg)
	if err != nil {
		return err
	}
	p.Apply()
	return nil
}

// check refuses what the kernel cannot be given.
func check(cfg Config) error {
	seen := map[string]bool{}
	for _, in := range cfg.Instances {
		if in.Name == "" || in.Name == "master" || seen[in.Name] {
			return fmt.Errorf("routing-instances %q: bad or repeated name: %w", in.Name, ErrBadConfig)
		}
		seen[in.Name] = true
		if in.Type != "" && in.Type != "virtual-router" && in.Type != "vrf" {
			return fmt.Errorf("routing-instances %s: instance-type %s is not supported: %w", in.Name, in.Type, ErrBadConfig)
		}
	}
	return nil
}

// tableIDs gives each instance a kernel table, keeping the ones already
// given.
func (r *Router) tableIDs(cfg Config) map[string]int {
	ids := map[string]int{}
	used := map[int]bool{}
	for _, in := range cfg.Instances {
		if id, ok := r.ids[in.Name]; ok {
			ids[in.Name], used[id] = id, true
		}
	}
	next := firstInstanceTable
	for _, in := range cfg.Instances {
		if _, ok := ids[in.Name]; ok {
			continue
		}
		for used[next] {
			next++
		}
		ids[in.Name], used[next] = next, true
	}
	return ids
}

// compute builds the RIB of cfg; routes that did not change keep their age.
func (r *Router) compute(cfg Config, ids map[string]int) *RIB {
	owner := map[string]string{}
	for _, in := range cfg.Instances {
		for _, ifl := range in.Interfaces {
			owner[ifl] = in.Name
		}
	}
	addrsOf := func(inst string) []IfAddr {
		var out []IfAddr
		for _, a := range cfg.Interfaces {
			if owner[a.Name] == inst {
				out = append(out, a)
			}
		}
		return out
	}
	rib := &RIB{}
	dynOf := func(inst string) []*Route {
		var out []*Route
		for _, p := range Protocols {
			out = append(out, r.dyn[dynKey{inst, p}]...)
		}
		return out
	}
	main := buildTable("inet.0", addrsOf(""), cfg.Static, dynOf(""))
	main.ID = netns.MainTable
	rib.Tables = append(rib.Tables, main)
	insts := slices.Clone(cfg.Instances)
	slices.SortFunc(insts, func(a, b Instance) int { return compareStrings(a.Name, b.Name) })
	for _, in := range insts {
		t := buildTable(in.Name+".inet.0", addrsOf(in.Name), in.Static, dynOf(in.Name))
		t.Instance, t.ID = in.Name, ids[in.Name]
		for _, ifl := range in.Interfaces {
			t.Interfaces = appendUnique(t.Interfaces, ifl)
		}
		rib.Tables = append(rib.Tables, t)
	}
	r.stamp(rib)
	return rib
}

// stamp sets the age of every route: unchanged routes keep theirs.
func (r *Router) stamp(rib *RIB) {
	old := map[string]time.Time{}
	if r.rib != nil {
		for _, t := range r.rib.Tables {
			for _, d := range t.Dests {
				for _, rt := range d.Routes {
					old[routeKey(t.Name, rt)] = rt.Since
				}
			}
		}
	}
	now := r.now()
	for _, t := range rib.Tables {
		for _, d := range t.Dests {
			for _, rt := range d.Routes {
				if s, ok := old[routeKey(t.Name, rt)]; ok {
					rt.Since = s
				} else {
					rt.Since = now
				}
			}
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// buildFIB is the kernel's share of the RIB: the active Direct, Static and
// OSPF routes of every table (Local routes are the kernel's own local
// table). Routes out of an unnumbered interface carry the table's default
// address as their source, as Junos sources the packets it sends there.
func buildFIB(rib *RIB, cfg Config) netns.FIB {
	var fib netns.FIB
	for _, t := range rib.Tables {
		kt := netns.Table{ID: t.ID}
		if t.Instance != "" {
			kt.Interfaces = t.Interfaces
		}
		var addrs []IfAddr
		for _, a := range cfg.Interfaces {
			if slices.Contains(t.Interfaces, a.Name) {
				addrs = append(addrs, a)
			}
		}
		def := defaultAddress(addrs)
		for _, d := range t.Dests {
			for _, rt := range d.Routes {
				if !rt.Active || rt.Protocol == Local {
					continue
				}
				if rt.Protocol == Direct && t.Instance != "" && d.Prefix.Bits() == 32 {
					kt.Sources = append(kt.Sources, d.Prefix.Addr())
				}
				fr := fibRoute(rt)
				if len(fr.NextHops) == 1 && !fr.NextHops[0].Gateway.IsValid() && rt.Protocol != Direct &&
					unnumbered(fr.NextHops[0].Interface, addrs) {
					fr.Source = def
				}
				kt.Routes = append(kt.Routes, fr)
			}
			for _, rt := range d.Routes {
				if t.Instance != "" && rt.Protocol == Local {
					kt.Sources = append(kt.Sources, d.Prefix.Addr())
				}
			}
		}
		fib.Tables = append(fib.Tables, kt)
	}
	return fib
}

func fibRoute(rt *Route) netns.Route {
	fr := netns.Route{Prefix: rt.Prefix, Kind: rt.Kind}
	if rt.Kind == netns.Unicast && len(rt.Hops) > 0 {
		hops := rt.Hops[rt.Selected : rt.Selected+1]
		if rt.Multipath {
			hops = rt.Hops
		}
		for _, h := range hops {
			fr.NextHops = append(fr.NextHops, netns.NextHop{Gateway: h.Gateway, Interface: h.Interface})
		}
	}
	return fr
}
