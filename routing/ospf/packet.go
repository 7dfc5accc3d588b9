package ospf

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// Packet types (RFC 2328 A.3).
const (
	TypeHello = 1
	TypeDBD   = 2
	TypeLSR   = 3
	TypeLSU   = 4
	TypeLSAck = 5
)

// Authentication types (RFC 2328 D).
const (
	AuthNone   = 0
	AuthSimple = 1
	AuthCrypto = 2
)

const (
	headerLen = 24
	md5Len    = 16
	// AllSPFRouters and AllDRouters are the OSPF multicast groups.
	AllSPFRouters = ID(0xe0000005)
	AllDRouters   = ID(0xe0000006)
)

// DBD flags.
const (
	DBDMS   = 0x01
	DBDMore = 0x02
	DBDInit = 0x04
)

// Packet is a decoded OSPF packet.
type Packet struct {
	Type     uint8
	RouterID ID
	Area     ID
	AuType   uint16
	// KeyID and CryptoSeq are the cryptographic authentication fields.
	KeyID     uint8
	CryptoSeq uint32

	Hello *Hello
	DBD   *DBD
	LSR   []LSAKey
	LSU   []*LSA
	Ack   []LSAHeader
	// BadLSAs counts the LSAs of an update that were dropped (bad
	// checksum or body).
	BadLSAs int
}

// Hello is the body of a Hello packet.
type Hello struct {
	Mask      ID
	Interval  uint16
	Options   uint8
	Priority  uint8
	Dead      uint32
	DR, BDR   ID
	Neighbors []ID
}

// DBD is the body of a Database Description packet.
type DBD struct {
	MTU     uint16
	Options uint8
	Flags   uint8
	Seq     uint32
	Headers []LSAHeader
}

// Auth is the authentication of an interface. Keys holds the MD5 keys by
// key ID; the one with the highest start time not in the future sends.
type Auth struct {
	Type     uint16
	Password [8]byte
	Keys     []MD5Key
}

// MD5Key is a keyed-MD5 key (RFC 2328 D.3).
type MD5Key struct {
	ID  uint8
	Key [16]byte
}

// Errors of authentication; the packet is counted and dropped.
var (
	ErrAuthType = errors.New("authentication type mismatch")
	ErrAuth     = errors.New("authentication failure")
	ErrAuthSeq  = errors.New("cryptographic sequence number went backwards")
)

// ParsePacket decodes b, an OSPF packet without its IP header. It checks
// the version, type and length; the checksum and authentication are
// checked by Verify, which needs the interface's keys.
func ParsePacket(b []byte) (*Packet, error) {
	if len(b) < headerLen {
		return nil, fmt.Errorf("header: %w", ErrTruncated)
	}
	if b[0] != 2 {
		return nil, fmt.Errorf("version %d: %w", b[0], ErrVersion)
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n < headerLen || n > len(b) {
		return nil, fmt.Errorf("length %d of %d: %w", n, len(b), ErrTruncated)
	}
	p := &Packet{Type: b[1], RouterID: ID(binary.BigEndian.Uint32(b[4:])), Area: ID(binary.BigEndian.Uint32(b[8:])),
		AuType: binary.BigEndian.Uint16(b[14:])}
	if p.AuType == AuthCrypto {
		p.KeyID = b[18]
		p.CryptoSeq = binary.BigEndian.Uint32(b[20:])
	}
	body := b[headerLen:n]
	var err error
	switch p.Type {
	case TypeHello:
		p.Hello, err = parseHello(body)
	case TypeDBD:
		p.DBD, err = parseDBD(body)
	case TypeLSR:
		p.LSR, err = parseLSR(body)
	case TypeLSU:
		p.LSU, p.BadLSAs, err = parseLSU(body)
	case TypeLSAck:
		p.Ack, err = parseHeaders(body)
	default:
		return nil, fmt.Errorf("type %d: %w", p.Type, ErrPacketType)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", typeName(p.Type), err)
	}
	return p, nil
}

func typeName(t uint8) string {
	switch t {
	case TypeHello:
		return "hello"
	case TypeDBD:
		return "database description"
	case TypeLSR:
		return "link-state request"
	case TypeLSU:
		return "link-state update"
	case TypeLSAck:
		return "link-state ack"
	}
	return fmt.Sprintf("type %d", t)
}

func parseHello(b []byte) (*Hello, error) {
	if len(b) < 20 || (len(b)-20)%4 != 0 {
		return nil, ErrMalformed
	}
	h := &Hello{Mask: ID(binary.BigEndian.Uint32(b)), Interval: binary.BigEndian.Uint16(b[4:]), Options: b[6],
		Priority: b[7], Dead: binary.BigEndian.Uint32(b[8:]), DR: ID(binary.BigEndian.Uint32(b[12:])),
		BDR: ID(binary.BigEndian.Uint32(b[16:]))}
	for i := 20; i < len(b); i += 4 {
		h.Neighbors = append(h.Neighbors, ID(binary.BigEndian.Uint32(b[i:])))
	}
	return h, nil
}

func parseDBD(b []byte) (*DBD, error) {
	if len(b) < 8 {
		return nil, ErrMalformed
	}
	d := &DBD{MTU: binary.BigEndian.Uint16(b), Options: b[2], Flags: b[3], Seq: binary.BigEndian.Uint32(b[4:])}
	var err error
	d.Headers, err = parseHeaders(b[8:])
	return d, err
}

func parseHeaders(b []byte) ([]LSAHeader, error) {
	if len(b)%lsaHeaderLen != 0 {
		return nil, ErrMalformed
	}
	out := make([]LSAHeader, 0, len(b)/lsaHeaderLen)
	for i := 0; i < len(b); i += lsaHeaderLen {
		out = append(out, parseLSAHeader(b[i:]))
	}
	return out, nil
}

func parseLSR(b []byte) ([]LSAKey, error) {
	if len(b)%12 != 0 {
		return nil, ErrMalformed
	}
	out := make([]LSAKey, 0, len(b)/12)
	for i := 0; i < len(b); i += 12 {
		t := binary.BigEndian.Uint32(b[i:])
		if t > 255 {
			return nil, ErrMalformed
		}
		out = append(out, LSAKey{Type: LSAType(t), ID: ID(binary.BigEndian.Uint32(b[i+4:])), Adv: ID(binary.BigEndian.Uint32(b[i+8:]))})
	}
	return out, nil
}

// parseLSU decodes the LSAs of an update; an LSA with a bad checksum or
// body is dropped and counted, a truncated one ends the packet.
func parseLSU(b []byte) ([]*LSA, int, error) {
	if len(b) < 4 {
		return nil, 0, ErrMalformed
	}
	n := int(binary.BigEndian.Uint32(b))
	b = b[4:]
	if n > len(b)/lsaHeaderLen {
		return nil, 0, fmt.Errorf("%d lsas: %w", n, ErrTruncated)
	}
	var out []*LSA
	bad := 0
	for range n {
		l, used, err := ParseLSA(b)
		if used == 0 {
			return out, bad, err
		}
		b = b[used:]
		if err != nil {
			bad++
			continue
		}
		out = append(out, l)
	}
	return out, bad, nil
}

// Verify checks the checksum and authentication of raw packet b (whose
// header p was decoded from) against auth. For cryptographic
// authentication the 16-byte digest follows the packet. lastSeq is the
// neighbor's last cryptographic sequence number (0 when unknown).
func Verify(b []byte, p *Packet, auth *Auth, lastSeq uint32) error {
	if p.AuType != auth.Type {
		return fmt.Errorf("type %d, want %d: %w", p.AuType, auth.Type, ErrAuthType)
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	switch auth.Type {
	case AuthNone, AuthSimple:
		c := make([]byte, n)
		copy(c, b[:n])
		clear(c[16:24])
		if inetChecksum(c) != 0 {
			return ErrChecksum
		}
		if auth.Type == AuthSimple && subtle.ConstantTimeCompare(b[16:24], auth.Password[:]) != 1 {
			return fmt.Errorf("simple password: %w", ErrAuth)
		}
	case AuthCrypto:
		if b[19] != md5Len || len(b) < n+md5Len {
			return fmt.Errorf("digest length: %w", ErrAuth)
		}
		key, ok := auth.key(p.KeyID)
		if !ok {
			return fmt.Errorf("key id %d: %w", p.KeyID, ErrAuth)
		}
		want := md5Digest(b[:n], key)
		if subtle.ConstantTimeCompare(want[:], b[n:n+md5Len]) != 1 {
			return fmt.Errorf("md5 digest: %w", ErrAuth)
		}
		if p.CryptoSeq < lastSeq {
			return ErrAuthSeq
		}
	default:
		return fmt.Errorf("type %d: %w", auth.Type, ErrAuthType)
	}
	return nil
}

func (a *Auth) key(id uint8) ([16]byte, bool) {
	for _, k := range a.Keys {
		if k.ID == id {
			return k.Key, true
		}
	}
	return [16]byte{}, false
}

func md5Digest(pkt []byte, key [16]byte) [16]byte {
	h := md5.New()
	h.Write(pkt)
	h.Write(key[:])
	var out [16]byte
	h.Sum(out[:0])
	return out
}

// inetChecksum is the Internet checksum of b (0 when b holds a right one).
func inetChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// Marshal encodes p with the authentication auth; seq is the
// cryptographic sequence number to send (MD5).
func (p *Packet) Marshal(auth *Auth, seq uint32) []byte {
	b := make([]byte, headerLen, 1500)
	b[0], b[1] = 2, p.Type
	binary.BigEndian.PutUint32(b[4:], uint32(p.RouterID))
	binary.BigEndian.PutUint32(b[8:], uint32(p.Area))
	switch p.Type {
	case TypeHello:
		h := p.Hello
		b = binary.BigEndian.AppendUint32(b, uint32(h.Mask))
		b = binary.BigEndian.AppendUint16(b, h.Interval)
		b = append(b, h.Options, h.Priority)
		b = binary.BigEndian.AppendUint32(b, h.Dead)
		b = binary.BigEndian.AppendUint32(b, uint32(h.DR))
		b = binary.BigEndian.AppendUint32(b, uint32(h.BDR))
		for _, n := range h.Neighbors {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
	case TypeDBD:
		d := p.DBD
		b = binary.BigEndian.AppendUint16(b, d.MTU)
		b = append(b, d.Options, d.Flags)
		b = binary.BigEndian.AppendUint32(b, d.Seq)
		b = appendHeaders(b, d.Headers)
	case TypeLSR:
		for _, k := range p.LSR {
			b = binary.BigEndian.AppendUint32(b, uint32(k.Type))
			b = binary.BigEndian.AppendUint32(b, uint32(k.ID))
			b = binary.BigEndian.AppendUint32(b, uint32(k.Adv))
		}
	case TypeLSU:
		b = binary.BigEndian.AppendUint32(b, uint32(len(p.LSU)))
		for _, l := range p.LSU {
			b = append(b, l.Raw...)
		}
	case TypeLSAck:
		b = appendHeaders(b, p.Ack)
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	binary.BigEndian.PutUint16(b[14:], auth.Type)
	switch auth.Type {
	case AuthNone, AuthSimple:
		binary.BigEndian.PutUint16(b[12:], inetChecksum(b))
		copy(b[16:24], auth.Password[:])
	case AuthCrypto:
		k := auth.Keys[len(auth.Keys)-1]
		b[18], b[19] = k.ID, md5Len
		binary.BigEndian.PutUint32(b[20:], seq)
		d := md5Digest(b, k.Key)
		b = append(b, d[:]...)
	}
	return b
}

func appendHeaders(b []byte, hs []LSAHeader) []byte {
	for i := range hs {
		var x [lsaHeaderLen]byte
		hs[i].put(x[:])
		b = append(b, x[:]...)
	}
	return b
}
