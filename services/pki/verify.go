package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Reason names why a certificate was refused. The IKE code counts
// refusals by reason and writes the error to the key-management log.
type Reason string

// The reasons a certificate is refused.
const (
	ReasonNoCertificate   Reason = "no certificate"
	ReasonMalformed       Reason = "malformed certificate"
	ReasonUnknownCA       Reason = "unknown CA"
	ReasonBadSignature    Reason = "bad certificate signature"
	ReasonNotYetValid     Reason = "certificate not yet valid"
	ReasonExpired         Reason = "certificate expired"
	ReasonCAExpired       Reason = "CA certificate expired"
	ReasonKeyUsage        Reason = "key usage does not allow signatures"
	ReasonRevoked         Reason = "certificate revoked"
	ReasonCRLExpired      Reason = "CRL expired"
	ReasonCRLUnavailable  Reason = "revocation status unavailable"
	ReasonIDMismatch      Reason = "peer ID not in certificate"
	ReasonRemoteIDRefused Reason = "peer ID does not match remote-id"
	ReasonNoLocalCert     Reason = "local certificate not found"
	ReasonNoKeyPair       Reason = "key pair not found"
)

// VerifyError is a refused certificate: the reason, the certificate's
// subject and what exactly failed.
type VerifyError struct {
	Reason  Reason
	Subject string // the certificate concerned, "" when none
	Detail  string
}

func (e *VerifyError) Error() string {
	msg := string(e.Reason)
	if e.Subject != "" {
		msg = fmt.Sprintf("%s (%s)", msg, e.Subject)
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Is matches another VerifyError of the same reason, so that
// errors.Is(err, pki.ErrExpired) works.
func (e *VerifyError) Is(target error) bool {
	t, ok := target.(*VerifyError)
	return ok && t.Reason == e.Reason
}

// Sentinels for errors.Is, one per reason.
var (
	ErrUnknownCA      error = &VerifyError{Reason: ReasonUnknownCA}
	ErrExpired        error = &VerifyError{Reason: ReasonExpired}
	ErrNotYetValid    error = &VerifyError{Reason: ReasonNotYetValid}
	ErrRevoked        error = &VerifyError{Reason: ReasonRevoked}
	ErrIDMismatch     error = &VerifyError{Reason: ReasonIDMismatch}
	ErrRemoteID       error = &VerifyError{Reason: ReasonRemoteIDRefused}
	ErrCRLUnavailable error = &VerifyError{Reason: ReasonCRLUnavailable}
)

// ReasonOf returns the reason of a verification error, "" for another error.
func ReasonOf(err error) Reason {
	var ve *VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return ""
}

func refuse(r Reason, c *x509.Certificate, format string, args ...any) *VerifyError {
	e := &VerifyError{Reason: r, Detail: fmt.Sprintf(format, args...)}
	if c != nil {
		e.Subject = dnString(c.RawSubject)
	}
	return e
}

// maxChain bounds the certificates between an end entity and its CA.
const maxChain = 8

// Peer is a certificate to check: a peer's, from IKE CERT payloads.
type Peer struct {
	// Certs are the DER certificates the peer sent; the first is its own
	// (the one whose key signs AUTH), the others may complete its chain.
	Certs [][]byte
	// Profiles are the CA profiles to trust (a service set's trusted-ca);
	// none trusts every CA certificate loaded.
	Profiles []string
	// ID is the identity the peer claimed (its ID payload); it must be
	// the certificate's subject or one of its alternative names. Nil
	// skips this check.
	ID *Identity
	// Remote is the configured remote-id the ID must match.
	Remote RemoteID
}

// Verified is an accepted certificate.
type Verified struct {
	Cert    *x509.Certificate
	Chain   []*x509.Certificate // from the certificate's issuer to the trusted CA certificate
	Profile string              // the CA profile of the trusted CA certificate
}

// Verify checks a peer's certificate as the router does before IKE uses
// its key: it chains to a CA certificate loaded for one of the profiles,
// every certificate of the chain is within its validity dates and
// correctly signed, the end certificate may sign, none is revoked (per the
// profile's revocation-check and its loaded CRL) and the peer's ID is in
// the certificate and matches the remote-id. Any goroutine may call it.
func (s *Store) Verify(p Peer) (*Verified, error) {
	if len(p.Certs) == 0 {
		return nil, refuse(ReasonNoCertificate, nil, "the peer sent no certificate")
	}
	certs := make([]*x509.Certificate, 0, len(p.Certs))
	for _, der := range p.Certs {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, refuse(ReasonMalformed, nil, "%v", err)
		}
		certs = append(certs, c)
	}
	v, err := s.verifyChain(certs[0], certs[1:], p.Profiles)
	if err == nil && p.ID != nil {
		err = checkBinding(certs[0], *p.ID)
		if err == nil {
			err = p.Remote.Match(*p.ID)
		}
	}
	s.traceResult("peer certificate", certs[0], v, err)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// VerifyLocal checks local certificate id against the CA certificates
// loaded ("request security pki local-certificate verify").
func (s *Store) VerifyLocal(id string) (*Verified, error) {
	l := s.current().locals[id]
	if l == nil {
		return nil, &VerifyError{Reason: ReasonNoLocalCert, Detail: id}
	}
	v, err := s.verifyChain(l.cert, l.chain, nil)
	s.traceResult("local certificate "+id, l.cert, v, err)
	return v, err
}

func (s *Store) traceResult(what string, c *x509.Certificate, v *Verified, err error) {
	if err != nil {
		s.trace.log(flagVerify, "%s %s: verification failed: %v", what, dnString(c.RawSubject), err)
		return
	}
	s.trace.log(flagVerify, "%s %s: verified against CA profile %s", what, dnString(c.RawSubject), v.Profile)
}

// anchor is a trusted CA certificate and its profile.
type anchor struct {
	cert    *x509.Certificate
	profile string
}

// verifyChain builds the chain from ee to a CA certificate of profiles
// (all profiles when empty), using the extra certificates for the
// intermediate steps, and checks each certificate.
func (s *Store) verifyChain(ee *x509.Certificate, extra []*x509.Certificate, profiles []string) (*Verified, error) {
	snap, cfg, now := s.current(), s.Config(), s.now()
	var anchors []anchor
	for name, ca := range snap.cas {
		if len(profiles) == 0 || slices.Contains(profiles, name) {
			for _, c := range ca.certs {
				anchors = append(anchors, anchor{cert: c, profile: name})
			}
		}
	}
	slices.SortFunc(anchors, func(a, b anchor) int { return cmpString(a.profile, b.profile) })
	if err := checkDates(ee, now, ReasonNotYetValid, ReasonExpired); err != nil {
		return nil, err
	}
	if ee.KeyUsage != 0 && ee.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, refuse(ReasonKeyUsage, ee, "key usage lacks digitalSignature")
	}
	v := &Verified{Cert: ee}
	cur := ee
	for depth := 0; depth < maxChain; depth++ {
		if a, err := findAnchor(cur, anchors); a != nil {
			if err := checkDates(a.cert, now, ReasonCAExpired, ReasonCAExpired); err != nil {
				return nil, err
			}
			v.Chain, v.Profile = append(v.Chain, a.cert), a.profile
			if err := s.checkRevocation(v, snap, cfg, now); err != nil {
				return nil, err
			}
			return v, nil
		} else if err != nil {
			return nil, err
		}
		next := findIssuer(cur, extra)
		if next == nil {
			if len(anchors) == 0 {
				return nil, refuse(ReasonUnknownCA, cur, "no CA certificate loaded%s", forProfiles(profiles))
			}
			return nil, refuse(ReasonUnknownCA, cur, "issuer %s is not a loaded CA certificate%s", dnString(cur.RawIssuer), forProfiles(profiles))
		}
		if !next.BasicConstraintsValid || !next.IsCA {
			if next.Version >= 3 {
				return nil, refuse(ReasonUnknownCA, cur, "issuer %s is not a CA", dnString(next.RawSubject))
			}
		}
		if err := checkDates(next, now, ReasonCAExpired, ReasonCAExpired); err != nil {
			return nil, err
		}
		v.Chain = append(v.Chain, next)
		cur = next
	}
	return nil, refuse(ReasonUnknownCA, ee, "chain longer than %d certificates", maxChain)
}

func forProfiles(profiles []string) string {
	if len(profiles) == 0 {
		return ""
	}
	return fmt.Sprintf(" (trusted CA profiles %v)", profiles)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// findAnchor returns the trusted CA certificate that issued c. A
// certificate that names a trusted CA as issuer but whose signature it
// does not verify is refused.
func findAnchor(c *x509.Certificate, anchors []anchor) (*anchor, error) {
	var badSig error
	for i := range anchors {
		a := &anchors[i]
		if !issuedBy(c, a.cert) {
			continue
		}
		if err := a.cert.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
			badSig = refuse(ReasonBadSignature, c, "signature by %s does not verify: %v", dnString(a.cert.RawSubject), err)
			continue
		}
		return a, nil
	}
	return nil, badSig
}

// findIssuer returns the certificate of pool that issued c and whose
// signature on c verifies.
func findIssuer(c *x509.Certificate, pool []*x509.Certificate) *x509.Certificate {
	for _, p := range pool {
		if p == c || bytes.Equal(p.Raw, c.Raw) || !issuedBy(c, p) {
			continue
		}
		if p.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			return p
		}
	}
	return nil
}

// issuedBy reports whether parent's name (and key identifier, when both
// carry one) is c's issuer.
func issuedBy(c, parent *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, parent.RawSubject) && !sameName(parseName(c.RawIssuer), parseName(parent.RawSubject)) {
		return false
	}
	if len(c.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 {
		return bytes.Equal(c.AuthorityKeyId, parent.SubjectKeyId)
	}
	return true
}

// dateFormat is how the messages give dates.
const dateFormat = "2006-01-02 15:04:05 UTC"

func checkDates(c *x509.Certificate, now time.Time, early, late Reason) error {
	switch {
	case now.Before(c.NotBefore):
		return refuse(early, c, "not valid before %s", c.NotBefore.UTC().Format(dateFormat))
	case now.After(c.NotAfter):
		return refuse(late, c, "expired on %s", c.NotAfter.UTC().Format(dateFormat))
	}
	return nil
}

// checkRevocation checks every certificate of the chain but the trusted
// one against the revocation settings and CRL of the profile that issued
// it (the chain's profile).
func (s *Store) checkRevocation(v *Verified, snap *snapshot, cfg *Config, now time.Time) error {
	prof, _ := cfg.Profile(v.Profile)
	if prof.Check.Mode == "" {
		prof.Check.Mode = RevocationCRL
	}
	certs := append([]*x509.Certificate{v.Cert}, v.Chain[:len(v.Chain)-1]...)
	for i, c := range certs {
		if bytes.Equal(c.Raw, v.Chain[len(v.Chain)-1].Raw) {
			continue // a self-signed certificate trusted as such
		}
		issuer := v.Chain[i]
		if err := s.checkRevoked(c, issuer, prof, snap.crls[v.Profile], now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) checkRevoked(c, issuer *x509.Certificate, prof Profile, l *crl, now time.Time) error {
	rc := prof.Check
	switch rc.Mode {
	case RevocationDisable:
		return nil
	case RevocationOCSP:
		switch rc.OCSPFailure {
		case "disable":
			s.trace.log(flagCRL, "%s: OCSP responder unreachable, revocation check skipped", dnString(c.RawSubject))
			return nil
		case "fallback-crl":
		default:
			return refuse(ReasonCRLUnavailable, c, "OCSP responder of CA profile %s unreachable", prof.Name)
		}
	}
	if l == nil || !bytes.Equal(l.list.RawIssuer, issuer.RawSubject) || l.list.CheckSignatureFrom(issuer) != nil {
		if len(c.CRLDistributionPoints) == 0 && len(rc.CRLURLs) == 0 {
			s.trace.log(flagCRL, "%s: no CRL loaded and no distribution point, revocation not checked", dnString(c.RawSubject))
			return nil
		}
		if rc.CRLFailOpen {
			s.trace.log(flagCRL, "%s: CRL not available, revocation check skipped (on-download-failure)", dnString(c.RawSubject))
			return nil
		}
		return refuse(ReasonCRLUnavailable, c, "no CRL loaded for CA profile %s (CRLs are not downloaded; load one with \"request security pki crl load\")", prof.Name)
	}
	if !l.list.NextUpdate.IsZero() && now.After(l.list.NextUpdate) {
		if rc.CRLFailOpen {
			s.trace.log(flagCRL, "CRL of CA profile %s expired on %s, revocation check skipped", prof.Name, l.list.NextUpdate.UTC().Format(dateFormat))
			return nil
		}
		return refuse(ReasonCRLExpired, c, "CRL of CA profile %s expired on %s", prof.Name, l.list.NextUpdate.UTC().Format(dateFormat))
	}
	for _, e := range l.list.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(c.SerialNumber) == 0 {
			return refuse(ReasonRevoked, c, "serial number %s revoked on %s", serialHex(c.SerialNumber.Bytes()), e.RevocationTime.UTC().Format(dateFormat))
		}
	}
	return nil
}

// VerifyCA checks the CA certificates of a profile: within their dates
// and, when self-signed, correctly signed ("request security pki
// ca-certificate verify").
func (s *Store) VerifyCA(profile string) error {
	ca := s.current().cas[profile]
	if ca == nil {
		return &VerifyError{Reason: ReasonUnknownCA, Detail: "no CA certificate loaded for profile " + profile}
	}
	for _, c := range ca.certs {
		if err := checkDates(c, s.now(), ReasonNotYetValid, ReasonCAExpired); err != nil {
			return err
		}
		if bytes.Equal(c.RawIssuer, c.RawSubject) {
			if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
				return refuse(ReasonBadSignature, c, "%v", err)
			}
		}
	}
	return nil
}
