package routing

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"mxlab/netns"
)

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

// ShowARP writes `show arp [no-resolve]`. Names are not looked up (a lab
// has no DNS): the Name column repeats the address, as Junos does for an
// address without a name.
func ShowARP(w io.Writer, ns []netns.Neighbor, noResolve bool) {
	ns = sortedNeighbors(ns)
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

// sortedNeighbors returns the entries by interface, then address.
func sortedNeighbors(ns []netns.Neighbor) []netns.Neighbor {
	ns = slices.Clone(ns)
	slices.SortFunc(ns, func(a, b netns.Neighbor) int {
		return cmp.Or(strings.Compare(a.Interface, b.Interface), a.Addr.Compare(b.Addr))
	})
	return ns
}
