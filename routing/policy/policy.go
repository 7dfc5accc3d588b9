package policy

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Route is what a policy sees of a route.
type Route struct {
	Prefix     netip.Prefix
	Protocol   string // "direct", "local", "static", "ospf", "aggregate"
	Interface  string // logical interface of the next hop, "" when none
	NextHop    netip.Addr
	Neighbor   netip.Addr // the router the route was learned from
	Area       netip.Addr // OSPF area, for OSPF routes
	External   int        // OSPF external type (1 or 2); 0 for internal routes
	Metric     uint32
	Tag        uint32
	Preference int
	Active     bool
}

// Action is what a chain decided for a route.
type Action int

// Actions: Default means no policy of the chain accepted or rejected the
// route, so the protocol's default policy applies.
const (
	Default Action = iota
	Accept
	Reject
)

func (a Action) String() string { return [...]string{"default", "accept", "reject"}[a] }

// Result is the decision and the attributes the policies set.
type Result struct {
	Action     Action
	Metric     *uint32
	Tag        *uint32
	Preference *int
	External   int // external type set by "then external type N"; 0 when not set
}

// Set is the policy-options of a configuration.
type Set struct {
	Policies    map[string]*Statement
	PrefixLists map[string][]netip.Prefix
}

// Statement is a policy-statement.
type Statement struct {
	Name  string
	Terms []*Term
}

// Term is a term of a policy (the statement's own from/then is a last,
// unnamed term).
type Term struct {
	Name string
	From From
	Then Then
}

// From are the match conditions of a term. Empty lists match everything;
// the values of one list are alternatives.
type From struct {
	Protocols    []string
	Filters      []*Filter // route-filter
	PrefixLists  []ListRef // prefix-list
	ListFilters  []*Filter // prefix-list-filter, expanded by Resolve
	Interfaces   []string  // interface names or addresses
	Neighbors    []netip.Addr
	NextHops     []netip.Addr
	Area         *netip.Addr
	Tags         []uint32
	Metric       *uint32
	RouteType    string // "internal" or "external"
	ExternalType int    // from external type N (0: any external when External)
	External     bool
	Family       string
	Policies     []string // from policy (subroutines)
	Unsupported  []string // conditions this package cannot match: the term never matches
}

// ListRef is a prefix-list reference.
type ListRef struct {
	Name   string
	Invert bool
}

// Filter is a route-filter (or an expanded prefix-list-filter) with its
// optional own actions.
type Filter struct {
	Prefix netip.Prefix
	Kind   string // exact, longer, orlonger, upto, prefix-length-range, through, address-mask
	Lo, Hi int    // prefix lengths accepted (upto, prefix-length-range)
	Then   *Then  // actions given on the filter line itself, or nil
}

// Then are the actions of a term.
type Then struct {
	Accept, Reject bool
	Next           string // "term" or "policy"
	Default        Action // default-action accept|reject
	Metric         *Arith
	Tag            *Arith
	Preference     *Arith
	External       int
}

// Arith sets or changes a numeric attribute.
type Arith struct {
	Op    byte // '=', '+', '-'
	Value uint32
}

func (a *Arith) apply(v uint32) uint32 {
	switch a.Op {
	case '+':
		return v + a.Value
	case '-':
		if a.Value > v {
			return 0
		}
		return v - a.Value
	}
	return a.Value
}

// Evaluate runs route r through the chain of policies named in chain. An
// unknown policy name rejects (the commit check refuses such names).
func (s *Set) Evaluate(chain []string, r Route) Result {
	var res Result
	metric, tag, pref := r.Metric, r.Tag, r.Preference
	def := Default
	for _, name := range chain {
		p := s.Policies[name]
		if p == nil {
			res.Action = Reject
			return res
		}
		act := s.runPolicy(p, &r, &res, &metric, &tag, &pref, &def, 0)
		if act != Default {
			res.Action = act
			return res
		}
	}
	res.Action = def
	return res
}

// maxDepth bounds "from policy" recursion (the commit check refuses loops).
const maxDepth = 16

func (s *Set) runPolicy(p *Statement, r *Route, res *Result, metric, tag *uint32, pref *int, def *Action, depth int) Action {
	for _, t := range p.Terms {
		th, ok := s.match(&t.From, *r, depth)
		if !ok {
			continue
		}
		if th == nil {
			th = &t.Then
		}
		act, next := apply(th, res, metric, tag, pref, def)
		r.Metric, r.Tag, r.Preference = *metric, *tag, *pref
		if act != Default {
			return act
		}
		if next == "policy" {
			return Default
		}
	}
	return Default
}

// apply performs the actions of a term: it returns the terminating action,
// if any, and the "next" flow control.
func apply(th *Then, res *Result, metric, tag *uint32, pref *int, def *Action) (Action, string) {
	if th.Metric != nil {
		*metric = th.Metric.apply(*metric)
		v := *metric
		res.Metric = &v
	}
	if th.Tag != nil {
		*tag = th.Tag.apply(*tag)
		v := *tag
		res.Tag = &v
	}
	if th.Preference != nil {
		*pref = int(th.Preference.apply(uint32(*pref)))
		v := *pref
		res.Preference = &v
	}
	if th.External != 0 {
		res.External = th.External
	}
	if th.Default != Default {
		*def = th.Default
	}
	switch {
	case th.Accept:
		return Accept, ""
	case th.Reject:
		return Reject, ""
	}
	return Default, th.Next
}

// match reports whether r meets every condition of f; the returned Then is
// the action of the matching route-filter line, when it has one.
func (s *Set) match(f *From, r Route, depth int) (*Then, bool) {
	if len(f.Unsupported) > 0 {
		return nil, false
	}
	if len(f.Protocols) > 0 && !slices.Contains(f.Protocols, r.Protocol) {
		return nil, false
	}
	if f.Family != "" && f.Family != "inet" {
		return nil, false
	}
	if len(f.Interfaces) > 0 && !matchInterface(f.Interfaces, r) {
		return nil, false
	}
	if len(f.Neighbors) > 0 && !slices.Contains(f.Neighbors, r.Neighbor) {
		return nil, false
	}
	if len(f.NextHops) > 0 && !slices.Contains(f.NextHops, r.NextHop) {
		return nil, false
	}
	if f.Area != nil && (r.Protocol != "ospf" || r.Area != *f.Area) {
		return nil, false
	}
	if len(f.Tags) > 0 && !slices.Contains(f.Tags, r.Tag) {
		return nil, false
	}
	if f.Metric != nil && *f.Metric != r.Metric {
		return nil, false
	}
	if !matchRouteType(f, r) {
		return nil, false
	}
	for _, name := range f.Policies {
		p := s.Policies[name]
		if p == nil || depth >= maxDepth {
			return nil, false
		}
		var res Result
		m, t, pr, def := r.Metric, r.Tag, r.Preference, Default
		if s.runPolicy(p, &r, &res, &m, &t, &pr, &def, depth+1) != Accept {
			return nil, false
		}
	}
	var filterThen *Then
	if len(f.Filters)+len(f.ListFilters)+len(f.PrefixLists) > 0 {
		// route-filter, prefix-list and prefix-list-filter are one
		// condition: a route matches when any of them does.
		if fl := longestFilter(append(slices.Clip(f.Filters), f.ListFilters...), r.Prefix); fl != nil {
			filterThen = fl.Then
		} else if !s.matchPrefixLists(f.PrefixLists, r.Prefix) {
			return nil, false
		}
	}
	return filterThen, true
}

func matchRouteType(f *From, r Route) bool {
	switch f.RouteType {
	case "internal":
		if r.External != 0 {
			return false
		}
	case "external":
		if r.External == 0 {
			return false
		}
	}
	if f.External {
		if r.External == 0 || f.ExternalType != 0 && f.ExternalType != r.External {
			return false
		}
	}
	return true
}

func matchInterface(names []string, r Route) bool {
	for _, n := range names {
		if a, err := netip.ParseAddr(n); err == nil {
			if a == r.NextHop {
				return true
			}
			continue
		}
		if n == r.Interface || !strings.Contains(n, ".") && strings.HasPrefix(r.Interface, n+".") {
			return true
		}
	}
	return false
}

// longestFilter returns the route-filter whose prefix is the longest one
// containing p, if its match type accepts p (Junos route-filters: the
// longest match is found first, then its type is checked, with no walk-up
// to shorter filters).
func longestFilter(fs []*Filter, p netip.Prefix) *Filter {
	best := -1
	var cands []*Filter
	for _, f := range fs {
		if f.Prefix.Bits() > p.Bits() || !f.Prefix.Contains(p.Addr()) {
			continue
		}
		switch b := f.Prefix.Bits(); {
		case b > best:
			best, cands = b, []*Filter{f}
		case b == best:
			cands = append(cands, f)
		}
	}
	for _, f := range cands {
		if f.accepts(p) {
			return f
		}
	}
	return nil
}

func (f *Filter) accepts(p netip.Prefix) bool {
	b := p.Bits()
	switch f.Kind {
	case "exact":
		return b == f.Prefix.Bits()
	case "longer":
		return b > f.Prefix.Bits()
	case "orlonger":
		return b >= f.Prefix.Bits()
	case "upto", "prefix-length-range":
		return b >= f.Lo && b <= f.Hi
	case "through":
		return b >= f.Lo && b <= f.Hi
	case "address-mask":
		return b == f.Hi
	}
	return false
}

func (s *Set) matchPrefixLists(refs []ListRef, p netip.Prefix) bool {
	for _, ref := range refs {
		found := slices.Contains(s.PrefixLists[ref.Name], p)
		if found != ref.Invert {
			return true
		}
	}
	return false
}

// ParseFilter parses the words of a route-filter line after the prefix:
// the match type and its value ("orlonger", "upto /24",
// "prefix-length-range /16-/24").
func ParseFilter(prefix netip.Prefix, kind, value string) (*Filter, bool) {
	f := &Filter{Prefix: prefix.Masked(), Kind: kind}
	n := prefix.Bits()
	switch kind {
	case "exact", "longer", "orlonger":
		return f, true
	case "upto":
		hi, ok := slashLen(value)
		if !ok || hi < n {
			return nil, false
		}
		f.Lo, f.Hi = n, hi
	case "prefix-length-range":
		a, b, found := strings.Cut(value, "-")
		lo, ok1 := slashLen(a)
		hi, ok2 := slashLen(b)
		if !found || !ok1 || !ok2 || lo < n || hi < lo {
			return nil, false
		}
		f.Lo, f.Hi = lo, hi
	case "through":
		q, err := netip.ParsePrefix(value)
		if err != nil || q.Bits() < n || !prefix.Contains(q.Addr()) {
			return nil, false
		}
		f.Lo, f.Hi = n, q.Bits()
	case "address-mask":
		m, err := netip.ParseAddr(value)
		if err != nil || !m.Is4() {
			return nil, false
		}
		bits := maskLen(m)
		if bits < 0 {
			return nil, false
		}
		f.Hi = bits
	default:
		return nil, false
	}
	return f, true
}

func slashLen(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "/"))
	if err != nil || !strings.HasPrefix(s, "/") || n < 0 || n > 32 {
		return 0, false
	}
	return n, true
}

func maskLen(m netip.Addr) int {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for v&0x80000000 != 0 {
		n++
		v <<= 1
	}
	if v != 0 {
		return -1
	}
	return n
}

// Names returns the policy names in order.
func (s *Set) Names() []string {
	out := make([]string, 0, len(s.Policies))
	for n := range s.Policies {
		out = append(out, n)
	}
	slices.SortFunc(out, cmp.Compare)
	return out
}
