package ipsec

import (
	"net/netip"
	"time"

	"mxlab/services/ike/suite"
	"mxlab/services/ipsec/esp"
	"mxlab/services/pki"
)

// IKEProposal is [edit services ipsec-vpn ike proposal NAME] (I1); a
// statement left out takes the first value of the implicit proposal.
type IKEProposal struct {
	Name       string
	AuthMethod string // pre-shared-keys (default), rsa-signatures, ...
	Group      suite.Group
	Hash       suite.Hash // authentication-algorithm
	Encryption suite.Encryption
	Lifetime   time.Duration // lifetime-seconds, DefaultIKELifetime when not set
}

// IKEPolicy is [edit services ipsec-vpn ike policy NAME] (I2).
type IKEPolicy struct {
	Name    string
	Version int    // 1 (the default) or 2
	Mode    string // main (the default) or aggressive; IKEv1 only
	// Proposals are the configured proposals in order, or the implicit
	// ones (DefaultIKEProposals) when none is configured.
	Proposals []*IKEProposal
	// PSK is the decoded pre-shared key (nil with certificates). It never
	// appears in an output or a log.
	PSK               []byte
	LocalID, RemoteID Identity
	// LocalCertificate is local-certificate: the certificate (of the
	// router's PKI) that authenticates this side when a proposal uses
	// signatures.
	LocalCertificate string
	// Remote is the whole remote-id, as certificate authentication
	// matches the peer's identity against it.
	Remote pki.RemoteID
}

// Identity is a local-id or remote-id. The zero Identity stands for the
// default: the IPv4 address of the gateway (local-gateway or
// remote-gateway).
type Identity struct {
	Type  string // ipv4_addr, ipv6-addr, fqdn, key-id, distinguished-name; "" for the default
	Value string
	Any   bool // remote-id any-remote-id
}

// IPsecProposal is [edit services ipsec-vpn ipsec proposal NAME] (I3).
type IPsecProposal struct {
	Name           string
	Protocol       string             // esp (ah and bundle are refused on MS-MPC/MS-MIC)
	Authentication esp.Authentication // NoAuthentication with AES-GCM
	Encryption     esp.Encryption
	Lifetime       time.Duration // lifetime-seconds, DefaultIPsecLifetime when not set
}

// IPsecPolicy is [edit services ipsec-vpn ipsec policy NAME] (I3).
type IPsecPolicy struct {
	Name string
	PFS  suite.Group // perfect-forward-secrecy keys; 0 for none
	// Proposals are the configured proposals in order, or the implicit
	// ones (DefaultIPsecProposals).
	Proposals []*IPsecProposal
}

// Lifetimes of the implicit proposals, and of configured proposals that
// set none.
const (
	DefaultIKELifetime   = 3600 * time.Second
	DefaultIPsecLifetime = 28800 * time.Second
)

// DefaultIKEProposals is the implicit IKE proposal of the MS PIC:
// pre-shared keys with group1 or group2, sha1 or md5, 3des-cbc or des-cbc,
// 3600 seconds, as proposals in that order of preference.
func DefaultIKEProposals() []*IKEProposal {
	var out []*IKEProposal
	for _, e := range []suite.Encryption{suite.TripleDESCBC, suite.DESCBC} {
		for _, h := range []suite.Hash{suite.SHA1, suite.MD5} {
			for _, g := range []suite.Group{suite.Group1, suite.Group2} {
				out = append(out, &IKEProposal{Name: "default", AuthMethod: "pre-shared-keys",
					Group: g, Hash: h, Encryption: e, Lifetime: DefaultIKELifetime})
			}
		}
	}
	return out
}

// DefaultIPsecProposals is the implicit IPsec proposal of the MS PIC
// (without AH and bundle, which MS-MPC and MS-MIC lack): ESP with
// hmac-sha1-96 or hmac-md5-96 and 3des-cbc or des-cbc, 28800 seconds.
func DefaultIPsecProposals() []*IPsecProposal {
	var out []*IPsecProposal
	for _, e := range []esp.Encryption{esp.TripleDESCBC, esp.DESCBC} {
		for _, a := range []esp.Authentication{esp.HMACSHA1_96, esp.HMACMD5_96} {
			out = append(out, &IPsecProposal{Name: "default", Protocol: "esp",
				Authentication: a, Encryption: e, Lifetime: DefaultIPsecLifetime})
		}
	}
	return out
}

// DPD is dead peer detection of a term (O4): initiate-dead-peer-detection
// and dead-peer-detection interval/threshold.
type DPD struct {
	Enabled   bool
	Interval  time.Duration // default 10 s
	Threshold int           // default 3
}

// DPD defaults.
const (
	DefaultDPDInterval  = 10 * time.Second
	DefaultDPDThreshold = 3
)

// Dynamic is what a term with "then dynamic" negotiates.
type Dynamic struct {
	IKE   *IKEPolicy
	IPsec *IPsecPolicy // the implicit proposals when no ipsec-policy is named
	// Backup is backup-remote-gateway: the peer tried when DPD declares
	// the remote gateway dead (invalid when not configured).
	Backup netip.Addr
	DPD    DPD
	// NoNATT is the service set's no-nat-traversal (or disable-natt).
	NoNATT bool
	// NATKeepalive is the service set's nat-keepalive (0: the default,
	// 20 s).
	NATKeepalive time.Duration
	// TrustedCA are the service set's trusted-ca profiles (none: every
	// CA profile); EndCertOnly is its no-certificate-chain-in-ike.
	TrustedCA   []string
	EndCertOnly bool
	// Profile is the ike-access-profile a dynamic-peer term comes from
	// ("" otherwise); Pair is the allowed-proxy-pair it stands for, and
	// Dedicated tells that its unit carries one tunnel at a time.
	Profile   string
	Pair      ProxyPair
	Dedicated bool
}
