package config

import (
	"fmt"
	"strings"
	"sync"

	"mxlab/config/schema"
)

// Commit checks the schema implies beyond junos:must: max-elements, and
// statements whose values name other statements (a policy, a filter, a
// prefix list) where the YANG carries no constraint of its own. The YANG
// already constrains most IPsec references (rules, IKE and IPsec policies,
// access profiles, routing instances); those stay with the must checker.

// reference is a statement whose values must name entries of a list.
type reference struct {
	suffix string // schema path of the naming statement, or its last words
	target string // schema path of the list whose keys are named
	msg    string // fmt format taking the name
	// policy marks a policy expression: the names are the words that are
	// not operators.
	policy bool
}

var references = []reference{
	{suffix: "family inet filter input filter-name", target: "firewall family inet filter", msg: "Referenced filter '%s' is not defined"},
	{suffix: "family inet filter output filter-name", target: "firewall family inet filter", msg: "Referenced filter '%s' is not defined"},
	{suffix: "family inet filter input-list", target: "firewall family inet filter", msg: "Referenced filter '%s' is not defined"},
	{suffix: "family inet filter output-list", target: "firewall family inet filter", msg: "Referenced filter '%s' is not defined"},
	{suffix: "firewall family inet filter term filter", target: "firewall family inet filter", msg: "Referenced filter '%s' is not defined"},
	{suffix: "firewall family inet filter term from source-prefix-list name", target: "policy-options prefix-list", msg: "Referenced prefix-list '%s' is not defined"},
	{suffix: "firewall family inet filter term from destination-prefix-list name", target: "policy-options prefix-list", msg: "Referenced prefix-list '%s' is not defined"},
	{suffix: "firewall family inet filter term from prefix-list name", target: "policy-options prefix-list", msg: "Referenced prefix-list '%s' is not defined"},
	{suffix: "from prefix-list name", target: "policy-options prefix-list", msg: "Policy error: prefix-list %s referenced but not defined"},
	{suffix: "from prefix-list-filter list_name", target: "policy-options prefix-list", msg: "Policy error: prefix-list %s referenced but not defined"},
	{suffix: "family inet service output service-set name", target: "services service-set", msg: "this service set must be an interface service"},
}

// refIndex maps schema nodes to the reference rules they fall under; it is
// built on first use and shared.
var refIndex = struct {
	once sync.Once
	m    map[*schema.Node]*reference
}{}

func refsOf(s *schema.Node) *reference {
	refIndex.once.Do(func() {
		refIndex.m = map[*schema.Node]*reference{}
		var walk func(n *schema.Node)
		walk = func(n *schema.Node) {
			p := " " + strings.Join(n.Path(), " ")
			for i := range references { // the first (most specific) match wins
				if strings.HasSuffix(p, " "+references[i].suffix) {
					refIndex.m[n] = &references[i]
					break
				}
			}
			if n.Type == schema.PolicyAlgebra {
				refIndex.m[n] = &policyRef
			}
			for _, c := range n.Children {
				walk(c)
			}
		}
		walk(schema.Root())
	})
	return refIndex.m[s]
}

var policyRef = reference{target: "policy-options policy-statement", msg: "Policy error: Policy %s referenced but not defined", policy: true}

// checkSchemaRefs reports list and leaf-list statements with more entries
// than their max-elements, and references to undefined statements.
func checkSchemaRefs(root *Node) []*CommitError {
	var errs []*CommitError
	defined := map[string]map[string]bool{} // target path -> names
	names := func(target string) map[string]bool {
		if m, ok := defined[target]; ok {
			return m
		}
		m := map[string]bool{}
		words := strings.Fields(target)
		parent := root.Get(words[:len(words)-1]...)
		for _, e := range parent.Entries(words[len(words)-1]) {
			m[e.Key()] = true
		}
		defined[target] = m
		return m
	}
	counts := map[*Node]map[*schema.Node]int{}
	var visit func(n *Node)
	visit = func(n *Node) {
		for _, k := range n.Kids {
			if k.S.MaxElems > 0 {
				if k.S.Kind == schema.LeafList && len(k.Values) > k.S.MaxElems {
					errs = append(errs, errorAt(k, tooMany(k.S)))
				}
				if k.S.Kind == schema.List {
					if counts[n] == nil {
						counts[n] = map[*schema.Node]int{}
					}
					counts[n][k.S]++
					if counts[n][k.S] == k.S.MaxElems+1 {
						errs = append(errs, errorAt(k, tooMany(k.S)))
					}
				}
			}
			if r := refsOf(k.S); r != nil {
				errs = append(errs, r.check(k, names(r.target))...)
			}
			if k.S.Kind == schema.List {
				for i, kn := range k.S.Keys {
					if ks := k.S.Child(kn); ks != nil && i < len(k.Keys) {
						if r := refsOf(ks); r != nil && !names(r.target)[k.Keys[i]] {
							errs = append(errs, errorAt(k, fmt.Sprintf(r.msg, k.Keys[i])))
						}
					}
				}
			}
			visit(k)
		}
	}
	visit(root)
	return errs
}

func tooMany(s *schema.Node) string {
	return fmt.Sprintf("Number of elements exceeds the limit of %d", s.MaxElems)
}

// check reports the names of x that are not defined.
func (r *reference) check(x *Node, defined map[string]bool) []*CommitError {
	var errs []*CommitError
	vals := x.Values
	if x.S.Kind == schema.Leaf {
		vals = []string{x.Value}
	}
	for _, v := range vals {
		words := []string{v}
		if r.policy {
			words = policyNames(v)
		}
		for _, w := range words {
			if w != "" && !defined[w] {
				errs = append(errs, valueErrorAt(x, v, fmt.Sprintf(r.msg, w)))
			}
		}
	}
	return errs
}

// valueErrorAt is errorAt for value v of x: a leaf-list names the one
// value, and the value of a one-line container ("filter input f1") is
// reported as the container's statement.
func valueErrorAt(x *Node, v, msg string) *CommitError {
	switch {
	case x.S.Kind == schema.LeafList:
		ce := errorAt(x, msg)
		ce.Statement = strings.Join(headWords(&Node{S: x.S, Values: []string{v}}), " ")
		return ce
	case x.S.NoKeyword && x.Parent != nil && x.Parent.S.Kind == schema.Container && x.Parent.S.Oneliner:
		ce := errorAt(x.Parent, msg)
		ce.Statement = x.Parent.S.Name + " " + quoteValue(x.S, v)
		return ce
	}
	return errorAt(x, msg)
}

// policyNames returns the policy names of a policy expression such as
// "(a && !b) || c".
func policyNames(expr string) []string {
	f := strings.FieldsFunc(expr, func(r rune) bool {
		return r == '(' || r == ')' || r == '!' || r == '&' || r == '|' || r == ' '
	})
	return f
}
