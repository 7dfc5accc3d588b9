package pki

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	ca := newCA(t, "lab CA")
	other := newCA(t, "other CA")
	inter, interKey := issue(t, ca.Cert, ca.Key, leaf{cn: "intermediate", isCA: true,
		keyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign})
	ok, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "r3", ips: []string{"10.1.23.2"}, dns: []string{"r3.lab"}, emails: []string{"r3@lab"}})
	expired, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "old", ips: []string{"10.1.23.2"}, notBefore: t0.AddDate(-2, 0, 0), days: 30})
	early, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "early", notBefore: t0.Add(24 * time.Hour)})
	foreign, _ := issue(t, other.Cert, other.Key, leaf{cn: "foreign", ips: []string{"10.1.23.2"}})
	viaInter, _ := issue(t, inter, interKey, leaf{cn: "deep", ips: []string{"10.1.23.2"}})
	encOnly, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "enc", keyUsage: x509.KeyUsageKeyEncipherment})
	withCDP, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "cdp", crlURL: "http://ca.lab/ca.crl"})
	tampered, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "tampered"})
	bad := append([]byte{}, tampered.Raw...)
	bad[len(bad)-5] ^= 0xff
	revoked, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "revoked"})
	notCA, notCAKey := issue(t, ca.Cert, ca.Key, leaf{cn: "not a CA"})
	underNotCA, _ := issue(t, notCA, notCAKey, leaf{cn: "under"})

	ipID := func(s string) *Identity { id := AddrIdentity(netip.MustParseAddr(s)); return &id }
	fqdn := func(s string) *Identity { return &Identity{Type: IDFQDN, Data: []byte(s)} }
	dnOf := func(c *x509.Certificate) *Identity { id := DNIdentity(c); return &id }
	typedDN, _ := ParseSubject("O=test, CN=r3") // same attributes, other string types
	tests := []struct {
		name     string
		certs    []*x509.Certificate
		raw      [][]byte // instead of certs
		profiles []string
		id       *Identity
		remote   RemoteID
		check    Revocation
		crl      bool // load a CRL revoking "revoked", valid
		staleCRL bool
		want     Reason // "" for accepted
	}{
		{name: "accepted", certs: []*x509.Certificate{ok}, id: ipID("10.1.23.2")},
		{name: "accepted in its profile", certs: []*x509.Certificate{ok}, profiles: []string{"ca-lab"}, id: ipID("10.1.23.2")},
		{name: "fqdn", certs: []*x509.Certificate{ok}, id: fqdn("R3.lab")},
		{name: "user-fqdn", certs: []*x509.Certificate{ok}, id: &Identity{Type: IDUserFQDN, Data: []byte("r3@lab")}},
		{name: "dn", certs: []*x509.Certificate{ok}, id: dnOf(ok)},
		{name: "dn typed other string types", certs: []*x509.Certificate{ok}, id: &Identity{Type: IDDN, Data: typedDN}},
		{name: "key-id binds to nothing", certs: []*x509.Certificate{ok}, id: &Identity{Type: IDKeyID, Data: []byte{1, 2}}},
		{name: "no certificate", want: ReasonNoCertificate},
		{name: "malformed", raw: [][]byte{[]byte("not DER")}, want: ReasonMalformed},
		{name: "unknown CA", certs: []*x509.Certificate{foreign}, id: ipID("10.1.23.2"), want: ReasonUnknownCA},
		{name: "CA of another profile", certs: []*x509.Certificate{ok}, profiles: []string{"ca-other"}, want: ReasonUnknownCA},
		{name: "expired", certs: []*x509.Certificate{expired}, id: ipID("10.1.23.2"), want: ReasonExpired},
		{name: "not yet valid", certs: []*x509.Certificate{early}, want: ReasonNotYetValid},
		{name: "identity mismatch", certs: []*x509.Certificate{ok}, id: ipID("10.1.23.9"), want: ReasonIDMismatch},
		{name: "fqdn mismatch", certs: []*x509.Certificate{ok}, id: fqdn("r4.lab"), want: ReasonIDMismatch},
		{name: "dn mismatch", certs: []*x509.Certificate{ok}, id: dnOf(foreign), want: ReasonIDMismatch},
		{name: "remote-id refuses", certs: []*x509.Certificate{ok}, id: ipID("10.1.23.2"),
			remote: RemoteID{IPv4: []netip.Addr{netip.MustParseAddr("10.1.23.3")}}, want: ReasonRemoteIDRefused},
		{name: "remote-id accepts", certs: []*x509.Certificate{ok}, id: ipID("10.1.23.2"),
			remote: RemoteID{IPv4: []netip.Addr{netip.MustParseAddr("10.1.23.2")}}},
		{name: "intermediate sent by peer", certs: []*x509.Certificate{viaInter, inter}, id: ipID("10.1.23.2")},
		{name: "intermediate missing", certs: []*x509.Certificate{viaInter}, want: ReasonUnknownCA},
		{name: "issuer not a CA", certs: []*x509.Certificate{underNotCA, notCA}, want: ReasonUnknownCA},
		{name: "key usage", certs: []*x509.Certificate{encOnly}, want: ReasonKeyUsage},
		{name: "bad signature", raw: [][]byte{bad}, want: ReasonBadSignature},
		{name: "revoked", certs: []*x509.Certificate{revoked}, crl: true, want: ReasonRevoked},
		{name: "not revoked", certs: []*x509.Certificate{ok}, crl: true},
		{name: "revocation-check disable", certs: []*x509.Certificate{revoked}, crl: true, check: Revocation{Mode: RevocationDisable}},
		{name: "CRL expired", certs: []*x509.Certificate{ok}, staleCRL: true, want: ReasonCRLExpired},
		{name: "CRL expired, on-download-failure", certs: []*x509.Certificate{ok}, staleCRL: true,
			check: Revocation{Mode: RevocationCRL, CRLFailOpen: true}},
		{name: "distribution point, no CRL", certs: []*x509.Certificate{withCDP}, want: ReasonCRLUnavailable},
		{name: "distribution point, on-download-failure", certs: []*x509.Certificate{withCDP},
			check: Revocation{Mode: RevocationCRL, CRLFailOpen: true}},
		{name: "distribution point, check disabled", certs: []*x509.Certificate{withCDP}, check: Revocation{Mode: RevocationDisable}},
		{name: "CRL URL configured, no CRL", certs: []*x509.Certificate{ok},
			check: Revocation{Mode: RevocationCRL, CRLURLs: []string{"http://ca/crl"}}, want: ReasonCRLUnavailable},
		{name: "OCSP unreachable", certs: []*x509.Certificate{ok}, check: Revocation{Mode: RevocationOCSP}, want: ReasonCRLUnavailable},
		{name: "OCSP failure disable", certs: []*x509.Certificate{ok}, check: Revocation{Mode: RevocationOCSP, OCSPFailure: "disable"}},
		{name: "OCSP fallback to CRL", certs: []*x509.Certificate{revoked}, crl: true,
			check: Revocation{Mode: RevocationOCSP, OCSPFailure: "fallback-crl"}, want: ReasonRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			loadCA(t, s, "ca-lab", ca.Cert)
			loadCA(t, s, "ca-other", newCA(t, "unrelated").Cert)
			check := tt.check
			if check.Mode == "" {
				check.Mode = RevocationCRL
			}
			setProfiles(s, Profile{Name: "ca-lab", Check: check}, Profile{Name: "ca-other", Check: check})
			switch {
			case tt.crl:
				if _, err := s.LoadCRL("ca-lab", crlDER(t, ca.Cert, ca.Key, t0.Add(24*time.Hour), revoked.SerialNumber)); err != nil {
					t.Fatal(err)
				}
			case tt.staleCRL:
				if _, err := s.LoadCRL("ca-lab", crlDER(t, ca.Cert, ca.Key, t0.Add(-time.Minute))); err != nil {
					t.Fatal(err)
				}
			}
			raw := tt.raw
			for _, c := range tt.certs {
				raw = append(raw, c.Raw)
			}
			v, err := s.Verify(Peer{Certs: raw, Profiles: tt.profiles, ID: tt.id, Remote: tt.remote})
			if got := ReasonOf(err); got != tt.want {
				t.Fatalf("reason %q (%v), want %q", got, err, tt.want)
			}
			if tt.want == "" && (v == nil || v.Profile != "ca-lab") {
				t.Fatalf("verified %+v, want profile ca-lab", v)
			}
			if tt.want != "" && !errors.Is(err, &VerifyError{Reason: tt.want}) {
				t.Errorf("errors.Is does not match %q", tt.want)
			}
		})
	}
}

func TestVerifyErrorText(t *testing.T) {
	ca, other := newCA(t, "lab CA"), newCA(t, "other CA")
	s := newStore(t)
	loadCA(t, s, "ca-lab", ca.Cert)
	expired, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "old", notBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), days: 30})
	foreign, _ := issue(t, other.Cert, other.Key, leaf{cn: "foreign"})
	ok, _ := issue(t, ca.Cert, ca.Key, leaf{cn: "r3", ips: []string{"10.1.23.2"}})
	id := AddrIdentity(netip.MustParseAddr("10.9.9.9"))
	for _, tt := range []struct {
		peer Peer
		want string
	}{
		{Peer{Certs: [][]byte{expired.Raw}}, "certificate expired (O=test, CN=old): expired on 2024-01-31 00:00:00 UTC"},
		{Peer{Certs: [][]byte{foreign.Raw}}, "unknown CA (O=test, CN=foreign): issuer O=mxlab, CN=other CA is not a loaded CA certificate"},
		{Peer{Certs: [][]byte{foreign.Raw}, Profiles: []string{"ca-x"}}, "unknown CA (O=test, CN=foreign): no CA certificate loaded (trusted CA profiles [ca-x])"},
		{Peer{Certs: [][]byte{ok.Raw}, ID: &id}, "peer ID not in certificate (O=test, CN=r3): ID 10.9.9.9 is not the subject or a subject alternative name"},
	} {
		_, err := s.Verify(tt.peer)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error %v\nwant %s", err, tt.want)
		}
	}
}

func TestVerifySHA1(t *testing.T) {
	// Junos accepts certificates signed with SHA-1; Go's Verify does not.
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := issue(t, nil, nil, leaf{cn: "rsa root", isCA: true, keyUsage: x509.KeyUsageCertSign, key: caKey})
	ee, _ := issue(t, root, caKey, leaf{cn: "sha1 peer", sigAlg: x509.SHA1WithRSA})
	if ee.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Skip("crypto/x509 no longer makes SHA-1 certificates")
	}
	s := newStore(t)
	loadCA(t, s, "p", root)
	if _, err := s.Verify(Peer{Certs: [][]byte{ee.Raw}}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyLocalAndCA(t *testing.T) {
	ca := newCA(t, "lab CA")
	s := newStore(t)
	if _, err := s.GenerateKeyPair("r2", ECDSA, 0); err != nil {
		t.Fatal(err)
	}
	_, csr, err := s.GenerateRequest("r2", "CN=r2,O=lab", AltNames{}, "")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Sign(csr, labcaOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadLocal("r2", pemCerts([]*x509.Certificate{cert}), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyLocal("r2"); ReasonOf(err) != ReasonUnknownCA {
		t.Fatalf("before the CA: %v", err)
	}
	if err := s.VerifyCA("ca-lab"); err == nil {
		t.Fatal("VerifyCA of a profile without certificate succeeded")
	}
	loadCA(t, s, "ca-lab", ca.Cert)
	if _, err := s.VerifyLocal("r2"); err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyCA("ca-lab"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyLocal("nope"); ReasonOf(err) != ReasonNoLocalCert {
		t.Fatalf("missing local certificate: %v", err)
	}
	if !strings.Contains(ca.Cert.Subject.CommonName, "lab CA") {
		t.Fatal(ca.Cert.Subject)
	}
}
