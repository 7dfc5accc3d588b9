package kernel

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

/* ESP in UDP with segmentation offload

A raw socket costs the kernel one trip through its IP output, the veth and
the peer's IP input for every packet. For ESP in UDP the kernel can do
better: a run of packets of one flow and one size leaves in one sendmsg
with UDP_SEGMENT (UDP GSO), crosses the veth as one buffer, and reaches
the peer's socket, if it asked for UDP_GRO, still as one buffer. The
packets on the wire are the same as those the raw socket sends, each its
own IPv4 and UDP header, except that the kernel fills in the IP
identification and the UDP checksum (RFC 3948 lets a sender use either a
checksum or zero; receivers accept both).

The source port is part of the flow (udp-encapsulate derives it from the
inner addresses), so each local address and source port has its own
socket, bound to it, opened on first use. These sockets only send: a
filter drops what arrives on them. The ports the card receives on are
left to the receiving sockets (the raw socket sends for them).
*/

const (
	gsoMaxSegs    = 64    // UDP_MAX_SEGMENTS of older kernels
	gsoMaxPayload = 65000 // a GSO buffer stays within one IPv4 datagram
	gsoMaxSockets = 64    // flows beyond these go through the raw socket
)

type gsoKey struct {
	local [4]byte
	port  uint16
}

// gsoSock is a send-only UDP socket; fd < 0 marks a port that cannot be
// used now (bind refused: the address is not up yet; or GSO refused),
// tried again after gsoRetry.
type gsoSock struct {
	fd    int
	df    int8 // the DF mode set on the socket: -1 unknown, 0 clear, 1 set
	retry time.Time
}

const gsoRetry = time.Second

// gso sends runs of ESP-in-UDP packets through UDP sockets.
type gso struct {
	do    DoFunc
	avoid map[gsoKey]bool
	socks map[gsoKey]*gsoSock
	iovs  []unix.Iovec
	oob   [3 * 24]byte // three control messages of CmsgSpace(4) bytes at most
}

func newGSO(do DoFunc, avoid []netip.AddrPort) *gso {
	g := &gso{do: do, avoid: map[gsoKey]bool{}, socks: map[gsoKey]*gsoSock{}}
	for _, ap := range avoid {
		if ap.Addr().Is4() {
			g.avoid[gsoKey{ap.Addr().As4(), ap.Port()}] = true
		}
	}
	return g
}

// udpRun returns how many packets from the start of pkts form one run that
// one GSO send can carry (0 when the first is not ESP in UDP over IPv4):
// same addresses, ports, TOS, TTL and DF, unfragmented, all of the size of
// the first but the last, which may be shorter.
func udpRun(pkts [][]byte) int {
	first := pkts[0]
	if !plainUDP(first) {
		return 0
	}
	size := len(first)
	total := 0
	n := 0
	for _, p := range pkts {
		if n == gsoMaxSegs || total+len(p)-28 > gsoMaxPayload || len(p) > size || !plainUDP(p) ||
			p[1] != first[1] || p[8] != first[8] || p[6]&0x40 != first[6]&0x40 ||
			[12]byte(p[12:24]) != [12]byte(first[12:24]) {
			break
		}
		n++
		total += len(p) - 28
		if len(p) < size {
			break
		}
	}
	return n
}

// plainUDP reports whether p is a whole IPv4 UDP datagram without options
// or fragmentation, with consistent lengths.
func plainUDP(p []byte) bool {
	return len(p) > 28 && p[0] == 0x45 && p[9] == unix.IPPROTO_UDP &&
		binary.BigEndian.Uint16(p[6:])&0x3fff == 0 &&
		int(binary.BigEndian.Uint16(p[2:])) == len(p) &&
		int(binary.BigEndian.Uint16(p[24:])) == len(p)-20
}

// send sends a run (udpRun) in one system call. An error leaves the
// packets to the raw socket.
func (g *gso) send(run [][]byte) error {
	first := run[0]
	k := gsoKey{[4]byte(first[12:16]), binary.BigEndian.Uint16(first[20:])}
	if g.avoid[k] {
		return errNoGSO
	}
	s := g.socks[k]
	if s == nil {
		if len(g.socks) >= gsoMaxSockets {
			return errNoGSO
		}
		s = &gsoSock{fd: -1}
		g.socks[k] = s
	}
	if s.fd < 0 {
		now := time.Now()
		if now.Before(s.retry) {
			return errNoGSO
		}
		fd, err := g.open(k)
		if err != nil {
			s.retry = now.Add(gsoRetry)
			return errNoGSO
		}
		s.fd, s.df = fd, -1
	}
	df := int8(first[6] >> 6 & 1)
	if s.df != df {
		mode := unix.IP_PMTUDISC_DONT
		if df == 1 {
			// DF on every packet, sized by the device MTU only, as
			// the raw socket sends them.
			mode = unix.IP_PMTUDISC_PROBE
		}
		if err := unix.SetsockoptInt(s.fd, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, mode); err != nil {
			return err
		}
		s.df = df
	}
	g.iovs = g.iovs[:0]
	for _, p := range run {
		iov := unix.Iovec{Base: &p[28]}
		iov.SetLen(len(p) - 28)
		g.iovs = append(g.iovs, iov)
	}
	oob := g.oob[:0]
	oob = appendCmsg(oob, unix.SOL_UDP, unix.UDP_SEGMENT, 2, uint32(len(first)-28))
	oob = appendCmsg(oob, unix.IPPROTO_IP, unix.IP_TOS, 4, uint32(first[1]))
	oob = appendCmsg(oob, unix.IPPROTO_IP, unix.IP_TTL, 4, uint32(first[8]))
	to := unix.RawSockaddrInet4{Family: unix.AF_INET, Port: htons(binary.BigEndian.Uint16(first[22:])), Addr: [4]byte(first[16:20])}
	msg := unix.Msghdr{
		Name:    (*byte)(unsafe.Pointer(&to)),
		Namelen: unix.SizeofSockaddrInet4,
		Iov:     &g.iovs[0],
		Control: &oob[0],
	}
	msg.SetIovlen(len(g.iovs))
	msg.SetControllen(len(oob))
	for {
		_, _, e := unix.Syscall(unix.SYS_SENDMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&msg)), 0)
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		case unix.EINVAL, unix.ENOPROTOOPT, unix.EOPNOTSUPP, unix.EIO:
			// No UDP GSO for this run (old kernel, segments beyond
			// the device MTU): the port goes through the raw socket
			// for a while.
			unix.Close(s.fd)
			s.fd, s.retry = -1, time.Now().Add(gsoRetry)
		}
		return e
	}
}

// errNoGSO sends a run through the raw socket.
var errNoGSO = errors.New("no udp gso")

// appendCmsg appends one control message with an integer of size bytes.
func appendCmsg(b []byte, level, typ int32, size int, v uint32) []byte {
	h := unix.Cmsghdr{Level: level, Type: typ}
	h.SetLen(unix.CmsgLen(size))
	start := len(b)
	b = b[:start+unix.CmsgSpace(size)]
	clear(b[start:])
	*(*unix.Cmsghdr)(unsafe.Pointer(&b[start])) = h
	data := b[start+unix.CmsgLen(0):]
	if size == 2 {
		binary.NativeEndian.PutUint16(data, uint16(v))
	} else {
		binary.NativeEndian.PutUint32(data, v)
	}
	return b
}

// dropAll is a socket filter that keeps nothing.
var dropAll = []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: 0}}

// open opens the send-only socket of a local address and source port.
func (g *gso) open(k gsoKey) (int, error) {
	var fd int
	err := g.do(func() error {
		var err error
		fd, err = sendSocket(unix.SOCK_DGRAM, unix.IPPROTO_UDP)
		if err != nil {
			return err
		}
		err = unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
			&unix.SockFprog{Len: uint16(len(dropAll)), Filter: &dropAll[0]})
		if err == nil {
			err = unix.Bind(fd, &unix.SockaddrInet4{Addr: k.local, Port: int(k.port)})
		}
		if err != nil {
			unix.Close(fd)
		}
		return err
	})
	return fd, err
}

func (g *gso) close() {
	for _, s := range g.socks {
		if s.fd >= 0 {
			unix.Close(s.fd)
		}
	}
	clear(g.socks)
}
