package netns

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Kernel table numbers and the marks of our policy rules and routes.
const (
	MainTable  = unix.RT_TABLE_MAIN  // inet.0
	LocalTable = unix.RT_TABLE_LOCAL // the kernel's local and broadcast addresses
	// RulePriority is the priority of the policy rules that send the
	// traffic of a routing instance's interfaces to its table.
	RulePriority = 1000
	// Proto marks the routes PrepareFIB owns (`ip route` shows "proto static").
	Proto = unix.RTPROT_STATIC
	// catchAllMetric is the metric of the "unreachable default" that ends
	// every instance table, so a miss never falls through to the main
	// table (the metric the kernel's VRF documentation uses).
	catchAllMetric = 4278198272
)

// RouteKind is what a route does with a packet.
type RouteKind int

// Route kinds.
const (
	Unicast   RouteKind = iota // forward to the next hops
	Discard                    // drop silently (Junos discard, Linux blackhole)
	Reject                     // drop and send ICMP unreachable (Junos reject)
	Local                      // deliver to this router
	Broadcast                  // a subnet broadcast address
)

// NextHop is a gateway address and the logical interface (Junos name) it
// is reached through; a next hop with no gateway is the directly connected
// subnet of the interface.
type NextHop struct {
	Gateway   netip.Addr
	Interface string
}

// Route is a route of the forwarding table.
type Route struct {
	Prefix   netip.Prefix
	Kind     RouteKind
	NextHops []NextHop
	// Source, when valid, is the source address of the packets the
	// router itself sends along the route (and of its ICMP errors): a
	// local address, given for routes out of interfaces that have none.
	Source netip.Addr
}

// Table is one kernel routing table: inet.0 is MainTable; a routing
// instance has a table of its own, selected by policy rules for the
// traffic that arrives on its Interfaces, leaves from its Sources
// addresses, or carries its ID as firewall mark (SO_MARK).
type Table struct {
	ID         int
	Interfaces []string     // logical interfaces (Junos names) bound to the table
	Sources    []netip.Addr // local addresses of those interfaces
	Routes     []Route      // connected subnets included: the kernel's own are kept
}

// FIB is the desired forwarding state of a router namespace.
type FIB struct{ Tables []Table }

// PrepareFIB programs f into the kernel: routes (ours carry Proto), an
// unreachable default at the lowest priority in every instance table, and the
// policy rules of routing instances. Connected routes the kernel made in
// the main table for interfaces bound to another table are removed.
func (r *Router) PrepareFIB(f FIB) (Pending, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u := &undoLog{}
	if err := r.programFIB(f, u); err != nil {
		u.run()
		return nil, fmt.Errorf("router %s: %w", r.h.name, err)
	}
	tables := map[int]bool{}
	for _, t := range f.Tables {
		tables[t.ID] = true
	}
	return &pending{undo: u, apply: func() {
		r.mu.Lock()
		r.tables = tables
		r.mu.Unlock()
	}}, nil
}

func (r *Router) programFIB(f FIB, u *undoLog) error {
	seen := map[int]bool{}
	for _, t := range f.Tables {
		if seen[t.ID] || t.ID <= 0 || t.ID == LocalTable || t.ID >= 1<<31-1 {
			return fmt.Errorf("table %d: bad or repeated table id: %w", t.ID, ErrBadConfig)
		}
		seen[t.ID] = true
		if err := r.syncTable(t, u); err != nil {
			return err
		}
	}
	for id := range r.tables {
		if !seen[id] {
			if err := r.flushTable(id, u); err != nil {
				return err
			}
		}
	}
	if err := r.syncRules(f, u); err != nil {
		return err
	}
	return r.hideConnected(f, u)
}

func (r *Router) listTable(id int, proto netlink.RouteProtocol) ([]netlink.Route, error) {
	filter := &netlink.Route{Table: id, Protocol: proto}
	mask := netlink.RT_FILTER_TABLE
	if proto != 0 {
		mask |= netlink.RT_FILTER_PROTOCOL
	}
	rs, err := retryDump(func() ([]netlink.Route, error) {
		return r.nl.RouteListFiltered(netlink.FAMILY_V4, filter, mask)
	})
	if err != nil {
		return nil, fmt.Errorf("list table %d: %w", id, err)
	}
	return rs, nil
}

func (r *Router) syncTable(t Table, u *undoLog) error {
	want := map[string]*netlink.Route{}
	if t.ID != MainTable { // a miss in main is the last lookup already
		catchAll := &netlink.Route{Table: t.ID, Protocol: Proto, Type: unix.RTN_UNREACHABLE,
			Dst: ipNet(netip.MustParsePrefix("0.0.0.0/0")), Priority: catchAllMetric}
		want[routeKey(catchAll)] = catchAll
	}
	kernel, err := r.listTable(t.ID, unix.RTPROT_KERNEL)
	if err != nil {
		return err
	}
	links := map[string]int{} // logical interface -> link index, for this call
	for _, rt := range t.Routes {
		nr, err := r.kernelRoute(t.ID, rt, links)
		if err != nil {
			return fmt.Errorf("table %d route %s: %w", t.ID, rt.Prefix, err)
		}
		if !madeByKernel(nr, kernel) {
			want[routeKey(nr)] = nr
		}
	}
	have, err := r.listTable(t.ID, Proto)
	if err != nil {
		return err
	}
	return r.diffRoutes(have, want, u)
}

func (r *Router) flushTable(id int, u *undoLog) error {
	have, err := r.listTable(id, Proto)
	if err != nil {
		return err
	}
	return r.diffRoutes(have, nil, u)
}

// diffRoutes deletes the routes of have that want lacks and adds the rest.
// Routes through a gateway are deleted before, and added after, the
// connected routes that resolve their gateway (so are their undos).
func (r *Router) diffRoutes(have []netlink.Route, want map[string]*netlink.Route, u *undoLog) error {
	present := map[string]bool{}
	slices.SortStableFunc(have, func(a, b netlink.Route) int { return cmpBool(!viaGateway(&a), !viaGateway(&b)) })
	for i := range have {
		old := &have[i]
		k := routeKey(old)
		if _, ok := want[k]; ok {
			present[k] = true
			continue
		}
		if err := r.nl.RouteDel(old); err != nil {
			return fmt.Errorf("delete route %s: %w", k, err)
		}
		u.push(func() error { return r.nl.RouteAdd(readdable(old)) })
	}
	keys := sortedKeys(want)
	slices.SortStableFunc(keys, func(a, b string) int { return cmpBool(viaGateway(want[a]), viaGateway(want[b])) })
	for _, k := range keys {
		if present[k] {
			continue
		}
		nr := want[k]
		if err := r.nl.RouteAdd(nr); err != nil {
			return fmt.Errorf("add route %s: %w", k, err)
		}
		u.push(func() error { return r.nl.RouteDel(nr) })
	}
	return nil
}

// kernelRoute turns a Route into its netlink form.
func (r *Router) kernelRoute(table int, rt Route, links map[string]int) (*netlink.Route, error) {
	if !rt.Prefix.IsValid() || !rt.Prefix.Addr().Is4() {
		return nil, fmt.Errorf("not an IPv4 prefix: %w", ErrBadConfig)
	}
	nr := &netlink.Route{Table: table, Protocol: Proto, Dst: ipNet(rt.Prefix.Masked())}
	if rt.Source.IsValid() && rt.Kind == Unicast {
		nr.Src = rt.Source.AsSlice()
	}
	switch rt.Kind {
	case Discard:
		nr.Type = unix.RTN_BLACKHOLE
		return nr, nil
	case Reject:
		nr.Type = unix.RTN_UNREACHABLE
		return nr, nil
	case Unicast:
	default:
		return nil, fmt.Errorf("route kind %d cannot be programmed: %w", rt.Kind, ErrBadConfig)
	}
	if len(rt.NextHops) == 0 {
		return nil, fmt.Errorf("no next hop: %w", ErrBadConfig)
	}
	var hops []*netlink.NexthopInfo
	for _, nh := range rt.NextHops {
		idx, ok := links[nh.Interface]
		if !ok {
			var err error
			if idx, err = r.linkIndex(nh.Interface); err != nil {
				return nil, err
			}
			links[nh.Interface] = idx
		}
		hops = append(hops, &netlink.NexthopInfo{LinkIndex: idx, Gw: gwIP(nh.Gateway)})
	}
	if len(hops) > 1 {
		nr.MultiPath = hops
		return nr, nil
	}
	nr.LinkIndex, nr.Gw = hops[0].LinkIndex, hops[0].Gw
	if nr.Gw == nil {
		nr.Scope = netlink.SCOPE_LINK
	}
	return nr, nil
}

func gwIP(a netip.Addr) []byte {
	if !a.IsValid() {
		return nil
	}
	return a.AsSlice()
}

func (r *Router) linkIndex(ifl string) (int, error) {
	linux, err := r.linuxIFL(ifl)
	if err != nil {
		return 0, err
	}
	l, err := r.nl.LinkByName(linux)
	if err != nil {
		return 0, &InterfaceError{Name: ifl, Err: err}
	}
	return l.Attrs().Index, nil
}

// madeByKernel reports whether nr is a connected route the kernel already
// holds (made when the interface got its address).
func madeByKernel(nr *netlink.Route, kernel []netlink.Route) bool {
	if nr.Gw != nil || nr.MultiPath != nil || nr.Type != 0 && nr.Type != unix.RTN_UNICAST {
		return false
	}
	for _, k := range kernel {
		if k.LinkIndex == nr.LinkIndex && prefixOf(k.Dst) == prefixOf(nr.Dst) && k.Gw == nil {
			return true
		}
	}
	return false
}

// routeKey identifies a route by what the kernel compares.
func routeKey(r *netlink.Route) string {
	typ := r.Type
	if typ == 0 {
		typ = unix.RTN_UNICAST
	}
	dst := prefixOf(r.Dst)
	if r.Dst == nil {
		dst = netip.MustParsePrefix("0.0.0.0/0")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s metric %d type %d", r.Table, dst, r.Priority, typ)
	if r.Src != nil {
		fmt.Fprintf(&b, " src %s", r.Src)
	}
	var hops []string
	if r.Gw != nil || r.LinkIndex != 0 {
		hops = append(hops, fmt.Sprintf("%s@%d", r.Gw, r.LinkIndex))
	}
	for _, h := range r.MultiPath {
		hops = append(hops, fmt.Sprintf("%s@%d", h.Gw, h.LinkIndex))
	}
	slices.Sort(hops)
	for _, h := range hops {
		b.WriteString(" via " + h)
	}
	return b.String()
}

func viaGateway(r *netlink.Route) bool { return r.Gw != nil || len(r.MultiPath) > 0 }

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// readdable clears the state flags the kernel reports (linkdown, dead) but
// refuses in a request, so a listed route can be added back.
func readdable(r *netlink.Route) *netlink.Route {
	c := *r
	c.Flags &= unix.RTNH_F_ONLINK
	c.MultiPath = nil
	for _, h := range r.MultiPath {
		hc := *h
		hc.Flags &= unix.RTNH_F_ONLINK
		c.MultiPath = append(c.MultiPath, &hc)
	}
	return &c
}
