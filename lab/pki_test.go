package lab

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"mxlab/services/pki/labca"
)

// TestFiles copies files into and out of the routers of a running lab.
func TestFiles(t *testing.T) {
	needRoot(t)
	l := upLab(t, testLab(t, "testdata/pki/pki.yaml"), privateDir(t))
	var got bytes.Buffer
	if err := Get(l.Dir(), "r2", "/var/tmp/hello.txt", &got); err != nil || got.String() != "hello from the host\n" {
		t.Fatalf("file of the topology: %q, %v", got.String(), err)
	}
	if err := Put(l.Dir(), "r3", "/var/tmp/sub/x.txt", strings.NewReader("data")); err != nil {
		t.Fatal(err)
	}
	got.Reset()
	if err := Get(l.Dir(), "r3", "/var/tmp/sub/x.txt", &got); err != nil || got.String() != "data" {
		t.Fatalf("file put then got: %q, %v", got.String(), err)
	}
	if out, _ := cli(t, l, "r3", "file show /var/tmp/sub/x.txt"); !strings.Contains(out, "data") {
		t.Fatalf("the router does not see the file:\n%s", out)
	}
	for _, tt := range []struct {
		op, node, path string
		want           string
	}{
		{"put", "r2", "/pki/key-pair/x.key", "not a file of the router's user file space"},
		{"put", "r2", "/etc/passwd", "not a file of the router's user file space"},
		{"put", "r2", "var/tmp/x", "not a file of the router's user file space"},
		{"put", "r2", "/var/tmp", "is a directory"},
		{"get", "r2", "/var/tmp/nosuch", "no such file"},
		{"get", "r2", "/var/../pki/key-pair/x.key", "not a file of the router's user file space"},
		{"get", "h1", "/var/tmp/x", "h1 is a linux host, not a router"},
		{"get", "r9", "/var/tmp/x", "has no router"},
	} {
		var err error
		if tt.op == "put" {
			err = Put(l.Dir(), tt.node, tt.path, strings.NewReader("x"))
		} else {
			err = Get(l.Dir(), tt.node, tt.path, &bytes.Buffer{})
		}
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %s:%s: %v, want refused: %s", tt.op, tt.node, tt.path, err, tt.want)
		}
	}
}

// TestLabCA walks the Junos workflow on a lab router with the lab CA,
// then revokes the certificate.
func TestLabCA(t *testing.T) {
	needRoot(t)
	l := upLab(t, testLab(t, "testdata/pki/pki.yaml"), privateDir(t))
	out, status := cli(t, l, "r2", "configure; set security pki ca-profile ca-lab ca-identity ca-lab; commit and-quit; "+
		"request security pki generate-key-pair certificate-id r2-cert type ecdsa; "+
		"request security pki generate-certificate-request certificate-id r2-cert subject CN=r2,O=lab ip-address 10.1.23.1 filename /var/tmp/r2.req")
	if status != 0 {
		t.Fatalf("request:\n%s", out)
	}
	ca, err := labca.OpenOrCreate(CADir(l.Dir()), labca.Options{KeyType: "ecdsa"})
	if err != nil {
		t.Fatal(err)
	}
	files := Files{Dir: l.Dir()}
	msg, err := Sign(files, ca, "r2:r2.req", "", labca.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "certificate r2:/var/tmp/r2.crt, CA certificate r2:/var/tmp/ca.crt") {
		t.Errorf("sign: %s", msg)
	}
	session := func(lines ...string) string {
		var b bytes.Buffer
		if _, err := Console(l.Dir(), Request{Node: "r2"}, strings.NewReader(strings.Join(lines, "\n")+"\n"), &b, nil); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	out = session("request security pki ca-certificate load ca-profile ca-lab filename /var/tmp/ca.crt", "yes",
		"request security pki local-certificate load certificate-id r2-cert filename /var/tmp/r2.crt",
		"request security pki local-certificate verify certificate-id r2-cert")
	for _, want := range []string{"CA certificate for profile ca-lab loaded successfully", "Local certificate loaded successfully",
		"Local certificate r2-cert verification success"} {
		if !strings.Contains(out, want) {
			t.Fatalf("no %q in:\n%s", want, out)
		}
	}
	if _, err := Revoke(files, ca, "r2:/var/tmp/r2.crt"); err != nil {
		t.Fatal(err)
	}
	if _, err := CRL(files, ca, "r2:ca.crl", 7); err != nil {
		t.Fatal(err)
	}
	out = session("request security pki crl load ca-profile ca-lab filename /var/tmp/ca.crl",
		"request security pki local-certificate verify certificate-id r2-cert", "show security pki crl detail")
	for _, want := range []string{"CRL for CA profile ca-lab loaded successfully", "verification failed: certificate revoked", "Revocation List:"} {
		if !strings.Contains(out, want) {
			t.Fatalf("no %q in:\n%s", want, out)
		}
	}
	if _, err := Revoke(files, labcaOther(t), "r2:/var/tmp/r2.crt"); !errors.Is(err, errNotIssued) {
		t.Errorf("revoke by another CA: %v", err)
	}
}

func labcaOther(t *testing.T) *labca.CA {
	ca, err := labca.Create(t.TempDir(), labca.Options{KeyType: "ecdsa", Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// FuzzParseLocation: a router file has a node name and an absolute path;
// anything else is a host path.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"r2:/var/tmp/r2.req", "r2:r2.req", "./x", "/tmp/a:b", "C:\\x", "r2:", ":x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rf, ok := ParseLocation(s)
		if !ok {
			return
		}
		if rf.Node == "" || checkName("node name", rf.Node) != nil || !strings.HasPrefix(rf.Path, "/") {
			t.Fatalf("ParseLocation(%q) = %+v", s, rf)
		}
	})
}
