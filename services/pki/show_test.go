package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxlab/config"
	"mxlab/config/schema"
	"mxlab/services/pki/labca"
)

var (
	update   = flag.Bool("update", false, "rewrite the golden files in testdata")
	fixtures = flag.Bool("fixtures", false, "make the test store of testdata/store again (new keys: then run -update)")
)

// fixtureDir is a store made once by makeFixtures (its keys are test
// keys, of no use elsewhere), so that the outputs are stable.
const fixtureDir = "testdata/store"

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// makeFixtures fills testdata/store: CA profile ca-lab (RSA 2048) with a
// CRL revoking one certificate, local certificate r2-cert (RSA 2048,
// generated locally, signed by the CA, with alternative names), local
// certificate r2-ecdsa (ECDSA P-256, imported), request r3-cert.
func makeFixtures(t *testing.T) {
	os.RemoveAll(fixtureDir)
	s, err := Open(Options{Dir: fixtureDir, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := labca.Create(t.TempDir(), labca.Options{Name: "mxlab lab CA", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	loadCA(t, s, "ca-lab", ca.Cert)
	if _, err := s.GenerateKeyPair("r2-cert", RSA, 2048); err != nil {
		t.Fatal(err)
	}
	_, csr, err := s.GenerateRequest("r2-cert", "DC=lab,CN=r2,OU=vpn,O=mxlab,L=sunnyvale,ST=california,C=US",
		AltNames{DNS: []string{"r2.lab"}, IPs: []net.IP{net.ParseIP("10.1.23.1")}, Emails: []string{"r2@lab"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Sign(csr, labca.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadLocal("r2-cert", pemCerts([]*x509.Certificate{cert}), nil); err != nil {
		t.Fatal(err)
	}
	ec, key := issue(t, ca.Cert, ca.Key, leaf{cn: "r2-ecdsa", ips: []string{"10.1.23.1"}, crlURL: "http://ca.lab/ca.crl"})
	keyPEM, _ := labca.KeyPEM(key)
	if err := s.LoadLocal("r2-ecdsa", pemCerts([]*x509.Certificate{ec}), keyPEM); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GenerateKeyPair("r3-cert", ECDSA, 256); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GenerateRequest("r3-cert", "CN=r3,O=mxlab", AltNames{IPs: []net.IP{net.ParseIP("10.1.23.2")}}, ""); err != nil {
		t.Fatal(err)
	}
	revoked := []x509.RevocationListEntry{{SerialNumber: big.NewInt(0x43da0), RevocationTime: t0.Add(-time.Hour)}}
	der, err := x509.CreateRevocationList(nil, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: t0.Add(-time.Hour),
		NextUpdate: t0.AddDate(0, 0, 7), RevokedCertificateEntries: revoked}, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadCRL("ca-lab", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})); err != nil {
		t.Fatal(err)
	}
}

// fixtureStore copies the fixtures into a new store (git does not keep
// the modes) and configures it with the E1 router R2.
func fixtureStore(t *testing.T) *Store {
	t.Helper()
	if *fixtures {
		makeFixtures(t)
	}
	dir := t.TempDir()
	err := filepath.WalkDir(fixtureDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureDir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o700)
		return os.WriteFile(filepath.Join(dir, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{Dir: dir, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("../testdata/examples/e1-r2.conf.golden")
	if err != nil {
		t.Fatal(err)
	}
	root, err := config.ParseText(string(text), schema.Root())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Prepare(t.Context(), nil, root)
	p.Apply()
	return s
}

func TestShow(t *testing.T) {
	s := fixtureStore(t)
	for _, tt := range []struct {
		name string
		show func(*bytes.Buffer)
	}{
		{"ca", func(b *bytes.Buffer) { s.ShowCA(b, "", false) }},
		{"ca_detail", func(b *bytes.Buffer) { s.ShowCA(b, "ca-lab", true) }},
		{"local", func(b *bytes.Buffer) { s.ShowLocal(b, "", false) }},
		{"local_detail", func(b *bytes.Buffer) { s.ShowLocal(b, "", true) }},
		{"request", func(b *bytes.Buffer) { s.ShowRequests(b, "", false) }},
		{"request_detail", func(b *bytes.Buffer) { s.ShowRequests(b, "r3-cert", true) }},
		{"crl", func(b *bytes.Buffer) { s.ShowCRL(b, "", false) }},
		{"crl_detail", func(b *bytes.Buffer) { s.ShowCRL(b, "ca-lab", true) }},
		{"ipsec", func(b *bytes.Buffer) { s.ShowIPsec(b, "", false) }},
		{"ipsec_detail", func(b *bytes.Buffer) { s.ShowIPsec(b, "ss-ike", true) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var first bytes.Buffer
			tt.show(&first)
			for range 3 { // map order must not show
				var again bytes.Buffer
				tt.show(&again)
				if !bytes.Equal(first.Bytes(), again.Bytes()) {
					t.Fatal("output changes from one run to the next")
				}
			}
			golden(t, tt.name, first.Bytes())
		})
	}
	var none bytes.Buffer
	s.ShowLocal(&none, "nope", false)
	s.ShowCA(&none, "nope", true)
	if none.Len() != 0 {
		t.Errorf("output for names that do not exist: %q", none.String())
	}
}

func TestShowIPsecStates(t *testing.T) {
	s := fixtureStore(t)
	// The E1 policy names r2-cert; once its key pair is gone and the CA
	// cleared, the output says so.
	if err := s.ClearKeyPair("r2-cert"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	s.ShowIPsec(&b, "", false)
	if !strings.Contains(b.String(), "Status: Key pair not found") {
		t.Errorf("missing key pair not shown:\n%s", b.String())
	}
	s.ClearCA("")
	b.Reset()
	s.ShowIPsec(&b, "", false)
	if !strings.Contains(b.String(), "Status: CA certificate not loaded") || !strings.Contains(b.String(), "Status: Unknown CA") {
		t.Errorf("missing CA not shown:\n%s", b.String())
	}
}
