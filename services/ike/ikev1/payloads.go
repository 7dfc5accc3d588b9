package ikev1

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Identification types (RFC 2407 §4.6.2.1).
const (
	IDIPv4        = 1
	IDFQDN        = 2
	IDUserFQDN    = 3
	IDIPv4Subnet  = 4
	IDIPv6        = 5
	IDIPv6Subnet  = 6
	IDIPv4Range   = 7
	IDIPv6Range   = 8
	IDDERASN1DN   = 9
	IDDERASN1GN   = 10
	IDKeyID       = 11
	maxIDDataSize = 1024
)

// ID is an identification payload (RFC 2407 §4.6.2): a phase-1 identity or
// a phase-2 proxy identity (client ID).
type ID struct {
	Type  uint8
	Proto uint8 // IP protocol, 0 for any
	Port  uint16
	Data  []byte
}

// ParseID decodes the body of an ID payload.
func ParseID(b []byte) (ID, error) {
	if len(b) < 4 {
		return ID{}, fmt.Errorf("%w: ID payload of %d bytes", ErrShort, len(b))
	}
	id := ID{Type: b[0], Proto: b[1], Port: binary.BigEndian.Uint16(b[2:4]), Data: b[4:len(b):len(b)]}
	if len(id.Data) > maxIDDataSize {
		return id, fmt.Errorf("%w: ID of %d bytes", ErrPayload, len(id.Data))
	}
	return id, nil
}

// Append appends the body of the ID payload to b.
func (id ID) Append(b []byte) []byte {
	b = append(b, id.Type, id.Proto, byte(id.Port>>8), byte(id.Port))
	return append(b, id.Data...)
}

// Equal reports whether two identities are the same.
func (id ID) Equal(o ID) bool {
	return id.Type == o.Type && id.Proto == o.Proto && id.Port == o.Port && string(id.Data) == string(o.Data)
}

// Prefix returns the addresses a proxy identity stands for, as a prefix:
// an address is a host prefix, a subnet its prefix. Ranges that are not a
// prefix and other types are not addresses (ok false).
func (id ID) Prefix() (p netip.Prefix, ok bool) {
	switch id.Type {
	case IDIPv4, IDIPv6:
		a, ok := netip.AddrFromSlice(id.Data)
		if !ok || (id.Type == IDIPv4) != a.Is4() {
			return p, false
		}
		return netip.PrefixFrom(a, a.BitLen()), true
	case IDIPv4Subnet, IDIPv6Subnet:
		n := len(id.Data) / 2
		if (id.Type == IDIPv4Subnet && n != 4) || (id.Type == IDIPv6Subnet && n != 16) || len(id.Data) != 2*n {
			return p, false
		}
		a, _ := netip.AddrFromSlice(id.Data[:n])
		m, _ := netip.AddrFromSlice(id.Data[n:])
		bits, ok := maskBits(m.AsSlice())
		if !ok {
			return p, false
		}
		return netip.PrefixFrom(a, bits).Masked(), true
	case IDIPv4Range, IDIPv6Range:
		n := len(id.Data) / 2
		if (id.Type == IDIPv4Range && n != 4) || (id.Type == IDIPv6Range && n != 16) || len(id.Data) != 2*n {
			return p, false
		}
		lo, _ := netip.AddrFromSlice(id.Data[:n])
		hi, _ := netip.AddrFromSlice(id.Data[n:])
		return rangePrefix(lo, hi)
	}
	return p, false
}

// maskBits returns the length of a contiguous netmask.
func maskBits(m []byte) (int, bool) {
	bits, ended := 0, false
	for _, b := range m {
		for i := 7; i >= 0; i-- {
			if b&(1<<i) != 0 {
				if ended {
					return 0, false
				}
				bits++
			} else {
				ended = true
			}
		}
	}
	return bits, true
}

// rangePrefix returns the prefix that is exactly the range lo..hi.
func rangePrefix(lo, hi netip.Addr) (netip.Prefix, bool) {
	for bits := 0; bits <= lo.BitLen(); bits++ {
		p := netip.PrefixFrom(lo, bits)
		if p.Masked().Addr() != lo {
			continue
		}
		if lastAddr(p) == hi {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// SubnetID returns the proxy identity of prefix p: ID_IPV4_ADDR_SUBNET (or
// the IPv6 form), protocol and port any.
func SubnetID(p netip.Prefix) ID {
	p = p.Masked()
	a := p.Addr().AsSlice()
	m := make([]byte, len(a))
	for i := 0; i < p.Bits(); i++ {
		m[i/8] |= 1 << (7 - i%8)
	}
	t := uint8(IDIPv4Subnet)
	if p.Addr().Is6() {
		t = IDIPv6Subnet
	}
	return ID{Type: t, Data: append(a, m...)}
}

// Notify message types (RFC 2408 §3.14.1, RFC 2407 §4.6.3, RFC 3706).
const (
	NotifyInvalidPayloadType   = 1
	NotifyInvalidCookie        = 4
	NotifyInvalidExchangeType  = 7
	NotifyInvalidFlags         = 8
	NotifyInvalidMessageID     = 9
	NotifyInvalidProtocolID    = 10
	NotifyInvalidSPI           = 11
	NotifyInvalidTransformID   = 12
	NotifyAttributesNotSupp    = 13
	NotifyNoProposalChosen     = 14
	NotifyBadProposalSyntax    = 15
	NotifyPayloadMalformed     = 16
	NotifyInvalidKeyInfo       = 17
	NotifyInvalidIDInfo        = 18
	NotifyInvalidHashInfo      = 23
	NotifyAuthenticationFailed = 24
	NotifyResponderLifetime    = 24576
	NotifyReplayStatus         = 24577
	NotifyInitialContact       = 24578
	NotifyRUThere              = 36136
	NotifyRUThereAck           = 36137
)

var notifyNames = map[uint16]string{
	NotifyInvalidPayloadType: "INVALID-PAYLOAD-TYPE", NotifyInvalidCookie: "INVALID-COOKIE",
	NotifyInvalidExchangeType: "INVALID-EXCHANGE-TYPE", NotifyInvalidFlags: "INVALID-FLAGS",
	NotifyInvalidMessageID: "INVALID-MESSAGE-ID", NotifyInvalidProtocolID: "INVALID-PROTOCOL-ID",
	NotifyInvalidSPI: "INVALID-SPI", NotifyInvalidTransformID: "INVALID-TRANSFORM-ID",
	NotifyAttributesNotSupp: "ATTRIBUTES-NOT-SUPPORTED", NotifyNoProposalChosen: "NO-PROPOSAL-CHOSEN",
	NotifyBadProposalSyntax: "BAD-PROPOSAL-SYNTAX", NotifyPayloadMalformed: "PAYLOAD-MALFORMED",
	NotifyInvalidKeyInfo: "INVALID-KEY-INFORMATION", NotifyInvalidIDInfo: "INVALID-ID-INFORMATION",
	NotifyInvalidHashInfo: "INVALID-HASH-INFORMATION", NotifyAuthenticationFailed: "AUTHENTICATION-FAILED",
	NotifyResponderLifetime: "RESPONDER-LIFETIME", NotifyReplayStatus: "REPLAY-STATUS",
	NotifyInitialContact: "INITIAL-CONTACT", NotifyRUThere: "R-U-THERE", NotifyRUThereAck: "R-U-THERE-ACK",
}

// NotifyName returns the RFC name of a notify message type.
func NotifyName(t uint16) string {
	if n, ok := notifyNames[t]; ok {
		return n
	}
	return fmt.Sprintf("NOTIFY(%d)", t)
}

// Notify is a notification payload (RFC 2408 §3.14).
type Notify struct {
	DOI   uint32
	Proto uint8
	Type  uint16
	SPI   []byte
	Data  []byte
}

// ParseNotify decodes the body of a notification payload.
func ParseNotify(b []byte) (Notify, error) {
	if len(b) < 8 {
		return Notify{}, fmt.Errorf("%w: notify of %d bytes", ErrShort, len(b))
	}
	n := Notify{DOI: binary.BigEndian.Uint32(b[0:4]), Proto: b[4], Type: binary.BigEndian.Uint16(b[6:8])}
	spi := int(b[5])
	if 8+spi > len(b) {
		return n, fmt.Errorf("%w: notify SPI of %d bytes", ErrShort, spi)
	}
	n.SPI = b[8 : 8+spi : 8+spi]
	n.Data = b[8+spi : len(b) : len(b)]
	return n, nil
}

// Append appends the body of the notification payload to b.
func (n *Notify) Append(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, n.DOI)
	b = append(b, n.Proto, byte(len(n.SPI)))
	b = binary.BigEndian.AppendUint16(b, n.Type)
	b = append(b, n.SPI...)
	return append(b, n.Data...)
}

// Delete is a delete payload (RFC 2408 §3.15).
type Delete struct {
	DOI   uint32
	Proto uint8
	SPIs  [][]byte // each of the same size
}

const maxDeleteSPIs = 1024

// ParseDelete decodes the body of a delete payload.
func ParseDelete(b []byte) (Delete, error) {
	if len(b) < 8 {
		return Delete{}, fmt.Errorf("%w: delete of %d bytes", ErrShort, len(b))
	}
	d := Delete{DOI: binary.BigEndian.Uint32(b[0:4]), Proto: b[4]}
	size, n := int(b[5]), int(binary.BigEndian.Uint16(b[6:8]))
	if n > maxDeleteSPIs {
		return d, fmt.Errorf("%w: delete of %d SPIs", ErrPayload, n)
	}
	if size == 0 && n > 0 || len(b)-8 != size*n {
		return d, fmt.Errorf("%w: delete of %d SPIs of %d bytes in %d bytes", ErrLength, n, size, len(b)-8)
	}
	for i := 0; i < n; i++ {
		o := 8 + i*size
		d.SPIs = append(d.SPIs, b[o:o+size:o+size])
	}
	return d, nil
}

// Append appends the body of the delete payload to b.
func (d *Delete) Append(b []byte) []byte {
	size := 0
	if len(d.SPIs) > 0 {
		size = len(d.SPIs[0])
	}
	b = binary.BigEndian.AppendUint32(b, d.DOI)
	b = append(b, d.Proto, byte(size))
	b = binary.BigEndian.AppendUint16(b, uint16(len(d.SPIs)))
	for _, s := range d.SPIs {
		b = append(b, s...)
	}
	return b
}

// Cert is a certificate payload, or a certificate request payload whose
// Data is the certificate authority (RFC 2408 §3.9, §3.10).
type Cert struct {
	Encoding uint8
	Data     []byte
}

// ParseCert decodes the body of a CERT or CR payload.
func ParseCert(b []byte) (Cert, error) {
	if len(b) < 1 {
		return Cert{}, fmt.Errorf("%w: certificate payload without encoding", ErrShort)
	}
	return Cert{Encoding: b[0], Data: b[1:len(b):len(b)]}, nil
}

// Append appends the body of the CERT or CR payload to b.
func (c *Cert) Append(b []byte) []byte {
	return append(append(b, c.Encoding), c.Data...)
}
