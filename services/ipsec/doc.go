// Package ipsec reads the IPsec service sets of a committed configuration
// ([edit services service-set], [edit services ipsec-vpn]) into plain
// values: service sets of both styles (next-hop and interface), their
// rules and terms, manual security associations with decoded keys, and
// the tunnel options with the term level winning over the service-set
// level (anti-replay, tunnel-mtu, don't-fragment handling). It also
// matches packets to terms and builds the esp.Config of each direction of
// a manual SA. It does no I/O.
package ipsec
