package esp

/* Inbound flow (Table.Decapsulate)

1. Outer IPv4 header (and UDP for ESP-in-UDP: NAT keepalives and non-ESP
   markers are returned as ErrKeepalive / ErrNonESP for the caller to route).
2. SPI lookup (RFC 4301 §4.1: unicast SAs are found by SPI alone).
3. Encapsulation and length checks.
4. Sequence number (with ESN: the high bits estimated from the window) and
   anti-replay Check.
5. ICV verification in constant time (for AES-GCM: Open).
6. Anti-replay Update, decryption, padding and next-header checks.
7. Inner header checks (skipped with passive-mode-tunneling).
*/

import (
	"crypto/hmac"
	"fmt"
	"iter"
	"slices"
	"sync/atomic"
)

// outerPacket is the ESP part of a received packet and how it arrived.
type outerPacket struct {
	esp  []byte
	port uint16 // UDP destination port; 0 for IP protocol 50
}

// parseOuter validates the outer IPv4 header (and UDP header) and returns the
// ESP bytes. Errors are not counted here.
func parseOuter(b []byte) (outerPacket, error) {
	ihl, total, err := ipv4Len(b)
	if err != nil {
		return outerPacket{}, err
	}
	b = b[:total]
	if checksum(b[:ihl]) != 0 || be.Uint16(b[6:])&0x3fff != 0 {
		return outerPacket{}, ErrHeader // bad checksum or a fragment
	}
	switch b[9] {
	case protoESP:
		return outerPacket{esp: b[ihl:]}, nil
	case protoUDP:
		u := b[ihl:]
		if len(u) < udpHeaderLen {
			return outerPacket{}, ErrLength
		}
		ulen := int(be.Uint16(u[4:]))
		if ulen < udpHeaderLen || ulen > len(u) {
			return outerPacket{}, ErrLength
		}
		return udpESP(u[udpHeaderLen:ulen], be.Uint16(u[2:]))
	}
	return outerPacket{}, ErrHeader
}

// udpESP classifies the payload of a UDP datagram received on port.
func udpESP(p []byte, port uint16) (outerPacket, error) {
	switch {
	case port == 0:
		return outerPacket{}, ErrHeader
	case len(p) == 1 && p[0] == 0xff:
		return outerPacket{}, ErrKeepalive
	case len(p) >= 4 && be.Uint32(p) == 0:
		return outerPacket{}, ErrNonESP
	}
	return outerPacket{esp: p, port: port}, nil
}

// Decapsulate checks and decrypts one packet received for this SA (outer
// IPv4 header included) and appends the inner packet to dst. dst must not
// overlap outer. On error dst is returned unchanged and the drop is counted;
// a packet for another SPI is ErrBadSPI, counted by no one.
func (sa *SA) Decapsulate(dst, outer []byte) ([]byte, error) {
	op, err := parseOuter(outer)
	switch err {
	case nil:
	case ErrLength:
		return dst, drop(&sa.c.length, err)
	case ErrHeader:
		return dst, drop(&sa.c.header, err)
	default:
		return dst, err
	}
	if len(op.esp) < espHeaderLen {
		return dst, drop(&sa.c.length, ErrLength)
	}
	if be.Uint32(op.esp) != sa.cfg.SPI {
		return dst, ErrBadSPI
	}
	return sa.open(dst, op)
}

// open authenticates and decrypts the ESP packet op.esp.
func (sa *SA) open(dst []byte, op outerPacket) ([]byte, error) {
	if u := sa.cfg.UDP; (u == nil) != (op.port == 0) || (u != nil && u.DstPort != 0 && u.DstPort != op.port) {
		return dst, drop(&sa.c.header, ErrHeader)
	}
	esp := op.esp
	hdr := espHeaderLen + sa.enc.ivLen
	n := len(esp) - hdr - sa.icvLen // ciphertext length
	if n < 2 {
		return dst, drop(&sa.c.length, ErrLength)
	}
	if n%sa.enc.block != 0 {
		return dst, drop(&sa.c.decrypt, ErrDecrypt)
	}
	seq := uint64(be.Uint32(esp[4:]))
	if sa.cfg.ESN {
		seq = sa.window.Estimate(uint32(seq))
	}
	if !sa.window.Check(seq) {
		return dst, drop(&sa.c.replay, ErrReplay)
	}
	start := len(dst)
	var err error
	if sa.aead != nil {
		dst, err = sa.openAEAD(dst, esp, hdr, seq)
	} else {
		dst, err = sa.openCBC(dst, esp, hdr, n, seq)
	}
	if err != nil {
		return dst[:start], drop(&sa.c.auth, err)
	}
	if !sa.window.Update(seq) {
		return dst[:start], drop(&sa.c.replay, ErrReplay)
	}
	inner, c, err := sa.trailer(dst[start:])
	if err != nil {
		return dst[:start], drop(c, err)
	}
	sa.c.decPackets.Add(1)
	sa.c.decBytes.Add(uint64(len(inner)))
	return dst[:start+len(inner)], nil
}

func (sa *SA) openAEAD(dst, esp []byte, hdr int, seq uint64) ([]byte, error) {
	copy(sa.nonce[:4], sa.salt[:])
	copy(sa.nonce[4:], esp[espHeaderLen:hdr])
	out, err := sa.aead.Open(dst, sa.nonce[:], esp[hdr:], sa.aad(esp[:hdr], seq))
	if err != nil {
		return dst, ErrAuth
	}
	return out, nil
}

func (sa *SA) openCBC(dst, esp []byte, hdr, n int, seq uint64) ([]byte, error) {
	if sa.mac != nil {
		body, got := esp[:hdr+n], esp[hdr+n:]
		if !hmac.Equal(sa.icv(body, seq), got) {
			return dst, ErrAuth
		}
	}
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	sa.cbcDec.SetIV(esp[espHeaderLen:hdr])
	sa.cbcDec.CryptBlocks(dst[start:], esp[hdr:hdr+n])
	return dst, nil
}

// trailer checks padding and next header of the decrypted payload pt and
// returns the inner packet, or the error and the counter it belongs to.
func (sa *SA) trailer(pt []byte) ([]byte, *atomic.Uint64, error) {
	n := len(pt)
	pad, next := int(pt[n-2]), pt[n-1]
	if pad+2 > n {
		return nil, &sa.c.trailer, ErrTrailer
	}
	for i, b := range pt[n-2-pad : n-2] {
		if int(b) != i+1 {
			return nil, &sa.c.trailer, ErrTrailer
		}
	}
	inner := pt[:n-2-pad]
	switch next {
	case nextDummy:
		return nil, &sa.c.dummy, ErrDummy
	case nextIPv4, nextIPv6:
	default:
		return nil, &sa.c.trailer, ErrTrailer
	}
	l, err := innerLen(inner, next)
	if err != nil {
		if sa.cfg.Passive {
			return inner, nil, nil
		}
		return nil, &sa.c.header, err
	}
	return inner[:l], nil, nil // drops TFC padding (RFC 4303 §2.7)
}

// innerLen returns the length of the inner packet from its own header.
func innerLen(p []byte, next byte) (int, error) {
	if next == nextIPv4 {
		_, total, err := ipv4Len(p)
		if err != nil {
			return 0, ErrHeader
		}
		return total, nil
	}
	if len(p) < ipv6HeaderLen || p[0]>>4 != 6 {
		return 0, ErrHeader
	}
	l := ipv6HeaderLen + int(be.Uint16(p[4:]))
	if l > len(p) {
		return 0, ErrHeader
	}
	return l, nil
}

// Table maps SPIs to inbound SAs. It belongs to one goroutine; only Stats
// may be called from others.
type Table struct {
	sas map[uint32]*SA
	c   struct{ badSPI, header, length, keepalive, nonESP atomic.Uint64 }
}

// TableStats counts packets dropped before an SA was found. Best effort.
type TableStats struct {
	BadSPI       uint64 // no inbound SA with that SPI
	BadHeaders   uint64
	LengthErrors uint64
	Keepalives   uint64 // NAT keepalives received
	NonESP       uint64 // UDP payloads with the non-ESP marker (IKE)
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{sas: make(map[uint32]*SA)} }

// Add inserts an inbound SA; its SPI must be unused.
func (t *Table) Add(sa *SA) error {
	if _, ok := t.sas[sa.SPI()]; ok {
		return fmt.Errorf("%w: %d", ErrDupSPI, sa.SPI())
	}
	t.sas[sa.SPI()] = sa
	return nil
}

// Remove deletes the SA with the given SPI and reports whether it existed.
func (t *Table) Remove(spi uint32) bool {
	_, ok := t.sas[spi]
	delete(t.sas, spi)
	return ok
}

// Lookup returns the SA with the given SPI, or nil.
func (t *Table) Lookup(spi uint32) *SA { return t.sas[spi] }

// Len returns the number of SAs.
func (t *Table) Len() int { return len(t.sas) }

// Stats returns the table's counters.
func (t *Table) Stats() TableStats {
	return TableStats{
		BadSPI: t.c.badSPI.Load(), BadHeaders: t.c.header.Load(), LengthErrors: t.c.length.Load(),
		Keepalives: t.c.keepalive.Load(), NonESP: t.c.nonESP.Load(),
	}
}

// Decapsulate finds the SA of a received packet (outer IPv4 header
// included), checks and decrypts it, appends the inner packet to dst and
// returns the SA too, so that the caller can apply the SA's policy. ESP-in-UDP
// is recognised by the outer protocol; NAT keepalives and non-ESP-marker
// datagrams (IKE) are returned as ErrKeepalive and ErrNonESP. dst must
// not overlap outer. On error dst is returned unchanged; drops before the
// SA lookup are counted in the table, later ones in the SA.
func (t *Table) Decapsulate(dst, outer []byte) ([]byte, *SA, error) {
	op, err := parseOuter(outer)
	return t.decap(dst, op, err)
}

// DecapsulateUDP is Decapsulate for the payload of a UDP datagram that a UDP
// socket bound to the local port received (ESP-in-UDP without the IP and
// UDP headers).
func (t *Table) DecapsulateUDP(dst, payload []byte, port uint16) ([]byte, *SA, error) {
	op, err := udpESP(payload, port)
	return t.decap(dst, op, err)
}

func (t *Table) decap(dst []byte, op outerPacket, err error) ([]byte, *SA, error) {
	switch err {
	case nil:
	case ErrLength:
		return dst, nil, drop(&t.c.length, err)
	case ErrHeader:
		return dst, nil, drop(&t.c.header, err)
	case ErrKeepalive:
		return dst, nil, drop(&t.c.keepalive, err)
	default:
		return dst, nil, drop(&t.c.nonESP, err)
	}
	if len(op.esp) < espHeaderLen {
		return dst, nil, drop(&t.c.length, ErrLength)
	}
	sa := t.sas[be.Uint32(op.esp)]
	if sa == nil {
		return dst, nil, drop(&t.c.badSPI, ErrBadSPI)
	}
	dst, err = sa.open(dst, op)
	return dst, sa, err
}

// Packets returns the IPv4 packets that Encapsulate appended back to back
// in b, using each packet's total length.
func Packets(b []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for len(b) >= ipv4HeaderLen {
			n := int(be.Uint16(b[2:]))
			if n < ipv4HeaderLen || n > len(b) || !yield(b[:n]) {
				return
			}
			b = b[n:]
		}
	}
}
