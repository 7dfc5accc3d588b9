package routing

import "net/netip"

// Config is the routing part of the committed configuration, filled in by
// the wiring code from `routing-options`, `routing-instances` and the
// interface addresses.
type Config struct {
	RouterID   netip.Addr    // routing-options router-id
	Static     []StaticRoute // routing-options static
	Interfaces []IfAddr      // every family inet address of every logical interface
	Instances  []Instance    // routing-instances
}

// StaticRoute is `static route PREFIX ...`.
type StaticRoute struct {
	Prefix     netip.Prefix
	NextHops   []NextHop // next-hop ADDR|IFL, in configuration order
	Qualified  []QualifiedNextHop
	Discard    bool
	Reject     bool
	Preference int // 0: the default, 5
}

// NextHop is a next-hop address or a next-hop logical interface.
type NextHop struct {
	Addr      netip.Addr
	Interface string
}

// QualifiedNextHop is `qualified-next-hop ADDR|IFL preference N`: a next
// hop with a preference of its own (0: the route's).
type QualifiedNextHop struct {
	NextHop
	Preference int
}

// IfAddr is an address of a logical interface ("ge-0/0/0.0") and whether
// the interface is up (configured, not disabled, link up). A unit with
// family inet but no address appears once with a zero Prefix, so that
// interface next hops can point at it.
type IfAddr struct {
	Name   string
	Prefix netip.Prefix
	Up     bool
}

// Instance is a routing instance. Each has a kernel table of its own.
type Instance struct {
	Name       string
	Type       string // "virtual-router" or "vrf"
	Interfaces []string
	RD         string
	VRFImport  []string
	VRFExport  []string
	Static     []StaticRoute
}

// Junos default preferences.
const (
	PrefDirect = 0
	PrefLocal  = 0
	PrefStatic = 5
	// PrefOSPF and PrefOSPFExternal are the preferences of OSPF internal
	// and external routes.
	PrefOSPF         = 10
	PrefOSPFExternal = 150
)
