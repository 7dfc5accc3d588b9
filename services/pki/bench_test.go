package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"net/netip"
	"testing"

	"mxlab/services/pki/labca"
)

// rsaSetup makes a store with an RSA-2048 CA, a local RSA-2048
// credential and a peer certificate it issued.
func rsaSetup(b *testing.B) (*Store, *Credential, *x509.Certificate) {
	b.Helper()
	s := newStore(b)
	ca, err := labca.Create(b.TempDir(), labca.Options{Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	loadCA(b, s, "ca-lab", ca.Cert)
	setProfiles(s, Profile{Name: "ca-lab", Check: Revocation{Mode: RevocationCRL}})
	cred := credential(b, s, "r2", RSA, 2048, signer{func(csr *x509.CertificateRequest) (*x509.Certificate, error) {
		return ca.Sign(csr, labcaOptions())
	}})
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	peer, _ := issue(b, ca.Cert, ca.Key, leaf{cn: "r3", ips: []string{"10.1.23.2"}, key: key})
	return s, cred, peer
}

func perSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSignRSA2048 is the AUTH signature of one IKEv2 exchange
// (RFC 7427, SHA-256).
func BenchmarkSignRSA2048(b *testing.B) {
	_, cred, _ := rsaSetup(b)
	octets := make([]byte, 600)
	for b.Loop() {
		if _, err := cred.Sign(AuthDigitalSignature, crypto.SHA256, octets); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

// BenchmarkVerifyRSA2048 checks a peer's AUTH signature.
func BenchmarkVerifyRSA2048(b *testing.B) {
	_, cred, _ := rsaSetup(b)
	octets := make([]byte, 600)
	auth, _ := cred.Sign(AuthDigitalSignature, crypto.SHA256, octets)
	for b.Loop() {
		if err := VerifyAuth(AuthDigitalSignature, cred.Cert.PublicKey, octets, auth); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

// BenchmarkVerifyCertificate validates an RSA-2048 peer certificate
// against an RSA-2048 CA: parse, chain, dates, key usage, revocation
// settings, ID binding and remote-id.
func BenchmarkVerifyCertificate(b *testing.B) {
	s, _, peer := rsaSetup(b)
	id := AddrIdentity(netip.MustParseAddr("10.1.23.2"))
	p := Peer{Certs: [][]byte{peer.Raw}, Profiles: []string{"ca-lab"}, ID: &id,
		Remote: RemoteID{IPv4: []netip.Addr{netip.MustParseAddr("10.1.23.2")}}}
	for b.Loop() {
		if _, err := s.Verify(p); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

// BenchmarkSignECDSA256 and BenchmarkVerifyECDSA256: the same with P-256
// (method 9).
func BenchmarkSignECDSA256(b *testing.B) {
	s := newStore(b)
	cred := credential(b, s, "e", ECDSA, 256, testSigner(b))
	octets := make([]byte, 600)
	for b.Loop() {
		if _, err := cred.Sign(AuthECDSA256, 0, octets); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

func BenchmarkVerifyECDSA256(b *testing.B) {
	s := newStore(b)
	cred := credential(b, s, "e", ECDSA, 256, testSigner(b))
	octets := make([]byte, 600)
	auth, _ := cred.Sign(AuthECDSA256, 0, octets)
	for b.Loop() {
		if err := VerifyAuth(AuthECDSA256, cred.Cert.PublicKey, octets, auth); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}
