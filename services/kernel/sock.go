package kernel

import (
	"cmp"
	"encoding/binary"
	"errors"
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
	gro  *groReader
	// names receive the senders of a UDP socket's datagrams; from holds
	// the sender of each buffer of the last ReadBatch.
	names []unix.RawSockaddrInet4
	from  []netip.AddrPort
}

// From returns the sender of the i-th datagram of the last ReadBatch of a
// UDP socket.
func (s *Socket) From(i int) netip.AddrPort {
	if i < len(s.from) {
		return s.from[i]
	}
	return netip.AddrPort{}
}

func sockaddrPort(sa *unix.RawSockaddrInet4) netip.AddrPort {
	p := (*[2]byte)(unsafe.Pointer(&sa.Port))
	return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(p[0])<<8|uint16(p[1]))
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
	var gro bool
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
			gro = unix.SetsockoptInt(fd, unix.SOL_UDP, unix.UDP_GRO, 1) == nil
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
	s := &Socket{f: f, rc: rc, Port: port}
	if gro {
		s.gro = newGROReader()
	}
	return s, nil
}

// ReadBatch receives up to len(bufs) datagrams, waiting for the first.
// On a UDP socket the kernel may merge the datagrams of a burst (UDP_GRO);
// they are split again here, so each buffer holds one datagram as sent.
func (s *Socket) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	if s.gro != nil {
		return s.gro.read(s, bufs, sizes)
	}
	n, err := s.recvmmsg(bufs, sizes, nil)
	if s.Port != 0 {
		s.from = s.from[:0]
		for i := range n {
			s.from = append(s.from, sockaddrPort(&s.names[i]))
		}
	}
	return n, err
}

// recvmmsg receives up to len(bufs) datagrams, waiting for the first, with
// their control messages in oobs when given.
func (s *Socket) recvmmsg(bufs [][]byte, sizes []int, oobs [][]byte) (int, error) {
	if cap(s.hdrs) < len(bufs) {
		s.hdrs = make([]unix.Mmsghdr, len(bufs))
		s.iovs = make([]unix.Iovec, len(bufs))
	}
	hdrs, iovs := s.hdrs[:len(bufs)], s.iovs[:len(bufs)]
	if s.Port != 0 && len(s.names) < len(bufs) {
		s.names = make([]unix.RawSockaddrInet4, len(bufs))
	}
	for i := range bufs {
		iovs[i].Base = &bufs[i][0]
		iovs[i].SetLen(len(bufs[i]))
		hdrs[i] = unix.Mmsghdr{}
		hdrs[i].Hdr.Iov = &iovs[i]
		hdrs[i].Hdr.Iovlen = 1
		if s.Port != 0 {
			hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&s.names[i]))
			hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		}
		if oobs != nil {
			hdrs[i].Hdr.Control = &oobs[i][0]
			hdrs[i].Hdr.SetControllen(len(oobs[i]))
		}
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
		if oobs != nil {
			oobs[i] = oobs[i][:hdrs[i].Hdr.Controllen]
		}
	}
	return n, rerr
}

// groReader receives merged datagrams into its own buffers and hands them
// out one datagram at a time.
type groReader struct {
	bufs  [][]byte
	oobs  [][]byte
	space [][]byte // oobs at full size, for each read
	sizes []int
	n     int              // datagrams read
	msg   int              // next datagram to hand out
	off   int              // offset of the next segment in bufs[msg]
	segs  []int            // segment size of each datagram read (0: not merged)
	src   []netip.AddrPort // sender of each datagram read

	merged int // merged datagrams received (for tests)
}

const (
	groBuffers = 8
	groBufSize = 64 << 10
)

func newGROReader() *groReader {
	g := &groReader{sizes: make([]int, groBuffers), segs: make([]int, groBuffers), src: make([]netip.AddrPort, groBuffers)}
	for range groBuffers {
		g.bufs = append(g.bufs, make([]byte, groBufSize))
		g.space = append(g.space, make([]byte, unix.CmsgSpace(4)*2))
	}
	g.oobs = make([][]byte, groBuffers)
	return g
}

// read copies the next datagrams into bufs, receiving when none is left.
func (g *groReader) read(s *Socket, bufs [][]byte, sizes []int) (int, error) {
	if g.msg >= g.n {
		copy(g.oobs, g.space)
		n, err := s.recvmmsg(g.bufs, g.sizes, g.oobs)
		if n == 0 {
			return 0, err
		}
		for i := range n {
			g.src[i] = sockaddrPort(&s.names[i])
			g.segs[i] = groSegment(g.oobs[i])
			if g.segs[i] > 0 && g.sizes[i] > g.segs[i] {
				g.merged++
			}
		}
		g.n, g.msg, g.off = n, 0, 0
	}
	k := 0
	s.from = s.from[:0]
	for k < len(bufs) && g.msg < g.n {
		s.from = append(s.from, g.src[g.msg])
		size := g.sizes[g.msg]
		end := size
		if seg := g.segs[g.msg]; seg > 0 {
			end = min(g.off+seg, size)
		}
		sizes[k] = copy(bufs[k], g.bufs[g.msg][g.off:end])
		k++
		g.off = end
		if g.off >= size {
			g.msg++
			g.off = 0
		}
	}
	return k, nil
}

// groSegment is the segment size of a merged datagram (its UDP_GRO
// control message), 0 for a datagram as sent.
func groSegment(oob []byte) int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_UDP && m.Header.Type == unix.UDP_GRO && len(m.Data) >= 4 {
			return int(binary.NativeEndian.Uint32(m.Data))
		}
	}
	return 0
}

// Close closes the socket; a blocked ReadBatch returns.
func (s *Socket) Close() error { return s.f.Close() }

// Sender sends complete IPv4 packets (the outer header built by the
// caller) through a raw IPPROTO_RAW socket, with Mark; runs of ESP-in-UDP
// packets of one flow leave through UDP sockets with segmentation offload
// instead (see gso.go). The sockets are blocking and kept out of the Go
// netpoller: a send waits only while the socket buffer is full, and the
// kernel wakes no poller each time it frees a sent packet.
type Sender struct {
	fd    int
	gso   *gso
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	addrs []unix.RawSockaddrInet4
	oobs  []byte
}

// OpenSender opens the sending socket inside the namespace. avoid lists the
// local UDP addresses and ports that receiving sockets hold: packets from
// them are sent raw.
func OpenSender(do DoFunc, avoid []netip.AddrPort) (*Sender, error) {
	var fd int
	err := do(func() error {
		var err error
		fd, err = sendSocket(unix.SOCK_RAW, unix.IPPROTO_RAW)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("raw socket: %w", err)
	}
	return &Sender{fd: fd, gso: newGSO(do, avoid)}, nil
}

// sendSocket opens a blocking socket for sending ESP, with Mark and a
// large send buffer.
func sendSocket(typ, proto int) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return -1, err
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_MARK, Mark)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 4<<20)
	return fd, nil
}

// SendBatch sends every packet of pkts (each a whole IPv4 packet) to the
// destination in its header, in order. It returns the number the kernel
// took. One Sender may be used by one goroutine at a time.
func (s *Sender) SendBatch(pkts [][]byte) (int, error) {
	sent := 0
	var serr error
	raw := 0 // start of the packets not sent yet, for the raw socket
	for i := 0; i < len(pkts); {
		n := udpRun(pkts[i:])
		if n < 2 {
			i++
			continue
		}
		if i > raw {
			k, err := s.sendRaw(pkts[raw:i])
			sent += k
			if errors.Is(err, os.ErrClosed) {
				return sent, err
			}
			serr = cmp.Or(serr, err)
		}
		raw = i + n
		if err := s.gso.send(pkts[i : i+n]); err != nil {
			raw = i // the raw socket sends them
		} else {
			sent += n
		}
		i += n
	}
	if raw < len(pkts) {
		k, err := s.sendRaw(pkts[raw:])
		sent += k
		serr = cmp.Or(serr, err)
	}
	return sent, serr
}

// sendRaw sends pkts through the raw socket.
func (s *Sender) sendRaw(pkts [][]byte) (int, error) {
	if len(pkts) == 0 {
		return 0, nil
	}
	if cap(s.hdrs) < len(pkts) {
		s.hdrs = make([]unix.Mmsghdr, len(pkts))
		s.iovs = make([]unix.Iovec, len(pkts))
		s.addrs = make([]unix.RawSockaddrInet4, len(pkts))
		s.oobs = make([]byte, len(pkts)*pktinfoSpace)
	}
	hdrs, iovs, addrs := s.hdrs[:len(pkts)], s.iovs[:len(pkts)], s.addrs[:len(pkts)]
	for i, p := range pkts {
		addrs[i] = unix.RawSockaddrInet4{Family: unix.AF_INET}
		var oob []byte
		if len(p) >= 20 {
			copy(addrs[i].Addr[:], p[16:20])
			oob = pktinfo(s.oobs[i*pktinfoSpace:(i+1)*pktinfoSpace], [4]byte(p[12:16]))
		}
		iovs[i].Base = &p[0]
		iovs[i].SetLen(len(p))
		hdrs[i] = unix.Mmsghdr{}
		hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&addrs[i]))
		hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		hdrs[i].Hdr.Iov = &iovs[i]
		hdrs[i].Hdr.Iovlen = 1
		if oob != nil {
			hdrs[i].Hdr.Control = &oob[0]
			hdrs[i].Hdr.SetControllen(len(oob))
		}
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

// pktinfoSpace is the size of an IP_PKTINFO control message.
var pktinfoSpace = unix.CmsgSpace(unix.SizeofInet4Pktinfo)

// pktinfo writes into b an IP_PKTINFO control message whose source is
// src: the route lookup of a raw packet then knows its source address
// (the header's is not used for it), so that the policy rules of a
// routing instance, which select its table by source address, apply to
// the ESP and IKE of a local gateway in that instance.
func pktinfo(b []byte, src [4]byte) []byte {
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
	h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
	info := (*unix.Inet4Pktinfo)(unsafe.Pointer(&b[unix.CmsgLen(0)]))
	*info = unix.Inet4Pktinfo{Spec_dst: src}
	return b
}

// Close closes the sockets; it must not be called while a SendBatch runs.
func (s *Sender) Close() error {
	s.gso.close()
	return unix.Close(s.fd)
}
