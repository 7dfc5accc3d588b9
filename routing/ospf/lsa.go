package ospf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// ID is a 32-bit OSPF identifier: a router ID, an area ID, a link-state ID
// or an address, in host order.
type ID uint32

// IDOf returns the ID of an IPv4 address (0 for anything else).
func IDOf(a netip.Addr) ID {
	if !a.Is4() {
		return 0
	}
	return ID(binary.BigEndian.Uint32(a.AsSlice()))
}

// Addr returns the ID as an IPv4 address.
func (i ID) Addr() netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(i))
	return netip.AddrFrom4(b)
}

func (i ID) String() string {
	return fmt.Sprintf("%d.%d.%d.%d", byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
}

// maskBits returns the length of a contiguous mask, or -1.
func maskBits(m ID) int {
	n := 0
	for v := uint32(m); v&0x80000000 != 0; v <<= 1 {
		n++
	}
	if n < 32 && uint32(m)<<uint(n) != 0 {
		return -1
	}
	return n
}

// maskOf returns the mask of a prefix length.
func maskOf(bits int) ID {
	if bits <= 0 {
		return 0
	}
	return ID(^uint32(0) << uint(32-bits))
}

// LSAType is the LS type of an LSA.
type LSAType uint8

// LS types (RFC 2328 A.4.1, RFC 3101, RFC 5250).
const (
	RouterLSA      LSAType = 1
	NetworkLSA     LSAType = 2
	SummaryLSA     LSAType = 3
	ASBRSummaryLSA LSAType = 4
	ExternalLSA    LSAType = 5
	NSSALSA        LSAType = 7
	OpaqueLinkLSA  LSAType = 9
	OpaqueAreaLSA  LSAType = 10
	OpaqueASLSA    LSAType = 11
)

// Name is the type as the database display abbreviates it.
func (t LSAType) Name() string {
	switch t {
	case RouterLSA:
		return "Router"
	case NetworkLSA:
		return "Network"
	case SummaryLSA:
		return "Summary"
	case ASBRSummaryLSA:
		return "ASBRSum"
	case ExternalLSA:
		return "Extern"
	case NSSALSA:
		return "NSSA"
	case OpaqueLinkLSA:
		return "OpaqLoca"
	case OpaqueAreaLSA:
		return "OpaqArea"
	case OpaqueASLSA:
		return "OpaqAS"
	}
	return fmt.Sprintf("Type%d", uint8(t))
}

func (t LSAType) known() bool {
	switch t {
	case RouterLSA, NetworkLSA, SummaryLSA, ASBRSummaryLSA, ExternalLSA, NSSALSA, OpaqueLinkLSA, OpaqueAreaLSA, OpaqueASLSA:
		return true
	}
	return false
}

// asScope reports whether LSAs of the type are flooded through the whole
// AS rather than one area.
func (t LSAType) asScope() bool { return t == ExternalLSA || t == OpaqueASLSA }

// LSA header constants (RFC 2328 B).
const (
	lsaHeaderLen  = 20
	MaxAge        = 3600
	MaxAgeDiff    = 900
	LSRefreshTime = 1800
	InitialSeq    = int32(-0x7fffffff) // 0x80000001
	MaxSeq        = int32(0x7fffffff)
	// LSInfinity is the metric of an unreachable summary or external.
	LSInfinity = 0xffffff
)

// Options bits (RFC 2328 A.2, RFC 3101).
const (
	OptE  = 0x02 // external routing capability
	OptMC = 0x04
	OptNP = 0x08 // N in hellos (NSSA), P in type 7 LSAs (propagate)
	OptEA = 0x10
	OptDC = 0x20
	OptO  = 0x40
)

// Router LSA flags and link types.
const (
	FlagB  = 0x01 // area border router
	FlagE  = 0x02 // AS boundary router
	FlagV  = 0x04 // virtual link endpoint
	FlagNt = 0x10 // NSSA translator (RFC 3101)

	LinkP2P     = 1
	LinkTransit = 2
	LinkStub    = 3
	LinkVirtual = 4
)

// LSAKey identifies an LSA in a database.
type LSAKey struct {
	Type LSAType
	ID   ID
	Adv  ID
}

func (k LSAKey) String() string { return fmt.Sprintf("%s %s %s", k.Type.Name(), k.ID, k.Adv) }

// LSAHeader is the common header of every LSA.
type LSAHeader struct {
	Age      uint16
	Options  uint8
	Type     LSAType
	ID       ID
	Adv      ID
	Seq      int32
	Checksum uint16
	Length   uint16
}

// Key returns the header's identity.
func (h *LSAHeader) Key() LSAKey { return LSAKey{h.Type, h.ID, h.Adv} }

func parseLSAHeader(b []byte) LSAHeader {
	return LSAHeader{
		Age:      binary.BigEndian.Uint16(b[0:]),
		Options:  b[2],
		Type:     LSAType(b[3]),
		ID:       ID(binary.BigEndian.Uint32(b[4:])),
		Adv:      ID(binary.BigEndian.Uint32(b[8:])),
		Seq:      int32(binary.BigEndian.Uint32(b[12:])),
		Checksum: binary.BigEndian.Uint16(b[16:]),
		Length:   binary.BigEndian.Uint16(b[18:]),
	}
}

func (h *LSAHeader) put(b []byte) {
	binary.BigEndian.PutUint16(b[0:], h.Age)
	b[2] = h.Options
	b[3] = uint8(h.Type)
	binary.BigEndian.PutUint32(b[4:], uint32(h.ID))
	binary.BigEndian.PutUint32(b[8:], uint32(h.Adv))
	binary.BigEndian.PutUint32(b[12:], uint32(h.Seq))
	binary.BigEndian.PutUint16(b[16:], h.Checksum)
	binary.BigEndian.PutUint16(b[18:], h.Length)
}

// LSA is a link-state advertisement: its header, its bytes as flooded
// (Raw, with the age of the header), and its parsed body.
type LSA struct {
	LSAHeader
	Raw      []byte
	Router   *RouterBody
	Network  *NetworkBody
	Summary  *SummaryBody  // types 3 and 4
	External *ExternalBody // types 5 and 7
}

// RouterBody is the body of a router LSA.
type RouterBody struct {
	Flags uint8
	Links []RouterLink
}

// RouterLink is a link of a router LSA (TOS metrics other than 0 are
// ignored).
type RouterLink struct {
	ID     ID
	Data   ID
	Type   uint8
	Metric uint16
}

// NetworkBody is the body of a network LSA.
type NetworkBody struct {
	Mask    ID
	Routers []ID
}

// SummaryBody is the body of a summary LSA (type 3 or 4).
type SummaryBody struct {
	Mask   ID
	Metric uint32
}

// ExternalBody is the body of an AS-external or NSSA LSA.
type ExternalBody struct {
	Mask    ID
	E2      bool // type 2 metric
	Metric  uint32
	Forward ID
	Tag     uint32
}

// Errors of the decoders; callers count them and drop the packet or LSA.
var (
	ErrTruncated  = errors.New("truncated")
	ErrChecksum   = errors.New("bad checksum")
	ErrMalformed  = errors.New("malformed")
	ErrVersion    = errors.New("bad version")
	ErrPacketType = errors.New("bad packet type")
)

// ParseLSA decodes the LSA at the start of b and returns it with the
// number of bytes it used. The checksum is verified.
func ParseLSA(b []byte) (*LSA, int, error) {
	if len(b) < lsaHeaderLen {
		return nil, 0, fmt.Errorf("lsa header: %w", ErrTruncated)
	}
	h := parseLSAHeader(b)
	n := int(h.Length)
	if n < lsaHeaderLen || n > len(b) || n%4 != 0 {
		return nil, 0, fmt.Errorf("lsa %s length %d: %w", h.Key(), n, ErrTruncated)
	}
	raw := b[:n:n]
	if !fletcherOK(raw[2:]) {
		return nil, n, fmt.Errorf("lsa %s: %w", h.Key(), ErrChecksum)
	}
	l := &LSA{LSAHeader: h, Raw: raw}
	if err := l.parseBody(raw[lsaHeaderLen:]); err != nil {
		return nil, n, fmt.Errorf("lsa %s: %w", h.Key(), err)
	}
	return l, n, nil
}

func (l *LSA) parseBody(b []byte) error {
	switch l.Type {
	case RouterLSA:
		if len(b) < 4 {
			return ErrMalformed
		}
		rb := &RouterBody{Flags: b[0]}
		n := int(binary.BigEndian.Uint16(b[2:]))
		b = b[4:]
		for range n {
			if len(b) < 12 {
				return ErrMalformed
			}
			tos := int(b[9])
			lk := RouterLink{ID: ID(binary.BigEndian.Uint32(b)), Data: ID(binary.BigEndian.Uint32(b[4:])),
				Type: b[8], Metric: binary.BigEndian.Uint16(b[10:])}
			b = b[12:]
			if len(b) < 4*tos {
				return ErrMalformed
			}
			b = b[4*tos:]
			rb.Links = append(rb.Links, lk)
		}
		l.Router = rb
	case NetworkLSA:
		if len(b) < 8 || len(b)%4 != 0 {
			return ErrMalformed
		}
		nb := &NetworkBody{Mask: ID(binary.BigEndian.Uint32(b))}
		for i := 4; i < len(b); i += 4 {
			nb.Routers = append(nb.Routers, ID(binary.BigEndian.Uint32(b[i:])))
		}
		l.Network = nb
	case SummaryLSA, ASBRSummaryLSA:
		if len(b) < 8 {
			return ErrMalformed
		}
		l.Summary = &SummaryBody{Mask: ID(binary.BigEndian.Uint32(b)), Metric: binary.BigEndian.Uint32(b[4:]) & 0xffffff}
	case ExternalLSA, NSSALSA:
		if len(b) < 16 {
			return ErrMalformed
		}
		l.External = &ExternalBody{Mask: ID(binary.BigEndian.Uint32(b)), E2: b[4]&0x80 != 0,
			Metric: binary.BigEndian.Uint32(b[4:]) & 0xffffff, Forward: ID(binary.BigEndian.Uint32(b[8:])),
			Tag: binary.BigEndian.Uint32(b[12:])}
	}
	return nil
}

// encode builds Raw from the header and body, setting Length and the
// checksum.
func (l *LSA) encode() {
	var body []byte
	switch {
	case l.Router != nil:
		body = make([]byte, 4+12*len(l.Router.Links))
		body[0] = l.Router.Flags
		binary.BigEndian.PutUint16(body[2:], uint16(len(l.Router.Links)))
		for i, lk := range l.Router.Links {
			o := 4 + 12*i
			binary.BigEndian.PutUint32(body[o:], uint32(lk.ID))
			binary.BigEndian.PutUint32(body[o+4:], uint32(lk.Data))
			body[o+8] = lk.Type
			binary.BigEndian.PutUint16(body[o+10:], lk.Metric)
		}
	case l.Network != nil:
		body = make([]byte, 4+4*len(l.Network.Routers))
		binary.BigEndian.PutUint32(body, uint32(l.Network.Mask))
		for i, r := range l.Network.Routers {
			binary.BigEndian.PutUint32(body[4+4*i:], uint32(r))
		}
	case l.Summary != nil:
		body = make([]byte, 8)
		binary.BigEndian.PutUint32(body, uint32(l.Summary.Mask))
		binary.BigEndian.PutUint32(body[4:], l.Summary.Metric&0xffffff)
	case l.External != nil:
		body = make([]byte, 16)
		e := l.External
		binary.BigEndian.PutUint32(body, uint32(e.Mask))
		binary.BigEndian.PutUint32(body[4:], e.Metric&0xffffff)
		if e.E2 {
			body[4] |= 0x80
		}
		binary.BigEndian.PutUint32(body[8:], uint32(e.Forward))
		binary.BigEndian.PutUint32(body[12:], e.Tag)
	}
	raw := make([]byte, lsaHeaderLen+len(body))
	copy(raw[lsaHeaderLen:], body)
	l.Length = uint16(len(raw))
	l.Checksum = 0
	l.put(raw)
	l.Checksum = lsaChecksum(raw)
	binary.BigEndian.PutUint16(raw[16:], l.Checksum)
	l.Raw = raw
}

// fletcherOK verifies an ISO 8473 Fletcher checksum held in b: both
// running sums are 0 modulo 255.
func fletcherOK(b []byte) bool {
	var c0, c1 int
	for _, x := range b {
		c0 = (c0 + int(x)) % 255
		c1 = (c1 + c0) % 255
	}
	return c0 == 0 && c1 == 0
}

// lsaChecksum computes the checksum of an LSA whose checksum field is 0
// (RFC 905 annex B over the LSA without its age).
func lsaChecksum(raw []byte) uint16 {
	b := raw[2:]
	const off = 14 // checksum offset within b
	var c0, c1 int
	for _, x := range b {
		c0 = (c0 + int(x)) % 255
		c1 = (c1 + c0) % 255
	}
	n := len(b)
	x := ((n-off-1)*c0 - c1) % 255
	if x <= 0 {
		x += 255
	}
	y := 510 - c0 - x
	if y > 255 {
		y -= 255
	}
	return uint16(x)<<8 | uint16(y)
}

// withAge returns a copy of raw with its age field set.
func withAge(raw []byte, age uint16) []byte {
	b := make([]byte, len(raw))
	copy(b, raw)
	binary.BigEndian.PutUint16(b, age)
	return b
}
