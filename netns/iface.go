package netns

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/vishvananda/netlink"
)

// syncVLANs makes the VLAN links under port link l match pp's units.
func (r *Router) syncVLANs(pp *plannedPort, l netlink.Link, all []netlink.Link, u *undoLog) error {
	have := map[string]*netlink.Vlan{}
	for _, c := range all {
		if v, ok := c.(*netlink.Vlan); ok && v.ParentIndex == l.Attrs().Index {
			have[v.Name] = v
		}
	}
	for _, name := range sortedKeys(have) {
		v := have[name]
		if want, ok := pp.vlans[name]; ok && want.VLANID == v.VlanId {
			continue
		}
		if err := r.deleteVLAN(v, u); err != nil {
			return err
		}
		delete(have, name)
	}
	for _, name := range sortedKeys(pp.vlans) {
		unit := pp.vlans[name]
		v, ok := have[name]
		var link netlink.Link = v
		if !ok {
			var err error
			if link, err = r.createVLAN(name, l.Attrs().Index, unit.VLANID, u); err != nil {
				return err
			}
		}
		if err := r.syncAddrs(link, unit.Addrs, u); err != nil {
			return err
		}
		if err := r.setUp(link, !unit.Disable, u); err != nil {
			return err
		}
	}
	return nil
}

func (r *Router) createVLAN(name string, parent, id int, u *undoLog) (netlink.Link, error) {
	v := &netlink.Vlan{LinkAttrs: netlink.LinkAttrs{Name: name, ParentIndex: parent}, VlanId: id}
	if err := r.nl.LinkAdd(v); err != nil {
		return nil, fmt.Errorf("create vlan link %s (vlan-id %d): %w", name, id, err)
	}
	l, err := r.nl.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("create vlan link %s: %w", name, err)
	}
	u.push(func() error { return r.nl.LinkDel(l) })
	return l, nil
}

// deleteVLAN removes a VLAN link; its undo recreates it with its addresses
// and state.
func (r *Router) deleteVLAN(v *netlink.Vlan, u *undoLog) error {
	addrs, err := r.managedAddrs(v)
	if err != nil {
		return err
	}
	if err := r.nl.LinkDel(v); err != nil {
		return fmt.Errorf("delete vlan link %s: %w", v.Name, err)
	}
	name, parent, id, up := v.Name, v.ParentIndex, v.VlanId, linkInfo(v).AdminUp
	u.push(func() error {
		re := &undoLog{}
		l, err := r.createVLAN(name, parent, id, re)
		if err != nil {
			return err
		}
		var errs []error
		for _, a := range addrs {
			errs = append(errs, r.nl.AddrAdd(l, &netlink.Addr{IPNet: ipNet(a)}))
		}
		if up {
			errs = append(errs, r.nl.LinkSetUp(l))
		}
		return errors.Join(errs...)
	})
	return nil
}

// managedAddrs lists the addresses of l that the configuration owns: every
// global IPv4 and IPv6 address but the loopback's 127/8 and ::1.
func (r *Router) managedAddrs(l netlink.Link) ([]netip.Prefix, error) {
	as, err := r.nl.AddrList(l, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list addresses of %s: %w", l.Attrs().Name, err)
	}
	var out []netip.Prefix
	for _, a := range as {
		p := prefixOf(a.IPNet)
		if !p.IsValid() || p.Addr().IsLoopback() || p.Addr().IsLinkLocalUnicast() {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// syncAddrs makes the managed addresses of l equal to want.
func (r *Router) syncAddrs(l netlink.Link, want []netip.Prefix, u *undoLog) error {
	have, err := r.managedAddrs(l)
	if err != nil {
		return err
	}
	name := l.Attrs().Name
	for _, a := range have {
		if slices.Contains(want, a) {
			continue
		}
		if err := r.nl.AddrDel(l, &netlink.Addr{IPNet: ipNet(a)}); err != nil {
			return fmt.Errorf("delete address %s from %s: %w", a, name, err)
		}
		u.push(func() error { return r.nl.AddrAdd(l, &netlink.Addr{IPNet: ipNet(a)}) })
	}
	for _, a := range want {
		if slices.Contains(have, a) {
			continue
		}
		if err := r.nl.AddrAdd(l, &netlink.Addr{IPNet: ipNet(a)}); err != nil {
			return fmt.Errorf("add address %s to %s: %w", a, name, err)
		}
		u.push(func() error { return r.nl.AddrDel(l, &netlink.Addr{IPNet: ipNet(a)}) })
	}
	return nil
}

// SetLinkUp takes a port (Junos name "ge-1/0/0") down or brings it back up,
// as its PIC goes offline or online. A port whose configuration says
// disable stays down.
func (r *Router) SetLinkUp(port string, up bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	linux, err := LinuxName(port)
	if err != nil {
		return err
	}
	up = up && !r.disabled(port)
	if err := r.h.LinkSetUp(linux, up); err != nil {
		return err
	}
	if up {
		delete(r.offline, port)
	} else {
		r.offline[port] = true
	}
	return nil
}

// disabled reports whether the applied configuration disables the port.
func (r *Router) disabled(port string) bool {
	for _, p := range r.state.Ports {
		if p.Name != port {
			continue
		}
		if p.Disable {
			return true
		}
		for _, u := range p.Units {
			if !p.VLANTagging && u.Number == 0 && u.Disable {
				return true
			}
		}
	}
	return false
}

// Stats returns the kernel's counters of an interface (Junos name, physical
// or logical).
func (r *Router) Stats(ifname string) (LinkStats, error) {
	linux, err := r.linuxIFL(ifname)
	if err != nil {
		return LinkStats{}, err
	}
	return r.h.Stats(linux)
}

// Link returns the kernel state of an interface (Junos name).
func (r *Router) Link(ifname string) (LinkInfo, error) {
	linux, err := r.linuxIFL(ifname)
	if err != nil {
		return LinkInfo{}, err
	}
	return r.h.Link(linux)
}

// LinuxIFL returns the Linux link of a Junos interface name (see linuxIFL).
func (r *Router) LinuxIFL(ifl string) (string, error) { return r.linuxIFL(ifl) }

// linuxIFL finds the link of a Junos interface name: a VLAN link for a
// tagged unit, the port's link for a port or its untagged unit 0 (and for
// every unit when the kernel has no VLAN links).
func (r *Router) linuxIFL(ifl string) (string, error) {
	linux, err := LinuxName(ifl)
	if err != nil {
		return "", err
	}
	if _, err := r.nl.LinkByName(linux); err == nil {
		return linux, nil
	}
	phys, unit := SplitUnit(ifl)
	if unit == 0 || unit > 0 && !r.vlans {
		if pl, err := LinuxName(phys); err == nil {
			if _, err := r.nl.LinkByName(pl); err == nil {
				return pl, nil
			}
		}
	}
	return "", fmt.Errorf("interface %s: %w", ifl, ErrNoLink)
}

// ErrNoLink reports an interface that has no link in the namespace.
var ErrNoLink = errors.New("no such link")

// junosIFL names the logical interface of a Linux link: "ge-1_0_0" is
// "ge-1/0/0.0", "ge-1_0_0.100" is "ge-1/0/0.100", "lo" is "lo0.0". Links
// that are not interfaces of the router keep their Linux name.
func junosIFL(linux string) string {
	if linux == "lo" {
		return "lo0.0"
	}
	jn, err := JunosName(linux)
	if err != nil {
		return linux
	}
	if _, unit := SplitUnit(jn); unit < 0 {
		return jn + ".0"
	}
	return jn
}
