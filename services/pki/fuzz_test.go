package pki

import (
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// seeds returns the fixture files of a kind, PEM and DER.
func seeds(f *testing.F, glob string) {
	names, _ := filepath.Glob(filepath.Join(fixtureDir, glob))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		if b, _ := pem.Decode(data); b != nil {
			f.Add(b.Bytes)
		}
	}
}

// FuzzParseCertificates loads certificate files (PEM, DER, PKCS #7) the
// way "ca-certificate load" and "local-certificate load" do, and renders
// what it accepts with the show commands' detail output.
func FuzzParseCertificates(f *testing.F) {
	seeds(f, "ca/*.crt")
	seeds(f, "local/*.crt")
	f.Add([]byte("-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n"))
	f.Add([]byte("-----BEGIN TRUSTED CERTIFICATE-----\nMAA=\n-----END TRUSTED CERTIFICATE-----\n"))
	s, err := Open(Options{Dir: f.TempDir(), Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseCertificates(data)
		if err != nil {
			return
		}
		if len(certs) == 0 {
			t.Fatal("no certificate and no error")
		}
		for _, c := range certs {
			certDetail(io.Discard, c)
			certBrief(io.Discard, c)
		}
		// A peer sending them: checked, never a panic.
		raw := make([][]byte, len(certs))
		for i, c := range certs {
			raw[i] = c.Raw
		}
		s.Verify(Peer{Certs: raw})
	})
}

// FuzzParseCRL loads CRL files (PEM, DER) as "crl load" does and renders
// them.
func FuzzParseCRL(f *testing.F) {
	seeds(f, "crl/*.crl")
	f.Add([]byte("-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseCRL(data)
		if err != nil {
			return
		}
		crlVersion(l)
		dnSpaced(l.RawIssuer)
		for _, e := range l.RevokedCertificateEntries {
			serialOf(e.SerialNumber)
		}
	})
}

// FuzzParseKey reads private key files given with "key".
func FuzzParseKey(f *testing.F) {
	seeds(f, "key-pair/*.key")
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		if err == nil && k == nil {
			t.Fatal("no key and no error")
		}
	})
}

// FuzzParseRequest reads certificate requests as the lab CA does.
func FuzzParseRequest(f *testing.F) {
	seeds(f, "certificate-request/*.csr")
	f.Fuzz(func(t *testing.T, data []byte) {
		if csr, err := ParseRequest(data); err == nil {
			dnLong(csr.RawSubject)
		}
	})
}

// FuzzParseSubject parses typed subjects; what it accepts renders back to
// the same attributes.
func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{"CN=r2,OU=lab,O=mxlab,C=US", `CN=a\,b;DC=x`, "E=a@b, SN=1", "CN=="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		der, err := ParseSubject(s)
		if err != nil {
			return
		}
		if parseName(der) == nil {
			t.Fatalf("ParseSubject(%q) made a name that does not parse", s)
		}
		again, err := ParseSubject(dnEscaped(der))
		if err != nil || dnString(again) != dnString(der) {
			t.Fatalf("%q: %q does not parse back (%v)", s, dnString(der), err)
		}
	})
}

// dnEscaped renders a name in the typed form, escaping separators.
func dnEscaped(der []byte) string {
	out := ""
	for i, a := range parseName(der) {
		if i > 0 {
			out += ","
		}
		v := ""
		for _, c := range a.value {
			if c == ',' || c == ';' || c == '\\' {
				v += `\`
			}
			v += string(c)
		}
		out += a.name() + "=" + v
	}
	return out
}
