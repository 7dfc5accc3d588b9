package offload

import (
	"bytes"
	"encoding/binary"
)

// Len returns the number of packets Plan made of the batch.
func (c *Coalescer) Len() int { return len(c.items) }

// Segments returns how many packets of the batch item k carries.
func (c *Coalescer) Segments(k int) int { return c.items[k].n }

// maxCoalesced bounds a coalesced packet: the IPv4 total length.
const maxCoalesced = 65535

// Coalescer merges the TCP segments of a batch of packets written into a
// TUN device into super-packets that the kernel takes whole (GRO): the
// segments of one IPv4 TCP flow that follow each other in sequence, with
// the same IP and TCP headers (but for the identification, which must
// increase by one, the sequence number and the checksums), only ACK and at
// most a final PSH set, payloads of one size but for a shorter last one,
// and valid checksums. Everything else is written as it came. Packets of
// one flow keep their order; packets of different flows may pass each
// other (a super-packet is written where its first segment was).
type Coalescer struct {
	items []groItem
	next  []int // next[i]: the packet after packet i in its item, -1 last
	hdr   [HdrLen + 80]byte
	zero  [HdrLen]byte
}

// groItem is one packet to write: a packet as it came, or segments merged.
type groItem struct {
	head, tail int // first and last packet
	n          int // packets
	bytes      int // TCP payload bytes
	gso        int // payload of the first segment
	hl         int // IP and TCP header length
	nextSeq    uint32
	lastID     uint16
	tcp        bool // an IPv4 TCP segment: head carries the flow
	open       bool // segments may still be appended
	checked    bool // head's checksum verified
}

// tcpSeg describes an IPv4 TCP packet.
type tcpSeg struct {
	hl, payload int
	flags       uint8
	seq         uint32
	id          uint16
}

// parseTCP4 reads an unfragmented IPv4 TCP packet with a 20-byte IP
// header whose total length is the packet's length.
func parseTCP4(p []byte) (tcpSeg, bool) {
	if len(p) < 40 || p[0] != 0x45 || p[9] != 6 || int(binary.BigEndian.Uint16(p[2:])) != len(p) {
		return tcpSeg{}, false
	}
	if binary.BigEndian.Uint16(p[6:])&0x3fff != 0 || csumFold(csumAdd(0, p[:20])) != 0xffff { // MF or offset
		return tcpSeg{}, false
	}
	hl := 20 + int(p[32]>>4)*4
	if hl < 40 || hl > len(p) {
		return tcpSeg{}, false
	}
	return tcpSeg{hl: hl, payload: len(p) - hl, flags: p[33],
		seq: binary.BigEndian.Uint32(p[24:]), id: binary.BigEndian.Uint16(p[4:])}, true
}

// mergeable reports whether a segment may start or extend a super-packet.
func (s tcpSeg) mergeable() bool {
	return s.payload > 0 && s.flags&^(tcpACK|tcpPSH) == 0 && s.flags&tcpACK != 0
}

// Plan groups pkts into items; without merge each packet is one.
func (c *Coalescer) Plan(pkts [][]byte, merge bool) {
	c.items = c.items[:0]
	if cap(c.next) < len(pkts) {
		c.next = make([]int, len(pkts))
	}
	c.next = c.next[:len(pkts)]
	for i, p := range pkts {
		c.next[i] = -1
		s, ok := parseTCP4(p)
		if !merge {
			c.items = append(c.items, groItem{head: i, tail: i, n: 1})
			continue
		}
		if !ok {
			if len(p) >= 20 && p[0]>>4 == 4 {
				c.closePair(pkts, p)
			}
			c.items = append(c.items, groItem{head: i, tail: i, n: 1})
			continue
		}
		if k := c.flow(pkts, p); k >= 0 && c.appendTo(k, pkts, i, s) {
			continue
		}
		c.items = append(c.items, groItem{head: i, tail: i, n: 1, bytes: s.payload, gso: s.payload,
			hl: s.hl, nextSeq: s.seq + uint32(s.payload), lastID: s.id, tcp: true,
			open: s.mergeable() && s.flags&tcpPSH == 0})
	}
}

// closePair closes the items between the addresses of p, a packet that
// is no TCP segment (a fragment, for instance), so that it keeps its place
// among the packets between those hosts.
func (c *Coalescer) closePair(pkts [][]byte, p []byte) {
	for k := range c.items {
		it := &c.items[k]
		if it.open && bytes.Equal(pkts[it.head][12:20], p[12:20]) {
			it.open = false
		}
	}
}

// flow returns the last item of the flow of the TCP packet p, or -1.
func (c *Coalescer) flow(pkts [][]byte, p []byte) int {
	for k := len(c.items) - 1; k >= 0; k-- {
		it := &c.items[k]
		if !it.tcp {
			continue
		}
		h := pkts[it.head]
		if bytes.Equal(h[12:24], p[12:24]) { // addresses and ports
			return k
		}
	}
	return -1
}

// appendTo appends packet i to item k when it continues it.
func (c *Coalescer) appendTo(k int, pkts [][]byte, i int, s tcpSeg) bool {
	it := &c.items[k]
	h, p := pkts[it.head], pkts[i]
	if !it.open || !s.mergeable() || s.hl != it.hl || s.seq != it.nextSeq || s.id != it.lastID+1 ||
		s.payload > it.gso || it.bytes != it.n*it.gso || it.hl+it.bytes+s.payload > maxCoalesced {
		return false
	}
	// TOS, DF and TTL; ack, window, urgent pointer and options.
	if h[1] != p[1] || h[6]&0xe0 != p[6]&0xe0 || h[8] != p[8] ||
		!bytes.Equal(h[28:33], p[28:33]) || !bytes.Equal(h[34:36], p[34:36]) || !bytes.Equal(h[38:s.hl], p[38:s.hl]) {
		return false
	}
	if !it.checked {
		it.checked = true
		if !tcpChecksumOK(h) {
			it.open = false
			return false
		}
	}
	if !tcpChecksumOK(p) {
		return false
	}
	c.next[it.tail] = i
	it.tail, it.n = i, it.n+1
	it.bytes += s.payload
	it.nextSeq += uint32(s.payload)
	it.lastID++
	if s.flags&tcpPSH != 0 || s.payload < it.gso {
		it.open = false
	}
	return true
}

// tcpChecksumOK verifies the TCP checksum of an IPv4 packet.
func tcpChecksumOK(p []byte) bool {
	return csumFold(csumAdd(pseudoSum(p[12:16], p[16:20], 6, len(p)-20), p[20:])) == 0xffff
}

// Parts appends to dst the pieces of item k as written into the device:
// the virtio-net header, then the packet, or for merged segments the
// headers of the super-packet and each segment's payload.
func (c *Coalescer) Parts(dst [][]byte, k int, pkts [][]byte) [][]byte {
	it := &c.items[k]
	if it.n == 1 {
		return append(dst, c.zero[:], pkts[it.head])
	}
	b := c.hdr[:HdrLen+it.hl]
	h := b[HdrLen:]
	copy(h, pkts[it.head][:it.hl])
	binary.BigEndian.PutUint16(h[2:], uint16(it.hl+it.bytes))
	ipv4HeaderChecksum(h[:20])
	h[33] |= pkts[it.tail][33] & tcpPSH
	// The TCP checksum is left to the kernel: the field holds the
	// pseudo-header sum.
	binary.BigEndian.PutUint16(h[36:], csumFold(pseudoSum(h[12:16], h[16:20], 6, it.hl-20+it.bytes)))
	v := vnetHdr{flags: vnetNeedsCsum, gsoType: gsoTCPv4, hdrLen: uint16(it.hl),
		gsoSize: uint16(it.gso), csumStart: 20, csumOffset: 16}
	v.encode(b)
	dst = append(dst, b)
	for i := it.head; i >= 0; i = c.next[i] {
		dst = append(dst, pkts[i][it.hl:])
	}
	return dst
}
