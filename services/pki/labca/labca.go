// Package labca is a small certification authority for labs: it makes a
// CA key and self-signed certificate, signs routers' certificate requests
// (PKCS #10, as "request security pki generate-certificate-request"
// writes them), issues certificates with their keys for other peers
// (strongSwan hosts) and publishes CRLs, with Go's crypto/x509 only, so
// that a trainee needs no outside tool. "mxlab lab pki" drives it.
//
// A CA lives in a directory: ca.key (PKCS #8, mode 0600), ca.crt, and
// revoked (one revoked serial number in hex a line).
package labca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The files of a CA directory.
const (
	KeyFile     = "ca.key"
	CertFile    = "ca.crt"
	RevokedFile = "revoked"
)

// CA is a certification authority.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	dir  string
	now  func() time.Time
}

// Options describe a new CA or a certificate to issue.
type Options struct {
	Name      string           // the CA's common name ("mxlab lab CA" by default)
	KeyType   string           // "rsa" (default) or "ecdsa"
	Bits      int              // 2048 (RSA) or 256 (ECDSA) by default
	Days      int              // validity in days; 3650 for a CA, 825 for a certificate
	NotBefore time.Time        // start of validity (default: now, minus a minute)
	Now       func() time.Time // clock; default time.Now
}

func (o *Options) defaults(days int) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Days == 0 {
		o.Days = days
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = o.Now().Add(-time.Minute).Truncate(time.Second)
	}
}

// ErrNoCA reports a directory that holds no CA.
var ErrNoCA = errors.New("no CA in this directory")

// Create makes a CA in dir (created when missing). It refuses a
// directory that already holds one.
func Create(dir string, o Options) (*CA, error) {
	o.defaults(3650)
	if o.Name == "" {
		o.Name = "mxlab lab CA"
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFile)); err == nil {
		return nil, fmt.Errorf("%s: a CA already exists", dir)
	}
	key, err := newKey(o.KeyType, o.Bits)
	if err != nil {
		return nil, err
	}
	subject := pkix.Name{Organization: []string{"mxlab"}, CommonName: o.Name}
	tmpl := &x509.Certificate{Subject: subject, NotBefore: o.NotBefore, NotAfter: o.NotBefore.AddDate(0, 0, o.Days),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true, IsCA: true, SubjectKeyId: keyID(key.Public())}
	if tmpl.SerialNumber, err = serial(); err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, CertFile), PEM(cert), 0o644); err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, dir: dir, now: o.Now}, nil
}

// Open reads the CA of dir.
func Open(dir string) (*CA, error) {
	keyPEM, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoCA)
	}
	if err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil {
		return nil, err
	}
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return nil, fmt.Errorf("%s: malformed CA files", dir)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, KeyFile), err)
	}
	key, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: not a signing key", filepath.Join(dir, KeyFile))
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, CertFile), err)
	}
	return &CA{Cert: cert, Key: key, dir: dir, now: time.Now}, nil
}

// OpenOrCreate opens the CA of dir, creating it when there is none.
func OpenOrCreate(dir string, o Options) (*CA, error) {
	ca, err := Open(dir)
	if errors.Is(err, ErrNoCA) {
		return Create(dir, o)
	}
	return ca, err
}

// SetClock sets the clock the CA dates certificates and CRLs with.
func (ca *CA) SetClock(now func() time.Time) { ca.now = now }

// Sign issues the certificate a request asks for: its subject, its
// subject alternative names and its key, for o.Days days (825 by
// default). The request's signature must verify.
func (ca *CA) Sign(csr *x509.CertificateRequest, o Options) (*x509.Certificate, error) {
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("certificate request signature: %w", err)
	}
	return ca.issue(csr.RawSubject, csr.PublicKey, csr.DNSNames, csr.IPAddresses, csr.EmailAddresses, o)
}

// Issue makes a key pair and its certificate (subject "CN=cn, O=mxlab"
// and the alternative names: DNS names, IP addresses or e-mail
// addresses, told apart by their form), for a peer that is not a router.
func (ca *CA) Issue(cn string, sans []string, o Options) (*x509.Certificate, crypto.Signer, error) {
	key, err := newKey(o.KeyType, o.Bits)
	if err != nil {
		return nil, nil, err
	}
	subject, err := asn1.Marshal(pkix.Name{Organization: []string{"mxlab"}, CommonName: cn}.ToRDNSequence())
	if err != nil {
		return nil, nil, err
	}
	var dns, emails []string
	var ips []net.IP
	for _, s := range sans {
		switch ip := net.ParseIP(s); {
		case ip != nil:
			ips = append(ips, ip)
		case strings.Contains(s, "@"):
			emails = append(emails, s)
		default:
			dns = append(dns, s)
		}
	}
	cert, err := ca.issue(subject, key.Public(), dns, ips, emails, o)
	return cert, key, err
}

func (ca *CA) issue(subject []byte, pub crypto.PublicKey, dns []string, ips []net.IP, emails []string, o Options) (*x509.Certificate, error) {
	if o.Now == nil {
		o.Now = ca.now
	}
	o.defaults(825)
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: sn, RawSubject: subject, NotBefore: o.NotBefore, NotAfter: o.NotBefore.AddDate(0, 0, o.Days),
		DNSNames: dns, IPAddresses: ips, EmailAddresses: emails, SubjectKeyId: keyID(pub), AuthorityKeyId: ca.Cert.SubjectKeyId,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// Revoke adds a serial number to the CA's revoked list (kept in its
// directory); the next CRL lists it.
func (ca *CA) Revoke(sn *big.Int) error {
	f, err := os.OpenFile(filepath.Join(ca.dir, RevokedFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "%x %d\n", sn, ca.now().Unix())
	return err
}

// CRL returns a CRL (DER) of the revoked serial numbers, valid for days.
func (ca *CA) CRL(days int) ([]byte, error) {
	if days == 0 {
		days = 7
	}
	var entries []x509.RevocationListEntry
	data, err := os.ReadFile(filepath.Join(ca.dir, RevokedFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		var hexSN string
		var at int64
		if n, _ := fmt.Sscanf(line, "%s %d", &hexSN, &at); n != 2 {
			continue
		}
		sn, ok := new(big.Int).SetString(hexSN, 16)
		if !ok {
			continue
		}
		entries = append(entries, x509.RevocationListEntry{SerialNumber: sn, RevocationTime: time.Unix(at, 0).UTC()})
	}
	now := ca.now().Truncate(time.Second)
	number, err := serial()
	if err != nil {
		return nil, err
	}
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: number, ThisUpdate: now,
		NextUpdate: now.AddDate(0, 0, days), RevokedCertificateEntries: entries}, ca.Cert, ca.Key)
}

// PEM encodes a certificate.
func PEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// KeyPEM encodes a private key (PKCS #8).
func KeyPEM(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func newKey(typ string, bits int) (crypto.Signer, error) {
	switch typ {
	case "", "rsa":
		if bits == 0 {
			bits = 2048
		}
		return rsa.GenerateKey(rand.Reader, bits)
	case "ecdsa":
		if bits == 384 {
			return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		}
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("key type %q: rsa or ecdsa", typ)
}

// serial returns a random positive 127-bit serial number.
func serial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

func keyID(pub crypto.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	h := sha1.Sum(der)
	return h[:]
}
