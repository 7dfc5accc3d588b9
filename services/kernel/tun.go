package kernel

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"mxlab/services/kernel/offload"
)

// TxQueueLen is the queue length of a TUN device.
const TxQueueLen = 2000

// DoFunc runs fn inside the router's network namespace (netns.Router.Do).
type DoFunc func(fn func() error) error

// TUN is a TUN device (IFF_TUN, no packet information header): the kernel
// routes IP packets into it, and packets written to it enter the router as
// if they had arrived on it.
//
// The device is opened with a virtio-net header (IFF_VNET_HDR) and, when
// the kernel allows, with checksum and TCP segmentation offload
// (TUNSETOFFLOAD): the kernel then hands over TCP super-packets of up to
// 64 KB instead of one packet per segment, and ReadBatch cuts them into
// the segments a NIC would send (offload.Segmenter); WriteBatch in turn
// merges the TCP segments of a batch into super-packets
// (offload.Coalescer), so that the router forwards and the receiving host
// takes them whole. Packets are therefore read and written as they are on
// the wire, whatever the kernel does with them inside.
type TUN struct {
	name    string
	f       *os.File
	rc      syscall.RawConn
	offload bool // TSO on: super-packets are read, and written

	rbuf []byte // one packet read, virtio-net header first
	seg  offload.Segmenter

	wmu   sync.Mutex // writers: the coalescer and the I/O vectors
	gro   offload.Coalescer
	parts [][]byte
	iovs  []unix.Iovec
}

// tunReadBuf holds the largest super-packet the kernel hands over.
const tunReadBuf = offload.HdrLen + 128<<10

// Offloads a TUN device asks for (TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6 in
// linux/if_tun.h).
const (
	tunFCsum = 0x01
	tunFTSO4 = 0x02
	tunFTSO6 = 0x04
)

// OpenTUN creates the TUN device name inside the namespace, with the given
// MTU, IPv6 disabled and the link up. The device lives as long as the TUN
// is open.
func OpenTUN(do DoFunc, name string, mtu int) (*TUN, error) {
	var fd int
	var tso bool
	err := do(func() error {
		var err error
		if fd, tso, err = createTUN(name); err != nil {
			return err
		}
		if err := linkSetup(name, mtu); err != nil {
			unix.Close(fd)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tun %s: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), "/dev/net/tun:"+name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("tun %s: %w", name, err)
	}
	return &TUN{name: name, f: f, rc: rc, offload: tso, rbuf: make([]byte, tunReadBuf)}, nil
}

// createTUN opens the device; tso reports whether segmentation offload
// is on.
func createTUN(name string) (fd int, tso bool, err error) {
	fd, err = unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, false, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return -1, false, err
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI | unix.IFF_VNET_HDR)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, false, fmt.Errorf("TUNSETIFF: %w", err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TUNSETVNETHDRSZ, offload.HdrLen); err != nil {
		unix.Close(fd)
		return -1, false, fmt.Errorf("TUNSETVNETHDRSZ: %w", err)
	}
	tso = unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, tunFCsum|tunFTSO4|tunFTSO6) == nil
	return fd, tso, nil
}

// linkSetup runs on the namespace's thread: MTU, no IPv6 (no router
// solicitations or MLD reports reach the PIC), link up.
func linkSetup(name string, mtu int) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	if mtu > 0 {
		if err := netlink.LinkSetMTU(l, mtu); err != nil {
			return fmt.Errorf("set mtu %d: %w", mtu, err)
		}
	}
	// A longer queue than the default 500 absorbs the bursts a TCP
	// sender puts into the tunnel while the PIC encrypts.
	if err := netlink.LinkSetTxQLen(l, TxQueueLen); err != nil {
		return fmt.Errorf("set txqueuelen: %w", err)
	}
	_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+name+"/disable_ipv6", []byte("1"), 0o644)
	return netlink.LinkSetUp(l)
}

// Name returns the Linux name of the device.
func (t *TUN) Name() string { return t.name }

// ReadBatch reads up to len(bufs) packets, waiting for the first one; it
// returns how many it read, their sizes in sizes. A super-packet is
// returned as its segments; those that do not fit bufs come with the next
// call. ReadBatch must not be called from two goroutines at once.
func (t *TUN) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	n := t.drain(bufs, sizes, 0)
	var rerr error
	err := t.rc.Read(func(fd uintptr) bool {
		for n < len(bufs) {
			m, err := unix.Read(int(fd), t.rbuf)
			if err == unix.EINTR {
				continue
			}
			if err == unix.EAGAIN {
				return n > 0
			}
			if err != nil {
				rerr = err
				return true
			}
			if t.seg.Start(t.rbuf[:m]) == nil {
				n = t.drain(bufs, sizes, n)
			}
		}
		return true
	})
	if n > 0 {
		return n, nil
	}
	if err != nil {
		return 0, err
	}
	return 0, rerr
}

// drain moves the pending segments of the last packet read into bufs
// from index n on and returns the new count.
func (t *TUN) drain(bufs [][]byte, sizes []int, n int) int {
	for n < len(bufs) && t.seg.Pending() {
		if m := t.seg.Next(bufs[n]); m > 0 {
			sizes[n] = m
			n++
		}
	}
	return n
}

// Write writes one packet into the device.
func (t *TUN) Write(p []byte) (int, error) {
	if _, err := t.WriteBatch([][]byte{p}); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteBatch writes pkts into the device, the TCP segments that continue
// each other merged (see coalescer). It returns how many of pkts were
// written and the first error. It may be called from several goroutines.
func (t *TUN) WriteBatch(pkts [][]byte) (int, error) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.gro.Plan(pkts, t.offload)
	written := 0
	var first error
	for k := range t.gro.Len() {
		t.parts = t.gro.Parts(t.parts[:0], k, pkts)
		if err := t.writev(t.parts); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		written += t.gro.Segments(k)
	}
	return written, first
}

// writev writes one packet given in pieces.
func (t *TUN) writev(parts [][]byte) error {
	t.iovs = t.iovs[:0]
	for _, p := range parts {
		if len(p) > 0 {
			v := unix.Iovec{Base: &p[0]}
			v.SetLen(len(p))
			t.iovs = append(t.iovs, v)
		}
	}
	iovs := t.iovs
	if len(iovs) == 0 {
		return nil
	}
	var werr error
	err := t.rc.Write(func(fd uintptr) bool {
		for {
			_, _, e := unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iovs[0])), uintptr(len(iovs)))
			switch e {
			case 0:
				return true
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false
			}
			werr = e
			return true
		}
	})
	if err != nil {
		return err
	}
	return werr
}

// SetReadDeadline makes blocked and future reads fail with
// os.ErrDeadlineExceeded after t (the zero time: never).
func (t *TUN) SetReadDeadline(d time.Time) error { return t.f.SetReadDeadline(d) }

// Close removes the device.
func (t *TUN) Close() error { return t.f.Close() }

// SetAddrs gives the device exactly the IPv4 addresses addrs (the addresses
// configured on the unit).
func SetAddrs(do DoFunc, name string, addrs []netip.Prefix) error {
	return do(func() error {
		l, err := netlink.LinkByName(name)
		if err != nil {
			return err
		}
		have, err := netlink.AddrList(l, netlink.FAMILY_V4)
		if err != nil {
			return err
		}
		want := map[netip.Prefix]bool{}
		for _, a := range addrs {
			want[a] = true
		}
		var errs []error
		for _, h := range have {
			p := prefixOf(h)
			if want[p] {
				delete(want, p)
				continue
			}
			errs = append(errs, netlink.AddrDel(l, &h))
		}
		for p := range want {
			a, err := netlink.ParseAddr(p.String())
			if err != nil {
				return err
			}
			errs = append(errs, netlink.AddrAdd(l, a))
		}
		return errors.Join(errs...)
	})
}

func prefixOf(a netlink.Addr) netip.Prefix {
	ip, _ := netip.AddrFromSlice(a.IP.To4())
	ones, _ := a.Mask.Size()
	return netip.PrefixFrom(ip, ones)
}
