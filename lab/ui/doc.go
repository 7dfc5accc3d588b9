// Package ui serves a lab's web page for trainees: the topology drawn from
// the lab with its live state, consoles, and captures of its links.
//
//	mxlab lab up demos/e2-site-secure-manual/topology.yaml --ui
//	lab e2 ready: 2 routers, 2 hosts
//	web page of lab e2: http://127.0.0.1:40715/?token=4f0c...
//
// # The page
//
// Routers, hosts and links (with their port names) are laid out
// automatically; a node dragged keeps its place (in the browser's local
// storage). Once a second, and at once after a router logs an event, the
// process pushes the lab's state over a WebSocket when it changed: each
// link's state (up when both ends are) and packet rates, each router's
// FPCs and PICs, chassis alarms (chassis.Alarms), per MS PIC the SAs
// installed and tunnels up (the services' Status), and each router's OSPF
// neighbours and their states (ospf.Instance.Adjacencies; the badge shows
// on routers that run OSPF; Options.Adjacencies may give them instead).
// Commits arrive as events: who, when, how (cli, netconf), the comment and
// the change, from the router's system log (syslog.Log.Subscribe) and its
// commit history.
//
// Consoles open in the page, several at once: a router's CLI is the same
// shell and line editor as "mxlab lab console" (a session of
// router.NewShell with a terminal line of the lab); a host's is a shell on
// a pseudo-terminal in the host's namespace. The page's terminal is its
// own (term.js): printable text, CR, LF, backspace, tab and the few VT100
// sequences a shell's line editor sends; the window size follows the
// browser window.
//
// A click on a link captures it for some seconds and downloads a pcap
// (an AF_PACKET socket on the link's first end, in its namespace); the
// page offers the ESP keys of every router as Wireshark's esp_sa file, so
// that a capture of an IPsec link opens decrypted.
//
// # Access
//
// The server listens on 127.0.0.1 unless told otherwise (Listen refuses
// another address without public). Every request needs the random access
// token printed in the URL: the first page load trades it for a cookie
// (HttpOnly, SameSite=Strict) and drops it from the address bar. A
// request without it is refused; one with a wrong token is refused and
// logged. WebSocket requests must come from the page's own origin; on a
// loopback address the Host header must name a loopback host (a DNS
// rebinding page cannot reach the server).
//
// No build step: the page's files are embedded (static/).
package ui
