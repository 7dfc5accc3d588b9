package ikev1

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/pki"
	"mxlab/services/pki/labca"
)

// certStore makes the PKI of one router: the CA of signer's profile
// ca-lab (trust, the CA it trusts) and local certificate id signed by
// signer, with the addresses as alternative names.
func certStore(t testing.TB, now func() time.Time, trust, signer *labca.CA, id string, sans ...string) *pki.Store {
	t.Helper()
	s, err := pki.Open(pki.Options{Dir: t.TempDir(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCA("ca-lab", []*x509.Certificate{trust.Cert}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GenerateKeyPair(id, pki.RSA, 2048); err != nil {
		t.Fatal(err)
	}
	var ips []net.IP
	for _, a := range sans {
		ips = append(ips, net.ParseIP(a))
	}
	_, csr, err := s.GenerateRequest(id, "CN="+id+",O=lab", pki.AltNames{IPs: ips}, "")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := signer.Sign(csr, labca.Options{Now: now, Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadLocal(id, labca.PEM(cert), nil); err != nil {
		t.Fatal(err)
	}
	return s
}

// certSite turns a site's tunnel into one authenticated with RSA
// signatures and certificate id.
func certSite(tn *Tunnel, id string, dn bool, remote pki.RemoteID) {
	tn.IKE.PSK = nil
	for i := range tn.IKE.Proposals {
		tn.IKE.Proposals[i].Signatures = true
	}
	tn.IKE.Cert = CertAuth{LocalCertificate: id, LocalIDDN: dn, TrustedCA: []string{"ca-lab"}, Remote: remote}
}

func TestMainModeRSASignatures(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return start }
	ca, err := labca.Create(t.TempDir(), labca.Options{KeyType: "rsa", Now: func() time.Time { return start.Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	other, err := labca.Create(t.TempDir(), labca.Options{KeyType: "rsa", Now: func() time.Time { return start.Add(-time.Hour) }, Name: "other CA"})
	if err != nil {
		t.Fatal(err)
	}
	good1 := certStore(t, now, ca, ca, "r1-cert", "10.0.1.1")
	good2 := certStore(t, now, ca, ca, "r2-cert", "10.0.1.2")
	foreign2 := certStore(t, now, ca, other, "r2-cert", "10.0.1.2")
	tests := []struct {
		name     string
		s1, s2   *pki.Store
		dn       bool
		remote1  pki.RemoteID // r1's remote-id for r2
		both     bool         // both sides establish at once
		r1Refuse pki.Reason   // r1 refuses r2's certificate
	}{
		{name: "distinguished names", s1: good1, s2: good2, dn: true},
		{name: "addresses", s1: good1, s2: good2},
		{name: "both initiate", s1: good1, s2: good2, dn: true, both: true},
		{name: "unknown CA", s1: good1, s2: foreign2, r1Refuse: pki.ReasonUnknownCA},
		{name: "remote-id mismatch", s1: good1, s2: good2, remote1: pki.RemoteID{IPv4: []netip.Addr{netip.MustParseAddr("10.9.9.9")}},
			r1Refuse: pki.ReasonRemoteIDRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) {
				certSite(t1, "r1-cert", tt.dn, tt.remote1)
				certSite(t2, "r2-cert", tt.dn, pki.RemoteID{})
				t2.AutoStart = tt.both
			})
			r1.m.pki, r2.m.pki = tt.s1, tt.s2
			// The first messages are queued, not delivered: the stores
			// are in place before any certificate is needed.
			l.run(2 * time.Minute)
			if tt.r1Refuse != "" {
				if len(r1.installed)+len(r2.installed) != 0 {
					t.Fatalf("SAs installed with a refused certificate")
				}
				// Counted once per answer r1 refuses (r2 repeats it to
				// each retransmission): only under the reason.
				c := r1.m.Stats().Certificates
				var want ike.CertDrops
				for range c.Total() {
					want.Count(tt.r1Refuse)
				}
				if c.Total() == 0 || c != want {
					t.Errorf("r1 certificate drops %+v, want %+v\n%s", c, want, r1.dumpLog())
				}
				if r1.m.Stats().AuthFailed == 0 {
					t.Error("the refusal is not counted as an authentication failure")
				}
				return
			}
			if n := pair(t, r1, r2); n == 0 {
				t.Fatalf("no IPsec SAs\nr1:\n%s\nr2:\n%s", r1.dumpLog(), r2.dumpLog())
			}
			if a, b := r1.m.SAs(), r2.m.SAs(); tt.both && (len(a) != 1 || len(b) != 1 || a[0].ICookie != b[0].ICookie) {
				t.Errorf("after both initiated: r1 %d IKE SAs, r2 %d, not the same one", len(a), len(b))
			}
			for _, n := range []*node{r1, r2} {
				sas := n.m.SAs()
				if len(sas) == 0 {
					t.Fatalf("%s: no IKE SA", n.name)
				}
				for _, sa := range sas {
					if !sa.Established || !sa.Signatures {
						t.Errorf("%s: IKE SA %+v", n.name, sa)
					}
					if tt.dn && !strings.Contains(sa.RemoteID, "CN=") {
						t.Errorf("%s: remote ID %q, want a distinguished name", n.name, sa.RemoteID)
					}
				}
				if !strings.Contains(n.dumpLog(), "peer certificate CN=") {
					t.Errorf("%s: no certificate verified in the log\n%s", n.name, n.dumpLog())
				}
			}
		})
	}
}

// TestRSASignatureProposal: the phase-1 transform carries the
// authentication method, and a responder matches it.
func TestRSASignatureProposal(t *testing.T) {
	sig := IKEProposal{Signatures: true, Encryption: suite.AES128CBC, Hash: suite.SHA256, Group: suite.Group14, Lifetime: time.Hour}
	psk := sig
	psk.Signatures = false
	sa := phase1SA([]IKEProposal{sig})
	got, ok := parseP1Transform(&sa.Proposals[0].Transforms[0])
	if !ok || got != sig {
		t.Fatalf("parsed %+v %v, want %+v", got, ok, sig)
	}
	if _, _, ok := chooseP1(sa, []IKEProposal{psk}, 0); ok {
		t.Error("a pre-shared-key proposal accepted an RSA-signature offer")
	}
	if _, p, ok := chooseP1(sa, []IKEProposal{psk, sig}, 0); !ok || !p.Signatures {
		t.Errorf("chose %+v %v", p, ok)
	}
}

// TestSKEYIDSignatures checks SKEYID of signature authentication,
// prf(Ni_b | Nr_b, g^xy), against HMAC-SHA-256 computed directly.
func TestSKEYIDSignatures(t *testing.T) {
	ni, nr, gxy := []byte("nonce-of-the-initiator"), []byte("nonce-of-the-responder"), bytes.Repeat([]byte{7}, 256)
	mac := hmac.New(sha256.New, []byte("nonce-of-the-initiatornonce-of-the-responder"))
	mac.Write(gxy)
	want := mac.Sum(nil)
	if got := skeyidSig(suite.SHA256, ni, nr, gxy); !bytes.Equal(got, want) {
		t.Fatalf("SKEYID %x, want %x", got, want)
	}
	if bytes.Equal(skeyidSig(suite.SHA256, ni, nr, gxy), skeyidPSK(suite.SHA256, gxy, ni, nr)) {
		t.Fatal("the signature and pre-shared-key SKEYIDs coincide")
	}
}

// TestCertificateLoadedLate: until its certificate is loaded an
// initiator cannot sign; it tries again with its backoff (no storm of
// negotiations) and succeeds once the certificate is there.
func TestCertificateLoadedLate(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return start }
	ca, err := labca.Create(t.TempDir(), labca.Options{KeyType: "rsa", Now: func() time.Time { return start.Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := pki.Open(pki.Options{Dir: t.TempDir(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) {
		certSite(t1, "r1-cert", true, pki.RemoteID{})
		certSite(t2, "r2-cert", true, pki.RemoteID{})
	})
	r1.m.pki, r2.m.pki = empty, certStore(t, now, ca, ca, "r2-cert", "10.0.1.2")
	l.run(30 * time.Second)
	if len(r1.installed) != 0 {
		t.Fatal("SAs installed without a local certificate")
	}
	if l.sent > 40 {
		t.Errorf("%d messages in 30 s without a certificate: no backoff", l.sent)
	}
	if !strings.Contains(r1.dumpLog(), "cannot authenticate with a certificate") {
		t.Errorf("the missing certificate is not logged\n%s", r1.dumpLog())
	}
	r1.m.pki = certStore(t, now, ca, ca, "r1-cert", "10.0.1.1")
	l.run(2 * time.Minute)
	if pair(t, r1, r2) != 1 {
		t.Fatalf("no tunnel once the certificate is loaded\n%s", r1.dumpLog())
	}
}

// BenchmarkMainModeRSA is BenchmarkMainMode (group14) with RSA 2048
// certificates instead of the pre-shared key: two signatures and two
// certificate checks more per tunnel.
func BenchmarkMainModeRSA(b *testing.B) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return start }
	ca, err := labca.Create(b.TempDir(), labca.Options{KeyType: "rsa", Now: func() time.Time { return start.Add(-time.Hour) }})
	if err != nil {
		b.Fatal(err)
	}
	s1, s2 := certStore(b, now, ca, ca, "r1-cert", "10.0.1.1"), certStore(b, now, ca, ca, "r2-cert", "10.0.1.2")
	for range b.N {
		l, r1, r2 := twoSites(b, ExchMain, func(t1, t2 *Tunnel) {
			certSite(t1, "r1-cert", true, pki.RemoteID{})
			certSite(t2, "r2-cert", true, pki.RemoteID{})
		})
		r1.m.pki, r2.m.pki = s1, s2
		l.run(time.Second)
		if len(r1.installed) != 1 || len(r2.installed) != 1 {
			b.Fatal("no tunnel")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tunnels/s")
}
