package pki

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// attr is one attribute type a subject may carry: its short name (as
// typed in "subject" and shown in "Subject string"), its long name (the
// "Subject:" line of the detail output) and its ASN.1 string type.
type attr struct {
	short, long string
	oid         asn1.ObjectIdentifier
	tag         int // asn1.TagPrintableString, TagIA5String or TagUTF8String
}

var attrs = []attr{
	{"CN", "Common name", asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.TagUTF8String},
	{"SN", "Serial number", asn1.ObjectIdentifier{2, 5, 4, 5}, asn1.TagPrintableString},
	{"C", "Country", asn1.ObjectIdentifier{2, 5, 4, 6}, asn1.TagPrintableString},
	{"L", "Locality", asn1.ObjectIdentifier{2, 5, 4, 7}, asn1.TagUTF8String},
	{"ST", "State", asn1.ObjectIdentifier{2, 5, 4, 8}, asn1.TagUTF8String},
	{"STREET", "Street", asn1.ObjectIdentifier{2, 5, 4, 9}, asn1.TagUTF8String},
	{"O", "Organization", asn1.ObjectIdentifier{2, 5, 4, 10}, asn1.TagUTF8String},
	{"OU", "Organizational unit", asn1.ObjectIdentifier{2, 5, 4, 11}, asn1.TagUTF8String},
	{"DC", "Domain component", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, asn1.TagIA5String},
	{"UID", "User id", asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, asn1.TagUTF8String},
	{"emailAddress", "Email address", asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, asn1.TagIA5String},
}

// aliases are other spellings accepted in a typed subject.
var aliases = map[string]string{"E": "emailAddress", "EMAIL": "emailAddress", "SERIALNUMBER": "SN"}

// longOrder is the order of the "Subject:" and "Issuer:" lines of the
// detail output, whatever the order in the certificate.
var longOrder = []string{"O", "OU", "C", "ST", "L", "CN", "DC"}

func attrByName(name string) (attr, bool) {
	if a, ok := aliases[strings.ToUpper(name)]; ok {
		name = a
	}
	for _, a := range attrs {
		if strings.EqualFold(a.short, name) {
			return a, true
		}
	}
	return attr{}, false
}

func attrByOID(oid asn1.ObjectIdentifier) (attr, bool) {
	for _, a := range attrs {
		if a.oid.Equal(oid) {
			return a, true
		}
	}
	return attr{}, false
}

// ava is one attribute of a name, in the order of the name.
type ava struct {
	oid   asn1.ObjectIdentifier
	value string
}

// name returns the short name of the attribute type, or its dotted OID.
func (a ava) name() string {
	if at, ok := attrByOID(a.oid); ok {
		return at.short
	}
	return a.oid.String()
}

// errSubject reports a subject that cannot be parsed.
var errSubject = errors.New("invalid subject")

// ParseSubject parses a distinguished name as typed after "subject":
// "CN=r2,OU=lab,O=mxlab,C=US" (commas, optional spaces, '\' escapes a
// comma). It returns the DER of the name, in the order typed.
func ParseSubject(s string) ([]byte, error) {
	avas, err := splitDN(s)
	if err != nil {
		return nil, err
	}
	seq := make([]pkix.RelativeDistinguishedNameSET, 0, len(avas))
	for _, kv := range avas {
		at, ok := attrByName(kv[0])
		if !ok {
			return nil, fmt.Errorf("%w: unknown attribute %q", errSubject, kv[0])
		}
		v := kv[1]
		switch {
		case v == "":
			return nil, fmt.Errorf("%w: empty value for %s", errSubject, at.short)
		case at.short == "C" && len(v) != 2:
			return nil, fmt.Errorf("%w: country %q must be two letters", errSubject, v)
		case at.tag == asn1.TagPrintableString && !printable(v), at.tag == asn1.TagIA5String && !ascii(v), !utf8.ValidString(v):
			return nil, fmt.Errorf("%w: %s value %q has characters it cannot hold", errSubject, at.short, v)
		}
		raw := asn1.RawValue{Tag: at.tag, Class: asn1.ClassUniversal, Bytes: []byte(v)}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: at.oid, Value: raw}})
	}
	return asn1.Marshal(pkix.RDNSequence(seq))
}

// splitDN cuts "K=V, K=V" into pairs.
func splitDN(s string) ([][2]string, error) {
	var out [][2]string
	var cur strings.Builder
	flush := func() error {
		part := strings.TrimSpace(cur.String())
		cur.Reset()
		if part == "" {
			return fmt.Errorf("%w: empty component", errSubject)
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return fmt.Errorf("%w: %q is not KEY=VALUE", errSubject, part)
		}
		out = append(out, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == ',' || c == ';':
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			cur.WriteByte(c)
		}
	}
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: empty", errSubject)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

func printable(s string) bool {
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.ContainsRune(" '()+,-./:=?", c):
		default:
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// parseName returns the attributes of a DER name in order. A name it
// cannot parse yields nil.
func parseName(der []byte) []ava {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) > 0 {
		return nil
	}
	var out []ava
	for _, set := range seq {
		for _, tv := range set {
			out = append(out, ava{oid: tv.Type, value: fmt.Sprint(tv.Value)})
		}
	}
	return out
}

// dnString renders a name the way "Subject string" shows it:
// "C=US, O=JNPR, CN=IER".
func dnString(der []byte) string { return joinDN(parseName(der), "=") }

// dnSpaced renders a name the way "Issued by" shows it: "C = US, CN = R13".
func dnSpaced(der []byte) string { return joinDN(parseName(der), " = ") }

func joinDN(avas []ava, sep string) string {
	parts := make([]string, len(avas))
	for i, a := range avas {
		parts[i] = a.name() + sep + a.value
	}
	return strings.Join(parts, ", ")
}

// dnLong renders a name the way the "Subject:" and "Issuer:" lines show it:
// "Organization: JNPR, Country: US, Common name: IER".
func dnLong(der []byte) string {
	avas := parseName(der)
	var parts []string
	for _, short := range longOrder {
		at, _ := attrByName(short)
		for _, a := range avas {
			if a.oid.Equal(at.oid) {
				parts = append(parts, at.long+": "+a.value)
			}
		}
	}
	return strings.Join(parts, ", ")
}

// commonName returns the first CN of a name, or the whole name when it
// has none ("Issued to").
func commonName(der []byte) string {
	for _, a := range parseName(der) {
		if a.name() == "CN" {
			return a.value
		}
	}
	return dnString(der)
}

// sameName reports whether two names hold the same attributes in the
// same order, values compared without regard to case (the string types
// may differ: PrintableString in one, UTF8String in the other).
func sameName(a, b []ava) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].oid.Equal(b[i].oid) || !strings.EqualFold(a[i].value, b[i].value) {
			return false
		}
	}
	return true
}
