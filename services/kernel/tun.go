package kernel

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// TxQueueLen is the queue length of a TUN device.
const TxQueueLen = 2000

// DoFunc runs fn inside the router's network namespace (netns.Router.Do).
type DoFunc func(fn func() error) error

// TUN is a TUN device (IFF_TUN, no packet information header): the kernel
// routes IP packets into it, and packets written to it enter the router as
// if they had arrived on it.
type TUN struct {
	name string
	f    *os.File
	rc   syscall.RawConn
}

// OpenTUN creates the TUN device name inside the namespace, with the given
// MTU, IPv6 disabled and the link up. The device lives as long as the TUN
// is open.
func OpenTUN(do DoFunc, name string, mtu int) (*TUN, error) {
	var fd int
	err := do(func() error {
		var err error
		if fd, err = createTUN(name); err != nil {
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
	return &TUN{name: name, f: f, rc: rc}, nil
}

func createTUN(name string) (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	ifr.SetUint16(unix.IFF_TUN | unix.IFF_NO_PI)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("TUNSETIFF: %w", err)
	}
	return fd, nil
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
// returns how many it read, their sizes in sizes.
func (t *TUN) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	n := 0
	var rerr error
	err := t.rc.Read(func(fd uintptr) bool {
		for n < len(bufs) {
			m, err := unix.Read(int(fd), bufs[n])
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
			sizes[n] = m
			n++
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

// Write writes one packet into the device.
func (t *TUN) Write(p []byte) (int, error) {
	var n int
	var werr error
	err := t.rc.Write(func(fd uintptr) bool {
		for {
			m, err := unix.Write(int(fd), p)
			if err == unix.EINTR {
				continue
			}
			if err == unix.EAGAIN {
				return false
			}
			n, werr = m, err
			return true
		}
	})
	if err != nil {
		return 0, err
	}
	return n, werr
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
