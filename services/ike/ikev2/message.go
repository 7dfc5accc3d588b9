package ikev2

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Exchange types (RFC 7296 §3.1).
const (
	ExchangeSAInit        = 34
	ExchangeAuth          = 35
	ExchangeCreateChildSA = 36
	ExchangeInformational = 37
)

// Header flags.
const (
	FlagInitiator = 0x08 // set by the original initiator of the IKE SA
	FlagVersion   = 0x10 // a higher version is supported (never set here)
	FlagResponse  = 0x20
)

// Version is the version octet of IKEv2 messages (major 2, minor 0).
const Version = 0x20

// HeaderLen is the length of the IKE header; payloads have a 4-byte
// generic header.
const (
	HeaderLen        = 28
	payloadHeaderLen = 4
)

// MaxMessage is the largest message accepted or sent (RFC 7296 §2:
// implementations must accept 1280 bytes; a UDP datagram bounds the rest).
const MaxMessage = 65535 - 28

// Parse errors; every message that fails to parse is counted and dropped.
var (
	ErrTruncated = errors.New("truncated message")
	ErrLength    = errors.New("bad length")
	ErrVersion   = errors.New("not an IKEv2 message")
	ErrCritical  = errors.New("unsupported critical payload")
	ErrPayload   = errors.New("malformed payload")
)

// Header is the IKE header.
type Header struct {
	SPIi, SPIr [8]byte
	Next       PayloadType // the first payload
	Version    uint8
	Exchange   uint8
	Flags      uint8
	MsgID      uint32
	Length     uint32
}

// Response reports whether the message is a response.
func (h *Header) Response() bool { return h.Flags&FlagResponse != 0 }

// FromInitiator reports whether the original initiator sent the message.
func (h *Header) FromInitiator() bool { return h.Flags&FlagInitiator != 0 }

// ParseHeader reads the IKE header of b and checks it against len(b).
func ParseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, ErrTruncated
	}
	copy(h.SPIi[:], b[0:8])
	copy(h.SPIr[:], b[8:16])
	h.Next = PayloadType(b[16])
	h.Version = b[17]
	h.Exchange = b[18]
	h.Flags = b[19]
	h.MsgID = binary.BigEndian.Uint32(b[20:24])
	h.Length = binary.BigEndian.Uint32(b[24:28])
	if h.Version>>4 != 2 {
		return h, ErrVersion
	}
	if int(h.Length) != len(b) || h.Length > MaxMessage {
		return h, fmt.Errorf("%w: header says %d, got %d", ErrLength, h.Length, len(b))
	}
	return h, nil
}

func (h *Header) append(b []byte) []byte {
	b = append(b, h.SPIi[:]...)
	b = append(b, h.SPIr[:]...)
	b = append(b, byte(h.Next), Version, h.Exchange, h.Flags)
	b = binary.BigEndian.AppendUint32(b, h.MsgID)
	return binary.BigEndian.AppendUint32(b, h.Length)
}

// Message is a decoded IKE message: its header and its payloads (for an
// encrypted message, the payloads inside the SK payload).
type Message struct {
	Header
	Payloads []Payload
}

// parsePayloads reads a chain of payloads starting with type next. An
// SK payload ends the chain (it must be last) and is returned raw.
func parsePayloads(next PayloadType, b []byte) ([]Payload, error) {
	var out []Payload
	for next != NoNext {
		if len(b) < payloadHeaderLen {
			return nil, ErrTruncated
		}
		following := PayloadType(b[0])
		critical := b[1]&0x80 != 0
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if n < payloadHeaderLen || n > len(b) {
			return nil, fmt.Errorf("%w: payload %v of %d bytes", ErrLength, next, n)
		}
		body := b[payloadHeaderLen:n]
		if next == PayloadSK {
			if n != len(b) {
				return nil, fmt.Errorf("%w: data after the SK payload", ErrPayload)
			}
			return append(out, &Encrypted{Next: following, Data: body}), nil
		}
		p, err := decodePayload(next, critical, body)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", next, err)
		}
		out = append(out, p)
		b = b[n:]
		next = following
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last payload", ErrLength, len(b))
	}
	return out, nil
}

// appendPayloads appends the payload chain ps; next is the type after
// the last payload (NoNext, or the SK payload that wraps them).
func appendPayloads(b []byte, ps []Payload) []byte {
	for i, p := range ps {
		next := NoNext
		if i+1 < len(ps) {
			next = ps[i+1].Type()
		}
		start := len(b)
		flags := byte(0)
		if r, ok := p.(*Raw); ok && r.Critical {
			flags = 0x80
		}
		b = append(b, byte(next), flags, 0, 0)
		b = p.append(b)
		binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	}
	return b
}

// Decode parses a message that is not encrypted (IKE_SA_INIT). An
// encrypted message comes back with a single *Encrypted payload for
// Cipher.Open.
func Decode(b []byte) (*Message, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	ps, err := parsePayloads(h.Next, b[HeaderLen:])
	if err != nil {
		return nil, err
	}
	return &Message{Header: h, Payloads: ps}, nil
}

// Encode returns the wire form of an unencrypted message.
func (m *Message) Encode() []byte {
	h := m.Header
	h.Next = NoNext
	if len(m.Payloads) > 0 {
		h.Next = m.Payloads[0].Type()
	}
	b := h.append(make([]byte, 0, 512))
	b = appendPayloads(b, m.Payloads)
	binary.BigEndian.PutUint32(b[24:], uint32(len(b)))
	return b
}

// Get returns the first payload of type t, or nil.
func (m *Message) Get(t PayloadType) Payload {
	for _, p := range m.Payloads {
		if p.Type() == t {
			return p
		}
	}
	return nil
}

// Notify returns the first notification of type t, or nil.
func (m *Message) Notify(t NotifyType) *Notify {
	for _, p := range m.Payloads {
		if n, ok := p.(*Notify); ok && n.Kind == t {
			return n
		}
	}
	return nil
}

// Error returns the first error notification (type below 16384), or nil.
func (m *Message) Error() *Notify {
	for _, p := range m.Payloads {
		if n, ok := p.(*Notify); ok && n.Kind < 16384 {
			return n
		}
	}
	return nil
}

// Critical returns the type of the first payload the message carries
// with the critical bit that this package does not understand, or
// NoNext.
func (m *Message) Critical() PayloadType {
	for _, p := range m.Payloads {
		if r, ok := p.(*Raw); ok && r.Critical && !r.Kind.known() {
			return r.Kind
		}
	}
	return NoNext
}
