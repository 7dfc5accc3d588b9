package ike

import (
	"encoding/binary"
	"net/netip"
)

// natPort is the NAT-T port, where IKE messages carry the non-ESP marker.
const natPort = 4500

// udpPacket builds the IPv4 and UDP headers of an IKE message from local
// to remote. On port 4500 the message gets the 4-byte non-ESP marker
// (RFC 3948 §2.2), except a NAT keepalive (the single octet 0xFF).
func udpPacket(local, remote netip.AddrPort, msg []byte, id uint16) []byte {
	marker := local.Port() == natPort && !(len(msg) == 1 && msg[0] == 0xff)
	n := 28 + len(msg)
	if marker {
		n += 4
	}
	p := make([]byte, 28, n)
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(n))
	binary.BigEndian.PutUint16(p[4:], id)
	p[8], p[9] = 64, 17
	src, dst := local.Addr().As4(), remote.Addr().As4()
	copy(p[12:], src[:])
	copy(p[16:], dst[:])
	binary.BigEndian.PutUint16(p[10:], ^fold(sum(0, p[:20])))
	binary.BigEndian.PutUint16(p[20:], local.Port())
	binary.BigEndian.PutUint16(p[22:], remote.Port())
	binary.BigEndian.PutUint16(p[24:], uint16(n-20))
	if marker {
		p = append(p, 0, 0, 0, 0)
	}
	p = append(p, msg...)
	// UDP checksum over the pseudo-header and the datagram.
	c := sum(0, p[12:20])
	c += 17 + uint32(n-20)
	c = sum(c, p[20:])
	cs := ^fold(c)
	if cs == 0 {
		cs = 0xffff
	}
	binary.BigEndian.PutUint16(p[26:], cs)
	return p
}

// sum adds b to the one's complement sum c (not folded).
func sum(c uint32, b []byte) uint32 {
	for len(b) >= 2 {
		c += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		c += uint32(b[0]) << 8
	}
	return c
}

func fold(c uint32) uint16 {
	for c > 0xffff {
		c = c&0xffff + c>>16
	}
	return uint16(c)
}
