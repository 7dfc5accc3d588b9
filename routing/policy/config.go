package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"mxlab/config"
)

// Parse reads policy-options from a configuration: policy-statements and
// prefix-lists. Conditions it cannot evaluate make their term never match
// (From.Unsupported names them).
func Parse(root *config.Node) *Set {
	s := &Set{Policies: map[string]*Statement{}, PrefixLists: map[string][]netip.Prefix{}}
	po := root.Get("policy-options")
	for _, pl := range po.Entries("prefix-list") {
		var ps []netip.Prefix
		for _, it := range pl.Entries("prefix-list-item") {
			if p, err := netip.ParsePrefix(it.Key()); err == nil {
				ps = append(ps, p.Masked())
			} else if a, err := netip.ParseAddr(it.Key()); err == nil {
				ps = append(ps, netip.PrefixFrom(a, a.BitLen()))
			}
		}
		s.PrefixLists[pl.Key()] = ps
	}
	for _, ps := range po.Entries("policy-statement") {
		st := &Statement{Name: ps.Key()}
		for _, t := range ps.Entries("term") {
			st.Terms = append(st.Terms, s.parseTerm(t.Key(), t))
		}
		if ps.Get("from") != nil || ps.Get("then") != nil || ps.Get("to") != nil {
			st.Terms = append(st.Terms, s.parseTerm("", ps))
		}
		s.Policies[st.Name] = st
	}
	return s
}

func (s *Set) parseTerm(name string, n *config.Node) *Term {
	t := &Term{Name: name}
	if f := n.Get("from"); f != nil {
		t.From = s.parseFrom(f)
	}
	if n.Get("to") != nil {
		t.From.Unsupported = append(t.From.Unsupported, "to")
	}
	if th := n.Get("then"); th != nil {
		t.Then = parseThen(th)
	}
	return t
}

// fromKnown are the from conditions parseFrom understands.
var fromKnown = []string{"protocol", "route-filter", "prefix-list", "prefix-list-filter", "interface",
	"neighbor", "next-hop", "area", "tag", "metric", "route-type", "external", "family", "policy"}

func (s *Set) parseFrom(f *config.Node) From {
	var out From
	for _, k := range f.Kids {
		if !slices.Contains(fromKnown, k.Name()) && k.Name() != "apply-groups" && k.Name() != "apply-groups-except" {
			out.Unsupported = append(out.Unsupported, k.Name())
		}
	}
	if p := f.Get("protocol"); p != nil {
		out.Protocols = slices.Clone(p.Values)
	}
	for _, rf := range f.Entries("route-filter") {
		if fl := filterOf(rf); fl != nil {
			out.Filters = append(out.Filters, fl)
		} else {
			out.Unsupported = append(out.Unsupported, "route-filter")
		}
	}
	for _, pl := range f.Entries("prefix-list") {
		_, inv := pl.Leaf("invert-match")
		out.PrefixLists = append(out.PrefixLists, ListRef{Name: pl.Key(), Invert: inv})
	}
	for _, plf := range f.Entries("prefix-list-filter") {
		if len(plf.Keys) < 2 {
			continue
		}
		for _, p := range s.PrefixLists[plf.Keys[0]] {
			if fl, ok := ParseFilter(p, plf.Keys[1], ""); ok {
				fl.Then = filterThen(plf)
				out.ListFilters = append(out.ListFilters, fl)
			}
		}
	}
	if i := f.Get("interface"); i != nil {
		out.Interfaces = slices.Clone(i.Values)
	}
	out.Neighbors = addrs(f.Get("neighbor"))
	out.NextHops = addrs(f.Get("next-hop"))
	if v, ok := f.Leaf("area"); ok {
		if a, err := netip.ParseAddr(v); err == nil {
			out.Area = &a
		}
	}
	if t := f.Get("tag"); t != nil {
		for _, v := range t.Values {
			if n, err := strconv.ParseUint(v, 10, 32); err == nil {
				out.Tags = append(out.Tags, uint32(n))
			}
		}
	}
	if v, ok := f.Leaf("metric"); ok {
		if n, err := strconv.ParseUint(v, 10, 32); err == nil {
			m := uint32(n)
			out.Metric = &m
		}
	}
	out.RouteType, _ = f.Leaf("route-type")
	if e := f.Get("external"); e != nil {
		out.External = true
		if v, ok := e.Leaf("type"); ok {
			out.ExternalType, _ = strconv.Atoi(v)
		}
	}
	out.Family, _ = f.Leaf("family")
	if p := f.Get("policy"); p != nil {
		out.Policies = slices.Clone(p.Values)
	}
	return out
}

func addrs(n *config.Node) []netip.Addr {
	if n == nil {
		return nil
	}
	var out []netip.Addr
	for _, v := range n.Values {
		if a, err := netip.ParseAddr(v); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// filterOf reads a route-filter line: keys address, match type, value.
func filterOf(rf *config.Node) *Filter {
	if len(rf.Keys) < 2 {
		return nil
	}
	p, err := netip.ParsePrefix(rf.Keys[0])
	if err != nil {
		return nil
	}
	val := ""
	if len(rf.Keys) > 2 {
		val = rf.Keys[2]
	}
	f, ok := ParseFilter(p, rf.Keys[1], val)
	if !ok {
		return nil
	}
	f.Then = filterThen(rf)
	return f
}

// filterThen reads the actions written on a route-filter line, nil when
// it has none.
func filterThen(rf *config.Node) *Then {
	th := parseThen(rf)
	if th == (Then{}) {
		return nil
	}
	return &th
}

func parseThen(th *config.Node) Then {
	var out Then
	_, out.Accept = th.Leaf("accept")
	_, out.Reject = th.Leaf("reject")
	out.Next, _ = th.Leaf("next")
	switch v, _ := th.Leaf("default-action"); v {
	case "accept":
		out.Default = Accept
	case "reject":
		out.Default = Reject
	}
	out.Metric = arith(th.Get("metric"), "metric")
	out.Tag = arith(th.Get("tag"), "tag")
	out.Preference = arith(th.Get("preference"), "preference")
	if e := th.Get("external"); e != nil {
		if v, ok := e.Leaf("type"); ok {
			out.External, _ = strconv.Atoi(v)
		} else {
			out.External = 2
		}
	}
	return out
}

// arith reads "metric 5", "metric add 5" or "metric subtract 5".
func arith(n *config.Node, name string) *Arith {
	if n == nil {
		return nil
	}
	for _, c := range []struct {
		leaf string
		op   byte
	}{{name, '='}, {"add", '+'}, {"subtract", '-'}} {
		if v, ok := n.Leaf(c.leaf); ok {
			if x, err := strconv.ParseUint(v, 10, 32); err == nil {
				return &Arith{Op: c.op, Value: uint32(x)}
			}
		}
	}
	return nil
}

// Check returns the commit errors of policy references: every name of
// names (a chain such as "protocols ospf export") must be a defined
// policy-statement, and the prefix-lists and policies the statements
// refer to must exist. at is the statement holding the reference and stmt
// its keyword, for the error's location.
func Check(root *config.Node, at *config.Node, stmt string, names []string) []*config.CommitError {
	var errs []*config.CommitError
	defined := map[string]bool{}
	for _, ps := range root.Get("policy-options").Entries("policy-statement") {
		defined[ps.Key()] = true
	}
	for _, n := range names {
		if !defined[n] {
			errs = append(errs, &config.CommitError{Path: config.EditPath(at), Statement: stmt,
				Msg: fmt.Sprintf("Policy error: Policy %s referenced but not defined", n)})
		}
	}
	return errs
}

// Validate is the commit check of policy-options (a config.Validator):
// "from policy" must not loop. (The schema checks that the policies and
// prefix-lists named exist.)
func Validate(root *config.Node) []*config.CommitError {
	defined := map[string]*config.Node{}
	for _, ps := range root.Get("policy-options").Entries("policy-statement") {
		defined[ps.Key()] = ps
	}
	if name, ok := policyLoop(defined); ok {
		return []*config.CommitError{{Path: config.EditPath(defined[name].Parent), Statement: "policy-statement " + name,
			Msg: fmt.Sprintf("Policy error: Policy %s calls itself through 'from policy'", name)}}
	}
	return nil
}

// policyLoop finds a policy that reaches itself through "from policy".
func policyLoop(defined map[string]*config.Node) (string, bool) {
	calls := func(ps *config.Node) []string {
		var out []string
		froms := []*config.Node{ps.Get("from")}
		for _, t := range ps.Entries("term") {
			froms = append(froms, t.Get("from"))
		}
		for _, f := range froms {
			if p := f.Get("policy"); p != nil {
				out = append(out, p.Values...)
			}
		}
		return out
	}
	names := make([]string, 0, len(defined))
	for n := range defined {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, start := range names {
		seen := map[string]bool{}
		stack := calls(defined[start])
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n == start {
				return start, true
			}
			if seen[n] || defined[n] == nil {
				continue
			}
			seen[n] = true
			stack = append(stack, calls(defined[n])...)
		}
	}
	return "", false
}
