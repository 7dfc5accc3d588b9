// Package ospf is OSPF version 2 (RFC 2328) for mxlab's routers: one
// goroutine per routing instance (Instance.run) owns its interfaces,
// neighbors, link-state databases and routing table; raw IP protocol 89
// sockets opened in the router's namespace carry its packets (NewNet), on
// ports and on point-to-point units such as the TUN inside units of MS
// PICs; its routes go to the routing engine's RIB with the Junos
// preferences (internal 10, external 150), equal-cost paths as multipath.
//
// What runs: broadcast interfaces with DR/BDR election, point-to-point
// (interface-type p2p, and services and tunnel units by default) and
// passive interfaces; hello, dead and retransmit intervals, metric or the
// reference bandwidth, priority; simple and keyed-MD5 authentication
// (RFC 2328 D); areas with area border routers (summary and ASBR-summary
// LSAs, area ranges), stub and totally stubby areas with a default,
// NSSAs (RFC 3101: type 7 LSAs, the type 5 translation by the elected
// translator, default-lsa); AS-external LSAs type 1 and 2 from the export
// policies (package policy) and the import policy on externals;
// routing-options router-id or the Junos choice (lo0, else the lowest
// address); overload (transit links at 65535), SPF delay, holddown and
// rapid runs; traceoptions. Virtual links, NBMA and point-to-multipoint,
// key chains, graceful restart and opaque LSA origination are not run
// (Validate warns).
//
// Configuration comes from the committed tree (Parse, Validate, which
// needs no kernel); interface states and the RIB, for the export policies,
// come from the routing engine (Process.SetInterfaces, Process.SetRIB):
// none of these calls blocks. The commands are "show ospf neighbor |
// interface | database | route | overview | statistics" and "clear ospf
// neighbor | database | statistics" (Register); their layouts follow
// captures of real routers, cited in the golden tests.
//
// The tests run routers on an in-memory network (goroutines, or a
// deterministic simulation on a virtual clock for the golden displays),
// mxlab routers in labs, and mxlab against BIRD 2 and FRR in namespaces.
package ospf
