package esp

import (
	"encoding/binary"
	"net/netip"
)

const (
	ipv4HeaderLen = 20
	ipv6HeaderLen = 40
	udpHeaderLen  = 8
	espHeaderLen  = 8

	protoICMP = 1
	protoUDP  = 17
	protoESP  = 50

	nextIPv4  = 4  // next header of an IPv4 packet in tunnel mode
	nextIPv6  = 41 // next header of an IPv6 packet in tunnel mode
	nextDummy = 59 // no next header: a dummy packet (RFC 4303 §2.6)

	flagDF = 0x40 // in byte 6 of the IPv4 header
	flagMF = 0x20
)

var be = binary.BigEndian

// checksum returns the Internet checksum (RFC 1071) of b.
func checksum(b []byte) uint16 {
	var sum uint32
	for ; len(b) >= 2; b = b[2:] {
		sum += uint32(b[0])<<8 | uint32(b[1])
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// adjustChecksum updates the IPv4 header checksum of h after the 16-bit
// word at offset off changed from old (RFC 1624, eqn. 3), so a checksum that
// was wrong stays wrong by the same amount.
func adjustChecksum(h []byte, off int, old uint16) {
	sum := uint32(^be.Uint16(h[10:])) + uint32(^old) + uint32(be.Uint16(h[off:]))
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	be.PutUint16(h[10:], ^uint16(sum))
}

// ipv4Len returns the header and total length of an IPv4 packet, checking
// only what is needed to read it safely.
func ipv4Len(p []byte) (ihl, total int, err error) {
	if len(p) < ipv4HeaderLen {
		return 0, 0, ErrLength
	}
	if p[0]>>4 != 4 || p[0]&0x0f < 5 {
		return 0, 0, ErrHeader
	}
	ihl, total = int(p[0]&0x0f)*4, int(be.Uint16(p[2:]))
	if ihl > len(p) || total < ihl || total > len(p) {
		return 0, 0, ErrLength
	}
	return ihl, total, nil
}

// checkIPv4 runs the active IP checks on an inner IPv4 packet and returns
// its length without link-layer trailer. Each failure is counted.
func (sa *SA) checkIPv4(p []byte) (int, error) {
	ihl, total, err := ipv4Len(p)
	switch {
	case err == ErrLength:
		return 0, drop(&sa.c.length, err)
	case err != nil:
		return 0, drop(&sa.c.header, err)
	case checksum(p[:ihl]) != 0:
		return 0, drop(&sa.c.header, ErrHeader)
	}
	src, dst := netip.AddrFrom4([4]byte(p[12:16])), netip.AddrFrom4([4]byte(p[16:20]))
	if src == dst {
		return 0, drop(&sa.c.land, ErrLand)
	}
	if badSource(src) || dst.IsUnspecified() || dst.IsLoopback() {
		return 0, drop(&sa.c.address, ErrAddress)
	}
	if !optionsOK(p[ipv4HeaderLen:ihl]) {
		return 0, drop(&sa.c.options, ErrOptions)
	}
	return total, nil
}

var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

func badSource(a netip.Addr) bool {
	return a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() || a == limitedBroadcast
}

// optionsOK reports whether IPv4 options are well formed and carry no
// source route (loose 131 or strict 137).
func optionsOK(opts []byte) bool {
	for len(opts) > 0 {
		switch t := opts[0]; t {
		case 0: // end of option list
			return true
		case 1: // no operation
			opts = opts[1:]
			continue
		case 131, 137:
			return false
		}
		if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
			return false
		}
		opts = opts[opts[1]:]
	}
	return true
}

// copiedOptions appends to dst the options of opts that must be copied into
// every fragment (RFC 791: the copied flag), padded to a multiple of 4.
func copiedOptions(dst, opts []byte) []byte {
	n := len(dst)
	for len(opts) > 0 && opts[0] != 0 {
		l := 1
		if opts[0] != 1 {
			if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
				break
			}
			l = int(opts[1])
		}
		if opts[0]&0x80 != 0 {
			dst = append(dst, opts[:l]...)
		}
		opts = opts[l:]
	}
	for (len(dst)-n)%4 != 0 {
		dst = append(dst, 0)
	}
	return dst
}

// checkIPv6 runs the active checks on an inner IPv6 packet and returns its
// length without link-layer trailer.
func (sa *SA) checkIPv6(p []byte) (int, error) {
	if len(p) < ipv6HeaderLen {
		return 0, drop(&sa.c.length, ErrLength)
	}
	plen := int(be.Uint16(p[4:]))
	if plen == 0 { // jumbograms do not cross the tunnel
		return 0, drop(&sa.c.header, ErrHeader)
	}
	if ipv6HeaderLen+plen > len(p) {
		return 0, drop(&sa.c.length, ErrLength)
	}
	src, dst := netip.AddrFrom16([16]byte(p[8:24])), netip.AddrFrom16([16]byte(p[24:40]))
	if src == dst {
		return 0, drop(&sa.c.land, ErrLand)
	}
	if src.IsUnspecified() || src.IsLoopback() || src.IsMulticast() || dst.IsUnspecified() || dst.IsLoopback() {
		return 0, drop(&sa.c.address, ErrAddress)
	}
	return ipv6HeaderLen + plen, nil
}
