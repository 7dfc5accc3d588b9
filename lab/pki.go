package lab

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"mxlab/services/pki"
	"mxlab/services/pki/labca"
)

// CADir is where the lab CA of a running lab lives: in its run
// directory, so that it goes with the lab.
func CADir(dir string) string { return filepath.Join(dir, "ca") }

// Files reads and writes the files the lab CA works on: host paths, or
// router files ("r2:/var/tmp/r2.req") of the lab whose run directory is
// Dir.
type Files struct{ Dir string }

// Read returns the content of a host file or of a router file.
func (f Files) Read(loc string) ([]byte, error) {
	if rf, ok := ParseLocation(loc); ok {
		if f.Dir == "" {
			return nil, fmt.Errorf("%s: %w", loc, ErrNoLab)
		}
		var b bytes.Buffer
		err := Get(f.Dir, rf.Node, rf.Path, &b)
		return b.Bytes(), err
	}
	return os.ReadFile(loc)
}

// Write writes a host file or a router file.
func (f Files) Write(loc string, data []byte, mode os.FileMode) error {
	if rf, ok := ParseLocation(loc); ok {
		if f.Dir == "" {
			return fmt.Errorf("%s: %w", loc, ErrNoLab)
		}
		return Put(f.Dir, rf.Node, rf.Path, bytes.NewReader(data))
	}
	return os.WriteFile(loc, data, mode)
}

// sibling returns the location of file name in the directory of loc.
func sibling(loc, name string) string {
	if rf, ok := ParseLocation(loc); ok {
		return RouterFile{Node: rf.Node, Path: path.Join(path.Dir(rf.Path), name)}.String()
	}
	return filepath.Join(filepath.Dir(loc), name)
}

// withExt replaces the extension of a location's file name.
func withExt(loc, ext string) string {
	base := path.Base(filepath.ToSlash(loc))
	if rf, ok := ParseLocation(loc); ok {
		base = path.Base(rf.Path)
	}
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return sibling(loc, base+ext)
}

// Sign signs the certificate request at req (as a router writes it with
// "request security pki generate-certificate-request ... filename F") and
// writes the certificate to out (default: next to the request, with the
// extension .crt) and the CA certificate next to it as ca.crt. It returns
// what it wrote, for the user.
func Sign(f Files, ca *labca.CA, req, out string, o labca.Options) (string, error) {
	data, err := f.Read(req)
	if err != nil {
		return "", err
	}
	csr, err := pki.ParseRequest(data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", req, err)
	}
	cert, err := ca.Sign(csr, o)
	if err != nil {
		return "", err
	}
	if out == "" {
		out = withExt(req, ".crt")
	}
	caOut := sibling(out, "ca.crt")
	if err := f.Write(out, labca.PEM(cert), 0o644); err != nil {
		return "", err
	}
	if err := f.Write(caOut, labca.PEM(ca.Cert), 0o644); err != nil {
		return "", err
	}
	return fmt.Sprintf("signed %s (serial %x, valid until %s): certificate %s, CA certificate %s",
		subject(cert), cert.SerialNumber, cert.NotAfter.UTC().Format("2006-01-02"), out, caOut), nil
}

// Issue makes a certificate and its key for a peer that is not a router
// (a strongSwan host): cn.crt, cn.key (mode 0600) and ca.crt in the host
// directory dir.
func Issue(ca *labca.CA, cn string, sans []string, dir string, o labca.Options) (string, error) {
	cert, key, err := ca.Issue(cn, sans, o)
	if err != nil {
		return "", err
	}
	keyPEM, err := labca.KeyPEM(key)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	files := map[string][]byte{cn + ".crt": labca.PEM(cert), "ca.crt": labca.PEM(ca.Cert)}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, cn+".key"), keyPEM, 0o600); err != nil {
		return "", err
	}
	return fmt.Sprintf("issued %s (serial %x): %s, %s, %s", subject(cert), cert.SerialNumber,
		filepath.Join(dir, cn+".crt"), filepath.Join(dir, cn+".key"), filepath.Join(dir, "ca.crt")), nil
}

// Revoke adds the certificate at loc to the CA's revoked list.
func Revoke(f Files, ca *labca.CA, loc string) (string, error) {
	data, err := f.Read(loc)
	if err != nil {
		return "", err
	}
	certs, err := pki.ParseCertificates(data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", loc, err)
	}
	c := certs[0]
	if !bytes.Equal(c.RawIssuer, ca.Cert.RawSubject) {
		return "", fmt.Errorf("%s: %w", loc, errNotIssued)
	}
	if err := ca.Revoke(c.SerialNumber); err != nil {
		return "", err
	}
	return fmt.Sprintf("revoked %s (serial %x); write a new CRL with \"mxlab lab pki crl\"", subject(c), c.SerialNumber), nil
}

var errNotIssued = errors.New("not issued by this CA")

// CRL writes a CRL of the revoked certificates (PEM) to loc.
func CRL(f Files, ca *labca.CA, loc string, days int) (string, error) {
	der, err := ca.CRL(days)
	if err != nil {
		return "", err
	}
	if err := f.Write(loc, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644); err != nil {
		return "", err
	}
	return "CRL written to " + loc, nil
}

func subject(c *x509.Certificate) string { return c.Subject.String() }
