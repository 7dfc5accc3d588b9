package pki

import (
	"crypto/x509"
	"fmt"
	"io"
	"strings"
)

// ShowIPsec writes "show services ipsec-vpn certificates": for each
// service set that uses certificates, its trusted CA profiles and the
// local certificates of its IKE policies, with their state. No Junos
// sample of this command is known: the layout follows the PKI show
// commands.
func (s *Store) ShowIPsec(w io.Writer, serviceSet string, detail bool) {
	cfg, snap := s.Config(), s.current()
	var uses []Use
	for _, u := range cfg.Uses {
		if serviceSet == "" || u.ServiceSet == serviceSet {
			uses = append(uses, u)
		}
	}
	separated(w, uses, func(u Use) {
		fmt.Fprintf(w, "Service set: %s\n", u.ServiceSet)
		profiles := u.TrustedCA
		if len(profiles) == 0 {
			profiles = sortedKeys(snap.cas)
			fmt.Fprintf(w, "  Trusted CA: any CA profile\n")
		}
		for _, p := range profiles {
			ca := snap.cas[p]
			fmt.Fprintf(w, "  CA profile: %s\n", p)
			if ca == nil {
				fmt.Fprintf(w, "    Status: CA certificate not loaded\n")
				continue
			}
			for _, c := range ca.certs {
				s.usedCert(w, c, s.caStatus(c), detail)
			}
		}
		for _, pu := range u.Policies {
			fmt.Fprintf(w, "  IKE policy: %s, local certificate: %s\n", pu.Policy, pu.LocalCertificate)
			l := snap.locals[pu.LocalCertificate]
			if l == nil {
				fmt.Fprintf(w, "    Status: Local certificate not loaded\n")
				continue
			}
			status := "Valid"
			if _, err := s.verifyChain(l.cert, l.chain, u.TrustedCA); err != nil {
				status = capital(err.Error())
			} else if _, err := s.Credential(pu.LocalCertificate); err != nil {
				status = capital(string(ReasonOf(err)))
			}
			s.usedCert(w, l.cert, status, detail)
		}
	})
}

func (s *Store) caStatus(c *x509.Certificate) string {
	if err := checkDates(c, s.now(), ReasonCAExpired, ReasonCAExpired); err != nil {
		return capital(err.Error())
	}
	return "Valid"
}

func (s *Store) usedCert(w io.Writer, c *x509.Certificate, status string, detail bool) {
	fmt.Fprintf(w, "    Issued to: %s, Issued by: %s\n", commonName(c.RawSubject), dnSpaced(c.RawIssuer))
	fmt.Fprintf(w, "    Not before: %s\n    Not after: %s\n", when(c.NotBefore), when(c.NotAfter))
	if detail {
		fmt.Fprintf(w, "    Serial number: %s\n", serialOf(c.SerialNumber))
		fmt.Fprintf(w, "    Public key algorithm: %s\n", keyLine(c.PublicKey))
		fingerprints(w, "    ", c.Raw)
	}
	fmt.Fprintf(w, "    Status: %s\n", status)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
