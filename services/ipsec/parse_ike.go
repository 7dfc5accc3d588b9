package ipsec

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"mxlab/config"
	"mxlab/config/secret"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec/esp"
	"mxlab/services/pki"
)

// policies are the IKE and IPsec policies of [edit services ipsec-vpn],
// by name, with their proposals resolved.
type policies struct {
	ike   map[string]*IKEPolicy
	ipsec map[string]*IPsecPolicy
}

// addDynamic fills in what the dynamic terms of the plan's service sets
// negotiate (policies, backup gateway, dead peer detection, NAT-T) and
// the global IKE statements.
func addDynamic(root *config.Node, p *Plan) []*config.CommitError {
	vpn := root.Get("services", "ipsec-vpn")
	_, p.ClearIKEOnRestart = vpn.Leaf("clear-ike-sas-on-pic-restart")
	_, p.NoNATT = vpn.Leaf("disable-natt")
	pols, errs := parsePolicies(vpn)
	for _, ss := range p.Sets {
		ssn := findSet(root, ss.Name)
		opts := ssn.Get("ipsec-vpn-options")
		_, noNATT := opts.Leaf("no-nat-traversal")
		_, endOnly := opts.Leaf("no-certificate-chain-in-ike")
		var trusted []string
		if tc := opts.Get("trusted-ca"); tc != nil {
			trusted = tc.Values
		}
		keepalive := time.Duration(0)
		if v, ok := opts.Leaf("nat-keepalive"); ok {
			n, _ := strconv.Atoi(v)
			keepalive = time.Duration(n) * time.Second
		}
		for _, t := range ss.Terms {
			tn := findTerm(root, t.Rule, t.Name)
			then := tn.Get("then")
			if t.Dynamic == nil || then == nil {
				continue
			}
			d, e := parseDynamic(then, pols)
			errs = append(errs, e...)
			d.NoNATT = p.NoNATT || noNATT
			d.NATKeepalive = keepalive
			d.TrustedCA, d.EndCertOnly = trusted, endOnly
			t.Dynamic = d
		}
		if ss.Profile != nil {
			addProfile(ss, pols, p.DialUnits, parseOptions(opts, Options{}), func() *Dynamic {
				return &Dynamic{NoNATT: p.NoNATT || noNATT, NATKeepalive: keepalive, TrustedCA: trusted, EndCertOnly: endOnly}
			})
		}
	}
	return errs
}

func findSet(root *config.Node, name string) *config.Node {
	for _, s := range root.Get("services").Entries("service-set") {
		if s.Key() == name {
			return s
		}
	}
	return nil
}

func findRule(root *config.Node, name string) *config.Node {
	for _, r := range root.Get("services", "ipsec-vpn").Entries("rule") {
		if r.Key() == name {
			return r
		}
	}
	return nil
}

func findTerm(root *config.Node, rule, term string) *config.Node {
	for _, t := range findRule(root, rule).Entries("term") {
		if t.Key() == term {
			return t
		}
	}
	return nil
}

// parseDynamic reads a term's "then" for a dynamic SA.
func parseDynamic(then *config.Node, pols policies) (*Dynamic, []*config.CommitError) {
	d := &Dynamic{}
	var errs []*config.CommitError
	dyn := then.Get("dynamic")
	if name, ok := dyn.Leaf("ike-policy"); ok {
		d.IKE = pols.ike[name]
	}
	if d.IKE == nil {
		d.IKE = &IKEPolicy{Name: "", Version: 1, Mode: "main", Proposals: DefaultIKEProposals()}
	}
	if name, ok := dyn.Leaf("ipsec-policy"); ok {
		d.IPsec = pols.ipsec[name]
	}
	if d.IPsec == nil {
		d.IPsec = &IPsecPolicy{Proposals: DefaultIPsecProposals()}
	}
	if v, ok := then.Leaf("backup-remote-gateway"); ok {
		d.Backup, _ = netip.ParseAddr(v)
	}
	if _, ok := then.Leaf("initiate-dead-peer-detection"); ok {
		d.DPD = DPD{Enabled: true, Interval: DefaultDPDInterval, Threshold: DefaultDPDThreshold}
		if v, ok := then.Leaf("dead-peer-detection", "interval"); ok {
			n, _ := strconv.Atoi(v)
			d.DPD.Interval = time.Duration(n) * time.Second
		}
		if v, ok := then.Leaf("dead-peer-detection", "threshold"); ok {
			d.DPD.Threshold, _ = strconv.Atoi(v)
		}
	}
	return d, errs
}

// parsePolicies reads the proposals and policies; a policy without
// proposals gets the implicit ones.
func parsePolicies(vpn *config.Node) (policies, []*config.CommitError) {
	pols := policies{ike: map[string]*IKEPolicy{}, ipsec: map[string]*IPsecPolicy{}}
	var errs []*config.CommitError
	ikeProps := map[string]*IKEProposal{}
	for _, n := range vpn.Get("ike").Entries("proposal") {
		p, err := parseIKEProposal(n)
		if err != nil {
			errs = append(errs, err)
		}
		ikeProps[n.Key()] = p
	}
	for _, n := range vpn.Get("ike").Entries("policy") {
		pol := &IKEPolicy{Name: n.Key(), Version: 1, Mode: "main"}
		if v, ok := n.Leaf("version"); ok {
			pol.Version, _ = strconv.Atoi(v)
		}
		if v, ok := n.Leaf("mode"); ok {
			pol.Mode = v
		}
		if pn := n.Get("proposals"); pn != nil {
			for _, name := range pn.Values {
				if p := ikeProps[name]; p != nil {
					pol.Proposals = append(pol.Proposals, p)
				}
			}
		}
		if len(pol.Proposals) == 0 {
			pol.Proposals = DefaultIKEProposals()
		}
		pol.LocalID = parseIdentity(n.Get("local-id"))
		pol.RemoteID = parseIdentity(n.Get("remote-id"))
		pol.LocalCertificate, _ = n.Leaf("local-certificate")
		pol.Remote = pki.ParseRemoteID(n)
		psk, err := parsePSK(n.Get("pre-shared-key"))
		if err != nil {
			errs = append(errs, err)
		}
		pol.PSK = psk
		pols.ike[pol.Name] = pol
	}
	ipsecProps := map[string]*IPsecProposal{}
	for _, n := range vpn.Get("ipsec").Entries("proposal") {
		p, err := parseIPsecProposal(n)
		if err != nil {
			errs = append(errs, err)
		}
		ipsecProps[n.Key()] = p
	}
	for _, n := range vpn.Get("ipsec").Entries("policy") {
		pol := &IPsecPolicy{Name: n.Key()}
		if v, ok := n.Leaf("perfect-forward-secrecy", "keys"); ok {
			g, err := suite.ParseGroup(v)
			if err != nil {
				errs = append(errs, errAt(n.Get("perfect-forward-secrecy"), err.Error()))
			}
			pol.PFS = g
		}
		if pn := n.Get("proposals"); pn != nil {
			for _, name := range pn.Values {
				if p := ipsecProps[name]; p != nil {
					pol.Proposals = append(pol.Proposals, p)
				}
			}
		}
		if len(pol.Proposals) == 0 {
			pol.Proposals = DefaultIPsecProposals()
		}
		pols.ipsec[pol.Name] = pol
	}
	return pols, errs
}

func parseIKEProposal(n *config.Node) (*IKEProposal, *config.CommitError) {
	p := &IKEProposal{Name: n.Key(), AuthMethod: "pre-shared-keys", Group: suite.Group1, Hash: suite.SHA1,
		Encryption: suite.TripleDESCBC, Lifetime: DefaultIKELifetime}
	if v, ok := n.Leaf("authentication-method"); ok {
		p.AuthMethod = v
	}
	if v, ok := n.Leaf("dh-group"); ok {
		g, err := suite.ParseGroup(v)
		if err != nil {
			return p, errAt(n.Get("dh-group"), err.Error())
		}
		p.Group = g
	}
	if v, ok := n.Leaf("authentication-algorithm"); ok {
		h, err := suite.ParseHash(v)
		if err != nil {
			return p, errAt(n.Get("authentication-algorithm"), err.Error())
		}
		p.Hash = h
	}
	if v, ok := n.Leaf("encryption-algorithm"); ok {
		e, err := suite.ParseEncryption(v)
		if err != nil {
			return p, errAt(n.Get("encryption-algorithm"), err.Error())
		}
		p.Encryption = e
	}
	if v, ok := n.Leaf("lifetime-seconds"); ok {
		s, _ := strconv.Atoi(v)
		p.Lifetime = time.Duration(s) * time.Second
	}
	return p, nil
}

func parseIPsecProposal(n *config.Node) (*IPsecProposal, *config.CommitError) {
	p := &IPsecProposal{Name: n.Key(), Protocol: "esp", Authentication: esp.HMACSHA1_96,
		Encryption: esp.TripleDESCBC, Lifetime: DefaultIPsecLifetime}
	if v, ok := n.Leaf("protocol"); ok {
		p.Protocol = v
	}
	if v, ok := n.Leaf("encryption-algorithm"); ok {
		e, err := esp.ParseEncryption(v)
		if err != nil {
			return p, errAt(n.Get("encryption-algorithm"), err.Error())
		}
		p.Encryption = e
	}
	if v, ok := n.Leaf("authentication-algorithm"); ok {
		a, err := esp.ParseAuthentication(v)
		if err != nil {
			return p, errAt(n.Get("authentication-algorithm"), err.Error())
		}
		p.Authentication = a
	}
	if p.Encryption.AEAD() {
		p.Authentication = esp.NoAuthentication
	}
	if v, ok := n.Leaf("lifetime-seconds"); ok {
		s, _ := strconv.Atoi(v)
		p.Lifetime = time.Duration(s) * time.Second
	}
	return p, nil
}

// parseIdentity reads a local-id or remote-id.
func parseIdentity(n *config.Node) Identity {
	if n == nil {
		return Identity{}
	}
	if _, ok := n.Leaf("any-remote-id"); ok {
		return Identity{Any: true}
	}
	for _, k := range n.Kids {
		id := Identity{Type: k.S.Name, Value: k.Value}
		if len(k.Values) > 0 {
			id.Value = k.Values[0]
		}
		return id
	}
	return Identity{}
}

// parsePSK decodes a pre-shared key ($9$ strings as stored, hexadecimal
// digits).
func parsePSK(n *config.Node) ([]byte, *config.CommitError) {
	if n == nil {
		return nil, nil
	}
	for _, format := range []string{"ascii-text", "hexadecimal"} {
		v, ok := n.Leaf(format)
		if !ok {
			continue
		}
		if secret.IsEncoded(v) {
			d, err := secret.Decode(v)
			if err != nil {
				return nil, errAt(n, "cannot decode pre-shared-key: "+err.Error())
			}
			v = d
		}
		if format == "ascii-text" {
			return []byte(v), nil
		}
		k, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X"))
		if err != nil {
			return nil, errAt(n, fmt.Sprintf("invalid hexadecimal pre-shared-key: %v", err))
		}
		return k, nil
	}
	return nil, nil
}
