package router

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"mxlab/chassis"
	"mxlab/config"
	"mxlab/netns"
	"mxlab/routing"
)

// forwarding is the router's forwarding plane: its network namespace
// (interfaces, addresses) and its routing table, programmed in the commit
// transaction.
type forwarding struct {
	mu      sync.Mutex    // held from Prepare to Apply or Abort: one change at a time
	ns      *netns.Router // nil without a namespace
	rt      *routing.Router
	chassis *chassis.Chassis
}

// Prepare programs the interfaces first (routing needs their links), then
// the routes; a failure undoes what was done.
func (f *forwarding) Prepare(_ context.Context, _, new *config.Node) (config.Pending, error) {
	f.mu.Lock()
	var steps pendings
	if f.ns != nil {
		p, err := f.ns.Prepare(netnsState(new, f.chassis))
		if err != nil {
			f.mu.Unlock()
			return nil, &config.CommitError{Path: []string{"interfaces"}, Msg: err.Error()}
		}
		steps = append(steps, p)
	}
	p, err := f.rt.Prepare(RoutingConfig(new, f.chassis))
	if err != nil {
		steps.Abort()
		f.mu.Unlock()
		return nil, &config.CommitError{Path: []string{"routing-options"}, Msg: err.Error()}
	}
	return &unlocking{pendings: append(steps, p), mu: &f.mu}, nil
}

// unlocking releases the forwarding plane after Apply or Abort.
type unlocking struct {
	pendings
	mu   *sync.Mutex
	once sync.Once
}

func (u *unlocking) Apply() { u.pendings.Apply(); u.once.Do(u.mu.Unlock) }
func (u *unlocking) Abort() { u.pendings.Abort(); u.once.Do(u.mu.Unlock) }

// pendings applies or aborts several prepared changes.
type pendings []netns.Pending

func (ps pendings) Apply() {
	for _, p := range ps {
		p.Apply()
	}
}

func (ps pendings) Abort() {
	for i := len(ps) - 1; i >= 0; i-- {
		ps[i].Abort()
	}
}

// netnsState is the part of the configuration the namespace carries: the
// port interfaces present in the chassis and the lo0 addresses.
func netnsState(root *config.Node, ch *chassis.Chassis) netns.State {
	var st netns.State
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		name := ifd.Key()
		if name == "lo0" {
			for _, u := range ifd.Entries("unit") {
				if u.Key() == "0" {
					st.Loopback = append(st.Loopback, prefixes(u.Get("family", "inet"))...)
				}
			}
			continue
		}
		if !(isPort(name) || name == "fxp0") || !present(ch, name) {
			continue // fxp0: the management link of a lab
		}
		p := netns.Port{Name: name}
		_, p.Disable = ifd.Leaf("disable")
		_, p.VLANTagging = ifd.Leaf("vlan-tagging")
		if v, ok := ifd.Leaf("mtu"); ok {
			p.MTU, _ = strconv.Atoi(v)
		}
		for _, u := range ifd.Entries("unit") {
			var un netns.Unit
			un.Number, _ = strconv.Atoi(u.Key())
			if v, ok := u.Leaf("vlan-id"); ok {
				un.VLANID, _ = strconv.Atoi(v)
			}
			_, un.Disable = u.Leaf("disable")
			un.Addrs = prefixes(u.Get("family", "inet"))
			p.Units = append(p.Units, un)
		}
		st.Ports = append(st.Ports, p)
	}
	return st
}

// isPort reports whether an interface is a network port (ge-, xe-, et-,
// so-) rather than a services or internal interface.
func isPort(name string) bool {
	for _, p := range []string{"ge-", "xe-", "et-", "so-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func present(ch *chassis.Chassis, name string) bool {
	st, ok := ch.Interface(name)
	return ok && st.Present
}

// RoutingConfig extracts routing-options, routing-instances and the
// interface addresses.
func RoutingConfig(root *config.Node, ch *chassis.Chassis) routing.Config {
	var cfg routing.Config
	if v, ok := root.Leaf("routing-options", "router-id"); ok {
		cfg.RouterID, _ = netip.ParseAddr(v)
	}
	cfg.Static = staticRoutes(root.Get("routing-options", "static"))
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		_, down := ifd.Leaf("disable")
		up := !down && (ifd.Key() == "lo0" || present(ch, ifd.Key()))
		if up && isPort(ifd.Key()) {
			if st, ok := ch.Interface(ifd.Key()); ok {
				up = st.LinkUp
			}
		}
		for _, u := range ifd.Entries("unit") {
			_, udown := u.Leaf("disable")
			inet := u.Get("family", "inet")
			if inet == nil {
				continue
			}
			ifl := ifd.Key() + "." + u.Key()
			addrs := prefixes(inet)
			if len(addrs) == 0 {
				cfg.Interfaces = append(cfg.Interfaces, routing.IfAddr{Name: ifl, Up: up && !udown})
			}
			for _, p := range addrs {
				cfg.Interfaces = append(cfg.Interfaces, routing.IfAddr{Name: ifl, Prefix: p, Up: up && !udown})
			}
		}
	}
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		in := routing.Instance{Name: ri.Key()}
		in.Type, _ = ri.Leaf("instance-type")
		for _, i := range ri.Entries("interface") {
			in.Interfaces = append(in.Interfaces, i.Key())
		}
		in.RD, _ = ri.Leaf("route-distinguisher", "rd-type")
		if x := ri.Get("vrf-import"); x != nil {
			in.VRFImport = x.Values
		}
		if x := ri.Get("vrf-export"); x != nil {
			in.VRFExport = x.Values
		}
		in.Static = staticRoutes(ri.Get("routing-options", "static"))
		cfg.Instances = append(cfg.Instances, in)
	}
	return cfg
}

func staticRoutes(static *config.Node) []routing.StaticRoute {
	var out []routing.StaticRoute
	for _, r := range static.Entries("route") {
		p, err := netip.ParsePrefix(r.Key())
		if err != nil {
			continue
		}
		sr := routing.StaticRoute{Prefix: p}
		if nh := r.Get("next-hop"); nh != nil {
			for _, v := range nh.Values {
				sr.NextHops = append(sr.NextHops, nextHop(v))
			}
		}
		for _, q := range r.Entries("qualified-next-hop") {
			qn := routing.QualifiedNextHop{NextHop: nextHop(q.Key())}
			if v, ok := q.Leaf("preference"); ok {
				qn.Preference, _ = strconv.Atoi(v)
			}
			sr.Qualified = append(sr.Qualified, qn)
		}
		_, sr.Discard = r.Leaf("discard")
		_, sr.Reject = r.Leaf("reject")
		if v, ok := r.Leaf("preference", "metric-value"); ok {
			sr.Preference, _ = strconv.Atoi(v)
		}
		out = append(out, sr)
	}
	return out
}

func nextHop(v string) routing.NextHop {
	if a, err := netip.ParseAddr(v); err == nil {
		return routing.NextHop{Addr: a}
	}
	return routing.NextHop{Interface: v}
}

// counters gives the chassis the kernel's link counters.
type counters struct{ ns *netns.Router }

func (c counters) Stats(ifname string) (chassis.Stats, bool) {
	if isService(ifname) && !strings.Contains(ifname, ".") {
		return c.serviceTotal(ifname)
	}
	s, err := c.ns.Stats(ifname)
	if err != nil {
		return chassis.Stats{}, false
	}
	return chassis.Stats{InBytes: s.RxBytes, OutBytes: s.TxBytes, InPackets: s.RxPackets, OutPackets: s.TxPackets}, true
}

// isService reports whether an interface is a services interface (ms-, sp-).
func isService(name string) bool {
	return strings.HasPrefix(name, "ms-") || strings.HasPrefix(name, "sp-")
}

// serviceTotal adds up the units of a services interface: its traffic
// flows through the units' devices (the inside and outside units), not the
// physical one.
func (c counters) serviceTotal(ifname string) (chassis.Stats, bool) {
	prefix, err := netns.LinuxName(ifname)
	if err != nil {
		return chassis.Stats{}, false
	}
	links, err := c.ns.Handle().Links()
	if err != nil {
		return chassis.Stats{}, false
	}
	var sum chassis.Stats
	found := false
	for _, l := range links {
		if l.Name != prefix && !strings.HasPrefix(l.Name, prefix+".") {
			continue
		}
		s, err := c.ns.Handle().Stats(l.Name)
		if err != nil {
			continue
		}
		found = true
		sum.InBytes += s.RxBytes
		sum.OutBytes += s.TxBytes
		sum.InPackets += s.RxPackets
		sum.OutPackets += s.TxPackets
	}
	return sum, found
}

// LinkUp reports whether a port has a link partner (the peer end of its
// veth is up). A services interface (ms-, sp-) is up when its PIC is
// online, whether or not a unit of it has a device yet.
func (c counters) LinkUp(ifname string) bool {
	if isService(ifname) {
		return true
	}
	l, err := c.ns.Link(ifname)
	return err == nil && l.OperUp
}

// noPlane is the dataplane of a router without a namespace: the routing
// table is computed and shown, nothing is programmed, and commands that
// need the kernel say why they cannot run.
type noPlane struct{ reason error }

func (n noPlane) PrepareFIB(netns.FIB) (netns.Pending, error) { return pendings(nil), nil }
func (n noPlane) KernelRoutes(int) ([]netns.KernelRoute, error) {
	return nil, nil
}
func (n noPlane) Neighbors() ([]netns.Neighbor, error) { return nil, nil }
func (n noPlane) Do(func() error) error {
	return fmt.Errorf("no forwarding plane: %w", n.reason)
}
func (n noPlane) LinuxIFL(ifl string) (string, error) { return netns.LinuxName(ifl) }

var errNoNamespace = errors.New("the router runs without a network namespace")
