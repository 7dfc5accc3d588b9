package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"

	"mxlab/internal/atomicfile"
)

// AltNames are the subject alternative names of a request or a
// self-signed certificate ("domain-name", "ip-address", "email").
type AltNames struct {
	DNS    []string
	IPs    []net.IP
	Emails []string
}

// GenerateKeyPair makes a key pair named id (size 0: the type's default)
// and returns its size. An existing key pair of that name is refused.
func (s *Store) GenerateKeyPair(id string, typ KeyType, bits int) (int, error) {
	if err := checkID("certificate-id", id); err != nil {
		return 0, err
	}
	if _, ok := s.current().keys[id]; ok {
		return 0, fmt.Errorf("key pair %s %w", id, ErrExists)
	}
	key, bits, err := generateKey(typ, bits)
	if err != nil {
		return 0, err
	}
	err = s.change(func(next *snapshot) error {
		if _, ok := next.keys[id]; ok {
			return fmt.Errorf("key pair %s %w", id, ErrExists)
		}
		return s.putKey(next, &keyPair{id: id, key: key, generated: true})
	})
	if err == nil {
		s.trace.log(flagEnrollment, "generated %s key pair %s, %d bits", typ, id, bits)
	}
	return bits, err
}

func (s *Store) putKey(next *snapshot, k *keyPair) error {
	data, err := encodeStoredKey(k)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.path(dirKeys, k.id, ".key"), data); err != nil {
		return err
	}
	next.keys[k.id] = k
	return nil
}

// Digests a certificate request may be signed with ("digest").
const (
	DigestSHA1   = "sha-1"
	DigestSHA256 = "sha-256"
)

// GenerateRequest makes a PKCS #10 request for key pair id with the
// subject (as typed: "CN=r2,O=lab") and the alternative names, keeps it in
// the store and returns it in PEM.
func (s *Store) GenerateRequest(id, subject string, alt AltNames, digest string) ([]byte, *x509.CertificateRequest, error) {
	kp, ok := s.current().keys[id]
	if !ok {
		return nil, nil, fmt.Errorf("key pair %s %w", id, ErrNotFound)
	}
	raw, err := ParseSubject(subject)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.CertificateRequest{RawSubject: raw, DNSNames: alt.DNS, IPAddresses: alt.IPs,
		EmailAddresses: alt.Emails, SignatureAlgorithm: signatureAlgorithm(kp.key, digest)}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, kp.key)
	if err != nil {
		return nil, nil, err
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, nil, err
	}
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	err = s.change(func(next *snapshot) error {
		if err := atomicfile.Write(s.path(dirRequests, id, ".csr"), p); err != nil {
			return err
		}
		next.requests[id] = &request{id: id, der: der, csr: csr}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	s.trace.log(flagEnrollment, "generated certificate request %s for %s", id, dnString(raw))
	return p, csr, nil
}

// signatureAlgorithm picks the signature of a request or a self-signed
// certificate for a key and a digest.
func signatureAlgorithm(key crypto.Signer, digest string) x509.SignatureAlgorithm {
	if k, ok := key.Public().(*ecdsa.PublicKey); ok {
		if k.Curve.Params().BitSize > 256 {
			return x509.ECDSAWithSHA384
		}
		return x509.ECDSAWithSHA256
	}
	if digest == DigestSHA1 {
		return x509.SHA1WithRSA
	}
	return x509.SHA256WithRSA
}

// Errors of LoadLocal.
var (
	ErrKeyMismatch = errors.New("the public key of the certificate does not match the key pair")
	ErrNoKeyPair   = errors.New("no key pair")
)

// LoadLocal loads the local certificate id from a certificate file (the
// certificate, possibly followed by its chain). keyData, when not nil, is
// the private key file ("key"); otherwise the key pair id generated on the
// router must be the certificate's. The request of the same name is
// removed: it has been answered.
func (s *Store) LoadLocal(id string, certData, keyData []byte) error {
	if err := checkID("certificate-id", id); err != nil {
		return err
	}
	certs, err := ParseCertificates(certData)
	if err != nil {
		return err
	}
	var kp *keyPair
	if keyData != nil {
		key, err := ParseKey(keyData)
		if err != nil {
			return err
		}
		kp = &keyPair{id: id, key: key}
	} else if kp = s.current().keys[id]; kp == nil {
		return fmt.Errorf("%w for certificate-id %s", ErrNoKeyPair, id)
	}
	// The certificate is the one whose key is the key pair's; the others
	// are its chain.
	idx := -1
	for i, c := range certs {
		if samePublic(c.PublicKey, kp.key.Public()) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return ErrKeyMismatch
	}
	cert := certs[idx]
	chain := append(append([]*x509.Certificate{}, certs[:idx]...), certs[idx+1:]...)
	err = s.change(func(next *snapshot) error {
		if keyData != nil {
			if err := s.putKey(next, kp); err != nil {
				return err
			}
		}
		if err := atomicfile.Write(s.path(dirLocal, id, ".crt"), pemCerts(append([]*x509.Certificate{cert}, chain...))); err != nil {
			return err
		}
		next.locals[id] = &local{id: id, cert: cert, chain: chain}
		delete(next.requests, id)
		return removeFile(s.path(dirRequests, id, ".csr"))
	})
	if err == nil {
		s.trace.log(flagEnrollment, "loaded local certificate %s: %s", id, dnString(cert.RawSubject))
	}
	return err
}

// SelfSignedValidity is how long a self-signed certificate is valid.
const SelfSignedValidity = 5 * 365 * 24 * time.Hour

// GenerateSelfSigned makes the local certificate id, signed by its own key
// pair, with the subject and alternative names.
func (s *Store) GenerateSelfSigned(id, subject string, alt AltNames) error {
	kp, ok := s.current().keys[id]
	if !ok {
		return fmt.Errorf("key pair %s %w", id, ErrNotFound)
	}
	raw, err := ParseSubject(subject)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return err
	}
	spki, _ := x509.MarshalPKIXPublicKey(kp.key.Public())
	skid := sha1.Sum(spki)
	now := s.now().Truncate(time.Second)
	tmpl := &x509.Certificate{SerialNumber: serial, RawSubject: raw, NotBefore: now, NotAfter: now.Add(SelfSignedValidity),
		DNSNames: alt.DNS, IPAddresses: alt.IPs, EmailAddresses: alt.Emails, SubjectKeyId: skid[:],
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		BasicConstraintsValid: true, IsCA: true, SignatureAlgorithm: signatureAlgorithm(kp.key, DigestSHA256)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, kp.key.Public(), kp.key)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	err = s.change(func(next *snapshot) error {
		if err := atomicfile.Write(s.path(dirLocal, id, ".crt"), pemCerts([]*x509.Certificate{cert})); err != nil {
			return err
		}
		next.locals[id] = &local{id: id, cert: cert}
		return nil
	})
	if err == nil {
		s.trace.log(flagEnrollment, "generated self-signed certificate %s: %s", id, dnString(raw))
	}
	return err
}

// LoadCA makes certs the CA certificates of a CA profile, replacing those
// it had.
func (s *Store) LoadCA(profile string, certs []*x509.Certificate) error {
	if err := checkID("ca-profile", profile); err != nil {
		return err
	}
	if len(certs) == 0 {
		return ErrNoCertificate
	}
	err := s.change(func(next *snapshot) error {
		if err := atomicfile.Write(s.path(dirCA, profile, ".crt"), pemCerts(certs)); err != nil {
			return err
		}
		next.cas[profile] = &caCerts{profile: profile, certs: certs}
		return nil
	})
	if err == nil {
		s.trace.log(flagEnrollment, "loaded CA certificate for profile %s: %s", profile, dnString(certs[0].RawSubject))
	}
	return err
}

// ErrCRLSignature reports a CRL that no CA certificate of its profile signed.
var ErrCRLSignature = errors.New("CRL is not signed by the CA certificate of the profile")

// LoadCRL makes a CRL (PEM or DER) the one of a CA profile. The profile's
// CA certificate must have signed it.
func (s *Store) LoadCRL(profile string, data []byte) (*x509.RevocationList, error) {
	if err := checkID("ca-profile", profile); err != nil {
		return nil, err
	}
	l, err := ParseCRL(data)
	if err != nil {
		return nil, err
	}
	ca := s.current().cas[profile]
	if ca == nil {
		return nil, fmt.Errorf("CA certificate for profile %s %w", profile, ErrNotFound)
	}
	signed := false
	for _, c := range ca.certs {
		signed = signed || l.CheckSignatureFrom(c) == nil
	}
	if !signed {
		return nil, ErrCRLSignature
	}
	err = s.change(func(next *snapshot) error {
		p := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: l.Raw})
		if err := atomicfile.Write(s.path(dirCRL, profile, ".crl"), p); err != nil {
			return err
		}
		next.crls[profile] = &crl{profile: profile, list: l}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.trace.log(flagCRL, "loaded CRL for profile %s: %d revoked, next update %s", profile,
		len(l.RevokedCertificateEntries), l.NextUpdate.UTC().Format(time.RFC3339))
	return l, nil
}

// What the clear commands remove. Each takes a name, or "" for all.

// ClearLocal removes local certificates with their requests and key
// pairs; all ("") removes every local certificate, request and key pair.
func (s *Store) ClearLocal(id string) error {
	return s.clear(id, func(sn *snapshot) []string {
		return append(append(keysOf(sn.locals), keysOf(sn.requests)...), keysOf(sn.keys)...)
	}, dirLocal, dirRequests, dirKeys)
}

// ClearRequest removes certificate requests with their key pairs.
func (s *Store) ClearRequest(id string) error {
	return s.clear(id, func(sn *snapshot) []string { return keysOf(sn.requests) }, dirRequests, dirKeys)
}

// ClearKeyPair removes key pairs.
func (s *Store) ClearKeyPair(id string) error {
	return s.clear(id, func(sn *snapshot) []string { return keysOf(sn.keys) }, dirKeys)
}

// ClearCA removes the CA certificates (and CRLs) of CA profiles.
func (s *Store) ClearCA(profile string) error {
	return s.clear(profile, func(sn *snapshot) []string { return keysOf(sn.cas) }, dirCA, dirCRL)
}

// ClearCRL removes the CRLs of CA profiles.
func (s *Store) ClearCRL(profile string) error {
	return s.clear(profile, func(sn *snapshot) []string { return keysOf(sn.crls) }, dirCRL)
}

// clear removes name ("" for every name listed by names) from the kinds
// of objects dirs.
func (s *Store) clear(name string, names func(*snapshot) []string, dirs ...string) error {
	return s.change(func(next *snapshot) error {
		list := []string{name}
		if name == "" {
			list = names(next)
		}
		for _, n := range list {
			for _, d := range dirs {
				if err := s.remove(next, d, n); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (s *Store) remove(next *snapshot, dir, name string) error {
	ext := ".crt"
	switch dir {
	case dirKeys:
		ext = ".key"
		delete(next.keys, name)
	case dirRequests:
		ext = ".csr"
		delete(next.requests, name)
	case dirLocal:
		delete(next.locals, name)
	case dirCA:
		delete(next.cas, name)
	case dirCRL:
		ext = ".crl"
		delete(next.crls, name)
	}
	return removeFile(s.path(dir, name, ext))
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
