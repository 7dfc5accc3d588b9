module mxlab

go 1.26.8

require (
	github.com/creack/pty v1.1.24 // pseudo-terminals for the TTY tests of the shell and the netmiko sessions
	github.com/olekukonko/tablewriter v1.1.5 // pinned by internal/deps; no package imports it yet
	github.com/openconfig/goyang v1.6.3 // parses the Junos YANG for the schema generator (config/schema/gen)
	github.com/rogpeppe/go-internal v1.16.0 // testscript: the CLI transcript tests
	github.com/vishvananda/netlink v1.3.1 // links, addresses, routes and rules in the router namespaces (netns, services/kernel)
	github.com/vishvananda/netns v0.0.5 // network namespace handles (netns)
	golang.org/x/crypto v0.59.0 // pinned by internal/deps for the IPsec ciphers
	golang.org/x/net v0.62.0 // pinned by internal/deps for IPv4 packet sockets
	golang.org/x/sys v0.50.0 // raw sockets, namespaces, TUN and terminal ioctls (routing, netns, services, lab, shell)
	golang.org/x/term v0.48.0 // raw mode and window size of the terminal (shell, cmd/mxlab)
	gopkg.in/yaml.v3 v3.0.1 // chassis layout and lab topology files
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/clipperhouse/displaywidth v0.10.0 // indirect
	github.com/clipperhouse/uax29/v2 v2.6.0 // indirect
	github.com/fatih/color v1.18.0 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/mattn/go-runewidth v0.0.19 // indirect
	github.com/olekukonko/cat v0.0.0-20250911104152-50322a0618f6 // indirect
	github.com/olekukonko/errors v1.2.0 // indirect
	github.com/olekukonko/ll v0.1.6 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
