package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"time"
)

// The output of the show commands. Field names, indentation and the date
// form ("04- 3-2018 09:13 UTC") follow the Junos samples; see
// docs/pki.md for what is known and what is built from the field tables.

// showDate is the Junos date form: month, space-padded day, year.
const showDate = "01-_2-2006 15:04 UTC"

func when(t time.Time) string { return t.UTC().Format(showDate) }

// colonHex renders bytes as "a2:95:2f".
func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

// serialHex renders a serial number in hex, at least eight digits.
func serialHex(b []byte) string {
	s := fmt.Sprintf("%x", b)
	if len(s) < 8 {
		s = strings.Repeat("0", 8-len(s)) + s
	}
	return s
}

func serialOf(n *big.Int) string {
	if n == nil {
		return serialHex(nil)
	}
	if n.Sign() < 0 {
		return "-" + serialHex(new(big.Int).Neg(n).Bytes())
	}
	return serialHex(n.Bytes())
}

// sigName is the openssl name of a signature algorithm.
func sigName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.MD5WithRSA:
		return "md5WithRSAEncryption"
	case x509.SHA1WithRSA:
		return "sha1WithRSAEncryption"
	case x509.SHA256WithRSA:
		return "sha256WithRSAEncryption"
	case x509.SHA384WithRSA:
		return "sha384WithRSAEncryption"
	case x509.SHA512WithRSA:
		return "sha512WithRSAEncryption"
	case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return "rsassaPss"
	case x509.ECDSAWithSHA1:
		return "ecdsa-with-SHA1"
	case x509.ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case x509.ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case x509.ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	case x509.PureEd25519:
		return "ED25519"
	}
	return a.String()
}

// publicKeyBytes returns the key as the detail output dumps it: the
// PKCS #1 RSAPublicKey, or the EC point.
func publicKeyBytes(pub crypto.PublicKey) []byte {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return x509.MarshalPKCS1PublicKey(k)
	case *ecdsa.PublicKey:
		if e, err := k.ECDH(); err == nil {
			return e.Bytes()
		}
	}
	return nil
}

// hexLines dumps bytes 20 to a line.
func hexLines(w io.Writer, indent string, b []byte) {
	for len(b) > 0 {
		n := min(20, len(b))
		fmt.Fprintf(w, "%s%s\n", indent, colonHex(b[:n]))
		b = b[n:]
	}
}

func fingerprints(w io.Writer, indent string, der []byte) {
	s, m := sha1.Sum(der), md5.Sum(der)
	fmt.Fprintf(w, "%sFingerprint:\n%s  %s (sha1)\n%s  %s (md5)\n", indent, indent, colonHex(s[:]), indent, colonHex(m[:]))
}

// altSubject renders the "Alternate subject" line: the first e-mail
// address (quoted), DNS name, IPv4 and IPv6 address, or "empty".
func altSubject(emails, dns []string, ips []net4or6) string {
	parts := []string{"email empty", "fqdn empty", "ipv4 empty", "ipv6 empty"}
	if len(emails) > 0 {
		parts[0] = `"` + emails[0] + `"`
	}
	if len(dns) > 0 {
		parts[1] = dns[0]
	}
	for _, ip := range ips {
		if ip.v4 && parts[2] == "ipv4 empty" {
			parts[2] = ip.s
		}
		if !ip.v4 && parts[3] == "ipv6 empty" {
			parts[3] = ip.s
		}
	}
	return strings.Join(parts, ", ")
}

type net4or6 struct {
	s  string
	v4 bool
}

func ipsOf(c *x509.Certificate) []net4or6 {
	var out []net4or6
	for _, ip := range c.IPAddresses {
		out = append(out, net4or6{s: ip.String(), v4: ip.To4() != nil})
	}
	return out
}

// keyLine is "rsaEncryption(2048 bits)".
func keyLine(pub crypto.PublicKey) string {
	name, bits := keyBits(pub)
	return fmt.Sprintf("%s(%d bits)", name, bits)
}

// certDetail writes the detail fields of a certificate shared by the CA
// and local certificate outputs.
func certDetail(w io.Writer, c *x509.Certificate) {
	fmt.Fprintf(w, "  Certificate version: %d\n", c.Version)
	fmt.Fprintf(w, "  Serial number: %s\n", serialOf(c.SerialNumber))
	fmt.Fprintf(w, "  Issuer:\n    %s\n", dnLong(c.RawIssuer))
	fmt.Fprintf(w, "  Subject:\n    %s\n", dnLong(c.RawSubject))
	fmt.Fprintf(w, "  Subject string:\n    %s\n", dnString(c.RawSubject))
	fmt.Fprintf(w, "  Alternate subject: %s\n", altSubject(c.EmailAddresses, c.DNSNames, ipsOf(c)))
	fmt.Fprintf(w, "  Validity:\n    Not before: %s\n    Not after: %s\n", when(c.NotBefore), when(c.NotAfter))
	fmt.Fprintf(w, "  Public key algorithm: %s\n", keyLine(c.PublicKey))
	hexLines(w, "    ", publicKeyBytes(c.PublicKey))
	fmt.Fprintf(w, "  Signature algorithm: %s\n", sigName(c.SignatureAlgorithm))
	if len(c.CRLDistributionPoints) > 0 {
		fmt.Fprintf(w, "  Distribution CRL:\n")
		for _, u := range c.CRLDistributionPoints {
			fmt.Fprintf(w, "    %s\n", u)
		}
	}
	if len(c.OCSPServer) > 0 {
		fmt.Fprintf(w, "  Authority Information Access OCSP:\n")
		for _, u := range c.OCSPServer {
			fmt.Fprintf(w, "    %s\n", u)
		}
	}
	fingerprints(w, "  ", c.Raw)
}

func certBrief(w io.Writer, c *x509.Certificate) {
	fmt.Fprintf(w, "  Issued to: %s, Issued by: %s\n", commonName(c.RawSubject), dnSpaced(c.RawIssuer))
	fmt.Fprintf(w, "  Validity:\n    Not before: %s\n    Not after: %s\n", when(c.NotBefore), when(c.NotAfter))
	fmt.Fprintf(w, "  Public key algorithm: %s\n", keyLine(c.PublicKey))
}

// separated writes the entries with a blank line between them.
func separated[T any](w io.Writer, items []T, f func(T)) {
	for i, it := range items {
		if i > 0 {
			io.WriteString(w, "\n")
		}
		f(it)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	k := keysOf(m)
	slices.Sort(k)
	return k
}

// ShowCA writes "show security pki ca-certificate": the CA certificates
// of every profile, or of one.
func (s *Store) ShowCA(w io.Writer, profile string, detail bool) {
	snap := s.current()
	type entry struct {
		profile string
		cert    *x509.Certificate
	}
	var list []entry
	for _, p := range sortedKeys(snap.cas) {
		if profile == "" || p == profile {
			for _, c := range snap.cas[p].certs {
				list = append(list, entry{p, c})
			}
		}
	}
	separated(w, list, func(e entry) {
		fmt.Fprintf(w, "Certificate identifier: %s\n", e.profile)
		if detail {
			certDetail(w, e.cert)
		} else {
			certBrief(w, e.cert)
		}
	})
}

// ShowLocal writes "show security pki local-certificate".
func (s *Store) ShowLocal(w io.Writer, id string, detail bool) {
	snap := s.current()
	var list []*local
	for _, n := range sortedKeys(snap.locals) {
		if id == "" || n == id {
			list = append(list, snap.locals[n])
		}
	}
	separated(w, list, func(l *local) {
		fmt.Fprintf(w, "Certificate identifier: %s\n", l.id)
		if detail {
			certDetail(w, l.cert)
			fmt.Fprintf(w, "  Auto-re-enrollment:\n    Status: Disabled\n    Next trigger time: Timer not started\n")
			return
		}
		certBrief(w, l.cert)
		fmt.Fprintf(w, "  Keypair Location: %s\n", keyLocation(snap.keys[l.id], l.cert))
	})
}

func keyLocation(k *keyPair, c *x509.Certificate) string {
	switch {
	case k == nil || !samePublic(c.PublicKey, k.key.Public()):
		return "Keypair not found"
	case k.generated:
		return "Keypair generated locally"
	}
	return "Keypair imported"
}

// ShowRequests writes "show security pki certificate-request".
func (s *Store) ShowRequests(w io.Writer, id string, detail bool) {
	snap := s.current()
	var list []*request
	for _, n := range sortedKeys(snap.requests) {
		if id == "" || n == id {
			list = append(list, snap.requests[n])
		}
	}
	separated(w, list, func(r *request) {
		c := r.csr
		fmt.Fprintf(w, "Certificate identifier: %s\n", r.id)
		if !detail {
			fmt.Fprintf(w, " Issued to: %s\n Public key algorithm: %s\n", commonName(c.RawSubject), keyLine(c.PublicKey))
			return
		}
		fmt.Fprintf(w, "  Certificate version: %d\n", c.Version+1)
		fmt.Fprintf(w, "  Issued to: %s\n", commonName(c.RawSubject))
		fmt.Fprintf(w, "  Subject:\n    %s\n", dnLong(c.RawSubject))
		fmt.Fprintf(w, "  Subject string:\n    %s\n", dnString(c.RawSubject))
		var ips []net4or6
		for _, ip := range c.IPAddresses {
			ips = append(ips, net4or6{s: ip.String(), v4: ip.To4() != nil})
		}
		fmt.Fprintf(w, "  Alternate subject: %s\n", altSubject(c.EmailAddresses, c.DNSNames, ips))
		fmt.Fprintf(w, "  Public key algorithm: %s\n", keyLine(c.PublicKey))
		hexLines(w, "    ", publicKeyBytes(c.PublicKey))
		fmt.Fprintf(w, "  Signature algorithm: %s\n", sigName(c.SignatureAlgorithm))
		fingerprints(w, "  ", r.der)
	})
}

// crlVersion reads the version of a CRL (absent: v1, shown as 0).
func crlVersion(l *x509.RevocationList) int {
	var tbs asn1.RawValue
	if _, err := asn1.Unmarshal(l.RawTBSRevocationList, &tbs); err != nil {
		return 0
	}
	var v int
	if _, err := asn1.Unmarshal(tbs.Bytes, &v); err != nil {
		return 0
	}
	return v
}

// ShowCRL writes "show security pki crl".
func (s *Store) ShowCRL(w io.Writer, profile string, detail bool) {
	snap := s.current()
	var list []*crl
	for _, p := range sortedKeys(snap.crls) {
		if profile == "" || p == profile {
			list = append(list, snap.crls[p])
		}
	}
	separated(w, list, func(c *crl) {
		l := c.list
		fmt.Fprintf(w, "CA profile: %s\n", c.profile)
		fmt.Fprintf(w, "  CRL version: V%08x\n", crlVersion(l))
		fmt.Fprintf(w, "  CRL issuer: %s\n", dnSpaced(l.RawIssuer))
		fmt.Fprintf(w, "  Effective date: %s\n", when(l.ThisUpdate))
		if !l.NextUpdate.IsZero() {
			fmt.Fprintf(w, "  Next update: %s\n", when(l.NextUpdate))
		}
		if !detail {
			return
		}
		fmt.Fprintf(w, "  Revocation List:\n")
		fmt.Fprintf(w, "    %-40s %s\n", "Serial number", "Revocation date")
		for _, e := range l.RevokedCertificateEntries {
			fmt.Fprintf(w, "    %-40s %s\n", serialOf(e.SerialNumber), when(e.RevocationTime))
		}
	})
}
