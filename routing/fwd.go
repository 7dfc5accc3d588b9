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

// ShowSummary writes `show route summary`.
func ShowSummary(w io.Writer, rib *RIB, routerID netip.Addr) {
	fmt.Fprintf(w, "Router ID: %s\n", routerID)
	for _, t := range rib.Tables {
		d, n, a, h := t.Counts()
		fmt.Fprintf(w, "\n%s: %d destinations, %d routes (%d active, 0 holddown, %d hidden)\n", t.Name, d, n, a, h)
		for _, p := range Protocols {
			routes, active := 0, 0
			for _, dst := range t.Dests {
				for _, r := range dst.Routes {
					if r.Protocol == p {
						routes++
						if r.Active {
							active++
						}
					}
				}
			}
			if routes > 0 {
				fmt.Fprintf(w, "%20s:%7d routes,%7d active\n", p, routes, active)
			}
		}
	}
}

// RouterID is routing-options router-id, or else the first address of
// lo0.0, or else the lowest address of an interface.
func RouterID(cfg Config) netip.Addr {
	if cfg.RouterID.IsValid() {
		return cfg.RouterID
	}
	var best netip.Addr
	for _, a := range cfg.Interfaces {
		if a.Name == "lo0.0" && a.Prefix.Addr().Is4() {
			return a.Prefix.Addr()
		}
		if a.Prefix.Addr().Is4() && (!best.IsValid() || a.Prefix.Addr().Less(best)) {
			best = a.Prefix.Addr()
		}
	}
	if !best.IsValid() {
		return netip.IPv4Unspecified()
	}
	return best
}

// fwdEntry is a row of `show route forwarding-table`.
type fwdEntry struct {
	prefix  netip.Prefix
	typ     string // perm, intf, dest, user
	nextHop string
	nhType  string // rjct, dscd, rslv, locl, bcst, ucst, recv
	netif   string
}

// forwardingTable reads the kernel's entries of table t.
func forwardingTable(dp Dataplane, t *Table, instanceIfs map[string]bool) ([]fwdEntry, error) {
	krs, err := dp.KernelRoutes(t.ID)
	if err != nil {
		return nil, err
	}
	local, err := dp.KernelRoutes(netns.LocalTable)
	if err != nil {
		return nil, err
	}
	mine := func(ifl string) bool {
		if t.Instance != "" {
			return slices.Contains(t.Interfaces, ifl)
		}
		return !instanceIfs[ifl]
	}
	var out []fwdEntry
	hasDefault := false
	for _, kr := range krs {
		out = append(out, routeEntry(kr))
		hasDefault = hasDefault || kr.Prefix.Bits() == 0
	}
	if !hasDefault && t.Instance == "" {
		// No default route: the kernel rejects what matches nothing, as
		// the permanent reject default of Junos does.
		out = append(out, fwdEntry{prefix: netip.PrefixFrom(netip.IPv4Unspecified(), 0), typ: "perm", nhType: "rjct"})
	}
	for _, kr := range local {
		if kr.Prefix.Addr().IsLoopback() || !mine(kr.Interface) {
			continue
		}
		a := kr.Prefix.Addr().String()
		switch kr.Kind {
		case netns.Local:
			out = append(out, fwdEntry{prefix: kr.Prefix, typ: "intf", nextHop: a, nhType: "locl"})
		case netns.Broadcast:
			out = append(out, fwdEntry{prefix: kr.Prefix, typ: "dest", nextHop: a, nhType: "bcst", netif: kr.Interface})
		}
	}
	ns, err := dp.Neighbors()
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		if mine(n.Interface) {
			out = append(out, fwdEntry{prefix: netip.PrefixFrom(n.Addr, 32), typ: "dest", nextHop: junosMAC(n.MAC), nhType: "ucst", netif: n.Interface})
		}
	}
	slices.SortStableFunc(out, func(a, b fwdEntry) int {
		return cmp.Or(comparePrefix(a.prefix, b.prefix), cmp.Compare(a.typ, b.typ)*-1)
	})
	return out, nil
}

func routeEntry(kr netns.KernelRoute) fwdEntry {
	e := fwdEntry{prefix: kr.Prefix, typ: "user", netif: kr.Interface}
	switch {
	case kr.Kind == netns.Reject && kr.Prefix.Bits() == 0 && kr.Metric > 0:
		e.typ, e.nhType, e.netif = "perm", "rjct", ""
	case kr.Kind == netns.Reject:
		e.nhType = "rjct"
	case kr.Kind == netns.Discard:
		e.nhType = "dscd"
	case !kr.Gateway.IsValid():
		e.typ, e.nhType = "intf", "rslv"
	default:
		e.nextHop, e.nhType = kr.Gateway.String(), "ucst"
	}
	return e
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
// Index is 0 (the kernel has no next-hop index for these routes); NhRef
// counts the entries that share the next hop.
func writeForwardingTable(w io.Writer, name string, es []fwdEntry) {
	fmt.Fprintf(w, "Routing table: %s.inet\nInternet:\n", name)
	io.WriteString(w, "Destination        Type RtRef Next hop           Type Index    NhRef Netif\n")
	refs := map[string]int{}
	key := func(e fwdEntry) string { return e.nextHop + " " + e.nhType + " " + e.netif }
	for _, e := range es {
		refs[key(e)]++
	}
	for _, e := range es {
		dest := e.prefix.String()
		if e.prefix.Bits() == 0 {
			dest = "default"
		}
		line := fmt.Sprintf("%-18s %-4s %5d %-18s %-4s %8d %5d %s", dest, e.typ, 0, e.nextHop, e.nhType, 0, refs[key(e)], e.netif)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// ShowARP writes `show arp [no-resolve]`. Names are not looked up (a lab
// has no DNS): the Name column repeats the address, as Junos does for an
// address without a name.
func ShowARP(w io.Writer, ns []netns.Neighbor, noResolve bool) {
	slices.SortFunc(ns, func(a, b netns.Neighbor) int {
		return cmp.Or(strings.Compare(a.Interface, b.Interface), a.Addr.Compare(b.Addr))
	})
	if noResolve {
		io.WriteString(w, "MAC Address       Address         Interface                Flags\n")
	} else {
		io.WriteString(w, "MAC Address       Address         Name                      Interface               Flags\n")
	}
	for _, n := range ns {
		flags := "none"
		if n.Permanent {
			flags = "permanent"
		}
		if noResolve {
			fmt.Fprintf(w, "%-17s %-15s %-24s %s\n", n.MAC, n.Addr, n.Interface, flags)
		} else {
			fmt.Fprintf(w, "%-17s %-15s %-25s %-23s %s\n", n.MAC, n.Addr, n.Addr, n.Interface, flags)
		}
	}
	fmt.Fprintf(w, "Total entries: %d\n", len(ns))
}
