//go:build tools

// Package deps pins the modules mxlab's packages use, so that go.mod keeps
// them while the packages that import them are being written.
package deps

import (
	_ "github.com/creack/pty"
	_ "github.com/olekukonko/tablewriter"
	_ "github.com/openconfig/goyang/pkg/yang"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/vishvananda/netlink"
	_ "github.com/vishvananda/netns"
	_ "golang.org/x/crypto/chacha20poly1305"
	_ "golang.org/x/net/ipv4"
	_ "golang.org/x/sys/unix"
	_ "golang.org/x/term"
	_ "gopkg.in/yaml.v3"
)
