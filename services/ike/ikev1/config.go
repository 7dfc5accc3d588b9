package ikev1

import (
	"bytes"
	"net/netip"
	"time"

	"mxlab/services/ike/suite"
)

// Config is the IKEv1 configuration of one PIC: the tunnels (rule terms
// with a dynamic SA whose IKE policy has version 1) of its service sets.
type Config struct {
	Tunnels []Tunnel
	// MaxHalfOpen bounds the phase-1 SAs this PIC answers that are not
	// yet authenticated; 0 means DefaultMaxHalfOpen.
	MaxHalfOpen int
	// MaxDynamicPeers bounds the phase-1 SAs with dynamic peers
	// (tunnels with remote-gateway 0.0.0.0 or an access profile),
	// half-open or established; 0 means DefaultMaxDynamicPeers.
	MaxDynamicPeers int
}

// DefaultMaxHalfOpen is the default bound of half-open phase-1 SAs.
const DefaultMaxHalfOpen = 1024

// DefaultMaxDynamicPeers is the default bound of phase-1 SAs with
// dynamic peers: what one MS PIC answers, whatever floods it.
const DefaultMaxDynamicPeers = 8192

// Tunnel is one rule term negotiated with IKEv1.
type Tunnel struct {
	// Name identifies the tunnel in the SAs handed to the host
	// ("service-set/rule/term" for example); unique per PIC.
	Name string
	// Local is the local gateway; Remote the remote gateway, or the
	// unspecified address for a dynamic peer, which this side only
	// answers.
	Local, Remote netip.Addr
	// Backup is the backup-remote-gateway (invalid when not
	// configured): the peer after dead peer detection declares the
	// remote gateway dead, and back.
	Backup netip.Addr
	// NoNATT is disable-natt or no-nat-traversal: no NAT-T vendor IDs or
	// NAT-D payloads, IKE stays on port 500 and ESP is never in UDP.
	NoNATT bool
	// NATKeepalive is nat-keepalive: how often this side, when behind a
	// NAT, sends a keepalive (0 means DefaultNATKeepalive).
	NATKeepalive time.Duration
	// LocalTS and RemoteTS are the proxy identities of quick mode: the
	// cleartext addresses behind each gateway (an invalid prefix means
	// any, 0.0.0.0/0).
	LocalTS, RemoteTS netip.Prefix
	IKE               IKEPolicy
	IPsec             IPsecPolicy
	DPD               DPD
	// AutoStart (establish-tunnels immediately) negotiates the tunnel as
	// soon as it is configured and again whenever it goes down. Without
	// it the host calls Initiate (on traffic) or never (responder-only).
	AutoStart bool
	// ResponderOnly (establish-tunnels responder-only) never starts a
	// negotiation, not even to renew a pair: the peer does.
	ResponderOnly bool
	// Profile is the access profile of a dynamic-peer tunnel ("" for the
	// others): its LocalTS and RemoteTS are an allowed-proxy-pair, which
	// must hold what a peer proposes. Dedicated lets one peer at a time
	// use the tunnel.
	Profile   string
	Dedicated bool
}

// IKEPolicy is an [edit services ipsec-vpn ike policy] of version 1.
type IKEPolicy struct {
	Mode      Exchange // ExchMain (default, 0) or ExchAggressive
	Proposals []IKEProposal
	PSK       []byte
	// LocalID is the identity sent (default: the local gateway address);
	// RemoteIDs are the identities accepted from the peer (default: any).
	LocalID   Identity
	RemoteIDs []Identity
	// Cert is what proposals with Signatures authenticate with.
	Cert CertAuth
}

// IKEProposal is an [edit services ipsec-vpn ike proposal]. Zero fields
// take the defaults of an MS PIC: pre-shared keys, 3des-cbc, sha1,
// group2, 3600 s.
type IKEProposal struct {
	// Signatures authenticates with RSA signatures (rsa-signatures)
	// instead of the pre-shared key.
	Signatures bool
	Encryption suite.Encryption
	Hash       suite.Hash
	Group      suite.Group
	Lifetime   time.Duration
}

// IPsecPolicy is an [edit services ipsec-vpn ipsec policy].
type IPsecPolicy struct {
	Proposals []IPsecProposal
	PFS       suite.Group // perfect-forward-secrecy keys; 0 for none
}

// IPsecProposal is an [edit services ipsec-vpn ipsec proposal] of
// protocol esp. Zero fields take the defaults: 3des-cbc, hmac-sha1-96
// (none with aes-gcm), 28800 s and no volume limit.
type IPsecProposal struct {
	Encryption suite.Encryption
	Integrity  suite.Integrity
	Lifetime   time.Duration
	Kilobytes  uint64
}

// DPD is initiate-dead-peer-detection and dead-peer-detection.
type DPD struct {
	Initiate  bool
	Interval  time.Duration // 0 means 10 s
	Threshold int           // 0 means 3
}

// Junos defaults.
const (
	DefaultIKELifetime   = 3600 * time.Second
	DefaultIPsecLifetime = 28800 * time.Second
	DefaultDPDInterval   = 10 * time.Second
	DefaultDPDThreshold  = 3
	DefaultNATKeepalive  = 20 * time.Second
)

// DefaultIKEProposals are the IKE proposals of an MS PIC when a policy
// names none: pre-shared keys with group1 or group2, sha1 or md5, 3des-cbc
// or des-cbc, 3600 s.
func DefaultIKEProposals() []IKEProposal {
	var ps []IKEProposal
	for _, e := range []suite.Encryption{suite.TripleDESCBC, suite.DESCBC} {
		for _, h := range []suite.Hash{suite.SHA1, suite.MD5} {
			for _, g := range []suite.Group{suite.Group2, suite.Group1} {
				ps = append(ps, IKEProposal{Encryption: e, Hash: h, Group: g, Lifetime: DefaultIKELifetime})
			}
		}
	}
	return ps
}

// DefaultIPsecProposals are the IPsec proposals of an MS PIC when a
// policy names none: ESP with hmac-sha1-96 or hmac-md5-96, 3des-cbc or
// des-cbc, 28800 s.
func DefaultIPsecProposals() []IPsecProposal {
	var ps []IPsecProposal
	for _, e := range []suite.Encryption{suite.TripleDESCBC, suite.DESCBC} {
		for _, i := range []suite.Integrity{suite.HMACSHA1_96, suite.HMACMD5_96} {
			ps = append(ps, IPsecProposal{Encryption: e, Integrity: i, Lifetime: DefaultIPsecLifetime})
		}
	}
	return ps
}

func (p IKEProposal) withDefaults() IKEProposal {
	if p.Encryption == 0 {
		p.Encryption = suite.TripleDESCBC
	}
	if p.Hash == 0 {
		p.Hash = suite.SHA1
	}
	if p.Group == 0 {
		p.Group = suite.Group2
	}
	if p.Lifetime <= 0 {
		p.Lifetime = DefaultIKELifetime
	}
	return p
}

func (p IPsecProposal) withDefaults() IPsecProposal {
	if p.Encryption == 0 {
		p.Encryption = suite.TripleDESCBC
	}
	if p.Integrity == 0 && !p.Encryption.AEAD() {
		p.Integrity = suite.HMACSHA1_96
	}
	if p.Encryption.AEAD() {
		p.Integrity = 0
	}
	if p.Lifetime <= 0 {
		p.Lifetime = DefaultIPsecLifetime
	}
	return p
}

func (p IKEPolicy) proposals() []IKEProposal {
	if len(p.Proposals) == 0 {
		return DefaultIKEProposals()
	}
	out := make([]IKEProposal, len(p.Proposals))
	for i, x := range p.Proposals {
		out[i] = x.withDefaults()
	}
	return out
}

func (p IPsecPolicy) proposals() []IPsecProposal {
	if len(p.Proposals) == 0 {
		return DefaultIPsecProposals()
	}
	out := make([]IPsecProposal, len(p.Proposals))
	for i, x := range p.Proposals {
		out[i] = x.withDefaults()
	}
	return out
}

func (d DPD) interval() time.Duration {
	if d.Interval <= 0 {
		return DefaultDPDInterval
	}
	return d.Interval
}

func (d DPD) threshold() int {
	if d.Threshold <= 0 {
		return DefaultDPDThreshold
	}
	return d.Threshold
}

// Identity is a phase-1 identity (local-id, remote-id).
type Identity struct {
	Type uint8 // IDIPv4, IDIPv6, IDFQDN, IDUserFQDN or IDKeyID; 0 when unset
	Data []byte
}

// AddrIdentity returns the ipv4_addr (or ipv6-addr) identity of a.
func AddrIdentity(a netip.Addr) Identity {
	if a.Is4() {
		return Identity{Type: IDIPv4, Data: a.AsSlice()}
	}
	return Identity{Type: IDIPv6, Data: a.AsSlice()}
}

// FQDNIdentity returns the fqdn identity s.
func FQDNIdentity(s string) Identity { return Identity{Type: IDFQDN, Data: []byte(s)} }

// UserFQDNIdentity returns the user-fqdn (e-mail address) identity s.
func UserFQDNIdentity(s string) Identity { return Identity{Type: IDUserFQDN, Data: []byte(s)} }

// KeyIDIdentity returns the key-id identity whose value is the bytes of s.
func KeyIDIdentity(s string) Identity { return Identity{Type: IDKeyID, Data: []byte(s)} }

func (i Identity) isZero() bool { return i.Type == 0 }

func (i Identity) id() ID { return ID{Type: i.Type, Data: i.Data} }

// matches reports whether a received phase-1 ID payload carries the
// identity (protocol and port are not compared: implementations send
// 0/0 or UDP/500).
func (i Identity) matches(id ID) bool { return id.Type == i.Type && bytes.Equal(id.Data, i.Data) }

// String renders the identity as Junos shows it.
func (i Identity) String() string {
	switch i.Type {
	case IDIPv4, IDIPv6:
		if a, ok := netip.AddrFromSlice(i.Data); ok {
			return a.String()
		}
	case IDFQDN, IDUserFQDN, IDKeyID:
		return string(i.Data)
	}
	return ""
}
