// Package policy evaluates Junos routing policies (policy-options
// policy-statement) against routes: the terms' from conditions (protocol,
// route-filter, prefix-list, prefix-list-filter, interface, area, tag,
// neighbor, next-hop, metric, route-type, external, family, policy), their
// modifiers (metric, tag, preference, external type) and their flow
// control (accept, reject, next term, next policy, default-action).
//
// A chain of policies (export [ a b ]) is evaluated the Junos way: terms in
// order, modifiers accumulate, accept or reject ends the chain, a policy
// that ends without either passes the route to the next policy, and a
// route that leaves the chain gets the protocol's default policy (for
// OSPF export: reject). route-filter, prefix-list and prefix-list-filter
// are one condition (any of them matches); a route-filter matches by the
// longest filter prefix first, then its match type, with no walk-up.
// Conditions this package does not evaluate make their term never match.
package policy
