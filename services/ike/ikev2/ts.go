package ikev2

import (
	"net/netip"
)

// lastAddr returns the last address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		keep := min(max(bits-8*i, 0), 8)
		b[i] |= byte(0xff) >> keep
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// prefixSelector is the selector of every protocol and port of a prefix
// (0.0.0.0/0 when p is not valid).
func prefixSelector(p netip.Prefix) Selector {
	if !p.IsValid() {
		p = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	return Selector{StartPort: 0, EndPort: 65535, Start: p.Masked().Addr(), End: lastAddr(p)}
}

// narrow intersects the selectors offered with the prefix this side
// protects (RFC 7296 §2.9) and returns the non-empty intersections.
func narrow(offered []Selector, ours netip.Prefix) []Selector {
	mine := prefixSelector(ours)
	var out []Selector
	for _, s := range offered {
		if s.Start.Is4() != mine.Start.Is4() || s.StartPort > s.EndPort || s.Start.Compare(s.End) > 0 {
			continue
		}
		x := s
		if mine.Start.Compare(x.Start) > 0 {
			x.Start = mine.Start
		}
		if mine.End.Compare(x.End) < 0 {
			x.End = mine.End
		}
		if x.Start.Compare(x.End) <= 0 {
			out = append(out, x)
		}
	}
	return out
}

// within reports whether every selector lies inside the prefix.
func within(sel []Selector, p netip.Prefix) bool {
	mine := prefixSelector(p)
	for _, s := range sel {
		if s.Start.Is4() != mine.Start.Is4() || s.Start.Compare(mine.Start) < 0 || s.End.Compare(mine.End) > 0 {
			return false
		}
	}
	return len(sel) > 0
}

// selectorPrefix returns the prefix a single selector of all ports and
// protocols covers exactly, or def.
func selectorPrefix(sel []Selector, def netip.Prefix) netip.Prefix {
	if len(sel) != 1 || sel[0].Proto != 0 || sel[0].StartPort != 0 || sel[0].EndPort != 65535 {
		return def
	}
	s := sel[0]
	for bits := 0; bits <= s.Start.BitLen(); bits++ {
		p := netip.PrefixFrom(s.Start, bits)
		if p.Masked().Addr() == s.Start && lastAddr(p) == s.End {
			return p
		}
	}
	return def
}
