// Package netns is the only code of mxlab that touches Linux network
// namespaces, links, addresses, routes and policy rules.
//
// Each router, and each lab host, is a named network namespace created the
// way `ip netns add` does (bind-mounted under /run/netns), so users can run
// `ip netns exec <lab>-<node> tcpdump ...` in it. Every link between
// routers and hosts is a veth pair (Connect). A port that no lab link
// reaches is a veth whose peer ("<name>~") stays down in the same
// namespace: it exists, takes addresses and shows no carrier. Cleanup
// removes the namespaces a killed process left behind.
//
// # Interface names
//
// Junos names map to Linux names and back exactly (LinuxName, JunosName):
// '/' becomes '_', a channel's ':' becomes '+', a unit keeps its '.', and
// lo0 is lo. "ge-1/0/0" is "ge-1_0_0", "ge-1/0/0.100" is "ge-1_0_0.100".
// Linux allows 15 bytes; longer names are refused with ErrNameTooLong.
//
// # Commit
//
// Router.Prepare (interfaces) and Router.PrepareFIB (routes and rules)
// make every kernel change that can fail, recording how to undo it; the
// returned Pending's Apply keeps the change and cannot fail, Abort reverts
// it. Without root, Available and Create return ErrNotRoot saying what is
// missing.
//
// # Units and VLANs
//
// A unit of a port with vlan-tagging is a VLAN link ("ge-1_0_0.100") when
// the kernel has 802.1Q links. The development and CI kernels have none
// (nor bridge VLAN filtering, macvlan or VRF devices): there the addresses
// of every unit of a port sit on the port's own link, frames go untagged,
// and a unit's disable has no effect of its own.
//
// # Routing instances
//
// Routing instances have a kernel table each (no VRF device exists on
// these kernels): policy rules at RulePriority send to it the traffic
// arriving on or leaving by its interfaces, sourced from its addresses, or
// marked with its table number (SO_MARK, for ping routing-instance), and an
// unreachable default at the lowest priority ends it so nothing falls
// through to the main table. The kernel's connected routes of those
// interfaces are removed from the main table.
//
// # Threads
//
// Every namespace switch goes through Do, which locks the goroutine's
// thread, enters the namespace and restores it in a defer. Netlink requests
// need no switch: each Handle keeps a netlink socket opened in its
// namespace. Sockets opened inside Do keep their namespace and may be used
// from any goroutine.
//
// The package netnstest records desired state in memory for the unit tests
// of other packages.
package netns
