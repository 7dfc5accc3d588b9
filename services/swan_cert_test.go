package services_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxlab/chassis"
	"mxlab/internal/swantest"
	"mxlab/router"
	"mxlab/services/pki"
	"mxlab/services/pki/labca"
)

// IKEv2 with RSA certificates between mxlab and strongSwan 5.9.8: both
// sides' certificates come from one lab CA; r1's key pair and certificate
// are in its store before it starts, as after the Junos workflow.

// certLines turn the E2 IKE configuration of r1 into certificate
// authentication with IKE version v: rsa-signatures, local-certificate
// r1-cert, the peer known by its address, the lab CA trusted.
func certLines(v, establish string) []string {
	return ikeLines(v,
		"set services ipsec-vpn establish-tunnels "+establish,
		"delete services ipsec-vpn ike policy ike-pol pre-shared-key",
		"set services ipsec-vpn ike proposal ike-prop authentication-method rsa-signatures",
		"set services ipsec-vpn ike policy ike-pol local-certificate r1-cert",
		"set services ipsec-vpn ike policy ike-pol local-id ipv4_addr 10.0.1.1",
		"set services ipsec-vpn ike policy ike-pol remote-id ipv4_addr 10.0.1.2",
		"set security pki ca-profile ca-lab ca-identity ca-lab",
		"set services service-set ss-vpn ipsec-vpn-options trusted-ca ca-lab",
		"set security pki traceoptions flag certificate-verification")
}

// swanCertConf is r2's swanctl.conf with public key authentication and
// IKE version v.
func swanCertConf(v, start string) string {
	return fmt.Sprintf(`connections {
    site {
        version = %s
        local_addrs = 10.0.1.2
        remote_addrs = 10.0.1.1
        proposals = aes128-sha256-modp2048
        mobike = no
        local {
            auth = pubkey
            certs = r2.crt
            id = 10.0.1.2
        }
        remote {
            auth = pubkey
            id = 10.0.1.1
        }
        children {
            net {
                local_ts = 192.168.0.0/16
                remote_ts = 172.16.0.0/16
                esp_proposals = aes128-sha1
                start_action = %s
            }
        }
    }
}
`, v, start)
}

// r1Store fills the certificate store of r1's state directory: an RSA
// 2048 key pair generated there, its request signed by the lab CA, the CA
// certificate in profile ca-lab.
func r1Store(t *testing.T, state string, ca *labca.CA) {
	t.Helper()
	s, err := pki.Open(pki.Options{Dir: filepath.Join(state, "pki")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GenerateKeyPair("r1-cert", pki.RSA, 2048); err != nil {
		t.Fatal(err)
	}
	_, csr, err := s.GenerateRequest("r1-cert", "CN=r1,O=mxlab", pki.AltNames{IPs: []net.IP{net.ParseIP("10.0.1.1")}}, "")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Sign(csr, labca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadLocal("r1-cert", labca.PEM(cert), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCA("ca-lab", []*x509.Certificate{ca.Cert}); err != nil {
		t.Fatal(err)
	}
}

// swanCreds are the strongSwan files of a certificate for r2 with the
// alternative names, issued by issuer (o: its validity).
func swanCreds(t *testing.T, ca, issuer *labca.CA, o labca.Options, sans ...string) map[string][]byte {
	t.Helper()
	cert, key, err := issuer.Issue("r2", sans, o)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := labca.KeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"x509/r2.crt": labca.PEM(cert), "private/r2.key": keyPEM,
		"x509ca/ca.crt": labca.PEM(ca.Cert), "x509ca/issuer.crt": labca.PEM(issuer.Cert)}
}

// newCertSwanLab is newV2Lab with certificates on both sides and IKE
// version v: r1's store is filled before it starts; creds are charon's
// files.
func newCertSwanLab(t *testing.T, v, establish, start string, creds func(ca *labca.CA) map[string][]byte) *v2Lab {
	l := swanNet(t)
	ca, err := labca.Create(t.TempDir(), labca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &v2Lab{lab: l, sw: swantest.Start(t, l.ns["s2"].Name(), swanCertConf(v, start), "", creds(ca))}
	state := t.TempDir()
	r1Store(t, state, ca)
	lay, err := chassis.ParseLayout([]byte(r1Layout))
	if err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Options{Name: "r1", Layout: lay, StateDir: state, Netns: l.ns["r1"]})
	if err != nil {
		t.Fatal(err)
	}
	l.r1 = r
	if err := r.Start(context.Background(), e2Config(t, "r1", certLines(v, establish)...)); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSwanCertificatesInitiator(t *testing.T) {
	s := newCertSwanLab(t, "2", "immediately", "none", func(ca *labca.CA) map[string][]byte {
		return swanCreds(t, ca, ca, labca.Options{}, "10.0.1.2")
	})
	s.waitSwan()
	if err := s.ping("h2", "172.16.0.10", 3); err != nil {
		t.Fatal(err)
	}
	sas := s.ctl("--list-sas")
	if !strings.Contains(sas, "ESTABLISHED, IKEv2") || !strings.Contains(sas, "remote '10.0.1.1'") {
		t.Errorf("strongSwan SAs:\n%s", sas)
	}
	if log := s.sw.Log(); !strings.Contains(log, "authentication of '10.0.1.1' with RSA_EMSA_PKCS1_SHA2_256 successful") {
		t.Errorf("strongSwan did not check r1's RFC 7427 signature:\n%s", log)
	}
	d := s.cli(s.r1, "show services ipsec-vpn ike security-associations detail")
	for _, want := range []string{"Role: Initiator, State: Matured", "Authentication method: RSA-signatures"} {
		if !strings.Contains(d, want) {
			t.Errorf("r1 IKE SA lacks %q:\n%s", want, d)
		}
	}
	if c := s.cli(s.r1, "show services ipsec-vpn certificates"); strings.Count(c, "Status: Valid") != 2 {
		t.Errorf("certificates:\n%s", c)
	}
	if log := s.cli(s.r1, "file show /var/log/pkid"); !strings.Contains(log, "peer certificate O=mxlab, CN=r2: verified against CA profile ca-lab") {
		t.Errorf("pkid log:\n%s", log)
	}
}

func TestSwanCertificatesResponder(t *testing.T) {
	s := newCertSwanLab(t, "2", "responder-only", "start", func(ca *labca.CA) map[string][]byte {
		return swanCreds(t, ca, ca, labca.Options{}, "10.0.1.2")
	})
	s.waitSwan()
	if d := s.cli(s.r1, "show services ipsec-vpn ike security-associations detail"); !strings.Contains(d, "Role: Responder, State: Matured") {
		t.Errorf("r1 IKE SA:\n%s", d)
	}
	if log := s.sw.Log(); !strings.Contains(log, "authentication of '10.0.1.1' with RSA_EMSA_PKCS1_SHA2_256 successful") {
		t.Errorf("strongSwan log:\n%s", log)
	}
}

// TestSwanCertificatesRefused: strongSwan initiates with a certificate
// r1 must refuse; the reason is in the kmd log and the IKE statistics.
func TestSwanCertificatesRefused(t *testing.T) {
	cases := []struct {
		name  string
		creds func(t *testing.T, ca *labca.CA) map[string][]byte
		log   string // in /var/log/kmd
		stat  string // in show services ipsec-vpn ike statistics
	}{
		{"expired", func(t *testing.T, ca *labca.CA) map[string][]byte {
			return swanCreds(t, ca, ca, labca.Options{NotBefore: time.Now().AddDate(0, 0, -30), Days: 10}, "10.0.1.2")
		}, "certificate expired (O=mxlab, CN=r2)", "expired: 1"},
		{"unknown CA", func(t *testing.T, ca *labca.CA) map[string][]byte {
			other, err := labca.Create(t.TempDir(), labca.Options{Name: "rogue CA"})
			if err != nil {
				t.Fatal(err)
			}
			return swanCreds(t, ca, other, labca.Options{}, "10.0.1.2")
		}, "unknown CA (O=mxlab, CN=r2)", "unknown CA: 1"},
		{"identity mismatch", func(t *testing.T, ca *labca.CA) map[string][]byte {
			return swanCreds(t, ca, ca, labca.Options{}, "10.0.1.99")
		}, "peer ID not in certificate (O=mxlab, CN=r2)", "identity mismatch: 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newCertSwanLab(t, "2", "responder-only", "start", func(ca *labca.CA) map[string][]byte { return c.creds(t, ca) })
			deadline := time.Now().Add(15 * time.Second)
			for {
				st := s.cli(s.r1, "show services ipsec-vpn ike statistics")
				if strings.Contains(st, c.stat) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no %q in the statistics:\n%s\nkmd:\n%s\nstrongSwan:\n%s", c.stat, st,
						s.cli(s.r1, "file show /var/log/kmd"), s.sw.Log())
				}
				time.Sleep(300 * time.Millisecond)
			}
			log := s.cli(s.r1, "file show /var/log/kmd")
			if !strings.Contains(log, "failed certificate authentication") || !strings.Contains(log, c.log) {
				t.Errorf("kmd log lacks %q:\n%s", c.log, log)
			}
			if regexp.MustCompile(`Matured`).MatchString(s.cli(s.r1, "show services ipsec-vpn ike security-associations")) {
				t.Error("an IKE SA was established with a refused certificate")
			}
			if !strings.Contains(s.sw.Log(), "AUTHENTICATION_FAILED") {
				t.Errorf("strongSwan was not told:\n%s", s.sw.Log())
			}
		})
	}
}

// TestSwanCertificatesIKEv1: IKE version 1 main mode with RSA signatures
// (RFC 2409 §5.1) against strongSwan, r1 initiating and answering.
func TestSwanCertificatesIKEv1(t *testing.T) {
	for _, c := range []struct{ name, establish, start, role string }{
		{"initiator", "immediately", "none", "Initiator"},
		{"responder", "responder-only", "start", "Responder"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newCertSwanLab(t, "1", c.establish, c.start, func(ca *labca.CA) map[string][]byte {
				return swanCreds(t, ca, ca, labca.Options{}, "10.0.1.2")
			})
			s.waitSwan()
			if err := s.ping("h2", "172.16.0.10", 3); err != nil {
				t.Fatal(err)
			}
			if sas := s.ctl("--list-sas"); !strings.Contains(sas, "ESTABLISHED, IKEv1") || !strings.Contains(sas, "remote '10.0.1.1'") {
				t.Errorf("strongSwan SAs:\n%s", sas)
			}
			if log := s.sw.Log(); !regexp.MustCompile(`authentication of '10\.0\.1\.1' with RSA\S* successful`).MatchString(log) {
				t.Errorf("strongSwan did not check r1's signature:\n%s", log)
			}
			d := s.cli(s.r1, "show services ipsec-vpn ike security-associations detail")
			for _, want := range []string{"Role: " + c.role + ", State: Matured", "Exchange type: Main, Authentication method: RSA-signatures"} {
				if !strings.Contains(d, want) {
					t.Errorf("r1 IKE SA lacks %q:\n%s", want, d)
				}
			}
			if log := s.cli(s.r1, "file show /var/log/kmd"); !strings.Contains(log, "peer certificate CN=r2,O=mxlab verified") {
				t.Errorf("kmd log:\n%s", log)
			}
		})
	}
}
