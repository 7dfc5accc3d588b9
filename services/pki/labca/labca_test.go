package labca

import (
	"crypto/x509"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCA(t *testing.T) {
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
	if _, err := Open(dir); !errors.Is(err, ErrNoCA) {
		t.Fatalf("empty directory: %v", err)
	}
	ca, err := Create(dir, Options{KeyType: "ecdsa", Now: now, Name: "test CA"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(dir, Options{}); err == nil {
		t.Fatal("a second CA in the same directory")
	}
	if st, _ := os.Stat(filepath.Join(dir, KeyFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode().Perm())
	}
	again, err := OpenOrCreate(dir, Options{})
	if err != nil || !again.Cert.Equal(ca.Cert) {
		t.Fatalf("reopened: %v", err)
	}
	again.SetClock(now)
	cert, key, err := again.Issue("peer", []string{"10.0.0.2", "peer.lab", "peer@lab"}, Options{Days: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.IPAddresses) != 1 || cert.DNSNames[0] != "peer.lab" || cert.EmailAddresses[0] != "peer@lab" ||
		!cert.NotAfter.Equal(now().Add(-time.Minute).Truncate(time.Second).AddDate(0, 0, 10)) {
		t.Fatalf("issued %v %v %v until %v", cert.IPAddresses, cert.DNSNames, cert.EmailAddresses, cert.NotAfter)
	}
	if err := cert.CheckSignatureFrom(ca.Cert); err != nil {
		t.Fatal(err)
	}
	if _, err := KeyPEM(key); err != nil {
		t.Fatal(err)
	}
	if err := again.Revoke(cert.SerialNumber); err != nil {
		t.Fatal(err)
	}
	der, err := again.CRL(0)
	if err != nil {
		t.Fatal(err)
	}
	l, err := x509.ParseRevocationList(der)
	if err != nil || l.CheckSignatureFrom(ca.Cert) != nil {
		t.Fatalf("CRL: %v", err)
	}
	if len(l.RevokedCertificateEntries) != 1 || l.RevokedCertificateEntries[0].SerialNumber.Cmp(cert.SerialNumber) != 0 {
		t.Fatalf("revoked %v", l.RevokedCertificateEntries)
	}
	if l.NextUpdate.Sub(l.ThisUpdate) != 7*24*time.Hour {
		t.Errorf("CRL valid %v", l.NextUpdate.Sub(l.ThisUpdate))
	}
	if err := again.Revoke(big.NewInt(5)); err != nil {
		t.Fatal(err)
	}
	if _, err := newKey("dsa", 0); err == nil {
		t.Error("dsa key made")
	}
}
