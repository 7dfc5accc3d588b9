// Package lab runs labs: several routers and Linux hosts joined by links,
// all in one process (README.md, "Labs"). Each node is a named network
// namespace "<lab>-<node>"; each link is a veth pair whose router end is
// named after its port (netns.LinuxName: ge-1/0/0 is ge-1_0_0); routers run
// as goroutines in this process, hosts are plain namespaces in which any
// Linux tool runs ("mxlab lab exec h1 -- ping ...", or ip netns exec).
//
// # Topology file
//
// The shape is containerlab's:
//
//	name: e2                      # lab name; namespaces are <name>-<node>
//	topology:
//	  nodes:
//	    r1:
//	      kind: mx                # a router
//	      chassis: r1-chassis.yaml   # optional layout file (package chassis), or
//	      # model: mx960          # a model's default layout; default mx480
//	      config: r1.conf         # optional startup configuration (curly-brace or set lines)
//	      # state-dir: state/r1   # optional; default a fresh <run dir>/<lab>/r1
//	      # mgmt-ipv4: 172.20.20.11   # optional fxp0 address on the management network
//	      # ports: ["2201:22", "8301:830"]   # optional loopback ports of SSH and NETCONF
//	      # files:                # optional: host files copied into the router at start
//	      #   /var/tmp/ca.crt: pki/ca.crt
//	    h1:
//	      kind: linux             # a host: a plain namespace
//	      interfaces:
//	        eth1: 172.16.0.10/16  # one prefix or a list of prefixes
//	      gateway: 172.16.0.1     # default route
//	  links:
//	    - endpoints: ["r1:ge-1/0/0", "h1:eth1"]
//
// Paths (config, chassis, state-dir, the host side of files) are used as
// given when absolute; relative ones, ".." included, start at the topology
// file's directory. Lab and node names are letters,
// digits, '-' and '_'. A router endpoint is a port of its chassis (ge-, xe-,
// et-, so-); a host endpoint is a Linux interface name (at most 15 bytes).
// Each interface is in at most one link, and each host interface with
// addresses is in one. Nodes are set up in name order.
//
// An optional mgmt section names the management network: "mgmt: {network:
// BRIDGE, ipv4-subnet: 172.20.20.0/24}"; by default the bridge is
// "mx-<lab>" and the subnet a free /24 of 172.20.0.0/16 (a larger block
// for a lab of more than 251 routers).
//
// # Running
//
// Up removes what a killed run of the same lab left (the namespaces it
// recorded, the processes in them, its run directory), creates the
// namespaces, links, host addresses and default routes, starts every
// router and commits its startup configuration, then opens the control
// socket. Close removes everything again.
//
// A lab's run directory is <RunDir>/<lab>: /run/mxlab/<lab> for root. It
// holds ctl.sock (the control socket), pid, namespaces (the namespaces the
// lab made, for the cleanup after a kill -9) and, unless the topology names
// a state-dir, the routers' state directories, which therefore start empty
// at each Up and go with the lab. RunDir itself is made mode 0700 and must
// be the user's own with no access for others (EnsureRunRoot): a control
// socket gives a router's CLI to whoever may connect to it. The run
// directory, its files and the socket are the owner's only.
//
// # Management
//
// Every router serves SSH and NETCONF (mgmt.go): on loopback ports of the
// host (OpenForwards; free ports unless the node names them), and, with
// Options.MgmtNetwork as root, on ports 22 and 830 of its fxp0 address on
// the management bridge. Inspect (and "mxlab lab inspect") lists them.
//
// # Control socket
//
// Console attaches a CLI session of one router to a client, with the
// client's TERM, window size and TTY-ness, or runs "cmd; cmd" and returns
// their status; Down stops the lab and returns when everything is removed.
// Put and Get copy a file into or out of a router's user file space (/var,
// /config; never its certificate store): "mxlab lab cp". ServeUI hands
// the lab a listening socket of the caller (SCM_RIGHTS), on which the lab
// serves its web page (Options.UI, package lab/ui) until the caller goes:
// "mxlab lab ui", whose listener thus lives in the caller's network
// namespace also when the lab runs in its own. The protocol is in
// proto.go.
//
// # Lab CA
//
// Sign, Issue, Revoke and CRL are the lab CA of "mxlab lab pki"
// (package services/pki/labca): it signs the certificate requests routers
// write (reading them from the router and writing the certificate and the
// CA certificate back), issues certificates with their keys for other
// peers, and publishes CRLs. A running lab's CA lives in its run directory
// (CADir) and goes with it.
//
// # Without root
//
// InUserNamespace runs the lab process again inside new user, network and
// mount namespaces where the user is root, with a private /run; its run
// directory is then $XDG_RUNTIME_DIR/mxlab or /tmp/mxlab-<uid>, where
// consoles find it.
package lab
