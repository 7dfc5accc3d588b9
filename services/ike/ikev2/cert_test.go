package ikev2

import (
	"crypto/x509"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/pki"
	"mxlab/services/pki/labca"
)

// certPeer makes the store of one router: the lab CA in profile ca-lab
// and local certificate id for the addresses, signed by signer.
func certPeer(t testing.TB, now func() time.Time, ca, signer *labca.CA, id string, typ pki.KeyType, days int, sans ...string) *pki.Store {
	t.Helper()
	s, err := pki.Open(pki.Options{Dir: t.TempDir(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCA("ca-lab", []*x509.Certificate{ca.Cert}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GenerateKeyPair(id, typ, 0); err != nil {
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
	cert, err := signer.Sign(csr, labca.Options{Now: now, Days: days})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadLocal(id, labca.PEM(cert), nil); err != nil {
		t.Fatal(err)
	}
	return s
}

// certTunnels turns a pair's tunnels into certificate tunnels.
func certTunnels(method string, ta, tb *ike.Tunnel) {
	for _, x := range []struct {
		t          *ike.Tunnel
		cert, peer string
	}{{ta, "a-cert", "10.0.1.2"}, {tb, "b-cert", "10.0.1.1"}} {
		prop := *x.t.IKE.Proposals[0]
		prop.AuthMethod = method
		pol := *x.t.IKE
		pol.Proposals, pol.PSK, pol.LocalCertificate = []*ipsec.IKEProposal{&prop}, nil, x.cert
		pol.LocalID = ipsec.Identity{Type: "ipv4_addr", Value: x.t.Local.String()}
		pol.Remote = pki.RemoteID{IPv4: []netip.Addr{netip.MustParseAddr(x.peer)}}
		x.t.IKE = &pol
		x.t.TrustedCA = []string{"ca-lab"}
	}
}

func TestCertificates(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return start }
	ca, err := labca.Create(t.TempDir(), labca.Options{KeyType: "ecdsa", Now: func() time.Time { return start.Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := labca.Create(t.TempDir(), labca.Options{KeyType: "ecdsa", Now: now, Name: "other CA"})
	tests := []struct {
		name   string
		method string
		a, b   func() *pki.Store
		aFails pki.Reason // A refuses B's certificate
		bFails pki.Reason // B refuses A's certificate
	}{
		{name: "ecdsa", method: "ecdsa-signatures-256",
			a: func() *pki.Store { return certPeer(t, now, ca, ca, "a-cert", pki.ECDSA, 0, "10.0.1.1") },
			b: func() *pki.Store { return certPeer(t, now, ca, ca, "b-cert", pki.ECDSA, 0, "10.0.1.2") }},
		{name: "rsa", method: "rsa-signatures",
			a: func() *pki.Store { return certPeer(t, now, ca, ca, "a-cert", pki.RSA, 0, "10.0.1.1") },
			b: func() *pki.Store { return certPeer(t, now, ca, ca, "b-cert", pki.RSA, 0, "10.0.1.2") }},
		{name: "expired", method: "ecdsa-signatures-256",
			a: func() *pki.Store { return certPeer(t, now, ca, ca, "a-cert", pki.ECDSA, 0, "10.0.1.1") },
			b: func() *pki.Store {
				s := certPeer(t, now, ca, ca, "b-cert", pki.ECDSA, 0, "10.0.1.2")
				// B's certificate expired yesterday.
				cert, _ := ca.Sign(csrOf(t, s, "b-cert"), labca.Options{Now: func() time.Time { return start.AddDate(0, 0, -11) }, Days: 10})
				if err := s.LoadLocal("b-cert", labca.PEM(cert), nil); err != nil {
					t.Fatal(err)
				}
				return s
			}, aFails: pki.ReasonExpired},
		{name: "unknown CA", method: "ecdsa-signatures-256",
			a: func() *pki.Store { return certPeer(t, now, ca, other, "a-cert", pki.ECDSA, 0, "10.0.1.1") },
			b: func() *pki.Store { return certPeer(t, now, ca, ca, "b-cert", pki.ECDSA, 0, "10.0.1.2") }, bFails: pki.ReasonUnknownCA},
		{name: "identity mismatch", method: "ecdsa-signatures-256",
			a: func() *pki.Store { return certPeer(t, now, ca, ca, "a-cert", pki.ECDSA, 0, "10.9.9.9") },
			b: func() *pki.Store { return certPeer(t, now, ca, ca, "b-cert", pki.ECDSA, 0, "10.0.1.2") }, bFails: pki.ReasonIDMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oa, ob := testOptions(), testOptions()
			oa.PKI, ob.PKI = tt.a(), tt.b()
			p := newPairWith(t, oa, ob, func(ta, tb *ike.Tunnel) { certTunnels(tt.method, ta, tb) })
			p.a.p.Initiate(p.ta)
			p.w.run(5 * time.Second)
			_, da := p.a.p.Status()
			_, db := p.b.p.Status()
			switch {
			case tt.aFails != "":
				if da.BadAuth != 1 || da.Certificates.Total() != 1 || !strings.Contains(strings.Join(p.a.log, "\n"), string(tt.aFails)) {
					t.Fatalf("A: drops %+v\n%s", da, p.w.dump())
				}
			case tt.bFails != "":
				if db.BadAuth != 1 || db.Certificates.Total() != 1 || !strings.Contains(strings.Join(p.b.log, "\n"), string(tt.bFails)) {
					t.Fatalf("B: drops %+v\n%s", db, p.w.dump())
				}
				if len(p.a.established()) != 0 {
					t.Fatalf("A established with a refused certificate\n%s", p.w.dump())
				}
			default:
				p.checkChildren(t, 1)
				for _, h := range []*host{p.a, p.b} {
					sas := h.established()
					if len(sas) != 1 || !strings.HasSuffix(sas[0].AuthMethod, "-signatures") {
						t.Fatalf("%s: %+v\n%s", h.name, sas, p.w.dump())
					}
				}
			}
		})
	}
}

// csrOf makes a new request for a key pair of the store.
func csrOf(t testing.TB, s *pki.Store, id string) *x509.CertificateRequest {
	t.Helper()
	_, csr, err := s.GenerateRequest(id, "CN="+id+",O=lab", pki.AltNames{IPs: []net.IP{net.ParseIP("10.0.1.2")}}, "")
	if err != nil {
		t.Fatal(err)
	}
	return csr
}

// newPairWith is newPair with options of each side.
func newPairWith(t testing.TB, oa, ob Options, edit func(ta, tb *ike.Tunnel)) *pair {
	w := newWorld(t)
	p := &pair{w: w, a: w.addHost("A", "10.0.1.1", oa), b: w.addHost("B", "10.0.1.2", ob)}
	prop := &ipsec.IKEProposal{Name: "p", AuthMethod: "pre-shared-keys", Group: suite.Group19, Hash: suite.SHA256,
		Encryption: suite.AES128CBC, Lifetime: 3600 * time.Second}
	p.ta = testTunnel("10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", "", prop, nil)
	p.tb = testTunnel("10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", "", prop, nil)
	p.tb.Establish = "responder-only"
	edit(p.ta, p.tb)
	p.a.p.Configure([]*ike.Tunnel{p.ta})
	p.b.p.Configure([]*ike.Tunnel{p.tb})
	return p
}

// benchmarkEstablish negotiates an IKE SA and its child between two
// protocol instances over the in-memory network, b.N times: tunnels per
// second, key exchange (group19) and authentication included.
func benchmarkEstablish(b *testing.B, method string) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return start }
	oa, ob := testOptions(), testOptions()
	var edit func(ta, tb *ike.Tunnel)
	if method != "" {
		ca, err := labca.Create(b.TempDir(), labca.Options{Now: func() time.Time { return start.Add(-time.Hour) }})
		if err != nil {
			b.Fatal(err)
		}
		oa.PKI = certPeer(b, now, ca, ca, "a-cert", pki.RSA, 0, "10.0.1.1")
		ob.PKI = certPeer(b, now, ca, ca, "b-cert", pki.RSA, 0, "10.0.1.2")
		edit = func(ta, tb *ike.Tunnel) { certTunnels(method, ta, tb) }
	} else {
		edit = func(ta, tb *ike.Tunnel) {
			ta.IKE.PSK, tb.IKE.PSK = []byte("juniper123"), []byte("juniper123")
		}
	}
	b.ResetTimer()
	for b.Loop() {
		p := newPairWith(b, oa, ob, edit)
		p.a.p.Initiate(p.ta)
		p.w.run(time.Second)
		if len(p.a.established()) != 1 || len(p.b.established()) != 1 {
			b.Fatalf("not established\n%s", p.w.dump())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tunnels/s")
}

func BenchmarkEstablishPSK(b *testing.B)     { benchmarkEstablish(b, "") }
func BenchmarkEstablishRSA2048(b *testing.B) { benchmarkEstablish(b, "rsa-signatures") }
