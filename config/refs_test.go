package config

import (
	"strings"
	"testing"

	"mxlab/config/schema"
)

// TestReferencesNameStatements checks that every reference rule matches a
// statement of the schema and that its target is a list.
func TestReferencesNameStatements(t *testing.T) {
	refsOf(schema.Root()) // builds the index
	for i := range references {
		r := &references[i]
		found := false
		for _, got := range refIndex.m {
			if got == r {
				found = true
			}
		}
		if !found {
			t.Errorf("reference %q matches no statement", r.suffix)
		}
		words := strings.Fields(r.target)
		n := schema.Root()
		for _, w := range words {
			if n = n.Child(w); n == nil {
				break
			}
		}
		if n == nil || n.Kind != schema.List {
			t.Errorf("reference %q: target %q is not a list", r.suffix, r.target)
		}
	}
}

func TestCheckSchemaRefs(t *testing.T) {
	tests := []struct {
		name string
		set  []string
		want []string
	}{
		{"policy defined", []string{
			"policy-options policy-statement p1 then accept",
			"protocols ospf export p1",
		}, nil},
		{"policy missing", []string{"protocols ospf export p2"},
			[]string{"[edit protocols ospf] 'export p2': Policy error: Policy p2 referenced but not defined"}},
		{"policy expression", []string{
			"policy-options policy-statement a then accept",
			`protocols ospf export "(a && b)"`,
		}, []string{"[edit protocols ospf] 'export \"(a && b)\"': Policy error: Policy b referenced but not defined"}},
		{"vrf-import missing", []string{"routing-instances v instance-type vrf", "routing-instances v vrf-import imp"},
			[]string{"[edit routing-instances v] 'vrf-import imp': Policy error: Policy imp referenced but not defined"}},
		{"filter missing", []string{"interfaces ge-1/0/0 unit 0 family inet filter input f1"},
			[]string{"[edit interfaces ge-1/0/0 unit 0 family inet filter] 'input f1': Referenced filter 'f1' is not defined"}},
		{"filter defined", []string{
			"firewall family inet filter f1 term t then accept",
			"interfaces ge-1/0/0 unit 0 family inet filter input f1",
		}, nil},
		{"prefix list in policy", []string{"policy-options policy-statement p term t from prefix-list pl1"},
			[]string{"[edit policy-options policy-statement p term t from] 'prefix-list pl1': Policy error: prefix-list pl1 referenced but not defined"}},
		{"max-elements leaf-list", []string{
			"services ipsec-vpn rule r term t from source-address 10.0.0.0/8",
			"services ipsec-vpn rule r term t from source-address 11.0.0.0/8",
		}, []string{"[edit services ipsec-vpn rule r term t from] 'source-address 11.0.0.0/8': Number of elements exceeds the limit of 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, s := newSession(t)
			mustSet(t, s, tc.set...)
			var got []string
			for _, e := range checkSchemaRefs(effective(s.cand)) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
