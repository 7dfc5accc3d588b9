package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"testing"
)

// credential makes a store with local certificate id of the given key
// type, signed by ca, and returns its credential.
func credential(t testing.TB, s *Store, id string, typ KeyType, bits int, ca interface {
	Sign(*x509.CertificateRequest) (*x509.Certificate, error)
}) *Credential {
	t.Helper()
	if _, err := s.GenerateKeyPair(id, typ, bits); err != nil {
		t.Fatal(err)
	}
	_, csr, err := s.GenerateRequest(id, "CN="+id+",O=lab", AltNames{}, "")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Sign(csr)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadLocal(id, pemCerts([]*x509.Certificate{cert}), nil); err != nil {
		t.Fatal(err)
	}
	cred, err := s.Credential(id)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

type signer struct {
	sign func(*x509.CertificateRequest) (*x509.Certificate, error)
}

func (s signer) Sign(csr *x509.CertificateRequest) (*x509.Certificate, error) { return s.sign(csr) }

func testSigner(t testing.TB) signer {
	ca := newCA(t, "lab CA")
	return signer{func(csr *x509.CertificateRequest) (*x509.Certificate, error) { return ca.Sign(csr, labcaOptions()) }}
}

func TestAuthRoundTrip(t *testing.T) {
	s := newStore(t)
	ca := testSigner(t)
	creds := map[string]*Credential{
		"rsa2048": credential(t, s, "rsa2048", RSA, 2048, ca),
		"p256":    credential(t, s, "p256", ECDSA, 256, ca),
		"p384":    credential(t, s, "p384", ECDSA, 384, ca),
	}
	octets := []byte("the signed octets of RFC 7296 section 2.15")
	tests := []struct {
		cred   string
		method AuthMethod
		hash   crypto.Hash
		err    error // from Sign
	}{
		{"rsa2048", AuthRSA, 0, nil},
		{"rsa2048", AuthDigitalSignature, crypto.SHA256, nil},
		{"rsa2048", AuthDigitalSignature, crypto.SHA384, nil},
		{"rsa2048", AuthDigitalSignature, crypto.SHA512, nil},
		{"rsa2048", AuthDigitalSignature, crypto.SHA1, nil},
		{"rsa2048", AuthECDSA256, 0, ErrAuthMethod},
		{"p256", AuthECDSA256, 0, nil},
		{"p256", AuthECDSA384, 0, ErrAuthMethod},
		{"p256", AuthRSA, 0, ErrAuthMethod},
		{"p256", AuthDigitalSignature, crypto.SHA256, nil},
		{"p384", AuthECDSA384, 0, nil},
		{"p384", AuthDigitalSignature, crypto.SHA384, nil},
	}
	for _, tt := range tests {
		c := creds[tt.cred]
		auth, err := c.Sign(tt.method, tt.hash, octets)
		if !errors.Is(err, tt.err) {
			t.Fatalf("%s method %d: sign error %v, want %v", tt.cred, tt.method, err, tt.err)
		}
		if err != nil {
			continue
		}
		if err := VerifyAuth(tt.method, c.Cert.PublicKey, octets, auth); err != nil {
			t.Errorf("%s method %d hash %v: %v", tt.cred, tt.method, tt.hash, err)
		}
		bad := bytes.Clone(auth)
		bad[len(bad)-1] ^= 1
		if err := VerifyAuth(tt.method, c.Cert.PublicKey, octets, bad); !errors.Is(err, ErrBadAuth) {
			t.Errorf("%s method %d: altered AUTH: %v", tt.cred, tt.method, err)
		}
		if err := VerifyAuth(tt.method, c.Cert.PublicKey, append(octets, 0), auth); !errors.Is(err, ErrBadAuth) {
			t.Errorf("%s method %d: other octets: %v", tt.cred, tt.method, err)
		}
	}
}

// TestAuthFormats checks the wire forms against the RFCs with the
// standard library as the oracle.
func TestAuthFormats(t *testing.T) {
	s := newStore(t)
	ca := testSigner(t)
	r := credential(t, s, "r", RSA, 2048, ca)
	e := credential(t, s, "e", ECDSA, 256, ca)
	octets := []byte("octets")

	// Method 1: PKCS #1 v1.5 over SHA-1 (with its DigestInfo).
	auth, _ := r.Sign(AuthRSA, 0, octets)
	h1 := sha1.Sum(octets)
	if err := rsa.VerifyPKCS1v15(r.Cert.PublicKey.(*rsa.PublicKey), crypto.SHA1, h1[:], auth); err != nil {
		t.Errorf("method 1 is not PKCS #1 v1.5 SHA-1: %v", err)
	}
	// Method 9: r||s, 32 bytes each, over SHA-256.
	auth, _ = e.Sign(AuthECDSA256, 0, octets)
	if len(auth) != 64 {
		t.Errorf("method 9: %d bytes, want 64", len(auth))
	}
	// Method 14: length, AlgorithmIdentifier of RFC 7427 Appendix A, signature.
	for _, tt := range []struct {
		c    *Credential
		hash crypto.Hash
		alg  string
	}{
		{r, crypto.SHA1, "300d06092a864886f70d0101050500"},
		{r, crypto.SHA256, "300d06092a864886f70d01010b0500"},
		{r, crypto.SHA384, "300d06092a864886f70d01010c0500"},
		{r, crypto.SHA512, "300d06092a864886f70d01010d0500"},
		{e, crypto.SHA256, "300a06082a8648ce3d040302"},
	} {
		auth, err := tt.c.Sign(AuthDigitalSignature, tt.hash, octets)
		if err != nil {
			t.Fatal(err)
		}
		alg, _ := hex.DecodeString(tt.alg)
		if int(auth[0]) != len(alg) || !bytes.Equal(auth[1:1+len(alg)], alg) {
			t.Errorf("%v: AlgorithmIdentifier %x, want %s", tt.hash, auth[1:1+int(auth[0])], tt.alg)
		}
	}
	auth, _ = e.Sign(AuthDigitalSignature, crypto.SHA256, octets)
	h256 := sha256.Sum256(octets)
	if !ecdsa.VerifyASN1(e.Cert.PublicKey.(*ecdsa.PublicKey), h256[:], auth[1+int(auth[0]):]) {
		t.Error("method 14 ECDSA signature is not DER Ecdsa-Sig-Value over SHA-256")
	}
	// An AlgorithmIdentifier the key cannot use is refused.
	auth, _ = r.Sign(AuthDigitalSignature, crypto.SHA256, octets)
	if err := VerifyAuth(AuthDigitalSignature, e.Cert.PublicKey, octets, auth); !errors.Is(err, ErrUnsupportedSig) {
		t.Errorf("RSA AUTH with an ECDSA key: %v", err)
	}
	for _, short := range [][]byte{nil, {200}, {3, 1}} {
		if err := VerifyAuth(AuthDigitalSignature, r.Cert.PublicKey, octets, short); err == nil {
			t.Errorf("truncated AUTH %x accepted", short)
		}
	}
}

func TestIKEv1Signature(t *testing.T) {
	s := newStore(t)
	ca := testSigner(t)
	hash := sha1.Sum([]byte("HASH_I"))
	for _, c := range []*Credential{credential(t, s, "r", RSA, 2048, ca), credential(t, s, "e", ECDSA, 256, ca)} {
		sig, err := c.SignIKEv1(hash[:])
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyIKEv1(c.Cert.PublicKey, hash[:], sig); err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
		if err := VerifyIKEv1(c.Cert.PublicKey, []byte("other hash, twenty b"), sig); !errors.Is(err, ErrBadAuth) {
			t.Errorf("%s: other hash: %v", c.ID, err)
		}
	}
	// RSA: PKCS #1 type 1 padding of the bare hash, no DigestInfo.
	c := credential(t, s, "raw", RSA, 2048, ca)
	sig, _ := c.SignIKEv1(hash[:])
	k := c.Cert.PublicKey.(*rsa.PublicKey)
	if err := rsa.VerifyPKCS1v15(k, 0, hash[:], sig); err != nil {
		t.Errorf("IKEv1 RSA signature is not raw PKCS #1: %v", err)
	}
}

func TestCertReq(t *testing.T) {
	s := newStore(t)
	ca, other := newCA(t, "lab CA"), newCA(t, "other CA")
	loadCA(t, s, "ca-lab", ca.Cert)
	loadCA(t, s, "ca-other", other.Cert)
	h := sha1.Sum(ca.Cert.RawSubjectPublicKeyInfo)
	if got := s.CAKeyHashes([]string{"ca-lab"}); !bytes.Equal(got, h[:]) {
		t.Fatalf("CERTREQ data %x, want %x", got, h)
	}
	if got := s.CAKeyHashes(nil); len(got) != 40 {
		t.Fatalf("CERTREQ of all profiles: %d bytes, want 40", len(got))
	}
	if names := s.CANames([]string{"ca-other"}); len(names) != 1 || !bytes.Equal(names[0], other.Cert.RawSubject) {
		t.Fatalf("IKEv1 CERTREQ names %x", names)
	}
	cred := credential(t, s, "r2", ECDSA, 256, signer{func(csr *x509.CertificateRequest) (*x509.Certificate, error) {
		return ca.Sign(csr, labcaOptions())
	}})
	oh := sha1.Sum(other.Cert.RawSubjectPublicKeyInfo)
	for _, tt := range []struct {
		hashes []byte
		want   bool
	}{
		{nil, true},
		{h[:], true},
		{append(oh[:], h[:]...), true},
		{oh[:], false},
	} {
		if got := s.MatchesCertReq(cred, tt.hashes); got != tt.want {
			t.Errorf("MatchesCertReq(%x) = %v, want %v", tt.hashes, got, tt.want)
		}
	}
	if got := cred.Certificates(false); len(got) != 1 || !bytes.Equal(got[0], cred.Cert.Raw) {
		t.Errorf("CERT payloads %d", len(got))
	}
	if cred.Method() != AuthECDSA256 {
		t.Errorf("method %d", cred.Method())
	}
}

func TestCredentialErrors(t *testing.T) {
	s := newStore(t)
	if _, err := s.Credential("none"); ReasonOf(err) != ReasonNoLocalCert {
		t.Fatalf("missing certificate: %v", err)
	}
	credential(t, s, "r2", ECDSA, 256, testSigner(t))
	if err := s.ClearKeyPair("r2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credential("r2"); ReasonOf(err) != ReasonNoKeyPair {
		t.Fatalf("certificate without its key pair: %v", err)
	}
}
