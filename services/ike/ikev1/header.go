package ikev1

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Decoding errors. Every one of them means the message is dropped (and
// counted); none is answered.
var (
	// ErrShort: the message or a payload is shorter than its header or
	// than its length field says.
	ErrShort = errors.New("truncated message")
	// ErrLength: a length field is impossible (smaller than a header,
	// larger than what holds it, or trailing bytes after the last payload
	// of a cleartext message).
	ErrLength = errors.New("invalid length")
	// ErrVersion: the major version is not 1.
	ErrVersion = errors.New("unsupported ISAKMP version")
	// ErrPayload: a payload's contents do not parse.
	ErrPayload = errors.New("malformed payload")
)

// Cookie is an ISAKMP cookie (RFC 2408 §2.5.3): the 8-byte SPI of one side
// of a phase-1 SA.
type Cookie [8]byte

// IsZero reports whether c is all zero (the responder cookie of a first
// message).
func (c Cookie) IsZero() bool { return c == Cookie{} }

func (c Cookie) String() string { return hex.EncodeToString(c[:]) }

// Exchange is an ISAKMP exchange type.
type Exchange uint8

// Exchange types (RFC 2408 §3.1, RFC 2409 §5).
const (
	ExchBase          Exchange = 1
	ExchMain          Exchange = 2 // identity protection
	ExchAuthOnly      Exchange = 3
	ExchAggressive    Exchange = 4
	ExchInformational Exchange = 5
	ExchQuick         Exchange = 32
	ExchNewGroup      Exchange = 33
)

func (e Exchange) String() string {
	switch e {
	case ExchBase:
		return "Base"
	case ExchMain:
		return "Main"
	case ExchAuthOnly:
		return "Authentication-only"
	case ExchAggressive:
		return "Aggressive"
	case ExchInformational:
		return "Informational"
	case ExchQuick:
		return "Quick"
	case ExchNewGroup:
		return "New-group"
	}
	return fmt.Sprintf("exchange(%d)", uint8(e))
}

// Flags are the ISAKMP header flags.
type Flags uint8

// Header flags (RFC 2408 §3.1).
const (
	FlagEncrypted Flags = 1
	FlagCommit    Flags = 2
	FlagAuthOnly  Flags = 4
)

// Version is the ISAKMP version byte of IKEv1: major 1, minor 0.
const Version = 0x10

// HeaderLen is the length of the ISAKMP header.
const HeaderLen = 28

// MaxMessage is the largest message accepted: larger datagrams are
// dropped before any parsing.
const MaxMessage = 64 << 10

// Header is the ISAKMP header (RFC 2408 §3.1).
type Header struct {
	ICookie, RCookie Cookie
	Next             PayloadType // type of the first payload
	Version          uint8
	Exchange         Exchange
	Flags            Flags
	MsgID            uint32
	Length           uint32 // of the whole message, header included
}

// ParseHeader decodes the header at the start of b and checks it against
// the size of b: the length field must cover at least the header and at
// most b (extra bytes after Length are ignored, as a datagram carries one
// message).
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("%w: %d bytes, header is %d", ErrShort, len(b), HeaderLen)
	}
	var h Header
	copy(h.ICookie[:], b[0:8])
	copy(h.RCookie[:], b[8:16])
	h.Next = PayloadType(b[16])
	h.Version = b[17]
	h.Exchange = Exchange(b[18])
	h.Flags = Flags(b[19])
	h.MsgID = binary.BigEndian.Uint32(b[20:24])
	h.Length = binary.BigEndian.Uint32(b[24:28])
	if h.Version>>4 != 1 {
		return h, fmt.Errorf("%w: 0x%02x", ErrVersion, h.Version)
	}
	if h.Length < HeaderLen {
		return h, fmt.Errorf("%w: message length %d", ErrLength, h.Length)
	}
	if int64(h.Length) > int64(len(b)) {
		return h, fmt.Errorf("%w: message length %d, datagram %d", ErrShort, h.Length, len(b))
	}
	return h, nil
}

// Append appends the encoded header to b.
func (h *Header) Append(b []byte) []byte {
	b = append(b, h.ICookie[:]...)
	b = append(b, h.RCookie[:]...)
	b = append(b, byte(h.Next), h.Version, byte(h.Exchange), byte(h.Flags))
	b = binary.BigEndian.AppendUint32(b, h.MsgID)
	return binary.BigEndian.AppendUint32(b, h.Length)
}
