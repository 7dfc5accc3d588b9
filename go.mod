module mxlab

go 1.26.8

require (
	github.com/coder/websocket v1.8.15 // WebSockets of the lab's web page (lab/ui) and of the browser its tests drive
	github.com/creack/pty v1.1.24 // pseudo-terminals: the host consoles of the lab's web page, the TTY tests of the shell and the netmiko sessions
	github.com/go-crypt/crypt v0.14.15 // crypt(3) password hashes ($1$ MD5, $5$/$6$ SHA-crypt) of the login accounts (mgmt/login)
	github.com/olekukonko/tablewriter v0.0.5 // the table of "mxlab lab inspect", as containerlab's inspect (cmd/mxlab)
	github.com/openconfig/goyang v1.6.3 // parses the Junos YANG for the schema generator (config/schema/gen)
	github.com/rogpeppe/go-internal v1.16.0 // testscript: the CLI transcript tests
	github.com/vishvananda/netlink v1.3.1 // links, addresses, routes and rules in the router namespaces (netns, services/kernel)
	github.com/vishvananda/netns v0.0.5 // network namespace handles (netns)
	golang.org/x/crypto v0.59.0 // the SSH server of every router (mgmt/sshd), with no wrapper library
	golang.org/x/sys v0.50.0 // raw sockets, namespaces, TUN and terminal ioctls (routing, netns, services, lab, shell)
	golang.org/x/term v0.48.0 // raw mode and window size of the terminal (shell, cmd/mxlab)
	gopkg.in/yaml.v3 v3.0.1 // chassis layout and lab topology files
)

require (
	github.com/go-crypt/x v0.4.16 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/mattn/go-runewidth v0.0.9 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
