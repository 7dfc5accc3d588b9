package kernel

import (
	"fmt"
	"os"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Veth is the device of a service unit where TUN devices cannot be opened
// (an unprivileged user namespace with /dev/net/tun mode 0600): a veth
// pair whose end carries the unit's Linux name, with ARP off so that the
// kernel routes into it without neighbours; the PIC reads and writes IPv4
// packets on the other end ("<name>~") through a packet socket.
type Veth struct {
	name string
	do   DoFunc
	sock *Socket
	addr unix.SockaddrLinklayer // the unit end: frames written arrive there
}

// OpenVeth creates the pair and the packet socket inside the namespace.
func OpenVeth(do DoFunc, name string, mtu int) (*Veth, error) {
	v := &Veth{name: name, do: do}
	var fd int
	err := do(func() error {
		l, peer, err := vethPair(name, mtu)
		if err != nil {
			return err
		}
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_IP)))
		if err == nil {
			unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
			err = unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: peer.Attrs().Index})
		}
		if err != nil {
			netlink.LinkDel(l)
			return fmt.Errorf("packet socket: %w", err)
		}
		v.addr = unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_IP), Ifindex: peer.Attrs().Index, Halen: 6}
		copy(v.addr.Addr[:], l.Attrs().HardwareAddr)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("veth %s: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), "packet:"+name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	v.sock = &Socket{f: f, rc: rc}
	return v, nil
}

func vethPair(name string, mtu int) (netlink.Link, netlink.Link, error) {
	la := netlink.NewLinkAttrs()
	la.Name, la.MTU, la.TxQLen = name, mtu, TxQueueLen
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: la, PeerName: name + "~"}); err != nil {
		return nil, nil, err
	}
	l, err := netlink.LinkByName(name)
	if err != nil {
		return nil, nil, err
	}
	peer, err := netlink.LinkByName(name + "~")
	if err == nil {
		err = netlink.LinkSetARPOff(l)
	}
	for _, n := range []string{name, name + "~"} {
		_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+n+"/disable_ipv6", []byte("1"), 0o644)
	}
	if err == nil {
		err = netlink.LinkSetUp(peer)
	}
	if err == nil {
		err = netlink.LinkSetUp(l)
	}
	if err != nil {
		netlink.LinkDel(l)
		return nil, nil, err
	}
	return l, peer, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// Name returns the Linux name of the unit end.
func (v *Veth) Name() string { return v.name }

// ReadBatch reads IPv4 packets the kernel routed into the unit.
func (v *Veth) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	return v.sock.ReadBatch(bufs, sizes)
}

// Write sends one IPv4 packet into the router through the unit.
func (v *Veth) Write(p []byte) (int, error) {
	var werr error
	err := v.sock.rc.Write(func(fd uintptr) bool {
		werr = unix.Sendto(int(fd), p, 0, &v.addr)
		return werr != unix.EAGAIN
	})
	if err != nil {
		return 0, err
	}
	if werr != nil {
		return 0, werr
	}
	return len(p), nil
}

// SetReadDeadline cuts blocked reads short (see TUN.SetReadDeadline).
func (v *Veth) SetReadDeadline(t time.Time) error { return v.sock.f.SetReadDeadline(t) }

// Close closes the socket and removes the pair.
func (v *Veth) Close() error {
	v.sock.Close()
	return v.do(func() error {
		l, err := netlink.LinkByName(v.name)
		if err != nil {
			return nil
		}
		return netlink.LinkDel(l)
	})
}

// WriteBatch writes pkts one by one; it returns how many were written and
// the first error.
func (v *Veth) WriteBatch(pkts [][]byte) (int, error) {
	n := 0
	var first error
	for _, p := range pkts {
		if _, err := v.Write(p); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		n++
	}
	return n, first
}
