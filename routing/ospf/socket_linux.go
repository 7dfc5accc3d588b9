package ospf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// protoOSPF is the IP protocol number of OSPF.
const protoOSPF = 89

// Dataplane is what the OSPF network needs from a router's namespace;
// *netns.Router implements it.
type Dataplane interface {
	Do(fn func() error) error
	LinuxIFL(ifl string) (string, error)
}

// NewNet returns the network of a router's namespace: raw IP protocol 89
// sockets opened inside it.
func NewNet(dp Dataplane) Net { return &rawNet{dp: dp} }

type rawNet struct{ dp Dataplane }

func (n *rawNet) Link(ifl string) (Link, error) {
	linux, err := n.dp.LinuxIFL(ifl)
	if err != nil {
		return Link{}, err
	}
	var l Link
	err = n.dp.Do(func() error {
		ifi, err := net.InterfaceByName(linux)
		if err != nil {
			return err
		}
		if ifi.Flags&net.FlagUp == 0 {
			return fmt.Errorf("interface %s is down", ifl)
		}
		l = Link{Index: ifi.Index, MTU: ifi.MTU}
		return nil
	})
	return l, err
}

// rawConn is a raw socket and its reader goroutine.
type rawConn struct {
	f  *os.File
	fd int
	wg sync.WaitGroup
}

func (n *rawNet) Listen(deliver func(Received)) (Conn, error) {
	var fd int
	err := n.dp.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, protoOSPF)
		if err != nil {
			return fmt.Errorf("ospf socket: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, o := range []struct{ level, opt, v int }{
		{unix.IPPROTO_IP, unix.IP_PKTINFO, 1},
		{unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0},
		{unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, 1},
		{unix.IPPROTO_IP, unix.IP_TTL, 1},
		{unix.IPPROTO_IP, unix.IP_TOS, 0xc0},
		{unix.SOL_SOCKET, unix.SO_RCVBUF, 1 << 20},
	} {
		if err := unix.SetsockoptInt(fd, o.level, o.opt, o.v); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("ospf socket option %d: %w", o.opt, err)
		}
	}
	c := &rawConn{f: os.NewFile(uintptr(fd), "ospf"), fd: fd}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.runReader(deliver)
	}()
	return c, nil
}

// runReader reads packets until the socket is closed.
func (c *rawConn) runReader(deliver func(Received)) {
	rc, err := c.f.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 65536)
	oob := make([]byte, 256)
	for {
		var n, oobn int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, 0)
			return rerr != unix.EAGAIN
		})
		if err != nil {
			return // closed
		}
		if rerr != nil {
			continue
		}
		r, ok := parseIP(buf[:n], oob[:oobn])
		if ok {
			deliver(r)
		}
	}
}

// parseIP takes the IP header off a received packet and the interface
// from its IP_PKTINFO.
func parseIP(b, oob []byte) (Received, bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return Received{}, false
	}
	hl := int(b[0]&0x0f) * 4
	tot := int(binary.BigEndian.Uint16(b[2:]))
	if hl < 20 || tot > len(b) || tot < hl {
		return Received{}, false
	}
	r := Received{Src: netip.AddrFrom4([4]byte(b[12:16])), Dst: netip.AddrFrom4([4]byte(b[16:20]))}
	r.Data = append([]byte(nil), b[hl:tot]...)
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return Received{}, false
	}
	for _, m := range msgs {
		if m.Header.Level == unix.IPPROTO_IP && m.Header.Type == unix.IP_PKTINFO && len(m.Data) >= unix.SizeofInet4Pktinfo {
			pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&m.Data[0]))
			r.IfIndex = int(pi.Ifindex)
		}
	}
	return r, r.IfIndex != 0
}

func (c *rawConn) Join(ifindex int) error {
	var errs []error
	for _, g := range []ID{AllSPFRouters, AllDRouters} {
		mr := &unix.IPMreqn{Multiaddr: g.Addr().As4(), Ifindex: int32(ifindex)}
		if err := unix.SetsockoptIPMreqn(c.fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mr); err != nil && !errors.Is(err, unix.EADDRINUSE) {
			errs = append(errs, fmt.Errorf("join %s: %w", g, err))
		}
	}
	return errors.Join(errs...)
}

func (c *rawConn) Send(ifindex int, src, dst netip.Addr, b []byte) error {
	pi := unix.Inet4Pktinfo{Ifindex: int32(ifindex)}
	if src.Is4() {
		pi.Spec_dst = src.As4()
	}
	oob := unix.PktInfo4(&pi)
	rc, err := c.f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), b, oob, &unix.SockaddrInet4{Addr: dst.As4()}, 0)
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return serr
}

func (c *rawConn) Close() error {
	err := c.f.Close()
	c.wg.Wait()
	return err
}
