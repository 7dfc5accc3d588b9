package netns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	vnetns "github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Host returns a handle on the network namespace this process runs in
// (the host's, for a lab run as root). Close it; never Delete it.
func Host() (*Handle, error) {
	ns, err := vnetns.Get()
	if err != nil {
		return nil, fmt.Errorf("host namespace: %w", err)
	}
	return &Handle{name: "host", ns: ns}, nil
}

// BridgePorts is the most ports a Linux bridge takes (BR_MAX_PORTS).
const BridgePorts = 1024

// AddBridge creates a bridge holding addr (its gateway address on the
// subnet; none when addr is not valid) and brings it up.
func (h *Handle) AddBridge(name string, addr netip.Prefix) error {
	nl, done, err := h.link()
	if err != nil {
		return err
	}
	err = nl.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}})
	done()
	if err != nil {
		return fmt.Errorf("%s: bridge %s: %w", h.name, name, err)
	}
	if addr.IsValid() {
		if err := h.AddrAdd(name, addr); err != nil {
			h.DeleteLink(name)
			return err
		}
	}
	if err := h.LinkSetUp(name, true); err != nil {
		h.DeleteLink(name)
		return err
	}
	return nil
}

// DeleteLink removes a link; one that does not exist is no error.
func (h *Handle) DeleteLink(name string) error {
	nl, done, err := h.link()
	if err != nil {
		return err
	}
	defer done()
	l, err := nl.LinkByName(name)
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: link %s: %w", h.name, name, err)
	}
	if err := nl.LinkDel(l); err != nil {
		return fmt.Errorf("%s: delete link %s: %w", h.name, name, err)
	}
	return nil
}

// ConnectBridge creates a veth pair whose end hostName, in h, joins the
// bridge, and whose end bName is in namespace b; both are brought up.
func ConnectBridge(h *Handle, bridge, hostName string, b *Handle, bName string) error {
	_, br, done, err := h.byName(bridge)
	if err != nil {
		return err
	}
	done()
	if err := addVeth(h, hostName, b, bName, br); err != nil {
		return fmt.Errorf("connect %s:%s to bridge %s: %w", b.name, bName, bridge, err)
	}
	if err := h.LinkSetUp(hostName, true); err != nil {
		return err
	}
	return b.LinkSetUp(bName, true)
}

// JoinBridges links bridge b to bridge a with a veth pair of this
// namespace (aName on a, bName on b), so that they make one segment.
func (h *Handle) JoinBridges(a, aName, b, bName string) error {
	if err := ConnectBridge(h, a, aName, h, bName); err != nil {
		return err
	}
	nl, done, err := h.link()
	if err != nil {
		return err
	}
	defer done()
	peer, err := nl.LinkByName(bName)
	if err != nil {
		return fmt.Errorf("%s: link %s: %w", h.name, bName, err)
	}
	br, err := nl.LinkByName(b)
	if err != nil {
		return fmt.Errorf("%s: bridge %s: %w", h.name, b, err)
	}
	if err := nl.LinkSetMasterByIndex(peer, br.Attrs().Index); err != nil {
		return fmt.Errorf("%s: %s into bridge %s: %w", h.name, bName, b, err)
	}
	return nil
}

// PrefixInUse reports whether p overlaps an address or a route of the
// namespace.
func (h *Handle) PrefixInUse(p netip.Prefix) (bool, error) {
	nl, done, err := h.link()
	if err != nil {
		return false, err
	}
	defer done()
	addrs, err := retryDump(func() ([]netlink.Addr, error) { return nl.AddrList(nil, unix.AF_INET) })
	if err != nil {
		return false, err
	}
	for _, a := range addrs {
		if q := prefixOf(a.IPNet); q.IsValid() && q.Masked().Overlaps(p) {
			return true, nil
		}
	}
	routes, err := retryDump(func() ([]netlink.Route, error) { return nl.RouteList(nil, unix.AF_INET) })
	if err != nil {
		return false, err
	}
	for _, r := range routes {
		if r.Dst == nil {
			continue
		}
		if q := prefixOf(r.Dst); q.IsValid() && q.Bits() > 0 && q.Overlaps(p) {
			return true, nil
		}
	}
	return false, nil
}

// Listen opens a TCP listener inside the namespace; it keeps accepting
// there whatever goroutine uses it.
func Listen(h *Handle, addr string) (net.Listener, error) {
	var ln net.Listener
	err := Do(h, func() error {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err
	})
	return ln, err
}
