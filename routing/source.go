package routing

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// defaultAddress is the router's default address in a table, which Junos
// uses as the source of the packets it sends out of an unnumbered
// interface (an inside unit of a services interface): the primary (lowest)
// non-127 address of the table's lo0 unit; else the primary address of the
// primary interface, the multicast-capable interface (Ethernet) with the
// lowest index, then a point-to-point one. Only interfaces of the
// forwarding plane count (fxp0 is not one in mxlab). addrs are the up
// addresses of the table; it returns an invalid address when there is none.
func defaultAddress(addrs []IfAddr) netip.Addr {
	var lo, eth, p2p []IfAddr
	for _, a := range addrs {
		if !a.Up || !a.Prefix.Addr().Is4() || a.Prefix.Addr().IsLoopback() {
			continue
		}
		switch ifdName(a.Name) {
		case "lo0":
			lo = append(lo, a)
		case "fxp0", "em0", "em1":
		default:
			if strings.HasPrefix(a.Name, "so-") {
				p2p = append(p2p, a)
			} else if isEthernetName(a.Name) {
				eth = append(eth, a)
			}
		}
	}
	for _, set := range [][]IfAddr{lo, eth, p2p} {
		if len(set) == 0 {
			continue
		}
		slices.SortStableFunc(set, func(a, b IfAddr) int {
			return cmp.Or(compareIFL(a.Name, b.Name), a.Prefix.Addr().Compare(b.Prefix.Addr()))
		})
		return set[0].Prefix.Addr()
	}
	return netip.Addr{}
}

// unnumbered reports whether logical interface ifl has no address in addrs.
func unnumbered(ifl string, addrs []IfAddr) bool {
	for _, a := range addrs {
		if a.Name == ifl && a.Prefix.IsValid() {
			return false
		}
	}
	return true
}

func ifdName(ifl string) string {
	name, _, _ := strings.Cut(ifl, ".")
	return name
}

func isEthernetName(ifl string) bool {
	for _, p := range []string{"ge-", "xe-", "et-"} {
		if strings.HasPrefix(ifl, p) {
			return true
		}
	}
	return false
}

// compareIFL orders logical interfaces as the router numbers them: by
// FPC, PIC, port and unit, then by name.
func compareIFL(a, b string) int {
	na, nb := iflNumbers(a), iflNumbers(b)
	return cmp.Or(slices.Compare(na, nb), strings.Compare(a, b))
}

func iflNumbers(s string) []int {
	if _, rest, ok := strings.Cut(s, "-"); ok {
		s = rest
	}
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}
