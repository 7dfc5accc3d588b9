package esp

/* Outbound flow (Encapsulate)

1. Active IP checks on the inner packet (skipped with passive-mode-tunneling).
2. Tunnel hop: TTL <= 1 is ErrTTLExceeded, otherwise the copy is decremented
   (skipped with passive-mode-tunneling or no-ipsec-tunnel-in-traceroute,
   and for link-local multicast, 224.0.0.0/24: OSPF hellos are sent with
   TTL 1 to the router at the other end of the tunnel, not through it).
3. Size: an inner packet whose encapsulation exceeds the tunnel MTU is
   fragmented when DF is clear (or cleared by clear-dont-fragment-bit),
   otherwise it is an *MTUError.
4. Seal: outer IPv4 (+UDP) header, ESP header, IV, the inner packet,
   padding 1,2,3..., pad length, next header, then encrypt and append the ICV.
*/

import (
	"math"
	"slices"
)

// UDPPayloadOffset is where the UDP payload (the ESP header) starts in an
// outer packet that Encapsulate built with UDP encapsulation.
const UDPPayloadOffset = ipv4HeaderLen + udpHeaderLen

// innerEdit is what the tunnel changes in the inner IPv4 header.
type innerEdit struct {
	decTTL  bool
	clearDF bool
}

// Encapsulate appends to dst the ESP tunnel-mode encapsulation of the inner
// IPv4 or IPv6 packet and returns the extended slice. When the inner packet
// must be fragmented first, one outer packet per fragment is appended back
// to back (see Packets); with UDP encapsulation the UDP payload of each
// starts at UDPPayloadOffset, for callers that send through a UDP socket.
// inner is not modified. On error dst is returned
// unchanged, the drop is counted, and the error is one of the per-packet
// errors of this package; ErrTTLExceeded and an *MTUError with ICMP set ask
// the caller to send an ICMP error (see AppendICMPError).
func (sa *SA) Encapsulate(dst, inner []byte) ([]byte, error) {
	if len(inner) == 0 {
		return dst, drop(&sa.c.length, ErrLength)
	}
	switch inner[0] >> 4 {
	case 4:
		return sa.encap4(dst, inner)
	case 6:
		return sa.encap6(dst, inner)
	}
	if !sa.cfg.Passive {
		return dst, drop(&sa.c.header, ErrHeader)
	}
	return sa.encapOpaque(dst, inner)
}

// encapOpaque tunnels a packet that cannot be parsed, as it is (passive
// mode only).
func (sa *SA) encapOpaque(dst, p []byte) ([]byte, error) {
	if sa.outerLen(len(p)) > sa.cfg.TunnelMTU {
		return dst, sa.tooBig()
	}
	return sa.seal(dst, p, nextIPv4, 0, sa.cfg.DF == DFSet, innerEdit{})
}

func (sa *SA) hop() bool { return !sa.cfg.Passive && !sa.cfg.NoTunnelHop }

func (sa *SA) tooBig() error {
	sa.c.tooBig.Add(1)
	return &MTUError{MTU: sa.InnerMTU(), ICMP: !sa.cfg.Passive}
}

func (sa *SA) encap4(dst, p []byte) ([]byte, error) {
	if sa.cfg.Passive {
		_, total, err := ipv4Len(p)
		if err != nil {
			return sa.encapOpaque(dst, p)
		}
		p = p[:total]
	} else {
		total, err := sa.checkIPv4(p)
		if err != nil {
			return dst, err
		}
		p = p[:total]
	}
	hop := sa.hop() && !(p[16] == 224 && p[17] == 0 && p[18] == 0)
	if hop && p[8] <= 1 {
		return dst, drop(&sa.c.ttl, ErrTTLExceeded)
	}
	innerDF := p[6]&flagDF != 0
	edit := innerEdit{decTTL: hop, clearDF: sa.cfg.DF == DFClear}
	if sa.outerLen(len(p)) > sa.cfg.TunnelMTU {
		if innerDF && !edit.clearDF {
			return dst, sa.tooBig()
		}
		return sa.fragment(dst, p, edit.decTTL)
	}
	return sa.seal(dst, p, nextIPv4, p[1], sa.outerDF(innerDF), edit)
}

func (sa *SA) encap6(dst, p []byte) ([]byte, error) {
	if sa.cfg.Passive {
		if len(p) >= ipv6HeaderLen {
			if n := ipv6HeaderLen + int(be.Uint16(p[4:])); n > ipv6HeaderLen && n <= len(p) {
				p = p[:n]
			}
		}
	} else {
		n, err := sa.checkIPv6(p)
		if err != nil {
			return dst, err
		}
		p = p[:n]
		if p[7] <= 1 && sa.hop() {
			return dst, drop(&sa.c.ttl, ErrTTLExceeded)
		}
	}
	if sa.outerLen(len(p)) > sa.cfg.TunnelMTU {
		return dst, sa.tooBig() // IPv6 packets are never fragmented on the way
	}
	var tc byte
	if len(p) >= 2 {
		tc = p[0]<<4 | p[1]>>4
	}
	// IPv6 packets are not fragmented on the way: the outer DF is set
	// unless clear-dont-fragment-bit is configured.
	return sa.seal(dst, p, nextIPv6, tc, sa.cfg.DF != DFClear, innerEdit{decTTL: sa.hop()})
}

// outerDF returns the DF bit of the outer header.
func (sa *SA) outerDF(innerDF bool) bool {
	switch sa.cfg.DF {
	case DFSet:
		return true
	case DFClear:
		return false
	}
	return innerDF
}

// fragment splits an IPv4 packet whose DF is clear (or being cleared) into
// fragments that fit the tunnel, and encapsulates each one.
func (sa *SA) fragment(dst, p []byte, decTTL bool) ([]byte, error) {
	ihl := int(p[0]&0x0f) * 4
	step := (sa.InnerMTU() - ihl) &^ 7
	if step < 8 {
		return dst, sa.tooBig()
	}
	sa.c.fragmented.Add(1)
	data := p[ihl:]
	base := int(be.Uint16(p[6:])&0x1fff) * 8
	lastMF := p[6]&flagMF != 0
	start := len(dst)
	for off := 0; off < len(data); off += step {
		end := min(off+step, len(data))
		f := sa.frag[:0]
		if off == 0 {
			f = append(f, p[:ihl]...)
		} else {
			f = append(f, p[:ipv4HeaderLen]...)
			f = copiedOptions(f, p[ipv4HeaderLen:ihl])
			f[0] = 0x40 | byte(len(f)/4)
		}
		hl := len(f)
		f = append(f, data[off:end]...)
		sa.frag = f
		fo := uint16((base + off) / 8)
		if end < len(data) || lastMF {
			fo |= uint16(flagMF) << 8
		}
		be.PutUint16(f[2:], uint16(len(f)))
		be.PutUint16(f[6:], fo)
		if decTTL {
			f[8]--
		}
		be.PutUint16(f[10:], 0)
		be.PutUint16(f[10:], checksum(f[:hl]))
		var err error
		if dst, err = sa.seal(dst, f, nextIPv4, f[1], sa.outerDF(false), innerEdit{}); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// nextSeq reserves the next outbound sequence number.
func (sa *SA) nextSeq() (uint64, bool) {
	limit := uint64(math.MaxUint32)
	if sa.cfg.ESN {
		limit = math.MaxUint64
	}
	for {
		s := sa.seq.Load()
		if s >= limit {
			return 0, false
		}
		if sa.seq.CompareAndSwap(s, s+1) {
			return s + 1, true
		}
	}
}

// seal appends one outer packet carrying inner.
func (sa *SA) seal(dst, inner []byte, next, tos byte, df bool, edit innerEdit) ([]byte, error) {
	seq, ok := sa.nextSeq()
	if !ok {
		return dst, drop(&sa.c.seqExhausted, ErrSeqExhausted)
	}
	total := sa.outerLen(len(inner))
	start := len(dst)
	dst = slices.Grow(dst, total)[:start+total]
	b := dst[start:]
	off := sa.putOuter(b, tos, df, inner)
	esp := b[off:]
	be.PutUint32(esp[0:], sa.cfg.SPI)
	be.PutUint32(esp[4:], uint32(seq))
	hdr := espHeaderLen + sa.enc.ivLen
	n := sa.paddedLen(len(inner))
	pt := esp[hdr : hdr+n]
	copy(pt, inner)
	applyEdit(pt[:len(inner)], next, edit)
	pad := n - 2 - len(inner)
	for i := range pad {
		pt[len(inner)+i] = byte(i + 1)
	}
	pt[n-2], pt[n-1] = byte(pad), next
	if sa.aead != nil {
		sa.sealAEAD(esp[:hdr], pt, seq)
	} else {
		sa.sealCBC(esp, hdr, n, seq)
	}
	sa.c.encPackets.Add(1)
	sa.c.encBytes.Add(uint64(len(inner)))
	return dst, nil
}

// applyEdit applies the tunnel's changes to the copy of the inner packet.
func applyEdit(p []byte, next byte, e innerEdit) {
	switch {
	case next == nextIPv6 && e.decTTL:
		p[7]--
	case next != nextIPv4 || len(p) < ipv4HeaderLen:
	default:
		if e.decTTL {
			old := be.Uint16(p[8:])
			p[8]--
			adjustChecksum(p, 8, old)
		}
		if e.clearDF && p[6]&flagDF != 0 {
			old := be.Uint16(p[6:])
			p[6] &^= flagDF
			adjustChecksum(p, 6, old)
		}
	}
}

// putOuter writes the outer IPv4 header and, with UDP encapsulation, the UDP
// header, and returns their length.
func (sa *SA) putOuter(b []byte, tos byte, df bool, inner []byte) int {
	b[0], b[1] = 0x45, tos
	be.PutUint16(b[2:], uint16(len(b)))
	be.PutUint16(b[4:], uint16(sa.ipID.Add(1)))
	b[6], b[7] = 0, 0
	if df {
		b[6] = flagDF
	}
	b[8], b[9] = sa.cfg.TTL, protoESP
	b[10], b[11] = 0, 0
	l4, r4 := sa.cfg.Local.As4(), sa.cfg.Remote.As4()
	copy(b[12:16], l4[:])
	copy(b[16:20], r4[:])
	off := ipv4HeaderLen
	if u := sa.cfg.UDP; u != nil {
		b[9] = protoUDP
		sport := u.SrcPort
		if sport == 0 {
			sport = flowPort(inner)
		}
		be.PutUint16(b[20:], sport)
		be.PutUint16(b[22:], u.DstPort)
		be.PutUint16(b[24:], uint16(len(b)-ipv4HeaderLen))
		be.PutUint16(b[26:], 0) // RFC 3948 §2.1: checksum 0 over IPv4
		off += udpHeaderLen
	}
	be.PutUint16(b[10:], checksum(b[:ipv4HeaderLen]))
	return off
}

// flowPort derives a UDP source port in 49152..65535 from the inner
// addresses and protocol, so that ECMP spreads flows of one tunnel.
func flowPort(inner []byte) uint16 {
	h := uint32(2166136261)
	switch {
	case len(inner) >= ipv4HeaderLen && inner[0]>>4 == 4:
		h = fnv1a(fnv1a(h, inner[9:10]), inner[12:20])
	case len(inner) >= ipv6HeaderLen && inner[0]>>4 == 6:
		h = fnv1a(fnv1a(h, inner[6:7]), inner[8:40])
	}
	return 49152 + uint16(h%16384)
}

func fnv1a(h uint32, b []byte) uint32 {
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

func (sa *SA) sealAEAD(hdr, pt []byte, seq uint64) {
	iv := hdr[espHeaderLen:]
	be.PutUint64(iv, seq)
	copy(sa.nonce[:4], sa.salt[:])
	copy(sa.nonce[4:], iv)
	sa.aead.Seal(pt[:0], sa.nonce[:], pt, sa.aad(hdr, seq))
}

// aad returns the additional authenticated data of RFC 4106 §5: SPI and
// sequence number, with the high 32 bits between them when ESN is on.
func (sa *SA) aad(hdr []byte, seq uint64) []byte {
	if !sa.cfg.ESN {
		return hdr[:espHeaderLen]
	}
	a := sa.sum[:12]
	copy(a[0:4], hdr[0:4])
	be.PutUint32(a[4:], uint32(seq>>32))
	copy(a[8:12], hdr[4:8])
	return a
}

func (sa *SA) sealCBC(esp []byte, hdr, n int, seq uint64) {
	iv := esp[espHeaderLen:hdr]
	sa.makeIV(seq, iv)
	pt := esp[hdr : hdr+n]
	sa.cbcEnc.SetIV(iv)
	sa.cbcEnc.CryptBlocks(pt, pt)
	if sa.mac != nil {
		icv := sa.icv(esp[:hdr+n], seq)
		copy(esp[hdr+n:], icv)
	}
}

// makeIV fills iv with an unpredictable value: the encryption, under a
// random per-SA key, of the sequence number and SPI (RFC 4303 §3.3.2 asks
// for an unpredictable CBC IV; this never repeats within the SA).
func (sa *SA) makeIV(seq uint64, iv []byte) {
	if sa.ivFunc != nil {
		sa.ivFunc(seq, iv)
		return
	}
	in := sa.ivIn[:]
	be.PutUint64(in, seq)
	be.PutUint32(in[8:], sa.cfg.SPI)
	sa.ivCipher.Encrypt(sa.iv[:], in)
	copy(iv, sa.iv[:])
}

// icv returns the truncated HMAC over ESP header, IV and ciphertext, plus
// the high sequence bits when ESN is on (RFC 4303 §2.2.1).
func (sa *SA) icv(data []byte, seq uint64) []byte {
	sa.mac.Reset()
	sa.mac.Write(data)
	if sa.cfg.ESN {
		be.PutUint32(sa.hi[:], uint32(seq>>32))
		sa.mac.Write(sa.hi[:])
	}
	return sa.mac.Sum(sa.sum[:0])[:sa.cfg.Authentication.ICVLen()]
}
