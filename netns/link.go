package netns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// LinkInfo is the state of one Linux link of a namespace.
type LinkInfo struct {
	Name    string // Linux name
	Index   int
	Kind    string // "veth", "vlan", "device" (loopback)...
	MTU     int
	MAC     net.HardwareAddr
	AdminUp bool
	OperUp  bool // carrier: the peer end is up
	Parent  int  // index of the parent link of a VLAN, else 0
	VLANID  int
	Stats   LinkStats
}

// LinkStats are the kernel's counters of a link.
type LinkStats struct {
	RxPackets, RxBytes, TxPackets, TxBytes   uint64
	RxErrors, TxErrors, RxDropped, TxDropped uint64
}

// Connect creates a veth pair: aName in namespace a, bName in namespace b
// (Linux names), both brought up, with GRO on (see SetGRO).
func Connect(a *Handle, aName string, b *Handle, bName string) error {
	if err := addVeth(a, aName, b, bName, nil); err != nil {
		return fmt.Errorf("connect %s:%s to %s:%s: %w", a.name, aName, b.name, bName, err)
	}
	// Best effort: a kernel without veth NAPI still forwards, only with
	// the reordering SetGRO describes.
	a.SetGRO(aName, true)
	b.SetGRO(bName, true)
	if err := a.LinkSetUp(aName, true); err != nil {
		return err
	}
	return b.LinkSetUp(bName, true)
}

// byName returns the netlink socket of h and its link called name; done
// as for link.
func (h *Handle) byName(name string) (*netlink.Handle, netlink.Link, func(), error) {
	nl, done, err := h.link()
	if err != nil {
		return nil, nil, nil, err
	}
	l, err := nl.LinkByName(name)
	if err != nil {
		done()
		return nil, nil, nil, fmt.Errorf("%s: link %s: %w", h.name, name, err)
	}
	return nl, l, done, nil
}

// addVeth creates a veth pair: aName in a (a port of bridge br when br is
// not nil), bName in b.
func addVeth(a *Handle, aName string, b *Handle, bName string, br netlink.Link) error {
	nl, done, err := a.link()
	if err != nil {
		return err
	}
	defer done()
	if a == b {
		return nl.LinkAdd(vethPair(aName, bName, br, -1))
	}
	bns, bdone, err := b.fd()
	if err != nil {
		return err
	}
	defer bdone()
	return nl.LinkAdd(vethPair(aName, bName, br, int(bns)))
}

// vethPair is the netlink request of a veth pair, its peer in the
// namespace of descriptor peerNS (-1: the same namespace).
func vethPair(aName, bName string, br netlink.Link, peerNS int) *netlink.Veth {
	v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: aName}, PeerName: bName}
	if peerNS >= 0 {
		v.PeerNamespace = netlink.NsFd(peerNS)
	}
	if br != nil {
		v.MasterIndex = br.Attrs().Index
	}
	return v
}

// SetGRO turns generic receive offload of a link on or off (what `ethtool
// -K NAME gro on` does). On a veth it also switches the receive side to
// NAPI: the frames the peer sends then wait in one ring and are taken in
// order, whereas without it each frame joins the backlog of the CPU the
// sending thread happens to run on, so that a sender moving between CPUs
// reorders its packets and TCP across the link retransmits spuriously.
// GRO also merges the TCP segments and UDP datagrams (for sockets that ask
// for it) of a burst.
func (h *Handle) SetGRO(name string, on bool) error {
	const ethtoolSGRO = 0x2c // ETHTOOL_SGRO in linux/ethtool.h
	val := struct{ cmd, data uint32 }{cmd: ethtoolSGRO}
	if on {
		val.data = 1
	}
	var ifr struct {
		name [unix.IFNAMSIZ]byte
		data unsafe.Pointer
		_    [16]byte
	}
	if len(name) >= unix.IFNAMSIZ {
		return fmt.Errorf("%s: set gro on %s: name too long", h.name, name)
	}
	copy(ifr.name[:], name)
	ifr.data = unsafe.Pointer(&val)
	err := Do(h, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr)))
		runtime.KeepAlive(&val)
		if e != 0 {
			return e
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: set gro on %s: %w", h.name, name, err)
	}
	return nil
}

// LinkSetUp sets the administrative state of a link.
func (h *Handle) LinkSetUp(name string, up bool) error {
	nl, l, done, err := h.byName(name)
	if err != nil {
		return err
	}
	defer done()
	if up {
		err = nl.LinkSetUp(l)
	} else {
		err = nl.LinkSetDown(l)
	}
	if err != nil {
		return fmt.Errorf("%s: set link %s up=%v: %w", h.name, name, up, err)
	}
	return nil
}

// AddrAdd adds an IPv4 or IPv6 address to a link.
func (h *Handle) AddrAdd(name string, p netip.Prefix) error {
	nl, l, done, err := h.byName(name)
	if err != nil {
		return err
	}
	defer done()
	if err := nl.AddrAdd(l, &netlink.Addr{IPNet: ipNet(p)}); err != nil {
		return fmt.Errorf("%s: add %s to %s: %w", h.name, p, name, err)
	}
	return nil
}

// RouteAdd adds a route to the main table through gateway gw.
func (h *Handle) RouteAdd(dst netip.Prefix, gw netip.Addr) error {
	nl, done, err := h.link()
	if err != nil {
		return err
	}
	defer done()
	r := &netlink.Route{Dst: ipNet(dst.Masked()), Gw: gw.AsSlice()}
	if err := nl.RouteAdd(r); err != nil {
		return fmt.Errorf("%s: route %s via %s: %w", h.name, dst, gw, err)
	}
	return nil
}

// Links lists the links of the namespace.
func (h *Handle) Links() ([]LinkInfo, error) {
	nl, done, err := h.link()
	if err != nil {
		return nil, err
	}
	defer done()
	ls, err := retryDump(nl.LinkList)
	if err != nil {
		return nil, fmt.Errorf("%s: list links: %w", h.name, err)
	}
	out := make([]LinkInfo, 0, len(ls))
	for _, l := range ls {
		out = append(out, linkInfo(l))
	}
	return out, nil
}

// Link returns the state of one link.
func (h *Handle) Link(name string) (LinkInfo, error) {
	_, l, done, err := h.byName(name)
	if err != nil {
		return LinkInfo{}, err
	}
	done()
	return linkInfo(l), nil
}

// Stats returns the counters of a link (Linux name).
func (h *Handle) Stats(name string) (LinkStats, error) {
	_, l, done, err := h.byName(name)
	if err != nil {
		return LinkStats{}, err
	}
	done()
	return linkStats(l), nil
}

// AllStats returns the counters of every link, by Linux name, from one
// dump of the kernel's links.
func (h *Handle) AllStats() (map[string]LinkStats, error) {
	nl, done, err := h.link()
	if err != nil {
		return nil, err
	}
	defer done()
	ls, err := retryDump(nl.LinkList)
	if err != nil {
		return nil, fmt.Errorf("%s: list links: %w", h.name, err)
	}
	out := make(map[string]LinkStats, len(ls))
	for _, l := range ls {
		out[l.Attrs().Name] = linkStats(l)
	}
	return out, nil
}

func linkStats(l netlink.Link) LinkStats {
	s := l.Attrs().Statistics
	if s == nil {
		return LinkStats{}
	}
	return LinkStats{
		RxPackets: s.RxPackets, RxBytes: s.RxBytes, TxPackets: s.TxPackets, TxBytes: s.TxBytes,
		RxErrors: s.RxErrors, TxErrors: s.TxErrors, RxDropped: s.RxDropped, TxDropped: s.TxDropped,
	}
}

func linkInfo(l netlink.Link) LinkInfo {
	a := l.Attrs()
	li := LinkInfo{
		Name: a.Name, Index: a.Index, Kind: l.Type(), MTU: a.MTU, MAC: a.HardwareAddr,
		AdminUp: a.Flags&net.FlagUp != 0,
		OperUp:  a.RawFlags&unix.IFF_LOWER_UP != 0,
		Parent:  a.ParentIndex,
		Stats:   linkStats(l),
	}
	if v, ok := l.(*netlink.Vlan); ok {
		li.VLANID = v.VlanId
	}
	return li
}

func ipNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() && !p.Addr().Is4In6() {
		bits = 128
	}
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
}

func prefixOf(n *net.IPNet) netip.Prefix {
	if n == nil {
		return netip.Prefix{}
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}
	}
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a.Unmap(), ones)
}

// retryDump retries a netlink dump the kernel interrupted because the
// table changed meanwhile.
func retryDump[T any](f func() ([]T, error)) ([]T, error) {
	var err error
	for range 5 {
		var v []T
		v, err = f()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return v, err
		}
	}
	return nil, err
}
