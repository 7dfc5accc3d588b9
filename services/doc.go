// Package services runs the IPsec service sets of a router on its MS PICs
// (Junos VPN Site Secure). Services is a configuration owner: at commit it
// reads the service sets (package ipsec), creates the device of every
// service unit that carries cleartext (a TUN device named after the unit,
// "ms-4/0/0.1" is "ms-4_0_0.1", so that routes to the unit reach it) and
// gives each MS PIC engine (package mspic) its service sets. It follows
// the hardware: a PIC that goes offline stops its service sets and clears
// their SAs, and a gw-interface whose card goes away clears (next-hop) or
// uninstalls (interface style) the SAs of its service sets.
//
// Interface-style service sets are reached by policy routing: for every
// term, a rule at priority RulePriority sends the matching traffic that
// arrives on an interface applying the set as input (or any traffic, for
// output) to a table whose default route is the service interface's
// device; ESP the PICs send carries kernel.Mark and is exempt.
//
// Dynamic terms (then dynamic) are negotiated with IKE by the
// key-management engine of each PIC (package ike), which installs the SAs
// it agrees on into the card.
//
// The operational commands are "show services ipsec-vpn ipsec
// security-associations", "show services ipsec-vpn ipsec statistics",
// "show services ipsec-vpn ike security-associations", "show services
// ipsec-vpn ike statistics", "show services service-sets summary", "show
// services service-sets statistics packet-drops" and the "clear services
// ipsec-vpn ipsec ..." and "clear services ipsec-vpn ike
// security-associations" commands. Key-management events are written to
// the traceoptions file (/var/log/kmd by default) when traceoptions are
// configured.
package services
