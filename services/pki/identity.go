package pki

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"mxlab/config"
)

// IDType is the type of an IKE identity (the ID payload's "ID Type", the
// same numbers in IKEv1 and IKEv2).
type IDType uint8

// IKE identity types.
const (
	IDIPv4     IDType = 1  // ID_IPV4_ADDR
	IDFQDN     IDType = 2  // ID_FQDN
	IDUserFQDN IDType = 3  // ID_RFC822_ADDR (IKEv1 ID_USER_FQDN)
	IDIPv6     IDType = 5  // ID_IPV6_ADDR
	IDDN       IDType = 9  // ID_DER_ASN1_DN
	IDKeyID    IDType = 11 // ID_KEY_ID
)

// Identity is an IKE identity as the ID payload carries it: the type and
// the identification data (4 or 16 address bytes, the name's octets, or
// the DER of a distinguished name).
type Identity struct {
	Type IDType
	Data []byte
}

// String renders the identity the way logs and show commands print it.
func (id Identity) String() string {
	switch id.Type {
	case IDIPv4, IDIPv6:
		if a, ok := netip.AddrFromSlice(id.Data); ok {
			return a.String()
		}
	case IDFQDN, IDUserFQDN:
		return string(id.Data)
	case IDDN:
		return dnString(id.Data)
	case IDKeyID:
		return hex.EncodeToString(id.Data)
	}
	return fmt.Sprintf("type %d: %x", id.Type, id.Data)
}

// DNIdentity is the identity "distinguished-name" gives: the subject of
// a certificate.
func DNIdentity(c *x509.Certificate) Identity { return Identity{Type: IDDN, Data: c.RawSubject} }

// AddrIdentity is an ipv4_addr or ipv6-addr identity.
func AddrIdentity(a netip.Addr) Identity {
	if a.Is4() {
		b := a.As4()
		return Identity{Type: IDIPv4, Data: b[:]}
	}
	b := a.As16()
	return Identity{Type: IDIPv6, Data: b[:]}
}

// checkBinding refuses an identity that the certificate does not carry:
// a DN must be the subject, an address, FQDN or e-mail address one of the
// subject alternative names (RFC 4945 §3.1). A key ID binds to nothing.
func checkBinding(c *x509.Certificate, id Identity) error {
	switch id.Type {
	case IDDN:
		if sameName(parseName(id.Data), parseName(c.RawSubject)) {
			return nil
		}
	case IDIPv4, IDIPv6:
		for _, ip := range c.IPAddresses {
			if ip.Equal(net.IP(id.Data)) {
				return nil
			}
		}
	case IDFQDN:
		for _, n := range c.DNSNames {
			if strings.EqualFold(n, string(id.Data)) {
				return nil
			}
		}
	case IDUserFQDN:
		for _, n := range c.EmailAddresses {
			if strings.EqualFold(n, string(id.Data)) {
				return nil
			}
		}
	case IDKeyID:
		return nil
	}
	return refuse(ReasonIDMismatch, c, "ID %s is not the subject or a subject alternative name", id)
}

// RemoteID is the remote-id of an IKE policy: the identities a peer may
// claim. The zero RemoteID accepts any.
type RemoteID struct {
	Any         bool
	IPv4, IPv6  []netip.Addr
	FQDN        []string
	KeyID       []string
	DNContainer []string // "distinguished-name container": a run of the peer's DN, in order
	DNWildcard  []string // "distinguished-name wildcard": each attribute given matches, in any order
	DNExact     []string // "distinguished-name exact-match": the whole DN
}

// ParseRemoteID reads the remote-id of an IKE policy statement (the
// policy's node; nil gives the zero RemoteID).
func ParseRemoteID(policy *config.Node) RemoteID {
	var r RemoteID
	n := policy.Get("remote-id")
	if n == nil {
		return r
	}
	r.Any = n.Get("any-remote-id") != nil
	addrs := func(name string) []netip.Addr {
		var out []netip.Addr
		if x := n.Get(name); x != nil {
			for _, v := range x.Values {
				if a, err := netip.ParseAddr(v); err == nil {
					out = append(out, a)
				}
			}
		}
		return out
	}
	values := func(names ...string) []string {
		if x := n.Get(names...); x != nil {
			return x.Values
		}
		return nil
	}
	r.IPv4, r.IPv6 = addrs("ipv4_addr"), addrs("ipv6-addr")
	r.FQDN, r.KeyID = values("fqdn"), values("key-id")
	r.DNContainer = values("distinguished-name", "container")
	r.DNWildcard = values("distinguished-name", "wildcard")
	r.DNExact = values("distinguished-name", "exact-match")
	return r
}

func (r RemoteID) empty() bool {
	return !r.Any && len(r.IPv4)+len(r.IPv6)+len(r.FQDN)+len(r.KeyID)+len(r.DNContainer)+len(r.DNWildcard)+len(r.DNExact) == 0
}

// Match accepts the identity when the remote-id allows it: any-remote-id,
// no remote-id at all, or one value of its type matches.
func (r RemoteID) Match(id Identity) error {
	if r.Any || r.empty() {
		return nil
	}
	ok := false
	switch id.Type {
	case IDIPv4, IDIPv6:
		a, _ := netip.AddrFromSlice(id.Data)
		ok = slices.Contains(r.IPv4, a.Unmap()) || slices.Contains(r.IPv6, a)
	case IDFQDN:
		ok = slices.ContainsFunc(r.FQDN, func(f string) bool { return strings.EqualFold(f, string(id.Data)) })
	case IDKeyID:
		ok = slices.ContainsFunc(r.KeyID, func(k string) bool { return strings.EqualFold(k, hex.EncodeToString(id.Data)) })
	case IDDN:
		ok = matchDN(parseName(id.Data), r)
	}
	if !ok {
		return &VerifyError{Reason: ReasonRemoteIDRefused, Detail: fmt.Sprintf("peer ID %s", id)}
	}
	return nil
}

// matchDN applies the distinguished-name rules of a remote-id.
func matchDN(peer []ava, r RemoteID) bool {
	for _, s := range r.DNExact {
		if want, ok := typedName(s); ok && sameName(want, peer) {
			return true
		}
	}
	for _, s := range r.DNContainer {
		want, ok := typedName(s)
		if !ok || len(want) == 0 {
			continue
		}
		for i := 0; i+len(want) <= len(peer); i++ {
			if sameName(want, peer[i:i+len(want)]) {
				return true
			}
		}
	}
	for _, s := range r.DNWildcard {
		want, ok := typedName(s)
		if ok && wildcardMatch(want, peer) {
			return true
		}
	}
	return false
}

// wildcardMatch: every attribute given with a value must be in the peer's
// DN with that value; an attribute given with an empty value ("OU=") must
// only be present.
func wildcardMatch(want, peer []ava) bool {
	for _, w := range want {
		found := false
		for _, p := range peer {
			if p.oid.Equal(w.oid) && (w.value == "" || strings.EqualFold(p.value, w.value)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// typedName parses a DN written in the configuration ("CN=r3, O=lab"),
// allowing empty values.
func typedName(s string) ([]ava, bool) {
	pairs, err := splitDN(s)
	if err != nil {
		return nil, false
	}
	out := make([]ava, 0, len(pairs))
	for _, kv := range pairs {
		at, ok := attrByName(kv[0])
		if !ok {
			return nil, false
		}
		out = append(out, ava{oid: at.oid, value: kv[1]})
	}
	return out, true
}
