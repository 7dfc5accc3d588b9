package services

import (
	"encoding/hex"
	"fmt"
	"strings"

	"mxlab/config"
	"mxlab/config/secret"
)

// ValidateIKE is the commit check of the IKE statements (spec I1–I3, I4
// dynamic terms): what the schema and its constraints do not say. It
// needs no kernel (a config.Validator).
func ValidateIKE(root *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	vpn := root.Get("services", "ipsec-vpn")
	for _, p := range vpn.Get("ike").Entries("proposal") {
		if m, ok := p.Leaf("authentication-method"); ok && m == "dsa-signatures" {
			errs = append(errs, config.WarningAt(p.Get("authentication-method"),
				fmt.Sprintf("authentication-method %s is stored but not used: IKE authenticates with pre-shared keys, RSA and ECDSA signatures", m)))
		}
	}
	ikeProps := entries(vpn.Get("ike"), "proposal")
	for _, pol := range vpn.Get("ike").Entries("policy") {
		v, _ := pol.Leaf("version")
		if mode, ok := pol.Leaf("mode"); ok && mode == "aggressive" && v == "2" {
			errs = append(errs, config.WarningAt(pol.Get("mode"), "mode aggressive does not apply to IKE version 2 and is ignored"))
		}
		methods := map[string]bool{}
		if pn := pol.Get("proposals"); pn != nil {
			for _, name := range pn.Values {
				m := "pre-shared-keys"
				if p := ikeProps[name]; p != nil {
					if x, ok := p.Leaf("authentication-method"); ok {
						m = x
					}
				}
				methods[m] = true
			}
		}
		if v == "2" && len(methods) > 1 {
			errs = append(errs, config.ErrorAt(pol.Get("proposals"), "all IKEv2 proposals of a policy must have the same authentication-method"))
		}
		if v != "2" && (methods["ecdsa-signatures-256"] || methods["ecdsa-signatures-384"]) {
			errs = append(errs, config.WarningAt(pol.Get("proposals"),
				"IKE version 1 authenticates with pre-shared keys and RSA signatures: the proposals with ECDSA signatures are used with version 2"))
		}
		if mode, _ := pol.Leaf("mode"); v != "2" && mode == "aggressive" && methods["rsa-signatures"] {
			errs = append(errs, config.WarningAt(pol.Get("proposals"),
				"IKE version 1 aggressive mode authenticates with pre-shared keys only: the proposals with rsa-signatures are not used"))
		}
		if h, ok := pol.Leaf("pre-shared-key", "hexadecimal"); ok {
			if secret.IsEncoded(h) {
				h, _ = secret.Decode(h)
			}
			if _, err := hex.DecodeString(strings.TrimPrefix(h, "0x")); err != nil {
				errs = append(errs, config.ErrorAt(pol.Get("pre-shared-key"), "pre-shared-key hexadecimal must have an even number of hexadecimal digits"))
			}
		}
	}
	ipsecProps := entries(vpn.Get("ipsec"), "proposal")
	for _, p := range ipsecProps {
		enc, _ := p.Leaf("encryption-algorithm")
		if a := p.Get("authentication-algorithm"); a != nil && strings.HasSuffix(enc, "-gcm") {
			errs = append(errs, config.ErrorAt(a, fmt.Sprintf("authentication-algorithm must not be configured with encryption-algorithm %s", enc)))
		}
	}
	return append(errs, validateDynamicTerms(root, ipsecProps)...)
}

// validateDynamicTerms checks the dynamic terms of the rules the service
// sets use.
func validateDynamicTerms(root *config.Node, ipsecProps map[string]*config.Node) []*config.CommitError {
	var errs []*config.CommitError
	vpn := root.Get("services", "ipsec-vpn")
	rules := entries(vpn, "rule")
	ipsecPols := entries(vpn.Get("ipsec"), "policy")
	seen := map[*config.Node]bool{}
	for _, ss := range root.Get("services").Entries("service-set") {
		opts := ss.Get("ipsec-vpn-options")
		lg, _ := opts.Leaf("local-gateway", "address")
		_, dep := opts.Leaf("ike-access-profile")
		svc := serviceInterface(ss)
		for _, r := range ss.Entries("ipsec-vpn-rules") {
			for _, term := range rules[r.Key()].Entries("term") {
				then := term.Get("then")
				dyn := then.Get("dynamic")
				if dyn == nil || seen[term] {
					continue
				}
				seen[term] = true
				rg, hasRG := then.Leaf("remote-gateway")
				switch {
				case !hasRG && !dep:
					errs = append(errs, config.ErrorAt(dyn, "remote-gateway must be configured with a dynamic security association"))
				case hasRG && rg == lg:
					errs = append(errs, config.ErrorAt(then.Get("remote-gateway"), fmt.Sprintf("remote-gateway %s is the local gateway of service-set %s", rg, ss.Key())))
				}
				if b, ok := then.Leaf("backup-remote-gateway"); ok && b == rg {
					errs = append(errs, config.ErrorAt(then.Get("backup-remote-gateway"), "backup-remote-gateway must differ from remote-gateway"))
				}
				if _, ok := dyn.Leaf("ike-policy"); !ok && !dep {
					errs = append(errs, config.ErrorAt(dyn, "ike-policy must be configured with a dynamic security association"))
				}
				name, ok := dyn.Leaf("ipsec-policy")
				if !ok || ipsecPols[name] == nil {
					continue
				}
				if pn := ipsecPols[name].Get("proposals"); pn != nil {
					for _, pname := range pn.Values {
						errs = append(errs, checkDynamicProposal(ipsecProps[pname], svc)...)
					}
				}
			}
		}
	}
	return errs
}

// checkDynamicProposal checks an IPsec proposal a dynamic term of a
// service set on interface svc uses.
func checkDynamicProposal(p *config.Node, svc string) []*config.CommitError {
	if p == nil {
		return nil
	}
	var errs []*config.CommitError
	if proto, ok := p.Leaf("protocol"); ok && proto != "esp" && strings.HasPrefix(svc, "ms-") {
		errs = append(errs, config.ErrorAt(p.Get("protocol"), fmt.Sprintf("protocol %s is not supported on MS-MIC/MS-MPC service interface %s", proto, svc)))
	}
	if a, ok := p.Leaf("authentication-algorithm"); ok && a == "hmac-sha-256-96" {
		errs = append(errs, config.WarningAt(p.Get("authentication-algorithm"), "hmac-sha-256-96 has no IANA number and cannot be negotiated with IKE; the proposal is never chosen"))
	}
	return errs
}

// entries maps the entries of list name below n by key.
func entries(n *config.Node, name string) map[string]*config.Node {
	out := map[string]*config.Node{}
	for _, e := range n.Entries(name) {
		out[e.Key()] = e
	}
	return out
}
