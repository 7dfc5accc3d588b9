package ikev2

import (
	"encoding/binary"
	"fmt"
)

// Transform types (RFC 7296 §3.3.2).
const (
	TransformENCR  = 1
	TransformPRF   = 2
	TransformINTEG = 3
	TransformDH    = 4
	TransformESN   = 5
)

// attrKeyLength is the Key Length transform attribute (TV format).
const attrKeyLength = 14

// Transform is one transform of a proposal.
type Transform struct {
	Kind   uint8 // TransformENCR, ...
	ID     uint16
	KeyLen uint16 // Key Length attribute in bits; 0 when absent
	// Unknown is set when the transform carries an attribute this
	// package does not know: such a transform is never selected.
	Unknown bool
}

// Proposal is a proposal substructure of an SA payload.
type Proposal struct {
	Num        uint8
	Protocol   uint8 // ProtoIKE, ProtoESP
	SPI        []byte
	Transforms []Transform
}

// SA is a security association payload.
type SA struct {
	Proposals []Proposal
}

func (p *SA) Type() PayloadType { return PayloadSA }

func (p *SA) append(b []byte) []byte {
	for i, pr := range p.Proposals {
		last := uint8(2)
		if i == len(p.Proposals)-1 {
			last = 0
		}
		start := len(b)
		b = append(b, last, 0, 0, 0, pr.Num, pr.Protocol, uint8(len(pr.SPI)), uint8(len(pr.Transforms)))
		b = append(b, pr.SPI...)
		for j, t := range pr.Transforms {
			tl := uint8(3)
			if j == len(pr.Transforms)-1 {
				tl = 0
			}
			ts := len(b)
			b = append(b, tl, 0, 0, 0, t.Kind, 0)
			b = binary.BigEndian.AppendUint16(b, t.ID)
			if t.KeyLen != 0 {
				b = binary.BigEndian.AppendUint16(b, 0x8000|attrKeyLength)
				b = binary.BigEndian.AppendUint16(b, t.KeyLen)
			}
			binary.BigEndian.PutUint16(b[ts+2:], uint16(len(b)-ts))
		}
		binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	}
	return b
}

func decodeSA(b []byte) (*SA, error) {
	p := &SA{}
	for more := true; more; {
		if len(b) < 8 {
			return nil, ErrTruncated
		}
		last, n := b[0], int(binary.BigEndian.Uint16(b[2:]))
		if (last != 0 && last != 2) || n < 8 || n > len(b) {
			return nil, fmt.Errorf("%w: proposal of %d bytes", ErrPayload, n)
		}
		more = last == 2
		pr := Proposal{Num: b[4], Protocol: b[5]}
		spiLen, nt := int(b[6]), int(b[7])
		body := b[8:n]
		if spiLen > len(body) {
			return nil, ErrTruncated
		}
		pr.SPI, body = body[:spiLen], body[spiLen:]
		for i := range nt {
			t, rest, err := decodeTransform(body, i == nt-1)
			if err != nil {
				return nil, err
			}
			pr.Transforms = append(pr.Transforms, t)
			body = rest
		}
		if len(body) != 0 {
			return nil, fmt.Errorf("%w: %d bytes after the transforms", ErrPayload, len(body))
		}
		p.Proposals = append(p.Proposals, pr)
		b = b[n:]
	}
	if len(b) != 0 || len(p.Proposals) == 0 {
		return nil, fmt.Errorf("%w: SA payload", ErrPayload)
	}
	return p, nil
}

func decodeTransform(b []byte, wantLast bool) (Transform, []byte, error) {
	var t Transform
	if len(b) < 8 {
		return t, nil, ErrTruncated
	}
	last, n := b[0], int(binary.BigEndian.Uint16(b[2:]))
	if (last != 0 && last != 3) || (last == 0) != wantLast || n < 8 || n > len(b) {
		return t, nil, fmt.Errorf("%w: transform of %d bytes", ErrPayload, n)
	}
	t.Kind, t.ID = b[4], binary.BigEndian.Uint16(b[6:])
	attrs := b[8:n]
	for len(attrs) > 0 {
		if len(attrs) < 4 {
			return t, nil, ErrTruncated
		}
		typ := binary.BigEndian.Uint16(attrs)
		if typ&0x8000 == 0 { // TLV: not defined for IKEv2 transforms
			l := int(binary.BigEndian.Uint16(attrs[2:]))
			if 4+l > len(attrs) {
				return t, nil, ErrTruncated
			}
			t.Unknown = true
			attrs = attrs[4+l:]
			continue
		}
		if typ&0x7fff == attrKeyLength {
			t.KeyLen = binary.BigEndian.Uint16(attrs[2:])
		} else {
			t.Unknown = true
		}
		attrs = attrs[4:]
	}
	return t, b[n:], nil
}
