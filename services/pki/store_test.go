package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestKeyPairs(t *testing.T) {
	s := newStore(t)
	for _, tt := range []struct {
		id   string
		typ  KeyType
		bits int
		want int
		err  error
	}{
		{"rsa-default", RSA, 0, 2048, nil},
		{"rsa1024", RSA, 1024, 1024, nil},
		{"ec", ECDSA, 0, 256, nil},
		{"ec384", ECDSA, 384, 384, nil},
		{"bad-size", RSA, 512, 0, ErrKeySize},
		{"bad-ec", ECDSA, 2048, 0, ErrKeySize},
		{"rsa-default", RSA, 0, 0, ErrExists},
		{"bad/name", RSA, 0, 0, ErrBadName},
		{"..", RSA, 0, 0, ErrBadName},
	} {
		bits, err := s.GenerateKeyPair(tt.id, tt.typ, tt.bits)
		if !errors.Is(err, tt.err) || bits != tt.want {
			t.Errorf("%s %s %d: %d bits, %v; want %d, %v", tt.id, tt.typ, tt.bits, bits, err, tt.want, tt.err)
		}
	}
}

func TestParseSubject(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want: dnString of the result; "" for an error
	}{
		{"CN=r2,OU=lab,O=mxlab,C=US", "CN=r2, OU=lab, O=mxlab, C=US"},
		{" DC=juniper , CN=local ,L=sunnyvale,ST=california", "DC=juniper, CN=local, L=sunnyvale, ST=california"},
		{`CN=a\,b`, "CN=a,b"},
		{"cn=x;o=y", "CN=x, O=y"},
		{"E=a@b,SN=42", "emailAddress=a@b, SN=42"},
		{"CN=vsrx3 OU=VPN_Father", "CN=vsrx3 OU=VPN_Father"},
		{"", ""},
		{"CN", ""},
		{"CN=", ""},
		{"XX=1", ""},
		{"C=USA", ""},
		{"CN=a,,O=b", ""},
		{"DC=é", ""},
	} {
		der, err := ParseSubject(tt.in)
		got := ""
		if err == nil {
			got = dnString(der)
		}
		if got != tt.want {
			t.Errorf("ParseSubject(%q) = %q (%v), want %q", tt.in, got, err, tt.want)
		}
	}
	der, _ := ParseSubject("DC=juniper,CN=local,OU=marketing,O=juniper,L=sunnyvale,ST=california,C=us")
	if got, want := dnLong(der), "Organization: juniper, Organizational unit: marketing, Country: us, State: california, Locality: sunnyvale, Common name: local, Domain component: juniper"; got != want {
		t.Errorf("dnLong = %q\nwant %q", got, want)
	}
	if got, want := dnSpaced(der), "DC = juniper, CN = local, OU = marketing, O = juniper, L = sunnyvale, ST = california, C = us"; got != want {
		t.Errorf("dnSpaced = %q", got)
	}
}

// TestWorkflow walks the Junos steps on the store and reopens it.
func TestWorkflow(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ca := newCA(t, "lab CA")
	if _, err := s.GenerateKeyPair("r2-cert", RSA, 1024); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GenerateRequest("nokey", "CN=x", AltNames{}, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("request without key pair: %v", err)
	}
	p, csr, err := s.GenerateRequest("r2-cert", "CN=r2,O=lab", AltNames{DNS: []string{"r2.lab"}, IPs: []net.IP{net.ParseIP("10.1.23.1")}}, DigestSHA1)
	if err != nil {
		t.Fatal(err)
	}
	if csr.SignatureAlgorithm != x509.SHA1WithRSA || !bytes.HasPrefix(p, []byte("-----BEGIN CERTIFICATE REQUEST-----")) {
		t.Fatalf("request %v %q", csr.SignatureAlgorithm, p[:40])
	}
	parsed, err := ParseRequest(p)
	if err != nil || !parsed.IPAddresses[0].Equal(net.ParseIP("10.1.23.1")) || parsed.DNSNames[0] != "r2.lab" {
		t.Fatalf("request does not parse back: %v %+v", err, parsed)
	}
	cert, err := ca.Sign(parsed, labcaOptions())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "someone else"})
	if err := s.LoadLocal("r2-cert", pemCerts([]*x509.Certificate{other}), nil); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("certificate of another key: %v", err)
	}
	if err := s.LoadLocal("nokey", pemCerts([]*x509.Certificate{cert}), nil); !errors.Is(err, ErrNoKeyPair) {
		t.Fatalf("certificate without key pair: %v", err)
	}
	// The chain may come first in the file: the certificate is the one of the key.
	if err := s.LoadLocal("r2-cert", pemCerts([]*x509.Certificate{ca.Cert, cert}), nil); err != nil {
		t.Fatal(err)
	}
	loadCA(t, s, "ca-lab", ca.Cert)
	if _, err := s.LoadCRL("ca-lab", crlDER(t, ca.Cert, ca.Key, t0.AddDate(0, 0, 7))); err != nil {
		t.Fatal(err)
	}
	stranger := newCA(t, "stranger")
	if _, err := s.LoadCRL("ca-lab", crlDER(t, stranger.Cert, stranger.Key, t0.AddDate(0, 0, 7))); !errors.Is(err, ErrCRLSignature) {
		t.Fatalf("CRL of another issuer: %v", err)
	}

	// Reopened, the store holds the same objects.
	s2, err := Open(Options{Dir: dir, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	snap := s2.current()
	if l := snap.locals["r2-cert"]; l == nil || !l.cert.Equal(cert) || len(l.chain) != 1 {
		t.Fatalf("local certificate after reopen: %+v", l)
	}
	if k := snap.keys["r2-cert"]; k == nil || !k.generated || !samePublic(k.key.Public(), cert.PublicKey) {
		t.Fatal("key pair after reopen")
	}
	if _, ok := snap.requests["r2-cert"]; ok {
		t.Error("the request is still there after its certificate was loaded")
	}
	if snap.cas["ca-lab"] == nil || snap.crls["ca-lab"] == nil {
		t.Fatal("CA certificate or CRL lost")
	}
	if _, err := s2.VerifyLocal("r2-cert"); err != nil {
		t.Fatal(err)
	}
	// Every file is the owner's only.
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		st, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
		return nil
	})
	// Clearing the local certificate removes its key pair too.
	if err := s2.ClearLocal("r2-cert"); err != nil {
		t.Fatal(err)
	}
	if err := s2.ClearCA(""); err != nil {
		t.Fatal(err)
	}
	s3, _ := Open(Options{Dir: dir, Now: clock})
	if n := len(s3.current().locals) + len(s3.current().keys) + len(s3.current().cas) + len(s3.current().crls); n != 0 {
		t.Fatalf("%d objects left after clear", n)
	}
}

func nil2(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestImportKey(t *testing.T) {
	ca := newCA(t, "lab CA")
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	ecKey := nil2(t)
	pkcs8 := func(k any) []byte { der, _ := x509.MarshalPKCS8PrivateKey(k); return der }
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	for _, tt := range []struct {
		name string
		key  any
		file []byte
		err  error
	}{
		{"pkcs1 pem", rsaKey, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}), nil},
		{"pkcs8 der", rsaKey, pkcs8(rsaKey), nil},
		{"sec1 with parameters", ecKey, append([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})...), nil},
		{"encrypted", rsaKey, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), ErrEncryptedKey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			var pub any
			switch k := tt.key.(type) {
			case *rsa.PrivateKey:
				pub = &k.PublicKey
			case *ecdsa.PrivateKey:
				pub = &k.PublicKey
			}
			cert := signPub(t, ca.Cert, ca.Key, pub)
			err := s.LoadLocal("imp", pemCerts([]*x509.Certificate{cert}), tt.file)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if k := s.current().keys["imp"]; k == nil || k.generated {
				t.Fatal("imported key pair not stored as imported")
			}
		})
	}
}

func TestParsers(t *testing.T) {
	ca := newCA(t, "lab CA")
	c2, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "two"})
	pemTwo := pemCerts([]*x509.Certificate{ca.Cert, c2})
	derTwo := append(bytes.Clone(ca.Cert.Raw), c2.Raw...)
	for _, tt := range []struct {
		name string
		data []byte
		n    int
		err  bool
	}{
		{"pem", pemTwo, 2, false},
		{"der", derTwo, 2, false},
		{"pem with text around", append([]byte("subject=...\n"), pemTwo...), 2, false},
		{"pkcs7 der", pkcs7(t, ca.Cert, c2), 2, false},
		{"pkcs7 pem", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: pkcs7(t, ca.Cert, c2)}), 2, false},
		{"empty", nil, 0, true},
		{"pem without certificate", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{1}}), 0, true},
		{"garbage", []byte("hello"), 0, true},
		{"too large", make([]byte, MaxFile+1), 0, true},
	} {
		certs, err := ParseCertificates(tt.data)
		if (err != nil) != tt.err || len(certs) != tt.n {
			t.Errorf("%s: %d certificates, %v", tt.name, len(certs), err)
		}
	}
	der := crlDER(t, ca.Cert, ca.Key, t0.AddDate(0, 0, 1))
	for _, data := range [][]byte{der, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})} {
		if _, err := ParseCRL(data); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseCRL(pemTwo); !errors.Is(err, ErrNoCRL) {
		t.Errorf("certificates as a CRL: %v", err)
	}
}

// pkcs7 builds a degenerate PKCS #7 signed-data bundle.
func pkcs7(t testing.TB, certs ...*x509.Certificate) []byte {
	t.Helper()
	var raw []byte
	for _, c := range certs {
		raw = append(raw, c.Raw...)
	}
	// SignedData ::= SEQUENCE { version 1, digestAlgorithms SET {}, contentInfo SEQUENCE { data OID }, [0] certificates }
	seq := func(tag byte, body []byte) []byte { return append(asnHeader(tag, len(body)), body...) }
	dataOID := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}
	sd := seq(0x30, bytes.Join([][]byte{{0x02, 0x01, 0x01}, {0x31, 0x00}, seq(0x30, dataOID), seq(0xa0, raw)}, nil))
	signedOID := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	return seq(0x30, append(signedOID, seq(0xa0, sd)...))
}

func asnHeader(tag byte, n int) []byte {
	switch {
	case n < 0x80:
		return []byte{tag, byte(n)}
	case n < 0x100:
		return []byte{tag, 0x81, byte(n)}
	}
	return []byte{tag, 0x82, byte(n >> 8), byte(n)}
}

func signPub(t testing.TB, ca *x509.Certificate, caKey any, pub any) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: bigOne(), NotBefore: t0.Add(-1e9), NotAfter: t0.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, pub, caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// TestConcurrent reads snapshots while changes go on (run with -race).
func TestConcurrent(t *testing.T) {
	s := newStore(t)
	ca := newCA(t, "lab CA")
	loadCA(t, s, "ca-lab", ca.Cert)
	peer, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "peer"})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Verify(Peer{Certs: [][]byte{peer.Raw}}); err != nil {
					t.Error(err)
					return
				}
				s.ShowCA(discard{}, "", true)
			}
		}()
	}
	for i := range 20 {
		id := "k" + string(rune('a'+i))
		if _, err := s.GenerateKeyPair(id, ECDSA, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.ClearKeyPair(id); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if _, err := os.Stat(s.dir); err != nil {
		t.Fatal(err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestClear(t *testing.T) {
	s := newStore(t)
	ca := testSigner(t)
	credential(t, s, "a", ECDSA, 256, ca)
	credential(t, s, "b", ECDSA, 256, ca)
	s.GenerateKeyPair("c", ECDSA, 0)
	s.GenerateRequest("c", "CN=c", AltNames{}, "")
	s.GenerateKeyPair("d", ECDSA, 0)
	count := func() [3]int {
		sn := s.current()
		return [3]int{len(sn.locals), len(sn.requests), len(sn.keys)}
	}
	for _, tt := range []struct {
		clear func() error
		want  [3]int
	}{
		{func() error { return s.ClearLocal("a") }, [3]int{1, 1, 3}},
		{func() error { return s.ClearLocal("nosuch") }, [3]int{1, 1, 3}},
		{func() error { return s.ClearRequest("c") }, [3]int{1, 0, 2}},
		{func() error { return s.ClearKeyPair("") }, [3]int{1, 0, 0}},
		{func() error { return s.ClearLocal("") }, [3]int{0, 0, 0}},
	} {
		if err := tt.clear(); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != tt.want {
			t.Fatalf("locals, requests, keys = %v, want %v", got, tt.want)
		}
	}
	names, _ := filepath.Glob(filepath.Join(s.dir, "*", "*"))
	if len(names) != 0 {
		t.Errorf("files left: %v", names)
	}
}
