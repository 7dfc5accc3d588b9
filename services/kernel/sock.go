package kernel

import (
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Mark is the firewall mark of the ESP the PICs send; the policy rules of
// interface-style service sets let marked packets through untouched.
const Mark = 0x6d73 // "ms"

// Socket is a datagram socket of the namespace read in batches through
// the Go netpoller, so that Close or a read deadline ends a blocked read:
// a raw protocol-50 socket (whole IPv4 packets, header included), a UDP
// socket (UDP payloads) or the packet socket of a veth pair.
type Socket struct {
	f    *os.File
	rc   syscall.RawConn
	hdrs []unix.Mmsghdr
	iovs []unix.Iovec
	Port uint16 // local UDP port; 0 for a raw ESP socket
}

// OpenESP opens a raw socket receiving the ESP (IP protocol 50) packets
// addressed to local.
func OpenESP(do DoFunc, local netip.Addr) (*Socket, error) {
	return openRecv(do, unix.SOCK_RAW, unix.IPPROTO_ESP, local, 0)
}

// OpenUDP opens a UDP socket bound to local:port (ESP in UDP).
func OpenUDP(do DoFunc, local netip.Addr, port uint16) (*Socket, error) {
	return openRecv(do, unix.SOCK_DGRAM, unix.IPPROTO_UDP, local, port)
}

func openRecv(do DoFunc, typ, proto int, local netip.Addr, port uint16) (*Socket, error) {
	var fd int
	err := do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
		if err != nil {
			return err
		}
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20)
		if typ == unix.SOCK_DGRAM {
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		}
		sa := &unix.SockaddrInet4{Addr: local.As4(), Port: int(port)}
		if err := unix.Bind(fd, sa); err != nil {
			unix.Close(fd)
			return fmt.Errorf("bind %s: %w", netip.AddrPortFrom(local, port), err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	f := os.NewFile(uintptr(fd), "esp")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Socket{f: f, rc: rc, Port: port}, nil
}

// ReadBatch receives up to len(bufs) datagrams, waiting for the first.
func (s *Socket) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	if cap(s.hdrs) < len(bufs) {
		s.hdrs = make([]unix.Mmsghdr, len(bufs))
		s.iovs = make([]unix.Iovec, len(bufs))
	}
	hdrs, iovs := s.hdrs[:len(bufs)], s.iovs[:len(bufs)]
	for i := range bufs {
		iovs[i].Base = &bufs[i][0]
		iovs[i].SetLen(len(bufs[i]))
		hdrs[i] = unix.Mmsghdr{}
		hdrs[i].Hdr.Iov = &iovs[i]
		hdrs[i].Hdr.Iovlen = 1
	}
	var n int
	var rerr error
	err := s.rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&hdrs[0])), uintptr(len(hdrs)), unix.MSG_DONTWAIT, 0, 0)
			switch e {
			case 0:
				n = int(r)
				return true
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false
			}
			rerr = e
			return true
		}
	})
	if err != nil {
		return 0, err
	}
	for i := 0; i < n; i++ {
		sizes[i] = int(hdrs[i].Len)
	}
	return n, rerr
}

// Close closes the socket; a blocked ReadBatch returns.
func (s *Socket) Close() error { return s.f.Close() }

// Sender sends complete IPv4 packets (the outer header built by the
// caller) through a raw IPPROTO_RAW socket, with Mark. The socket is
// blocking and kept out of the Go netpoller: a send waits only while the
// socket buffer is full, and the kernel wakes no poller each time it
// frees a sent packet.
type Sender struct {
	fd    int
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	addrs []unix.RawSockaddrInet4
}

// OpenSender opens the sending socket inside the namespace.
func OpenSender(do DoFunc) (*Sender, error) {
	var fd int
	err := do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		if err != nil {
			return err
		}
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_MARK, Mark)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 4<<20)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("raw socket: %w", err)
	}
	return &Sender{fd: fd}, nil
}

// SendBatch sends every packet of pkts (each a whole IPv4 packet) to the
// destination in its header. It returns the number the kernel took.
// One Sender may be used by one goroutine at a time.
func (s *Sender) SendBatch(pkts [][]byte) (int, error) {
	if len(pkts) == 0 {
		return 0, nil
	}
	if cap(s.hdrs) < len(pkts) {
		s.hdrs = make([]unix.Mmsghdr, len(pkts))
		s.iovs = make([]unix.Iovec, len(pkts))
		s.addrs = make([]unix.RawSockaddrInet4, len(pkts))
	}
	hdrs, iovs, addrs := s.hdrs[:len(pkts)], s.iovs[:len(pkts)], s.addrs[:len(pkts)]
	for i, p := range pkts {
		addrs[i] = unix.RawSockaddrInet4{Family: unix.AF_INET}
		if len(p) >= 20 {
			copy(addrs[i].Addr[:], p[16:20])
		}
		iovs[i].Base = &p[0]
		iovs[i].SetLen(len(p))
		hdrs[i] = unix.Mmsghdr{}
		hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&addrs[i]))
		hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		hdrs[i].Hdr.Iov = &iovs[i]
		hdrs[i].Hdr.Iovlen = 1
	}
	sent := 0
	var serr error
	for sent < len(hdrs) {
		r, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&hdrs[sent])), uintptr(len(hdrs)-sent), 0, 0, 0)
		switch e {
		case 0:
			sent += int(r)
		case unix.EINTR:
		case unix.EBADF:
			return sent, os.ErrClosed
		default:
			// A packet the kernel refuses (no route, too big) is
			// skipped so that the rest of the batch still leaves.
			serr = e
			sent++
		}
	}
	return sent, serr
}

// Close closes the socket; it must not be called while a SendBatch runs.
func (s *Sender) Close() error { return unix.Close(s.fd) }
