package routing

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"mxlab/shell/cmdtree"
)

// Match says which destinations a prefix argument selects.
type Match int

// Matches of `show route PREFIX [exact|longer]`.
const (
	MatchBest   Match = iota // an address: its longest match; a prefix: it and its more specifics, or else its longest match
	MatchExact               // exact: the prefix only
	MatchLonger              // longer: strictly more specific prefixes
)

// Format is the level of detail of `show route`.
type Format int

// Formats of `show route`.
const (
	Brief Format = iota
	Terse
	Detail
	Extensive
)

// Query is a parsed `show route` command.
type Query struct {
	Dest     netip.Prefix // invalid: every destination
	IsAddr   bool         // Dest was given without a length
	Match    Match
	Protocol *Protocol
	Table    string // "" for every table
	Format   Format
	Hidden   bool // show only hidden routes
}

// ErrBadArgument reports a `show route` argument that does not parse.
var ErrBadArgument = errors.New("invalid argument")

// ParseDestination parses a Junos destination: "10.1.1.1", "10.1.1.0/24",
// or the short forms "10/8" and "10.1/16" (missing octets are zero).
func ParseDestination(s string) (p netip.Prefix, isAddr bool, err error) {
	addr, bits, hasLen := strings.Cut(s, "/")
	octets := strings.Split(addr, ".")
	if len(octets) > 4 || addr == "" {
		return netip.Prefix{}, false, fmt.Errorf("%q: %w", s, ErrBadArgument)
	}
	if !hasLen && len(octets) != 4 {
		return netip.Prefix{}, false, fmt.Errorf("%q: %w", s, ErrBadArgument)
	}
	var b [4]byte
	for i, o := range octets {
		n, err := strconv.ParseUint(o, 10, 8)
		if err != nil || len(o) > 3 {
			return netip.Prefix{}, false, fmt.Errorf("%q: %w", s, ErrBadArgument)
		}
		b[i] = byte(n)
	}
	a := netip.AddrFrom4(b)
	if !hasLen {
		return netip.PrefixFrom(a, 32), true, nil
	}
	n, err := strconv.ParseUint(bits, 10, 8)
	if err != nil || n > 32 || len(bits) > 2 {
		return netip.Prefix{}, false, fmt.Errorf("%q: %w", s, ErrBadArgument)
	}
	return netip.PrefixFrom(a, int(n)).Masked(), false, nil
}

// ParseQuery turns the arguments of `show route` into a Query.
func ParseQuery(args cmdtree.Args) (Query, error) {
	var q Query
	if d := args.Get("destination", ""); d != "" {
		p, isAddr, err := ParseDestination(d)
		if err != nil {
			return q, err
		}
		q.Dest, q.IsAddr = p, isAddr
	}
	switch {
	case args.Has("exact"):
		q.Match = MatchExact
	case args.Has("longer"):
		q.Match = MatchLonger
	}
	if q.Match != MatchBest && !q.Dest.IsValid() {
		return q, fmt.Errorf("exact and longer need a destination: %w", ErrBadArgument)
	}
	if p := args.Get("protocol", ""); p != "" {
		proto, ok := map[string]Protocol{"direct": Direct, "local": Local, "ospf": OSPF, "static": Static}[p]
		if !ok {
			return q, fmt.Errorf("protocol %q: %w", p, ErrBadArgument)
		}
		q.Protocol = &proto
	}
	q.Table = strings.TrimSuffix(args.Get("table", ""), ".")
	switch {
	case args.Has("extensive"):
		q.Format = Extensive
	case args.Has("detail"):
		q.Format = Detail
	case args.Has("terse"):
		q.Format = Terse
	}
	q.Hidden = args.Has("hidden")
	return q, nil
}

// tableMatches reports whether table name is selected by the table
// argument: the full name, or its instance ("red" for red.inet.0), or a
// prefix of the name ("inet" for inet.0).
func tableMatches(arg, name string) bool {
	if arg == "" || arg == name {
		return true
	}
	return strings.HasPrefix(name, arg+".")
}

// selectDests returns the destinations of t that q shows.
func (q Query) selectDests(t *Table) []*Dest {
	var out []*Dest
	if !q.Dest.IsValid() {
		return t.Dests
	}
	var best *Dest
	for _, d := range t.Dests {
		switch {
		case q.Match == MatchExact && d.Prefix == q.Dest:
			out = append(out, d)
		case q.Match == MatchLonger && d.Prefix.Bits() > q.Dest.Bits() && q.Dest.Contains(d.Prefix.Addr()):
			out = append(out, d)
		case q.Match == MatchBest && !q.IsAddr && d.Prefix.Bits() >= q.Dest.Bits() && q.Dest.Contains(d.Prefix.Addr()):
			out = append(out, d)
		}
		if q.Match == MatchBest && d.Prefix.Bits() <= q.Dest.Bits() && d.Prefix.Contains(q.Dest.Addr()) && hasUsable(d) {
			if best == nil || d.Prefix.Bits() > best.Prefix.Bits() {
				best = d
			}
		}
	}
	if q.Match == MatchBest && len(out) == 0 && best != nil {
		out = []*Dest{best}
	}
	return out
}

func hasUsable(d *Dest) bool {
	for _, r := range d.Routes {
		if !r.Hidden {
			return true
		}
	}
	return false
}

// routeShown reports whether q shows route r.
func (q Query) routeShown(r *Route) bool {
	if q.Hidden != r.Hidden {
		return false
	}
	return q.Protocol == nil || *q.Protocol == r.Protocol
}
