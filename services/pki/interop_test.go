package pki

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mxlab/services/pki/labca"
)

// The by-hand workflow with outside tools: certificates, keys, requests
// and CRLs made by openssl and by strongSwan's pki load into the store,
// and what the router makes is accepted by them.

func tool(t *testing.T, name string, probe ...string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("skipping: %s is not installed (scripts/deps installs it)", name)
	}
	if len(probe) > 0 {
		out, _ := exec.Command(name, probe[0]).CombinedOutput()
		if !bytes.Contains(out, []byte(probe[1])) {
			t.Skipf("skipping: %s is not %s", name, probe[1])
		}
	}
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// realStore is a store on the real clock: outside tools date their
// certificates now.
func realStore(t *testing.T) *Store {
	s, err := Open(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpenSSL(t *testing.T) {
	tool(t, "openssl")
	dir := t.TempDir()
	run(t, dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
		"-subj", "/C=US/O=test/CN=openssl CA", "-days", "30")
	run(t, dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "peer.key",
		"-out", "peer.csr", "-subj", "/C=US/O=test/CN=peer", "-addext", "subjectAltName=IP:10.0.0.2,DNS:peer.test")
	run(t, dir, "openssl", "x509", "-req", "-in", "peer.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "7",
		"-days", "10", "-copy_extensions", "copy", "-out", "peer.crt")
	run(t, dir, "openssl", "x509", "-in", "ca.crt", "-outform", "DER", "-out", "ca.der")
	run(t, dir, "openssl", "pkey", "-in", "peer.key", "-out", "peer-sec1.key", "-traditional")

	s := realStore(t)
	caCerts, err := ParseCertificates(read(t, dir, "ca.der"))
	if err != nil {
		t.Fatal(err)
	}
	loadCA(t, s, "ca-ssl", caCerts...)
	for _, key := range []string{"peer.key", "peer-sec1.key"} {
		if err := s.LoadLocal("peer", read(t, dir, "peer.crt"), read(t, dir, key)); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	if _, err := s.VerifyLocal("peer"); err != nil {
		t.Fatal(err)
	}
	certs, _ := ParseCertificates(read(t, dir, "peer.crt"))
	id := AddrIdentity(netip.MustParseAddr("10.0.0.2"))
	if _, err := s.Verify(Peer{Certs: [][]byte{certs[0].Raw}, ID: &id, Profiles: []string{"ca-ssl"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRequest(read(t, dir, "peer.csr")); err != nil {
		t.Fatal(err)
	}

	// The router's request: openssl checks it and signs it.
	if _, err := s.GenerateKeyPair("r2", RSA, 2048); err != nil {
		t.Fatal(err)
	}
	p, _, err := s.GenerateRequest("r2", "CN=r2,OU=lab,O=mxlab,C=US", AltNames{IPs: []net.IP{net.ParseIP("10.1.23.1")}}, "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "r2.csr"), p, 0o600)
	if out := run(t, dir, "openssl", "req", "-in", "r2.csr", "-verify", "-noout"); !strings.Contains(out, "OK") {
		t.Fatalf("openssl req -verify: %s", out)
	}
	run(t, dir, "openssl", "x509", "-req", "-in", "r2.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "8",
		"-days", "10", "-copy_extensions", "copy", "-out", "r2.crt")
	if err := s.LoadLocal("r2", read(t, dir, "r2.crt"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyLocal("r2"); err != nil {
		t.Fatal(err)
	}

	// The lab CA's certificates pass openssl verify.
	ca, err := labca.Create(filepath.Join(dir, "labca"), labca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := ParseRequest(p)
	cert, err := ca.Sign(csr, labca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "lab.crt"), labca.PEM(cert), 0o600)
	if out := run(t, dir, "openssl", "verify", "-CAfile", "labca/ca.crt", "lab.crt"); !strings.Contains(out, "lab.crt: OK") {
		t.Fatalf("openssl verify: %s", out)
	}
	der, err := ca.CRL(7)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "lab.crl"), der, 0o600)
	if out := run(t, dir, "openssl", "crl", "-inform", "DER", "-in", "lab.crl", "-CAfile", "labca/ca.crt", "-noout"); !strings.Contains(out, "verify OK") {
		t.Fatalf("openssl crl: %s", out)
	}
}

func TestStrongSwanPKI(t *testing.T) {
	tool(t, "pki", "--help", "strongSwan")
	dir := t.TempDir()
	// The recipe of the strongSwan peer: a CA, a key, a request, a certificate.
	run(t, dir, "sh", "-c", `pki --gen --type rsa --size 2048 --outform pem > ca.key &&
pki --self --ca --lifetime 30 --in ca.key --type rsa --dn "C=US, O=test, CN=test CA" --outform pem > ca.crt &&
pki --gen --type ecdsa --size 256 --outform pem > r1.key &&
pki --req --type ecdsa --in r1.key --dn "C=US, O=test, CN=r1.example.net" --san r1.example.net --san 10.0.1.1 --outform pem > r1.csr &&
pki --issue --cacert ca.crt --cakey ca.key --type pkcs10 --in r1.csr --lifetime 10 --outform pem > r1.crt &&
pki --signcrl --cacert ca.crt --cakey ca.key --lifetime 2 --outform der > ca.crl`)
	s := realStore(t)
	caCerts, err := ParseCertificates(read(t, dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	loadCA(t, s, "ca-sw", caCerts...)
	if _, err := s.LoadCRL("ca-sw", read(t, dir, "ca.crl")); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadLocal("r1", read(t, dir, "r1.crt"), read(t, dir, "r1.key")); err != nil {
		t.Fatal(err)
	}
	certs, _ := ParseCertificates(read(t, dir, "r1.crt"))
	id := Identity{Type: IDFQDN, Data: []byte("r1.example.net")}
	if _, err := s.Verify(Peer{Certs: [][]byte{certs[0].Raw}, ID: &id}); err != nil {
		t.Fatal(err)
	}
	dnID := DNIdentity(certs[0])
	remote := RemoteID{DNWildcard: []string{"O=test, CN=r1.example.net"}}
	if _, err := s.Verify(Peer{Certs: [][]byte{certs[0].Raw}, ID: &dnID, Remote: remote}); err != nil {
		t.Fatal(err)
	}
	// The router's request, issued by strongSwan's pki.
	if _, err := s.GenerateKeyPair("r2", RSA, 2048); err != nil {
		t.Fatal(err)
	}
	p, _, err := s.GenerateRequest("r2", "C=US,O=test,CN=r2.example.net", AltNames{DNS: []string{"r2.example.net"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "r2.csr"), p, 0o600)
	run(t, dir, "sh", "-c", "pki --issue --cacert ca.crt --cakey ca.key --type pkcs10 --in r2.csr --lifetime 10 --outform pem > r2.crt")
	if err := s.LoadLocal("r2", read(t, dir, "r2.crt"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyLocal("r2"); err != nil {
		t.Fatal(err)
	}
	if out := run(t, dir, "pki", "--print", "--in", "r2.crt"); !strings.Contains(out, "r2.example.net") {
		t.Fatalf("pki --print: %s", out)
	}
}
