package netns

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// syncRules makes the policy rules at RulePriority send each routing
// instance's traffic to its table.
func (r *Router) syncRules(f FIB, u *undoLog) error {
	want := map[string]*netlink.Rule{}
	add := func(nr *netlink.Rule) { want[ruleKey(nr)] = nr }
	for _, t := range f.Tables {
		if t.ID == MainTable {
			continue
		}
		for _, ifl := range t.Interfaces {
			linux, err := r.linuxIFL(ifl)
			if err != nil {
				return fmt.Errorf("table %d: %w", t.ID, err)
			}
			in, out := newRule(t.ID), newRule(t.ID)
			in.IifName, out.OifName = linux, linux
			add(in)
			add(out)
		}
		for _, a := range t.Sources {
			nr := newRule(t.ID)
			nr.Src = ipNet(netip.PrefixFrom(a, a.BitLen()))
			add(nr)
		}
		nr := newRule(t.ID)
		nr.Mark = uint32(t.ID)
		add(nr)
	}
	rules, err := retryDump(func() ([]netlink.Rule, error) { return r.nl.RuleList(netlink.FAMILY_V4) })
	if err != nil {
		return fmt.Errorf("list rules: %w", err)
	}
	have := map[string]bool{}
	for i := range rules {
		old := &rules[i]
		if old.Priority != RulePriority {
			continue
		}
		k := ruleKey(old)
		if _, ok := want[k]; ok {
			have[k] = true
			continue
		}
		if err := r.nl.RuleDel(old); err != nil {
			return fmt.Errorf("delete rule %s: %w", k, err)
		}
		u.push(func() error { return r.nl.RuleAdd(old) })
	}
	for _, k := range sortedKeys(want) {
		if have[k] {
			continue
		}
		nr := want[k]
		if err := r.nl.RuleAdd(nr); err != nil {
			return fmt.Errorf("add rule %s: %w", k, err)
		}
		u.push(func() error { return r.nl.RuleDel(nr) })
	}
	return nil
}

func newRule(table int) *netlink.Rule {
	nr := netlink.NewRule()
	nr.Family = netlink.FAMILY_V4
	nr.Priority = RulePriority
	nr.Table = table
	return nr
}

func ruleKey(nr *netlink.Rule) string {
	src := ""
	if nr.Src != nil {
		src = prefixOf(nr.Src).String()
	}
	return fmt.Sprintf("table %d iif %q oif %q from %q mark %d", nr.Table, nr.IifName, nr.OifName, src, nr.Mark)
}

// hideConnected removes from the main table the connected routes the
// kernel made for interfaces bound to another table.
func (r *Router) hideConnected(f FIB, u *undoLog) error {
	bound := map[int]bool{}
	for _, t := range f.Tables {
		if t.ID == MainTable {
			continue
		}
		for _, ifl := range t.Interfaces {
			idx, err := r.linkIndex(ifl)
			if err != nil {
				return err
			}
			bound[idx] = true
		}
	}
	if len(bound) == 0 {
		return nil
	}
	kernel, err := r.listTable(MainTable, unix.RTPROT_KERNEL)
	if err != nil {
		return err
	}
	for i := range kernel {
		old := &kernel[i]
		if !bound[old.LinkIndex] {
			continue
		}
		if err := r.nl.RouteDel(old); err != nil {
			return fmt.Errorf("delete connected route %s: %w", routeKey(old), err)
		}
		u.push(func() error { return r.nl.RouteAdd(readdable(old)) })
	}
	return nil
}

// KernelRoute is an IPv4 route as the kernel holds it.
type KernelRoute struct {
	Prefix    netip.Prefix
	Kind      RouteKind
	Gateway   netip.Addr
	Interface string // logical interface (Junos name), "" when none
	Connected bool   // made by the kernel for an interface address
	Ours      bool   // programmed by PrepareFIB
	Metric    int
}

// KernelRoutes lists the IPv4 routes of a kernel table (MainTable,
// LocalTable or an instance's table), multipath routes as one entry per
// next hop.
func (r *Router) KernelRoutes(table int) ([]KernelRoute, error) {
	rs, err := r.listTable(table, 0)
	if err != nil {
		return nil, err
	}
	names := r.linkNames()
	var out []KernelRoute
	for _, nr := range rs {
		kr := KernelRoute{
			Prefix: prefixOf(nr.Dst), Kind: kindOf(nr.Type), Metric: nr.Priority,
			Connected: nr.Protocol == unix.RTPROT_KERNEL, Ours: nr.Protocol == Proto,
		}
		if nr.Dst == nil {
			kr.Prefix = netip.MustParsePrefix("0.0.0.0/0")
		}
		if len(nr.MultiPath) == 0 {
			kr.Gateway, kr.Interface = addrOf(nr.Gw), names[nr.LinkIndex]
			out = append(out, kr)
			continue
		}
		for _, h := range nr.MultiPath {
			kr.Gateway, kr.Interface = addrOf(h.Gw), names[h.LinkIndex]
			out = append(out, kr)
		}
	}
	return out, nil
}

func kindOf(t int) RouteKind {
	switch t {
	case unix.RTN_BLACKHOLE:
		return Discard
	case unix.RTN_UNREACHABLE, unix.RTN_PROHIBIT:
		return Reject
	case unix.RTN_LOCAL:
		return Local
	case unix.RTN_BROADCAST:
		return Broadcast
	}
	return Unicast
}

func addrOf(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}

// linkNames maps link indexes to logical interface names.
func (r *Router) linkNames() map[int]string {
	m := map[int]string{}
	ls, err := retryDump(r.nl.LinkList)
	if err != nil {
		return m
	}
	for _, l := range ls {
		m[l.Attrs().Index] = junosIFL(l.Attrs().Name)
	}
	return m
}

// Neighbor is a resolved ARP entry.
type Neighbor struct {
	Addr      netip.Addr
	MAC       net.HardwareAddr
	Interface string // logical interface (Junos name)
	Permanent bool
}

// Neighbors lists the resolved IPv4 neighbours (the ARP table).
func (r *Router) Neighbors() ([]Neighbor, error) {
	ns, err := retryDump(func() ([]netlink.Neigh, error) { return r.nl.NeighList(0, netlink.FAMILY_V4) })
	if err != nil {
		return nil, fmt.Errorf("router %s: list neighbours: %w", r.h.name, err)
	}
	names := r.linkNames()
	var out []Neighbor
	for _, n := range ns {
		if len(n.HardwareAddr) == 0 || n.State&(netlink.NUD_FAILED|netlink.NUD_INCOMPLETE|netlink.NUD_NOARP) != 0 {
			continue
		}
		out = append(out, Neighbor{
			Addr: addrOf(n.IP), MAC: n.HardwareAddr, Interface: names[n.LinkIndex],
			Permanent: n.State&netlink.NUD_PERMANENT != 0,
		})
	}
	return out, nil
}

// Do runs fn inside the router's namespace (see the package function Do).
func (r *Router) Do(fn func() error) error { return Do(r.h, fn) }
