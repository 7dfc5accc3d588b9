// Package routing is the routing engine of a router: its RIB of Direct,
// Local, Static and protocol routes with Junos preferences (Direct 0, Local
// 0, Static 5, OSPF 10, OSPF external 150), active route selection, the kernel FIB that follows it, and
// the operational commands that read it: show route (brief, terse, detail,
// extensive, summary, forwarding-table), show arp, ping and traceroute.
//
// The wiring code fills a Config from the committed configuration (this
// package does not import the config package) and commits it in two
// phases: Router.Prepare computes the new RIB and programs the kernel
// through a Dataplane (a *netns.Router; netnstest.Router in unit tests);
// Apply makes the new RIB current, Abort puts the kernel back.
//
// Routing protocols (package ospf) give their routes with SetRoutes, per
// routing instance; their hops resolve like static next hops, and a
// Multipath route forwards over every hop (equal-cost multipath in the
// kernel, every hop "selected" in show route). Watch tells them every
// change of the RIB (for their export policies) and of the interfaces.
//
// A static route's next-hop address must lie in the subnet of an up
// interface of its table (Junos resolves static next hops directly); a
// route none of whose next hops resolves is hidden (`show route hidden`)
// and stays out of the kernel. `qualified-next-hop ... preference N` makes
// a second route for the same prefix.
//
// # Routing instances
//
// The kernel has no VRF device, so each routing instance (virtual-router
// or vrf) gets a kernel table of its own, numbered from 100, and policy
// rules select it for the instance's interfaces (see package netns). The
// RD and vrf-import/export are kept but unused until a protocol exports
// routes between tables.
//
// # Ping and traceroute
//
// ping and traceroute run in the router's namespace: their sockets are
// opened inside Dataplane.Do (a raw ICMP socket; UDP probes for
// traceroute), so they leave by the router's own FIB, and print the Junos
// (FreeBSD) formats. Cancelling the command's context (Ctrl-C) stops a
// ping and prints "^C" and its statistics.
package routing
