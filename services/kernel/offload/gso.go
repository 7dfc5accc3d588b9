package offload

import (
	"encoding/binary"
	"errors"
)

// The virtio-net header (struct virtio_net_hdr, linux/virtio_net.h) that
// precedes every packet read from or written to a TUN device opened with
// IFF_VNET_HDR. Its fields are in host byte order.
const (
	// HdrLen is the length of the virtio-net header.
	HdrLen        = 10
	vnetNeedsCsum = 1 // VIRTIO_NET_HDR_F_NEEDS_CSUM

	gsoNone  = 0    // VIRTIO_NET_HDR_GSO_NONE
	gsoTCPv4 = 1    // VIRTIO_NET_HDR_GSO_TCPV4
	gsoTCPv6 = 4    // VIRTIO_NET_HDR_GSO_TCPV6
	gsoECN   = 0x80 // VIRTIO_NET_HDR_GSO_ECN
)

// TCP flags.
const (
	tcpFIN = 0x01
	tcpPSH = 0x08
	tcpACK = 0x10
	tcpCWR = 0x80
)

// vnetHdr is a decoded virtio-net header.
type vnetHdr struct {
	flags, gsoType                         uint8
	hdrLen, gsoSize, csumStart, csumOffset uint16
}

func (h *vnetHdr) decode(b []byte) {
	h.flags, h.gsoType = b[0], b[1]
	h.hdrLen = binary.NativeEndian.Uint16(b[2:])
	h.gsoSize = binary.NativeEndian.Uint16(b[4:])
	h.csumStart = binary.NativeEndian.Uint16(b[6:])
	h.csumOffset = binary.NativeEndian.Uint16(b[8:])
}

func (h *vnetHdr) encode(b []byte) {
	b[0], b[1] = h.flags, h.gsoType
	binary.NativeEndian.PutUint16(b[2:], h.hdrLen)
	binary.NativeEndian.PutUint16(b[4:], h.gsoSize)
	binary.NativeEndian.PutUint16(b[6:], h.csumStart)
	binary.NativeEndian.PutUint16(b[8:], h.csumOffset)
}

// ErrMalformed is returned by Start for a packet that its virtio-net
// header does not describe.
var ErrMalformed = errors.New("malformed offload packet")

// Segmenter cuts a packet read from a TUN device with offloads on into
// the packets it stands for: a TCP super-packet (TSO) into segments of
// gsoSize payload bytes with the headers a NIC would give them (IPv4
// identification +1, sequence numbers, FIN and PSH on the last segment
// only, CWR on the first only, lengths and checksums), a packet whose
// checksum was left to the device into that packet with its checksum.
type Segmenter struct {
	pkt     []byte
	hdr     vnetHdr
	l3      int // offset of the TCP header
	hl      int // length of the IP and TCP headers
	off     int // offset of the next payload chunk
	idx     int // index of the next segment
	pending bool
}

// Start takes a packet read from the device (virtio-net header first); an
// error means the header does not describe the packet (nothing is
// pending then).
func (s *Segmenter) Start(b []byte) error {
	s.pending = false
	if len(b) <= HdrLen {
		return ErrMalformed
	}
	s.hdr.decode(b)
	p := b[HdrLen:]
	switch s.hdr.gsoType &^ gsoECN {
	case gsoNone:
		if s.hdr.flags&vnetNeedsCsum != 0 {
			if err := completeChecksum(p, int(s.hdr.csumStart), int(s.hdr.csumOffset)); err != nil {
				return err
			}
		}
		s.pkt, s.pending = p, true
		return nil
	case gsoTCPv4, gsoTCPv6:
		return s.startTCP(p)
	}
	return ErrMalformed
}

func (s *Segmenter) startTCP(p []byte) error {
	l3 := int(s.hdr.csumStart)
	if s.hdr.gsoType&^gsoECN == gsoTCPv4 {
		if len(p) < 20 || p[0]>>4 != 4 || int(p[0]&15)*4 != l3 || l3 < 20 || p[9] != 6 {
			return ErrMalformed
		}
	} else if len(p) < 40 || p[0]>>4 != 6 || l3 < 40 {
		return ErrMalformed
	}
	if s.hdr.gsoSize == 0 || len(p) < l3+20 {
		return ErrMalformed
	}
	hl := l3 + int(p[l3+12]>>4)*4
	if hl < l3+20 || hl >= len(p) {
		return ErrMalformed
	}
	s.pkt, s.l3, s.hl, s.off, s.idx, s.pending = p, l3, hl, hl, 0, true
	return nil
}

// Pending reports whether Next has a packet to give.
func (s *Segmenter) Pending() bool { return s.pending }

// Next writes the next packet into dst and returns its length (0 when dst
// is too short for it: it is dropped).
func (s *Segmenter) Next(dst []byte) int {
	if s.hdr.gsoType&^gsoECN == gsoNone {
		s.pending = false
		if len(dst) < len(s.pkt) {
			return 0
		}
		return copy(dst, s.pkt)
	}
	chunk := min(int(s.hdr.gsoSize), len(s.pkt)-s.off)
	n := s.hl + chunk
	if len(dst) >= n {
		seg := dst[:n]
		copy(seg, s.pkt[:s.hl])
		copy(seg[s.hl:], s.pkt[s.off:s.off+chunk])
		s.fixSegment(seg, s.off+chunk >= len(s.pkt))
	} else {
		n = 0
	}
	s.off += chunk
	s.idx++
	s.pending = s.off < len(s.pkt)
	return n
}

// fixSegment sets the headers of a segment cut from the super-packet.
func (s *Segmenter) fixSegment(seg []byte, last bool) {
	if seg[0]>>4 == 4 {
		binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)))
		id := binary.BigEndian.Uint16(s.pkt[4:])
		binary.BigEndian.PutUint16(seg[4:], id+uint16(s.idx))
		ipv4HeaderChecksum(seg[:s.l3])
	} else {
		binary.BigEndian.PutUint16(seg[4:], uint16(len(seg)-40))
	}
	tcp := seg[s.l3:]
	seq := binary.BigEndian.Uint32(s.pkt[s.l3+4:])
	binary.BigEndian.PutUint32(tcp[4:], seq+uint32(s.off-s.hl))
	if !last {
		tcp[13] &^= tcpFIN | tcpPSH
	}
	if s.idx > 0 {
		tcp[13] &^= tcpCWR
	}
	tcp[16], tcp[17] = 0, 0
	sum := csumAdd(transportPseudo(seg, s.l3, 6), tcp)
	binary.BigEndian.PutUint16(tcp[16:], ^csumFold(sum))
}

// transportPseudo returns the pseudo-header sum of the transport segment
// that starts at l3 in the IPv4 or IPv6 packet p.
func transportPseudo(p []byte, l3 int, proto uint8) uint64 {
	if p[0]>>4 == 4 {
		return pseudoSum(p[12:16], p[16:20], proto, len(p)-l3)
	}
	return pseudoSum(p[8:24], p[24:40], proto, len(p)-l3)
}

// completeChecksum finishes a checksum left to the device: the sum of
// everything from start on (the field at start+off holds the pseudo-header
// sum), complemented, into the field.
func completeChecksum(p []byte, start, off int) error {
	if start+off+2 > len(p) || off < 0 {
		return ErrMalformed
	}
	c := ^csumFold(csumAdd(0, p[start:]))
	if c == 0 {
		c = 0xffff // as the kernel does: 0 means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(p[start+off:], c)
	return nil
}
