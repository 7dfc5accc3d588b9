package routing

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"mxlab/netns"
)

// Protocol is the source of a route.
type Protocol int

// Protocols, in the order Junos lists them in `show route summary`.
const (
	Direct Protocol = iota
	Local
	OSPF
	Static
)

// Protocols lists every protocol in display order.
var Protocols = []Protocol{Direct, Local, OSPF, Static}

func (p Protocol) String() string {
	return [...]string{"Direct", "Local", "OSPF", "Static"}[p]
}

// Hop is a next hop of a route: a gateway reached through an interface,
// or the interface alone for a connected subnet.
type Hop struct {
	Gateway   netip.Addr
	Interface string // "" while unresolved
}

// Route is one route of a table.
type Route struct {
	Prefix     netip.Prefix
	Protocol   Protocol
	Preference int
	Kind       netns.RouteKind // Unicast, Discard or Reject
	Hops       []Hop           // resolved next hops; Hops[Selected] forwards
	Selected   int
	Hidden     bool // its next hops do not resolve: not usable
	Active     bool
	Since      time.Time
	// Multipath routes forward over every hop (equal-cost multipath).
	Multipath bool
	Metric    *uint32 // shown as "metric N" when set
	Tag       *uint32 // shown as "tag N" when set
}

// Dest is a destination prefix and its routes, active first.
type Dest struct {
	Prefix netip.Prefix
	Routes []*Route
}

// Table is a routing table: "inet.0" or "NAME.inet.0".
type Table struct {
	Name       string
	Instance   string // "" for inet.0
	ID         int    // kernel table
	Interfaces []string
	Dests      []*Dest // sorted by prefix
}

// Counts returns destinations, routes, active and hidden routes.
func (t *Table) Counts() (dests, routes, active, hidden int) {
	for _, d := range t.Dests {
		dests++
		for _, r := range d.Routes {
			routes++
			if r.Active {
				active++
			}
			if r.Hidden {
				hidden++
			}
		}
	}
	return
}

// RIB is every routing table, inet.0 first.
type RIB struct {
	Tables []*Table
}

// Table returns the table named name, or nil.
func (b *RIB) Table(name string) *Table {
	for _, t := range b.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// buildTable computes the routes of one table from its interfaces and
// static routes, resolves next hops and selects the active routes.
func buildTable(name string, addrs []IfAddr, static []StaticRoute, dyn []*Route) *Table {
	t := &Table{Name: name}
	byPrefix := map[netip.Prefix]*Dest{}
	add := func(r *Route) {
		d := byPrefix[r.Prefix]
		if d == nil {
			d = &Dest{Prefix: r.Prefix}
			byPrefix[r.Prefix] = d
		}
		d.Routes = append(d.Routes, r)
	}
	for _, a := range addrs {
		t.Interfaces = appendUnique(t.Interfaces, a.Name)
		if !a.Up || !a.Prefix.Addr().Is4() {
			continue
		}
		add(&Route{Prefix: a.Prefix.Masked(), Protocol: Direct, Preference: PrefDirect, Hops: []Hop{{Interface: a.Name}}})
		if a.Prefix.Bits() < 32 {
			add(&Route{Prefix: netip.PrefixFrom(a.Prefix.Addr(), 32), Protocol: Local, Preference: PrefLocal, Hops: []Hop{{Interface: a.Name}}})
		}
	}
	for _, s := range static {
		for _, r := range staticRoutes(s) {
			resolve(r, addrs)
			add(r)
		}
	}
	for _, r := range dyn {
		c := *r
		c.Hops = slices.Clone(r.Hops)
		c.Active, c.Hidden, c.Selected = false, false, 0
		resolve(&c, addrs)
		c.Multipath = c.Multipath && len(c.Hops) > 1
		add(&c)
	}
	for _, d := range byPrefix {
		selectActive(d)
		t.Dests = append(t.Dests, d)
	}
	slices.SortFunc(t.Dests, func(a, b *Dest) int { return comparePrefix(a.Prefix, b.Prefix) })
	return t
}

// staticRoutes turns one static route statement into routes: one at its
// preference, and one more per other preference of its qualified next hops.
func staticRoutes(s StaticRoute) []*Route {
	pref := cmp.Or(s.Preference, PrefStatic)
	main := &Route{Prefix: s.Prefix.Masked(), Protocol: Static, Preference: pref}
	switch {
	case s.Discard:
		main.Kind = netns.Discard
	case s.Reject:
		main.Kind = netns.Reject
	}
	for _, nh := range s.NextHops {
		main.Hops = append(main.Hops, Hop{Gateway: nh.Addr, Interface: nh.Interface})
	}
	out := []*Route{main}
	for _, q := range s.Qualified {
		p := cmp.Or(q.Preference, pref)
		i := slices.IndexFunc(out, func(r *Route) bool { return r.Preference == p })
		if i < 0 {
			out = append(out, &Route{Prefix: main.Prefix, Protocol: Static, Preference: p})
			i = len(out) - 1
		}
		out[i].Hops = append(out[i].Hops, Hop{Gateway: q.Addr, Interface: q.Interface})
	}
	if len(main.Hops) == 0 && main.Kind == netns.Unicast && len(out) > 1 {
		out = out[1:]
	}
	return out
}

// resolve finds the interface of each next hop: a gateway must sit in the
// subnet of an up interface of the table (the longest such subnet), an
// interface must be up. Unresolved hops are dropped; a unicast route left
// without hops is hidden (Junos shows it with `show route hidden`).
func resolve(r *Route, addrs []IfAddr) {
	if r.Kind != netns.Unicast {
		r.Hops = nil
		return
	}
	var hops []Hop
	for _, h := range r.Hops {
		if rh, ok := resolveHop(h, addrs); ok {
			hops = append(hops, rh)
		}
	}
	if len(hops) == 0 {
		r.Hidden = true // keeps its configured hops, unresolved, for display
		return
	}
	r.Hops = hops
}

func resolveHop(h Hop, addrs []IfAddr) (Hop, bool) {
	best := -1
	for _, a := range addrs {
		if !a.Up {
			continue
		}
		if !h.Gateway.IsValid() {
			// An interface next hop needs the unit up, with or without an
			// address (next-hop ms-1/2/0.1 on an unnumbered inside unit).
			if a.Name == h.Interface {
				return h, true
			}
			continue
		}
		if !a.Prefix.Addr().Is4() {
			continue
		}
		if h.Interface != "" && a.Name != h.Interface {
			continue
		}
		if a.Prefix.Contains(h.Gateway) && a.Prefix.Addr() != h.Gateway && a.Prefix.Bits() > best {
			best, h.Interface = a.Prefix.Bits(), a.Name
		}
	}
	return h, best >= 0
}

// selectActive sorts the routes of d by preference (then protocol) and
// marks the best usable one active.
func selectActive(d *Dest) {
	slices.SortStableFunc(d.Routes, func(a, b *Route) int {
		if a.Hidden != b.Hidden {
			return cmpBool(a.Hidden, b.Hidden)
		}
		return cmp.Or(cmp.Compare(a.Preference, b.Preference), cmp.Compare(a.Protocol, b.Protocol))
	})
	for _, r := range d.Routes {
		r.Active = false
	}
	if len(d.Routes) > 0 && !d.Routes[0].Hidden {
		d.Routes[0].Active = true
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// comparePrefix orders prefixes by address, then length.
func comparePrefix(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// routeKey identifies a route across recomputations, to keep its age.
func routeKey(table string, r *Route) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %d/%d %d %v", table, r.Prefix, r.Protocol, r.Preference, r.Kind, r.Multipath)
	for _, h := range r.Hops {
		fmt.Fprintf(&b, " %s@%s", h.Gateway, h.Interface)
	}
	return b.String()
}
