package pki

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"mxlab/config"
)

// Config is what the PKI takes from the committed configuration: the CA
// profiles ([edit security pki ca-profile]), the traceoptions and, for
// "show services ipsec-vpn certificates", where IPsec uses certificates.
type Config struct {
	Profiles []Profile // in configuration order
	Trace    Trace
	Uses     []Use
}

// Profile is a CA profile.
type Profile struct {
	Name     string
	Identity string // ca-identity
	Check    Revocation
}

// Revocation is how the certificates a CA profile issued are checked for
// revocation ([edit security pki ca-profile P revocation-check]).
type Revocation struct {
	Mode string // "crl" (the default), "ocsp" or "disable"
	// CRLFailOpen: "crl disable on-download-failure": with no usable CRL,
	// skip the check instead of refusing the certificate.
	CRLFailOpen bool
	CRLURLs     []string
	// OCSPFailure: "ocsp connection-failure fallback-crl | disable".
	OCSPFailure string
}

// Revocation modes.
const (
	RevocationCRL     = "crl"
	RevocationOCSP    = "ocsp"
	RevocationDisable = "disable"
)

// Use is a service set that authenticates IKE peers with certificates:
// its trusted CA profiles and the IKE policies of its rules (or of its
// access profile) that name a local certificate.
type Use struct {
	ServiceSet string
	TrustedCA  []string
	Policies   []PolicyUse
}

// PolicyUse is an IKE policy that names a local certificate.
type PolicyUse struct {
	Policy           string
	LocalCertificate string
}

// Profile returns the CA profile name, and whether it is configured.
func (c *Config) Profile(name string) (Profile, bool) {
	for _, p := range c.Profiles {
		if p.Name == name {
			return p, true
		}
	}
	return Profile{}, false
}

// ParseConfig reads the PKI part of a configuration.
func ParseConfig(root *config.Node) *Config {
	c := &Config{}
	pki := root.Get("security", "pki")
	for _, p := range pki.Entries("ca-profile") {
		prof := Profile{Name: p.Key(), Check: Revocation{Mode: RevocationCRL}}
		prof.Identity, _ = p.Leaf("ca-identity")
		rc := p.Get("revocation-check")
		switch {
		case rc.Get("disable") != nil:
			prof.Check.Mode = RevocationDisable
		case rc.Get("use-ocsp") != nil:
			prof.Check.Mode = RevocationOCSP
		}
		prof.Check.CRLFailOpen = rc.Get("crl", "disable", "on-download-failure") != nil
		for _, u := range rc.Get("crl").Entries("url") {
			prof.Check.CRLURLs = append(prof.Check.CRLURLs, u.Key())
		}
		cf := rc.Get("ocsp", "connection-failure")
		switch {
		case cf.Get("fallback-crl") != nil:
			prof.Check.OCSPFailure = "fallback-crl"
		case cf.Get("disable") != nil:
			prof.Check.OCSPFailure = "disable"
		}
		c.Profiles = append(c.Profiles, prof)
	}
	if t := pki.Get("traceoptions"); t != nil {
		c.Trace = Trace{Enabled: true, File: DefaultTraceFile}
		if v, ok := t.Leaf("file", "filename"); ok && v != "" {
			c.Trace.File = v
		}
		for _, f := range t.Entries("flag") {
			c.Trace.Flags = append(c.Trace.Flags, f.Key())
		}
	}
	c.Uses = parseUses(root)
	return c
}

// parseUses finds the service sets whose IKE policies name a local
// certificate, through their rules and their IKE access profile.
func parseUses(root *config.Node) []Use {
	vpn := root.Get("services", "ipsec-vpn")
	localCert := func(policy string) string {
		for _, p := range vpn.Get("ike").Entries("policy") {
			if p.Key() == policy {
				v, _ := p.Leaf("local-certificate")
				return v
			}
		}
		return ""
	}
	var out []Use
	for _, ss := range root.Get("services").Entries("service-set") {
		opts := ss.Get("ipsec-vpn-options")
		u := Use{ServiceSet: ss.Key()}
		if tc := opts.Get("trusted-ca"); tc != nil {
			u.TrustedCA = tc.Values
		}
		var policies []string
		for _, r := range ss.Entries("ipsec-vpn-rules") {
			for _, rule := range vpn.Entries("rule") {
				if rule.Key() != r.Key() {
					continue
				}
				for _, term := range rule.Entries("term") {
					if v, ok := term.Leaf("then", "dynamic", "ike-policy"); ok {
						policies = append(policies, v)
					}
				}
			}
		}
		if ap, ok := opts.Leaf("ike-access-profile"); ok {
			for _, prof := range root.Get("access").Entries("profile") {
				if prof.Key() != ap {
					continue
				}
				for _, cl := range prof.Entries("client") {
					if v, ok := cl.Leaf("ike", "ike-policy"); ok {
						policies = append(policies, v)
					}
				}
			}
		}
		for _, p := range policies {
			if lc := localCert(p); lc != "" && !slices.ContainsFunc(u.Policies, func(x PolicyUse) bool { return x.Policy == p }) {
				u.Policies = append(u.Policies, PolicyUse{Policy: p, LocalCertificate: lc})
			}
		}
		if len(u.Policies) > 0 || len(u.TrustedCA) > 0 {
			out = append(out, u)
		}
	}
	return out
}

// Config returns the configuration in force.
func (s *Store) Config() *Config { return s.cfg.Load() }

// Prepare makes the store a configuration owner: at commit it takes the
// CA profiles, the traceoptions and the certificate uses. Nothing can fail.
func (s *Store) Prepare(_ context.Context, _, root *config.Node) (config.Pending, error) {
	return pending{s: s, cfg: ParseConfig(root)}, nil
}

type pending struct {
	s   *Store
	cfg *Config
}

func (p pending) Apply() {
	p.s.cfg.Store(p.cfg)
	p.s.trace.configure(p.cfg.Trace)
}

func (pending) Abort() {}

// Validate is the commit check of the PKI statements the YANG constraints
// do not cover: every CA profile a trusted CA group lists must be
// configured. (The CA profiles of service sets' trusted-ca are checked
// with the other service-set rules.) Certificates and keys are not
// configuration: a local-certificate that is not loaded yet commits, and
// IKE reports it when it negotiates, as Junos does.
func Validate(root *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	pki := root.Get("security", "pki")
	profiles := map[string]bool{}
	for _, p := range pki.Entries("ca-profile") {
		profiles[p.Key()] = true
	}
	for _, g := range pki.Entries("trusted-ca-group") {
		cp := g.Get("ca-profiles")
		if cp == nil {
			continue
		}
		for _, v := range cp.Values {
			if !profiles[v] {
				errs = append(errs, &config.CommitError{Path: config.EditPath(g), Statement: leafListStatement("ca-profiles", cp.Values),
					Msg: fmt.Sprintf("Referenced ca-profile %s must be defined under [edit security pki ca-profile]", v)})
			}
		}
	}
	return errs
}

func leafListStatement(name string, values []string) string {
	if len(values) == 1 {
		return name + " " + values[0]
	}
	return name + " [ " + strings.Join(values, " ") + " ]"
}
