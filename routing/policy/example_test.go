package policy_test

import (
	"fmt"
	"net/netip"

	"mxlab/routing/policy"
)

// A chain of policies decides a route and sets its attributes.
func ExampleSet_Evaluate() {
	set := &policy.Set{Policies: map[string]*policy.Statement{
		"statics": {Name: "statics", Terms: []*policy.Term{{
			From: policy.From{Protocols: []string{"static"}},
			Then: policy.Then{Accept: true, External: 1, Metric: &policy.Arith{Op: '=', Value: 20}},
		}}},
	}}
	r := policy.Route{Prefix: netip.MustParsePrefix("172.16.0.0/24"), Protocol: "static"}
	res := set.Evaluate([]string{"statics"}, r)
	fmt.Println(res.Action, *res.Metric, res.External)
	r.Protocol = "direct"
	fmt.Println(set.Evaluate([]string{"statics"}, r).Action)
	// Output:
	// accept 20 1
	// default
}
