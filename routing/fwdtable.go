package routing

import (
	"cmp"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"

	"mxlab/netns"
)

// FwdTable is one table of `show route forwarding-table`.
type FwdTable struct {
	Name    string // "default.inet", "red.inet"
	Entries []FwdEntry
}

// FwdEntry is a row of `show route forwarding-table`.
type FwdEntry struct {
	Prefix  netip.Prefix
	Type    string // perm, user, intf, dest
	RtRef   int
	NextHop string // gateway, MAC address, own address; "" when none
	NhType  string // ucst, rslv, locl, recv, bcst, rjct, dscd, mdsc, mcst
	Index   int
	NhRef   int // entries sharing the next hop
	Netif   string
}

// typeOrder orders the entries of one destination as Junos lists them.
var typeOrder = map[string]int{"user": 0, "intf": 1, "dest": 2, "perm": 3}

// forwardingTable builds the forwarding table of t: its permanent entries,
// the routes the kernel holds in its table, the router's own addresses
// (the kernel's local table) with their subnets' network and broadcast
// addresses, and the neighbours the kernel resolved. instanceIfs are the
// interfaces bound to routing instances, which inet.0 does not show.
func (r *Router) forwardingTable(t *Table, instanceIfs map[string]bool) (FwdTable, error) {
	name := "default"
	if t.Instance != "" {
		name = t.Instance
	}
	ft := FwdTable{Name: name + ".inet"}
	krs, err := r.dp.KernelRoutes(t.ID)
	if err != nil {
		return ft, err
	}
	ns, err := r.dp.Neighbors()
	if err != nil {
		return ft, err
	}
	mine := func(ifl string) bool {
		if t.Instance != "" {
			return slices.Contains(t.Interfaces, ifl)
		}
		return !instanceIfs[ifl]
	}
	add := func(e FwdEntry, k nhKey) {
		e.Index = r.nh.index(k)
		ft.Entries = append(ft.Entries, e)
	}
	perm := func(p, typ string, hop string) {
		add(FwdEntry{Prefix: netip.MustParsePrefix(p), Type: "perm", NextHop: hop, NhType: typ}, nhKey{table: t.ID, typ: typ})
	}
	perm("0.0.0.0/0", nhReject, "")
	perm("0.0.0.0/32", nhDiscard, "")
	perm("224.0.0.0/4", nhMultiDisc, "")
	perm("224.0.0.1/32", nhMulticast, "224.0.0.1")
	perm("255.255.255.255/32", nhBroadcast, "")
	for _, kr := range krs {
		if kr.Kind == netns.Reject && kr.Prefix.Bits() == 0 && kr.Metric > 0 {
			continue // the kernel's form of the permanent reject default
		}
		if kr.Interface != "" && !mine(kr.Interface) {
			continue
		}
		e, k := routeEntry(t, kr)
		switch {
		case e.Type == "intf" && kr.Prefix.Bits() == 32:
			continue // a loopback address: its local entry stands for it
		case e.Type != "intf" && kr.Connected && !kr.Gateway.IsValid():
			continue // the kernel keeps the subnet of a link that is down; Junos does not
		}
		add(e, k)
		if e.Type == "intf" && kr.Prefix.Bits() < 31 {
			net := kr.Prefix.Masked().Addr()
			add(FwdEntry{Prefix: netip.PrefixFrom(net, 32), Type: "dest", NextHop: net.String(), NhType: nhReceive, Netif: kr.Interface},
				nhKey{table: t.ID, typ: nhReceive, addr: net, ifl: kr.Interface})
		}
	}
	for _, a := range t.addresses() {
		ifl, addr := a.Name, a.Prefix.Addr()
		k := nhKey{table: t.ID, typ: nhLocal, addr: addr}
		add(FwdEntry{Prefix: netip.PrefixFrom(addr, 32), Type: "intf", NextHop: addr.String(), NhType: nhLocal}, k)
		if a.Prefix.Bits() == 32 {
			continue // a loopback address: no subnet
		}
		add(FwdEntry{Prefix: netip.PrefixFrom(addr, 32), Type: "dest", NextHop: addr.String(), NhType: nhLocal}, k)
		if a.Prefix.Bits() < 31 {
			b := broadcast(a.Prefix)
			add(FwdEntry{Prefix: netip.PrefixFrom(b, 32), Type: "dest", NextHop: b.String(), NhType: nhBroadcast, Netif: ifl},
				nhKey{table: t.ID, typ: nhBroadcast, addr: b, ifl: ifl})
		}
	}
	for _, n := range ns {
		if !mine(n.Interface) {
			continue
		}
		add(FwdEntry{Prefix: netip.PrefixFrom(n.Addr, 32), Type: "dest", NextHop: junosMAC(n.MAC), NhType: nhUnicast, Netif: n.Interface},
			hopKey(t.ID, Hop{Gateway: n.Addr, Interface: n.Interface}))
	}
	refs := map[int]int{}
	for _, e := range ft.Entries {
		refs[e.Index]++
	}
	for i := range ft.Entries {
		ft.Entries[i].NhRef = refs[ft.Entries[i].Index]
	}
	slices.SortStableFunc(ft.Entries, func(a, b FwdEntry) int {
		return cmp.Or(comparePrefix(a.Prefix, b.Prefix), cmp.Compare(typeOrder[a.Type], typeOrder[b.Type]))
	})
	return ft, nil
}

// routeEntry is the entry of a route of the kernel table: a route the
// routing table has as Direct is the interface's subnet ("intf", resolved
// by ARP); the others are routes of the configuration ("user"), sharing
// the table's discard and reject next hops or a unicast next hop with the
// neighbour they lead to.
func routeEntry(t *Table, kr netns.KernelRoute) (FwdEntry, nhKey) {
	e := FwdEntry{Prefix: kr.Prefix, Type: "user", Netif: kr.Interface}
	switch {
	case kr.Kind == netns.Reject:
		e.NhType, e.Netif = nhReject, ""
		return e, nhKey{table: t.ID, typ: nhReject}
	case kr.Kind == netns.Discard:
		e.NhType, e.Netif = nhDiscard, ""
		return e, nhKey{table: t.ID, typ: nhDiscard}
	case !kr.Gateway.IsValid() && t.direct(kr.Prefix, kr.Interface):
		e.Type, e.NhType = "intf", nhResolve
		return e, nhKey{table: t.ID, typ: nhResolve, addr: kr.Prefix.Masked().Addr(), ifl: kr.Interface}
	}
	e.NhType = nhUnicast
	if kr.Gateway.IsValid() {
		e.NextHop = kr.Gateway.String()
	}
	return e, hopKey(t.ID, Hop{Gateway: kr.Gateway, Interface: kr.Interface})
}

// direct reports whether p is a connected subnet of interface ifl in t.
func (t *Table) direct(p netip.Prefix, ifl string) bool {
	for _, d := range t.Dests {
		if d.Prefix != p {
			continue
		}
		for _, r := range d.Routes {
			if r.Protocol == Direct && len(r.Hops) > 0 && r.Hops[0].Interface == ifl {
				return true
			}
		}
	}
	return false
}

// addresses are the router's own addresses in t: the Local route of each
// subnet address and the Direct /32 of each loopback address, with the
// prefix length configured.
func (t *Table) addresses() []IfAddr {
	var out []IfAddr
	for _, d := range t.Dests {
		for _, r := range d.Routes {
			if len(r.Hops) == 0 {
				continue
			}
			switch {
			case r.Protocol == Local:
				out = append(out, IfAddr{Name: r.Hops[0].Interface, Prefix: t.subnetOf(d.Prefix.Addr(), r.Hops[0].Interface)})
			case r.Protocol == Direct && d.Prefix.Bits() == 32:
				out = append(out, IfAddr{Name: r.Hops[0].Interface, Prefix: d.Prefix})
			}
		}
	}
	return out
}

// subnetOf returns the address a with the length of the connected subnet
// of ifl that holds it.
func (t *Table) subnetOf(a netip.Addr, ifl string) netip.Prefix {
	best := netip.PrefixFrom(a, 32)
	for _, d := range t.Dests {
		if d.Prefix.Bits() < best.Bits() && d.Prefix.Contains(a) && t.direct(d.Prefix, ifl) {
			best = netip.PrefixFrom(a, d.Prefix.Bits())
		}
	}
	return best
}

// junosMAC prints a MAC address the way the forwarding table does:
// "0:5:86:1b:4b:3".
func junosMAC(m net.HardwareAddr) string {
	parts := make([]string, len(m))
	for i, b := range m {
		parts[i] = fmt.Sprintf("%x", b)
	}
	return strings.Join(parts, ":")
}

// writeForwardingTable writes one table of `show route forwarding-table`.
func writeForwardingTable(w io.Writer, ft FwdTable) {
	fmt.Fprintf(w, "Routing table: %s\nInternet:\n", ft.Name)
	io.WriteString(w, "Destination        Type RtRef Next hop           Type Index    NhRef Netif\n")
	for _, e := range ft.Entries {
		dest := e.Prefix.String()
		if e.Prefix.Bits() == 0 {
			dest = "default"
		}
		line := fmt.Sprintf("%-18s %-4s %5d %-18s %-4s %8d %5d %s", dest, e.Type, e.RtRef, e.NextHop, e.NhType, e.Index, e.NhRef, e.Netif)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}
