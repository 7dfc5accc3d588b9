package esp

import (
	"net/netip"
	"slices"
)

// ICMP types and codes the tunnel asks its caller to send (RFC 792, 1191).
const (
	ICMPDestUnreachable = 3
	ICMPTimeExceeded    = 11
	CodeFragNeeded      = 4 // with ICMPDestUnreachable
	CodeTTLExceeded     = 0 // with ICMPTimeExceeded
)

// AppendICMPError appends to dst an IPv4 packet from the address from
// carrying an ICMP error of the given type and code about the IPv4 packet
// orig: its IP header and first 8 bytes of payload (RFC 792). mtu is the
// next-hop MTU of a "fragmentation needed" message (RFC 1191), ignored
// otherwise. It reports false, appending nothing, when no error may be sent
// about orig (RFC 1122 §3.2.2): orig is malformed, an ICMP error itself, a
// fragment other than the first, or from a source that is not unicast.
func AppendICMPError(dst []byte, from netip.Addr, typ, code uint8, mtu int, orig []byte) ([]byte, bool) {
	ihl, total, err := ipv4Len(orig)
	if err != nil || !from.Is4() || !icmpAllowed(orig, ihl) {
		return dst, false
	}
	quote := orig[:min(total, ihl+8)]
	n := ipv4HeaderLen + 8 + len(quote)
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	b := dst[start:]
	clear(b)
	b[0], b[1] = 0x45, 0xc0 // internetwork control
	be.PutUint16(b[2:], uint16(n))
	b[8], b[9] = DefaultTTL, protoICMP
	f := from.As4()
	copy(b[12:16], f[:])
	copy(b[16:20], orig[12:16])
	be.PutUint16(b[10:], checksum(b[:ipv4HeaderLen]))
	m := b[ipv4HeaderLen:]
	m[0], m[1] = typ, code
	if typ == ICMPDestUnreachable && code == CodeFragNeeded {
		be.PutUint16(m[6:], uint16(mtu))
	}
	copy(m[8:], quote)
	be.PutUint16(m[2:], checksum(m))
	return dst, true
}

func icmpAllowed(p []byte, ihl int) bool {
	if be.Uint16(p[6:])&0x1fff != 0 {
		return false
	}
	src := netip.AddrFrom4([4]byte(p[12:16]))
	if badSource(src) {
		return false
	}
	if p[9] == protoICMP && len(p) > ihl {
		switch p[ihl] { // only informational messages may be answered
		case 0, 8, 13, 14, 15, 16, 17, 18:
		default:
			return false
		}
	}
	return true
}
