package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
)

// MaxFile bounds the files the load commands read.
const MaxFile = 1 << 20

// Errors of the parsers.
var (
	ErrNoCertificate = errors.New("no certificate in the file")
	ErrNoCRL         = errors.New("no certificate revocation list in the file")
	ErrNoRequest     = errors.New("no certificate request in the file")
)

// ParseCertificates reads the certificates of a file: PEM (one or more
// CERTIFICATE blocks, or a PKCS #7 block), DER (one certificate or several
// in a row) or a DER PKCS #7 bundle (.p7b). They come back in file order.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if len(data) > MaxFile {
		return nil, fmt.Errorf("file larger than %d bytes", MaxFile)
	}
	if blocks, ok := pemBlocks(data); ok {
		var certs []*x509.Certificate
		for _, b := range blocks {
			switch b.Type {
			case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
				c, err := x509.ParseCertificate(trustedPrefix(b))
				if err != nil {
					return nil, fmt.Errorf("malformed certificate: %w", err)
				}
				certs = append(certs, c)
			case "PKCS7", "CMS":
				cs, err := parsePKCS7(b.Bytes)
				if err != nil {
					return nil, err
				}
				certs = append(certs, cs...)
			}
		}
		if len(certs) == 0 {
			return nil, ErrNoCertificate
		}
		return certs, nil
	}
	if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
		return certs, nil
	}
	if certs, err := parsePKCS7(data); err == nil {
		return certs, nil
	}
	if _, err := x509.ParseCertificate(data); err != nil {
		return nil, fmt.Errorf("malformed certificate: %w", err)
	}
	return nil, ErrNoCertificate
}

// trustedPrefix returns the certificate of an OpenSSL "TRUSTED
// CERTIFICATE" block (the certificate followed by trust settings).
func trustedPrefix(b *pem.Block) []byte {
	if b.Type != "TRUSTED CERTIFICATE" {
		return b.Bytes
	}
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(b.Bytes, &raw); err != nil {
		return b.Bytes
	}
	return raw.FullBytes
}

// oneDER returns the first PEM block of data of one of types, or data
// itself when it holds no PEM (DER); none: missing.
func oneDER(data []byte, missing error, types ...string) ([]byte, error) {
	blocks, ok := pemBlocks(data)
	if !ok {
		return data, nil
	}
	for _, b := range blocks {
		if slices.Contains(types, b.Type) {
			return b.Bytes, nil
		}
	}
	return nil, missing
}

// pemBlocks returns the PEM blocks of data; ok is false when data holds
// none (then it is taken as DER).
func pemBlocks(data []byte) ([]*pem.Block, bool) {
	var out []*pem.Block
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		out = append(out, b)
	}
	return out, len(out) > 0 || bytes.Contains(data, []byte("-----BEGIN"))
}

// ParseCRL reads a certificate revocation list, PEM ("X509 CRL") or DER.
func ParseCRL(data []byte) (*x509.RevocationList, error) {
	if len(data) > MaxFile {
		return nil, fmt.Errorf("file larger than %d bytes", MaxFile)
	}
	der, err := oneDER(data, ErrNoCRL, "X509 CRL", "CRL")
	if err != nil {
		return nil, err
	}
	l, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("malformed certificate revocation list: %w", err)
	}
	return l, nil
}

// ParseRequest reads a PKCS #10 certificate request, PEM or DER, and
// checks its signature.
func ParseRequest(data []byte) (*x509.CertificateRequest, error) {
	if len(data) > MaxFile {
		return nil, fmt.Errorf("file larger than %d bytes", MaxFile)
	}
	der, err := oneDER(data, ErrNoRequest, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
	if err != nil {
		return nil, err
	}
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("malformed certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("certificate request signature: %w", err)
	}
	return csr, nil
}

func parseRequest(id string, data []byte) (*request, error) {
	csr, err := ParseRequest(data)
	if err != nil {
		return nil, err
	}
	return &request{id: id, der: csr.Raw, csr: csr}, nil
}

// The PKCS #7 / CMS structures that carry a bundle of certificates
// (RFC 2315 "degenerate" signed data; RFC 5652 §5.1).
var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

type contentInfo struct {
	Type    asn1.ObjectIdentifier
	Content asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	ContentInfo      asn1.RawValue
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
}

// parsePKCS7 returns the certificates of a PKCS #7 signed-data bundle.
func parsePKCS7(der []byte) ([]*x509.Certificate, error) {
	var ci contentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) > 0 {
		return nil, errors.New("malformed PKCS #7 bundle")
	}
	if !ci.Type.Equal(oidSignedData) {
		return nil, errors.New("PKCS #7 content is not signed data")
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, errors.New("malformed PKCS #7 signed data")
	}
	if len(sd.Certificates.Bytes) == 0 {
		return nil, ErrNoCertificate
	}
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil {
		return nil, fmt.Errorf("malformed certificate in PKCS #7 bundle: %w", err)
	}
	return certs, nil
}
