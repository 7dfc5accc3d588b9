package offload

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// refChecksum is RFC 1071 as written: big-endian 16-bit words.
func refChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// tcpSpec describes a TCP segment built by build.
type tcpSpec struct {
	src, dst     string // IPv4 or IPv6
	sport, dport uint16
	seq, ack     uint32
	id           uint16
	ttl, tos     uint8
	df           bool
	flags        uint8
	win          uint16
	opts         []byte // TCP options, a multiple of 4 bytes
	payload      []byte
}

// build returns the segment with valid lengths and checksums.
func (t tcpSpec) build() []byte {
	src, dst := netip.MustParseAddr(t.src), netip.MustParseAddr(t.dst)
	tl := 20 + len(t.opts)
	var p []byte
	l3 := 20
	if src.Is4() {
		p = make([]byte, 20+tl+len(t.payload))
		p[0], p[1], p[8], p[9] = 0x45, t.tos, t.ttl, 6
		binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
		binary.BigEndian.PutUint16(p[4:], t.id)
		if t.df {
			p[6] = 0x40
		}
		copy(p[12:], src.AsSlice())
		copy(p[16:], dst.AsSlice())
		binary.BigEndian.PutUint16(p[10:], refChecksum(p[:20]))
	} else {
		l3 = 40
		p = make([]byte, 40+tl+len(t.payload))
		p[0], p[6], p[7] = 0x60, 6, t.ttl
		binary.BigEndian.PutUint16(p[4:], uint16(tl+len(t.payload)))
		copy(p[8:], src.AsSlice())
		copy(p[24:], dst.AsSlice())
	}
	h := p[l3:]
	binary.BigEndian.PutUint16(h[0:], t.sport)
	binary.BigEndian.PutUint16(h[2:], t.dport)
	binary.BigEndian.PutUint32(h[4:], t.seq)
	binary.BigEndian.PutUint32(h[8:], t.ack)
	h[12], h[13] = byte(tl/4)<<4, t.flags
	binary.BigEndian.PutUint16(h[14:], t.win)
	copy(h[20:], t.opts)
	copy(h[tl:], t.payload)
	binary.BigEndian.PutUint16(h[16:], refTransportChecksum(p, l3))
	return p
}

// refTransportChecksum computes the TCP checksum of p (field zeroed).
func refTransportChecksum(p []byte, l3 int) uint16 {
	var ph []byte
	n := len(p) - l3
	if p[0]>>4 == 4 {
		ph = append(ph, p[12:20]...)
		ph = append(ph, 0, 6, byte(n>>8), byte(n))
	} else {
		ph = append(ph, p[8:40]...)
		ph = append(ph, byte(n>>24), byte(n>>16), byte(n>>8), byte(n), 0, 0, 0, 6)
	}
	seg := append([]byte(nil), p[l3:]...)
	seg[16], seg[17] = 0, 0
	return refChecksum(append(ph, seg...))
}

// checkSegment fails unless p has valid IP and TCP checksums and lengths.
func checkSegment(t *testing.T, p []byte) {
	t.Helper()
	l3 := 40
	if p[0]>>4 == 4 {
		l3 = 20
		if refChecksum(p[:20]) != 0 {
			t.Errorf("bad IPv4 header checksum: % x", p[:20])
		}
		if int(binary.BigEndian.Uint16(p[2:])) != len(p) {
			t.Errorf("IPv4 total length %d, packet %d", binary.BigEndian.Uint16(p[2:]), len(p))
		}
	} else if int(binary.BigEndian.Uint16(p[4:]))+40 != len(p) {
		t.Errorf("IPv6 payload length %d, packet %d", binary.BigEndian.Uint16(p[4:]), len(p))
	}
	if got, want := binary.BigEndian.Uint16(p[l3+16:]), refTransportChecksum(p, l3); got != want && !(got == 0xffff && want == 0) {
		t.Errorf("TCP checksum %#04x, want %#04x", got, want)
	}
}

// gsoPacket is a super-packet as the kernel hands it over: virtio-net
// header, then the headers of s with the whole payload.
func gsoPacket(s tcpSpec, gsoSize int) []byte {
	p := s.build()
	l3, typ := 20, uint8(gsoTCPv4)
	if p[0]>>4 == 6 {
		l3, typ = 40, gsoTCPv6
	}
	h := vnetHdr{flags: vnetNeedsCsum, gsoType: typ, hdrLen: uint16(l3 + 20 + len(s.opts)),
		gsoSize: uint16(gsoSize), csumStart: uint16(l3), csumOffset: 16}
	b := make([]byte, HdrLen, HdrLen+len(p))
	h.encode(b)
	return append(b, p...)
}

// segmentAll runs the Segmenter over b and returns the packets; buf (nil:
// one is made) holds a packet.
func segmentAll(b, buf []byte) ([][]byte, error) {
	var s Segmenter
	if err := s.Start(b); err != nil {
		return nil, err
	}
	var out [][]byte
	if buf == nil {
		buf = make([]byte, 1<<16+HdrLen)
	}
	for s.Pending() {
		if n := s.Next(buf); n > 0 {
			out = append(out, append([]byte(nil), buf[:n]...))
		}
	}
	return out, nil
}

// joined concatenates the parts of item k.
func joined(c *Coalescer, k int, pkts [][]byte) []byte {
	return bytes.Join(c.Parts(nil, k, pkts), nil)
}
