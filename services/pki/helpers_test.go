package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"mxlab/services/pki/labca"
)

// t0 is the clock of the tests.
var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

func newStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(Options{Dir: t.TempDir(), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newCA makes a lab CA (ECDSA, fast) valid around t0.
func newCA(t testing.TB, name string) *labca.CA {
	t.Helper()
	ca, err := labca.Create(t.TempDir(), labca.Options{Name: name, KeyType: "ecdsa", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// leaf describes an end certificate for issue.
type leaf struct {
	cn        string
	ips       []string
	dns       []string
	emails    []string
	notBefore time.Time
	days      int
	keyUsage  x509.KeyUsage
	crlURL    string
	isCA      bool
	sigAlg    x509.SignatureAlgorithm
	key       crypto.Signer
}

// issue makes a certificate signed by the CA (cert and key given
// directly, so that intermediates can sign too) and returns it with its key.
func issue(t testing.TB, caCert *x509.Certificate, caKey crypto.Signer, l leaf) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key := l.key
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	if l.notBefore.IsZero() {
		l.notBefore = t0.Add(-time.Hour)
	}
	if l.days == 0 {
		l.days = 365
	}
	if l.keyUsage == 0 {
		l.keyUsage = x509.KeyUsageDigitalSignature
	}
	sn, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	spki, _ := x509.MarshalPKIXPublicKey(key.Public())
	skid := sha1.Sum(spki)
	tmpl := &x509.Certificate{SerialNumber: sn, Subject: pkix.Name{CommonName: l.cn, Organization: []string{"test"}},
		NotBefore: l.notBefore, NotAfter: l.notBefore.AddDate(0, 0, l.days), DNSNames: l.dns, EmailAddresses: l.emails,
		KeyUsage: l.keyUsage, SubjectKeyId: skid[:], BasicConstraintsValid: true, IsCA: l.isCA, SignatureAlgorithm: l.sigAlg}
	for _, ip := range l.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	if l.crlURL != "" {
		tmpl.CRLDistributionPoints = []string{l.crlURL}
	}
	parent, signer := caCert, caKey
	if caCert == nil { // self-signed
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// loadCA loads a CA certificate into a profile of the store.
func loadCA(t testing.TB, s *Store, profile string, certs ...*x509.Certificate) {
	t.Helper()
	if err := s.LoadCA(profile, certs); err != nil {
		t.Fatal(err)
	}
}

// setProfiles configures the CA profiles of the store.
func setProfiles(s *Store, profiles ...Profile) {
	s.cfg.Store(&Config{Profiles: profiles})
}

func crlDER(t testing.TB, ca *x509.Certificate, key crypto.Signer, next time.Time, revoked ...*big.Int) []byte {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, sn := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: sn, RevocationTime: t0.Add(-time.Minute)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1),
		ThisUpdate: t0.Add(-time.Hour), NextUpdate: next, RevokedCertificateEntries: entries}, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func labcaOptions() labca.Options { return labca.Options{Now: clock} }

func bigOne() *big.Int { return big.NewInt(1) }
