package ikev1

import (
	"encoding/binary"
	"fmt"
)

// DOI and situation of every SA this package negotiates (RFC 2407 §4.2).
const (
	DOIIPsec          = 1
	SituationIdentity = 1
)

// Protocol identifiers of proposals, notifications and deletions (RFC 2407
// §4.4.1).
const (
	ProtoISAKMP = 1
	ProtoAH     = 2
	ProtoESP    = 3
	ProtoIPComp = 4
)

// Transform identifiers: KEY_IKE in phase 1 (RFC 2407 §4.4.2), ESP
// transforms in phase 2 (RFC 2407 §4.4.4, RFC 3602, RFC 4106).
const (
	TransformKeyIKE = 1
	ESPDES          = 2
	ESP3DES         = 3
	ESPNull         = 11
	ESPAES          = 12
	ESPAESGCM8      = 18
	ESPAESGCM12     = 19
	ESPAESGCM16     = 20
)

// Phase-1 attribute types (RFC 2409 Appendix A).
const (
	AttrEncryption = 1
	AttrHash       = 2
	AttrAuthMethod = 3
	AttrGroup      = 4
	AttrGroupType  = 5
	AttrLifeType   = 11
	AttrLifeDur    = 12
	AttrPRF        = 13
	AttrKeyLength  = 14
)

// Phase-2 attribute types (RFC 2407 §4.5).
const (
	AttrSALifeType  = 1
	AttrSALifeDur   = 2
	AttrPFSGroup    = 3
	AttrEncapMode   = 4
	AttrAuthAlg     = 5
	AttrSAKeyLength = 6
	AttrKeyRounds   = 7
	AttrESN         = 11
)

// Life types (both phases).
const (
	LifeSeconds   = 1
	LifeKilobytes = 2
)

// Encapsulation modes (RFC 2407 §4.5, RFC 3947 §5; 61443/61444 are the
// values of the NAT-T drafts 02/03).
const (
	EncapTunnel          = 1
	EncapTransport       = 2
	EncapUDPTunnel       = 3
	EncapUDPTransport    = 4
	EncapUDPTunnelDraft  = 61443
	EncapUDPTransportDft = 61444
)

// Attr is a data attribute (RFC 2408 §3.3): a basic one (type/value, two
// bytes of value) or a variable one (type/length/value).
type Attr struct {
	Type  uint16 // without the attribute-format bit
	Basic bool
	Value []byte
}

const attrFormatBit = 0x8000

// Uint returns the attribute's value as an integer; ok is false when a
// variable value is longer than 8 bytes.
func (a Attr) Uint() (v uint64, ok bool) {
	if len(a.Value) > 8 {
		return 0, false
	}
	for _, b := range a.Value {
		v = v<<8 | uint64(b)
	}
	return v, true
}

// intAttr returns an attribute holding v: basic when it fits two bytes,
// else a variable one of four or eight bytes.
func intAttr(t uint16, v uint64) Attr {
	switch {
	case v <= 0xffff:
		return Attr{Type: t, Basic: true, Value: []byte{byte(v >> 8), byte(v)}}
	case v <= 0xffffffff:
		return Attr{Type: t, Value: binary.BigEndian.AppendUint32(nil, uint32(v))}
	}
	return Attr{Type: t, Value: binary.BigEndian.AppendUint64(nil, v)}
}

func parseAttrs(b []byte) ([]Attr, error) {
	var out []Attr
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: attribute header", ErrShort)
		}
		t := binary.BigEndian.Uint16(b[0:2])
		if t&attrFormatBit != 0 {
			out = append(out, Attr{Type: t &^ attrFormatBit, Basic: true, Value: b[2:4:4]})
			b = b[4:]
			continue
		}
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if 4+n > len(b) {
			return nil, fmt.Errorf("%w: attribute %d length %d", ErrShort, t, n)
		}
		out = append(out, Attr{Type: t, Value: b[4 : 4+n : 4+n]})
		b = b[4+n:]
	}
	return out, nil
}

func appendAttrs(b []byte, attrs []Attr) []byte {
	for _, a := range attrs {
		if a.Basic {
			b = binary.BigEndian.AppendUint16(b, a.Type|attrFormatBit)
			b = append(b, a.Value[:2]...)
			continue
		}
		b = binary.BigEndian.AppendUint16(b, a.Type)
		b = binary.BigEndian.AppendUint16(b, uint16(len(a.Value)))
		b = append(b, a.Value...)
	}
	return b
}

// Transform is a transform payload (RFC 2408 §3.6).
type Transform struct {
	Num   uint8
	ID    uint8
	Attrs []Attr
}

// Attr returns the first attribute of type t.
func (t *Transform) Attr(typ uint16) (Attr, bool) {
	for _, a := range t.Attrs {
		if a.Type == typ {
			return a, true
		}
	}
	return Attr{}, false
}

// Proposal is a proposal payload (RFC 2408 §3.5) with its transforms.
type Proposal struct {
	Num        uint8
	Protocol   uint8
	SPI        []byte
	Transforms []Transform
}

// SA is a security association payload (RFC 2408 §3.4) of the IPsec DOI.
type SA struct {
	DOI       uint32
	Situation uint32
	Proposals []Proposal
}

// Limits that bound the work an SA payload can ask for.
const (
	maxProposals  = 64
	maxTransforms = 64
)

// ParseSA decodes the body of an SA payload.
func ParseSA(b []byte) (SA, error) {
	if len(b) < 8 {
		return SA{}, fmt.Errorf("%w: SA payload of %d bytes", ErrShort, len(b))
	}
	sa := SA{DOI: binary.BigEndian.Uint32(b[0:4]), Situation: binary.BigEndian.Uint32(b[4:8])}
	if sa.DOI != DOIIPsec {
		return sa, fmt.Errorf("%w: DOI %d", ErrPayload, sa.DOI)
	}
	if sa.Situation != SituationIdentity {
		return sa, fmt.Errorf("%w: situation %#x", ErrPayload, sa.Situation)
	}
	ps, err := ParsePayloads(PayloadProposal, b[8:], false)
	if err != nil {
		return sa, err
	}
	if len(ps) > maxProposals {
		return sa, fmt.Errorf("%w: %d proposals", ErrPayload, len(ps))
	}
	for _, p := range ps {
		if p.Type != PayloadProposal {
			return sa, fmt.Errorf("%w: %v in an SA payload", ErrPayload, p.Type)
		}
		prop, err := parseProposal(p.Body)
		if err != nil {
			return sa, err
		}
		sa.Proposals = append(sa.Proposals, prop)
	}
	if len(sa.Proposals) == 0 {
		return sa, fmt.Errorf("%w: SA without proposals", ErrPayload)
	}
	return sa, nil
}

func parseProposal(b []byte) (Proposal, error) {
	if len(b) < 4 {
		return Proposal{}, fmt.Errorf("%w: proposal of %d bytes", ErrShort, len(b))
	}
	p := Proposal{Num: b[0], Protocol: b[1]}
	spiLen, n := int(b[2]), int(b[3])
	if 4+spiLen > len(b) {
		return p, fmt.Errorf("%w: SPI of %d bytes", ErrShort, spiLen)
	}
	p.SPI = b[4 : 4+spiLen : 4+spiLen]
	ts, err := ParsePayloads(PayloadTransform, b[4+spiLen:], false)
	if err != nil {
		return p, err
	}
	if len(ts) != n || n == 0 || n > maxTransforms {
		return p, fmt.Errorf("%w: %d transforms, header says %d", ErrPayload, len(ts), n)
	}
	for _, t := range ts {
		if t.Type != PayloadTransform || len(t.Body) < 4 {
			return p, fmt.Errorf("%w: transform", ErrPayload)
		}
		attrs, err := parseAttrs(t.Body[4:])
		if err != nil {
			return p, err
		}
		p.Transforms = append(p.Transforms, Transform{Num: t.Body[0], ID: t.Body[1], Attrs: attrs})
	}
	return p, nil
}

// Append appends the body of the SA payload to b.
func (sa *SA) Append(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, sa.DOI)
	b = binary.BigEndian.AppendUint32(b, sa.Situation)
	for i, p := range sa.Proposals {
		next := byte(PayloadProposal)
		if i == len(sa.Proposals)-1 {
			next = byte(PayloadNone)
		}
		start := len(b)
		b = append(b, next, 0, 0, 0, p.Num, p.Protocol, byte(len(p.SPI)), byte(len(p.Transforms)))
		b = append(b, p.SPI...)
		for j, t := range p.Transforms {
			tnext := byte(PayloadTransform)
			if j == len(p.Transforms)-1 {
				tnext = byte(PayloadNone)
			}
			ts := len(b)
			b = append(b, tnext, 0, 0, 0, t.Num, t.ID, 0, 0)
			b = appendAttrs(b, t.Attrs)
			binary.BigEndian.PutUint16(b[ts+2:], uint16(len(b)-ts))
		}
		binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	}
	return b
}
