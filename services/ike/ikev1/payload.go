package ikev1

import (
	"encoding/binary"
	"fmt"
)

// PayloadType is an ISAKMP payload type.
type PayloadType uint8

// Payload types (RFC 2408 §3.1, RFC 3947 §3; 130/131 are the NAT-D and
// NAT-OA numbers of draft-ietf-ipsec-nat-t-ike-02/03).
const (
	PayloadNone       PayloadType = 0
	PayloadSA         PayloadType = 1
	PayloadProposal   PayloadType = 2
	PayloadTransform  PayloadType = 3
	PayloadKE         PayloadType = 4
	PayloadID         PayloadType = 5
	PayloadCert       PayloadType = 6
	PayloadCR         PayloadType = 7
	PayloadHash       PayloadType = 8
	PayloadSig        PayloadType = 9
	PayloadNonce      PayloadType = 10
	PayloadNotify     PayloadType = 11
	PayloadDelete     PayloadType = 12
	PayloadVendor     PayloadType = 13
	PayloadNATD       PayloadType = 20
	PayloadNATOA      PayloadType = 21
	PayloadNATDDraft  PayloadType = 130
	PayloadNATOADraft PayloadType = 131
	maxPayloadsPerMsg             = 64
	genericHeaderLen              = 4
)

var payloadNames = map[PayloadType]string{
	PayloadSA: "SA", PayloadProposal: "P", PayloadTransform: "T", PayloadKE: "KE",
	PayloadID: "ID", PayloadCert: "CERT", PayloadCR: "CR", PayloadHash: "HASH",
	PayloadSig: "SIG", PayloadNonce: "No", PayloadNotify: "N", PayloadDelete: "D",
	PayloadVendor: "V", PayloadNATD: "NAT-D", PayloadNATOA: "NAT-OA",
	PayloadNATDDraft: "NAT-D", PayloadNATOADraft: "NAT-OA",
}

func (t PayloadType) String() string {
	if n, ok := payloadNames[t]; ok {
		return n
	}
	return fmt.Sprintf("payload(%d)", uint8(t))
}

// Payload is one payload of a message.
type Payload struct {
	Type PayloadType
	// Body is the payload without its generic header.
	Body []byte
	// Raw is the payload with its generic header, as received.
	Raw []byte
}

// ParsePayloads splits the payload chain in b whose first payload has type
// first. In a decrypted message, padded is true and the bytes after the
// last payload are padding; in a cleartext one they are an error. The
// payloads alias b.
func ParsePayloads(first PayloadType, b []byte, padded bool) ([]Payload, error) {
	var out []Payload
	next := first
	for next != PayloadNone {
		if len(out) == maxPayloadsPerMsg {
			return nil, fmt.Errorf("%w: more than %d payloads", ErrPayload, maxPayloadsPerMsg)
		}
		if len(b) < genericHeaderLen {
			return nil, fmt.Errorf("%w: %v payload header", ErrShort, next)
		}
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if n < genericHeaderLen {
			return nil, fmt.Errorf("%w: %v payload length %d", ErrLength, next, n)
		}
		if n > len(b) {
			return nil, fmt.Errorf("%w: %v payload length %d, %d bytes left", ErrShort, next, n, len(b))
		}
		out = append(out, Payload{Type: next, Body: b[genericHeaderLen:n:n], Raw: b[:n:n]})
		next = PayloadType(b[0])
		b = b[n:]
	}
	if len(b) > 0 && !padded {
		return nil, fmt.Errorf("%w: %d bytes after the last payload", ErrLength, len(b))
	}
	return out, nil
}

// chain builds a payload chain: each Add sets the next-payload field of
// the payload before it.
type chain struct {
	b     []byte
	first PayloadType
	last  int // offset of the last payload's generic header, -1 if none
}

func newChain() *chain { return &chain{last: -1} }

// add appends a payload of type t with the given body parts.
func (c *chain) add(t PayloadType, parts ...[]byte) {
	n := genericHeaderLen
	for _, p := range parts {
		n += len(p)
	}
	if c.last < 0 {
		c.first = t
	} else {
		c.b[c.last] = byte(t)
	}
	c.last = len(c.b)
	c.b = append(c.b, 0, 0, byte(n>>8), byte(n))
	for _, p := range parts {
		c.b = append(c.b, p...)
	}
}

// bytesAfter returns the payloads added after the payload that starts at
// offset off (the message tail a quick-mode or informational hash covers).
func (c *chain) bytesAfter(off int) []byte {
	n := int(binary.BigEndian.Uint16(c.b[off+2 : off+4]))
	return c.b[off+n:]
}

// Message is a decoded message: its header and payloads.
type Message struct {
	Header
	Payloads []Payload
}

// First returns the first payload of type t, or nil.
func (m *Message) First(t PayloadType) *Payload {
	for i := range m.Payloads {
		if m.Payloads[i].Type == t {
			return &m.Payloads[i]
		}
	}
	return nil
}

// All returns the payloads of type t.
func (m *Message) All(t PayloadType) []*Payload {
	var out []*Payload
	for i := range m.Payloads {
		if m.Payloads[i].Type == t {
			out = append(out, &m.Payloads[i])
		}
	}
	return out
}

// Decode parses a cleartext message (the E flag clear). An encrypted
// message's body can only be read with the keys of its SA: see
// ParseHeader and the SA's decrypt.
func Decode(b []byte) (*Message, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	if h.Flags&FlagEncrypted != 0 {
		return nil, fmt.Errorf("%w: encrypted message", ErrPayload)
	}
	ps, err := ParsePayloads(h.Next, b[HeaderLen:h.Length], false)
	if err != nil {
		return nil, err
	}
	return &Message{Header: h, Payloads: ps}, nil
}

// encode returns the message with header h and the payloads of c, in
// clear; h.Next and h.Length are set from c.
func encode(h Header, c *chain) []byte {
	h.Next = c.first
	h.Length = uint32(HeaderLen + len(c.b))
	b := h.Append(make([]byte, 0, int(h.Length)))
	return append(b, c.b...)
}
