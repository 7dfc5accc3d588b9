package ikev2

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// PayloadType is an IKEv2 payload type (RFC 7296 §3.2).
type PayloadType uint8

// Payload types.
const (
	NoNext          PayloadType = 0
	PayloadSA       PayloadType = 33
	PayloadKE       PayloadType = 34
	PayloadIDi      PayloadType = 35
	PayloadIDr      PayloadType = 36
	PayloadCERT     PayloadType = 37
	PayloadCERTREQ  PayloadType = 38
	PayloadAUTH     PayloadType = 39
	PayloadNonce    PayloadType = 40
	PayloadNotify   PayloadType = 41
	PayloadDelete   PayloadType = 42
	PayloadVendorID PayloadType = 43
	PayloadTSi      PayloadType = 44
	PayloadTSr      PayloadType = 45
	PayloadSK       PayloadType = 46
	PayloadCP       PayloadType = 47
	PayloadEAP      PayloadType = 48
)

var payloadNames = map[PayloadType]string{
	PayloadSA: "SA", PayloadKE: "KE", PayloadIDi: "IDi", PayloadIDr: "IDr", PayloadCERT: "CERT",
	PayloadCERTREQ: "CERTREQ", PayloadAUTH: "AUTH", PayloadNonce: "No", PayloadNotify: "N",
	PayloadDelete: "D", PayloadVendorID: "V", PayloadTSi: "TSi", PayloadTSr: "TSr", PayloadSK: "SK",
	PayloadCP: "CP", PayloadEAP: "EAP",
}

func (t PayloadType) String() string {
	if n, ok := payloadNames[t]; ok {
		return n
	}
	return fmt.Sprintf("PAYLOAD-%d", uint8(t))
}

func (t PayloadType) known() bool { _, ok := payloadNames[t]; return ok }

// Payload is one decoded payload.
type Payload interface {
	Type() PayloadType
	// append appends the payload body (after the generic header).
	append(b []byte) []byte
}

func decodePayload(t PayloadType, critical bool, b []byte) (Payload, error) {
	switch t {
	case PayloadSA:
		return decodeSA(b)
	case PayloadKE:
		if len(b) < 4 {
			return nil, ErrTruncated
		}
		return &KE{Group: binary.BigEndian.Uint16(b), Data: b[4:]}, nil
	case PayloadIDi, PayloadIDr:
		if len(b) < 4 {
			return nil, ErrTruncated
		}
		return &ID{Kind: t, IDType: b[0], Data: b[4:]}, nil
	case PayloadAUTH:
		if len(b) < 4 {
			return nil, ErrTruncated
		}
		return &Auth{Method: b[0], Data: b[4:]}, nil
	case PayloadNonce:
		if len(b) < 16 || len(b) > 256 {
			return nil, fmt.Errorf("%w: nonce of %d bytes", ErrPayload, len(b))
		}
		return &Nonce{Data: b}, nil
	case PayloadNotify:
		return decodeNotify(b)
	case PayloadDelete:
		return decodeDelete(b)
	case PayloadTSi, PayloadTSr:
		return decodeTS(t, b)
	}
	return &Raw{Kind: t, Critical: critical, Data: b}, nil
}

// Raw is a payload kept as bytes: CERT, CERTREQ, VendorID, CP, EAP, and
// types this package does not know.
type Raw struct {
	Kind     PayloadType
	Critical bool
	Data     []byte
}

func (p *Raw) Type() PayloadType            { return p.Kind }
func (p *Raw) append(b []byte) []byte       { return append(b, p.Data...) }
func (p *Encrypted) Type() PayloadType      { return PayloadSK }
func (p *Encrypted) append(b []byte) []byte { return append(b, p.Data...) }

// Encrypted is the SK payload as received: Next is the type of the first
// payload inside, Data the IV, ciphertext and ICV.
type Encrypted struct {
	Next PayloadType
	Data []byte
}

// KE is a key exchange payload.
type KE struct {
	Group uint16
	Data  []byte
}

func (p *KE) Type() PayloadType { return PayloadKE }
func (p *KE) append(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, p.Group)
	return append(append(b, 0, 0), p.Data...)
}

// ID types (RFC 7296 §3.5).
const (
	IDIPv4      = 1
	IDFQDN      = 2
	IDRFC822    = 3
	IDIPv6      = 5
	IDDERASN1DN = 9
	IDKeyID     = 11
)

// ID is an IDi or IDr payload.
type ID struct {
	Kind   PayloadType // PayloadIDi or PayloadIDr
	IDType uint8
	Data   []byte
}

func (p *ID) Type() PayloadType { return p.Kind }
func (p *ID) append(b []byte) []byte {
	return append(append(b, p.IDType, 0, 0, 0), p.Data...)
}

// body returns the payload body as the AUTH computation takes it (RFC
// 7296 §2.15: IDi' without the generic header).
func (p *ID) body() []byte { return p.append(nil) }

// String shows the identity as strongSwan and Junos logs do.
func (p *ID) String() string {
	switch p.IDType {
	case IDIPv4:
		if a, ok := netip.AddrFromSlice(p.Data); ok && len(p.Data) == 4 {
			return a.String()
		}
	case IDIPv6:
		if a, ok := netip.AddrFromSlice(p.Data); ok && len(p.Data) == 16 {
			return a.String()
		}
	case IDFQDN, IDRFC822:
		return string(p.Data)
	case IDDERASN1DN:
		var seq pkix.RDNSequence
		if rest, err := asn1.Unmarshal(p.Data, &seq); err == nil && len(rest) == 0 {
			// In order, as the PKI shows subjects: "O=mxlab, CN=r1".
			parts := make([]string, len(seq))
			for i, set := range seq {
				parts[i] = pkix.RDNSequence{set}.String()
			}
			return strings.Join(parts, ", ")
		}
	}
	return fmt.Sprintf("type %d: %x", p.IDType, p.Data)
}

// Authentication methods.
const AuthPSK = 2 // Shared Key Message Integrity Code

// Auth is an AUTH payload.
type Auth struct {
	Method uint8
	Data   []byte
}

func (p *Auth) Type() PayloadType { return PayloadAUTH }
func (p *Auth) append(b []byte) []byte {
	return append(append(b, p.Method, 0, 0, 0), p.Data...)
}

// Nonce is a Ni or Nr payload.
type Nonce struct{ Data []byte }

func (p *Nonce) Type() PayloadType      { return PayloadNonce }
func (p *Nonce) append(b []byte) []byte { return append(b, p.Data...) }

// Protocol IDs of SA proposals, notifications and deletes.
const (
	ProtoIKE = 1
	ProtoAH  = 2
	ProtoESP = 3
)

// NotifyType is a notify message type (RFC 7296 §3.10.1).
type NotifyType uint16

// Notify types used here.
const (
	NotifyUnsupportedCritical NotifyType = 1
	NotifyInvalidIKESPI       NotifyType = 4
	NotifyInvalidSyntax       NotifyType = 7
	NotifyInvalidMessageID    NotifyType = 9
	NotifyInvalidSPI          NotifyType = 11
	NotifyNoProposalChosen    NotifyType = 14
	NotifyInvalidKE           NotifyType = 17
	NotifyAuthFailed          NotifyType = 24
	NotifySinglePairRequired  NotifyType = 34
	NotifyNoAdditionalSAs     NotifyType = 35
	NotifyTSUnacceptable      NotifyType = 38
	NotifyTemporaryFailure    NotifyType = 43
	NotifyChildSANotFound     NotifyType = 44
	NotifyInitialContact      NotifyType = 16384
	NotifyNATSource           NotifyType = 16388
	NotifyNATDestination      NotifyType = 16389
	NotifyCookie              NotifyType = 16390
	NotifyUseTransportMode    NotifyType = 16391
	NotifyRekeySA             NotifyType = 16393
	NotifyESPTFCPaddingNotSup NotifyType = 16394
	NotifyNonFirstFragments   NotifyType = 16395
)

var notifyNames = map[NotifyType]string{
	NotifyUnsupportedCritical: "UNSUPPORTED_CRITICAL_PAYLOAD", NotifyInvalidIKESPI: "INVALID_IKE_SPI",
	NotifyInvalidSyntax: "INVALID_SYNTAX", NotifyInvalidMessageID: "INVALID_MESSAGE_ID",
	NotifyInvalidSPI: "INVALID_SPI", NotifyNoProposalChosen: "NO_PROPOSAL_CHOSEN",
	NotifyInvalidKE: "INVALID_KE_PAYLOAD", NotifyAuthFailed: "AUTHENTICATION_FAILED",
	NotifySinglePairRequired: "SINGLE_PAIR_REQUIRED", NotifyNoAdditionalSAs: "NO_ADDITIONAL_SAS",
	NotifyTSUnacceptable: "TS_UNACCEPTABLE", NotifyTemporaryFailure: "TEMPORARY_FAILURE",
	NotifyChildSANotFound: "CHILD_SA_NOT_FOUND", NotifyInitialContact: "INITIAL_CONTACT",
	NotifyNATSource: "NAT_DETECTION_SOURCE_IP", NotifyNATDestination: "NAT_DETECTION_DESTINATION_IP",
	NotifyCookie: "COOKIE", NotifyUseTransportMode: "USE_TRANSPORT_MODE", NotifyRekeySA: "REKEY_SA",
	NotifyESPTFCPaddingNotSup: "ESP_TFC_PADDING_NOT_SUPPORTED", NotifyNonFirstFragments: "NON_FIRST_FRAGMENTS_ALSO",
	NotifySignatureHashes: "SIGNATURE_HASH_ALGORITHMS",
}

func (t NotifyType) String() string {
	if n, ok := notifyNames[t]; ok {
		return n
	}
	return fmt.Sprintf("NOTIFY-%d", uint16(t))
}

// Notify is a notify payload.
type Notify struct {
	Protocol uint8
	SPI      []byte
	Kind     NotifyType
	Data     []byte
}

func (p *Notify) Type() PayloadType { return PayloadNotify }
func (p *Notify) append(b []byte) []byte {
	b = append(b, p.Protocol, uint8(len(p.SPI)))
	b = binary.BigEndian.AppendUint16(b, uint16(p.Kind))
	return append(append(b, p.SPI...), p.Data...)
}

func decodeNotify(b []byte) (*Notify, error) {
	if len(b) < 4 {
		return nil, ErrTruncated
	}
	n := int(b[1])
	if 4+n > len(b) {
		return nil, ErrTruncated
	}
	return &Notify{Protocol: b[0], Kind: NotifyType(binary.BigEndian.Uint16(b[2:])), SPI: b[4 : 4+n], Data: b[4+n:]}, nil
}

// Delete is a delete payload: an IKE SA (no SPIs) or child SAs (the
// sender's inbound SPIs).
type Delete struct {
	Protocol uint8
	SPIs     [][]byte
}

func (p *Delete) Type() PayloadType { return PayloadDelete }
func (p *Delete) append(b []byte) []byte {
	size := 0
	if len(p.SPIs) > 0 {
		size = len(p.SPIs[0])
	}
	b = append(b, p.Protocol, uint8(size))
	b = binary.BigEndian.AppendUint16(b, uint16(len(p.SPIs)))
	for _, s := range p.SPIs {
		b = append(b, s...)
	}
	return b
}

func decodeDelete(b []byte) (*Delete, error) {
	if len(b) < 4 {
		return nil, ErrTruncated
	}
	size, n := int(b[1]), int(binary.BigEndian.Uint16(b[2:]))
	if len(b)-4 != size*n || (size == 0 && n != 0) {
		return nil, fmt.Errorf("%w: delete of %d SPIs of %d bytes in %d", ErrPayload, n, size, len(b)-4)
	}
	p := &Delete{Protocol: b[0]}
	for i := range n {
		p.SPIs = append(p.SPIs, b[4+i*size:4+(i+1)*size])
	}
	return p, nil
}

// Traffic selector types.
const (
	TSIPv4 = 7
	TSIPv6 = 8
)

// Selector is one traffic selector: an address range, an IP protocol (0
// for any) and a port range.
type Selector struct {
	Proto              uint8
	StartPort, EndPort uint16
	Start, End         netip.Addr
}

// TS is a TSi or TSr payload.
type TS struct {
	Kind      PayloadType // PayloadTSi or PayloadTSr
	Selectors []Selector
}

func (p *TS) Type() PayloadType { return p.Kind }
func (p *TS) append(b []byte) []byte {
	b = append(b, uint8(len(p.Selectors)), 0, 0, 0)
	for _, s := range p.Selectors {
		typ, l := uint8(TSIPv4), uint16(16)
		if s.Start.Is6() {
			typ, l = TSIPv6, 40
		}
		b = append(b, typ, s.Proto)
		b = binary.BigEndian.AppendUint16(b, l)
		b = binary.BigEndian.AppendUint16(b, s.StartPort)
		b = binary.BigEndian.AppendUint16(b, s.EndPort)
		b = append(b, s.Start.AsSlice()...)
		b = append(b, s.End.AsSlice()...)
	}
	return b
}

func decodeTS(t PayloadType, b []byte) (*TS, error) {
	if len(b) < 4 {
		return nil, ErrTruncated
	}
	p := &TS{Kind: t}
	n := int(b[0])
	b = b[4:]
	for range n {
		if len(b) < 8 {
			return nil, ErrTruncated
		}
		typ, l := b[0], int(binary.BigEndian.Uint16(b[2:]))
		alen := 4
		switch {
		case typ == TSIPv4 && l == 16:
		case typ == TSIPv6 && l == 40:
			alen = 16
		default:
			return nil, fmt.Errorf("%w: selector type %d of %d bytes", ErrPayload, typ, l)
		}
		if len(b) < l {
			return nil, ErrTruncated
		}
		s := Selector{Proto: b[1], StartPort: binary.BigEndian.Uint16(b[4:]), EndPort: binary.BigEndian.Uint16(b[6:])}
		s.Start, _ = netip.AddrFromSlice(b[8 : 8+alen])
		s.End, _ = netip.AddrFromSlice(b[8+alen : 8+2*alen])
		p.Selectors = append(p.Selectors, s)
		b = b[l:]
	}
	if len(b) != 0 || n == 0 {
		return nil, fmt.Errorf("%w: %d selectors, %d bytes left", ErrPayload, n, len(b))
	}
	return p, nil
}
