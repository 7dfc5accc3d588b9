package routing

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
)

// ICMP types mxlab's ping and traceroute read.
const (
	icmpEchoReply    = 0
	icmpUnreachable  = 3
	icmpEcho         = 8
	icmpTimeExceeded = 11
	protoICMP        = 1
	protoUDP         = 17
)

// errShortPacket reports a packet too short for its headers.
var errShortPacket = errors.New("short packet")

// ipHeader is the part of an IPv4 header ping and traceroute print.
type ipHeader struct {
	raw      []byte // the header, options included
	Src, Dst netip.Addr
	Proto    int
	TTL      int
	Len      int // total length field
}

// icmpMessage is a received IPv4 packet carrying ICMP.
type icmpMessage struct {
	IP      ipHeader
	Type    int
	Code    int
	ID, Seq int    // echo and echo reply
	Body    []byte // after the 8-byte ICMP header
	ICMPLen int    // ICMP header and body
	Inner   *ipHeader
	InnerL4 []byte // the first bytes after the inner IP header (8 at least)
}

// parseIPHeader reads the IPv4 header at the start of b.
func parseIPHeader(b []byte) (ipHeader, []byte, error) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return ipHeader{}, nil, fmt.Errorf("ipv4 header: %w", errShortPacket)
	}
	hl := int(b[0]&0x0f) * 4
	if hl < 20 || len(b) < hl {
		return ipHeader{}, nil, fmt.Errorf("ipv4 header length %d: %w", hl, errShortPacket)
	}
	h := ipHeader{
		raw:   b[:hl],
		Src:   netip.AddrFrom4([4]byte(b[12:16])),
		Dst:   netip.AddrFrom4([4]byte(b[16:20])),
		Proto: int(b[9]),
		TTL:   int(b[8]),
		Len:   int(binary.BigEndian.Uint16(b[2:4])),
	}
	return h, b[hl:], nil
}

// parseICMP reads a packet as a raw IPv4 ICMP socket returns it: the IP
// header, then the ICMP message; errors carry the offending packet's IP
// header and first 8 bytes.
func parseICMP(pkt []byte) (icmpMessage, error) {
	ip, rest, err := parseIPHeader(pkt)
	if err != nil {
		return icmpMessage{}, err
	}
	if ip.Proto != protoICMP {
		return icmpMessage{}, fmt.Errorf("protocol %d is not icmp", ip.Proto)
	}
	if len(rest) < 8 {
		return icmpMessage{}, fmt.Errorf("icmp header: %w", errShortPacket)
	}
	m := icmpMessage{
		IP: ip, Type: int(rest[0]), Code: int(rest[1]),
		ID: int(binary.BigEndian.Uint16(rest[4:6])), Seq: int(binary.BigEndian.Uint16(rest[6:8])),
		Body: rest[8:], ICMPLen: len(rest),
	}
	if m.Type == icmpUnreachable || m.Type == icmpTimeExceeded {
		inner, l4, err := parseIPHeader(m.Body)
		if err != nil {
			return icmpMessage{}, fmt.Errorf("icmp error: %w", err)
		}
		if len(l4) < 8 {
			return icmpMessage{}, fmt.Errorf("icmp error payload: %w", errShortPacket)
		}
		m.Inner, m.InnerL4 = &inner, l4[:8]
	}
	return m, nil
}

// echoRequest builds an ICMP echo request with size data bytes; the first
// 8 carry the send time in nanoseconds when there is room.
func echoRequest(id, seq, size int, sentNanos int64) []byte {
	b := make([]byte, 8+size)
	b[0] = icmpEcho
	binary.BigEndian.PutUint16(b[4:], uint16(id))
	binary.BigEndian.PutUint16(b[6:], uint16(seq))
	if size >= 8 {
		binary.BigEndian.PutUint64(b[8:], uint64(sentNanos))
	}
	for i := 16; i < len(b); i++ {
		b[i] = byte(i)
	}
	binary.BigEndian.PutUint16(b[2:], checksum(b))
	return b
}

// checksum is the Internet checksum (RFC 1071).
func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// unreachableText is what FreeBSD's ping prints for an ICMP error.
func unreachableText(m icmpMessage) string {
	if m.Type == icmpTimeExceeded {
		return "Time to live exceeded"
	}
	switch m.Code {
	case 0:
		return "Destination Net Unreachable"
	case 1:
		return "Destination Host Unreachable"
	case 2:
		return "Destination Protocol Unreachable"
	case 3:
		return "Destination Port Unreachable"
	case 4:
		return fmt.Sprintf("frag needed and DF set (MTU %d)", m.Seq) // the next-hop MTU field
	case 13:
		return "Communication prohibited by filter"
	}
	return fmt.Sprintf("Dest Unreachable, Bad Code: %d", m.Code)
}

// writeIPHeaderDump prints an IP header the way FreeBSD's ping does after
// an ICMP error.
func writeIPHeaderDump(w io.Writer, h *ipHeader) {
	b := h.raw
	io.WriteString(w, "Vr HL TOS  Len   ID Flg  off TTL Pro  cks      Src      Dst\n")
	off := binary.BigEndian.Uint16(b[6:8])
	fmt.Fprintf(w, " %1x  %1x  %02x %04x %04x", b[0]>>4, b[0]&0x0f, b[1], binary.BigEndian.Uint16(b[2:4]), binary.BigEndian.Uint16(b[4:6]))
	fmt.Fprintf(w, "   %1x %04x", (off&0xe000)>>13, off&0x1fff)
	fmt.Fprintf(w, "  %02x  %02x %04x", b[8], b[9], binary.BigEndian.Uint16(b[10:12]))
	fmt.Fprintf(w, " %s  %s\n\n", h.Src, h.Dst)
}
