package offload

import (
	"encoding/binary"
	"math/bits"
)

// csumAdd adds b to the one's complement sum s (RFC 1071) and returns the
// new sum, unfolded. b must start at an even offset of the summed data;
// words are added in little-endian order, which csumFold undoes.
func csumAdd(s uint64, b []byte) uint64 {
	var c uint64
	for len(b) >= 32 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[8:]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[16:]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[24:]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b), c)
		b = b[8:]
	}
	if len(b) >= 4 {
		s, c = bits.Add64(s, uint64(binary.LittleEndian.Uint32(b)), c)
		b = b[4:]
	}
	if len(b) >= 2 {
		s, c = bits.Add64(s, uint64(binary.LittleEndian.Uint16(b)), c)
		b = b[2:]
	}
	if len(b) == 1 {
		s, c = bits.Add64(s, uint64(b[0]), c)
	}
	s, c = bits.Add64(s, 0, c)
	return s + c
}

// csumAdd16 adds the big-endian 16-bit value v to the sum.
func csumAdd16(s uint64, v uint16) uint64 {
	var c uint64
	s, c = bits.Add64(s, uint64(bits.ReverseBytes16(v)), 0)
	return s + c
}

// csumFold folds a sum into 16 bits, big-endian, not complemented.
func csumFold(s uint64) uint16 {
	s = s&0xffffffff + s>>32
	s = s&0xffffffff + s>>32
	s = s&0xffff + s>>16
	s = s&0xffff + s>>16
	return bits.ReverseBytes16(uint16(s))
}

// pseudoSum is the sum of the pseudo header of a transport segment of
// length n of protocol proto between the addresses src and dst (4 or 16
// bytes each, RFC 768, RFC 8200 §8.1).
func pseudoSum(src, dst []byte, proto uint8, n int) uint64 {
	s := csumAdd(0, src)
	s = csumAdd(s, dst)
	s = csumAdd16(s, uint16(proto))
	s = csumAdd16(s, uint16(n>>16))
	return csumAdd16(s, uint16(n))
}

// ipv4HeaderChecksum sets the header checksum of the IPv4 header h.
func ipv4HeaderChecksum(h []byte) {
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:], ^csumFold(csumAdd(0, h)))
}
