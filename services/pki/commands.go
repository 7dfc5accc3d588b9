package pki

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

	"mxlab/shell/cmdtree"
)

// session is what the commands need from the CLI session that runs them:
// the router's files and a way to ask a question.
type session interface {
	ResolvePath(name string) (string, error)
	ReadLine(ctx context.Context, prompt string) (string, error)
}

func sessionOf(env *cmdtree.Env) (session, error) {
	s, ok := env.Session.(session)
	if !ok {
		return nil, errors.New("no file system available")
	}
	return s, nil
}

// readFile reads a file of the router named as the user typed it.
func readFile(env *cmdtree.Env, name string) ([]byte, error) {
	s, err := sessionOf(env)
	if err != nil {
		return nil, err
	}
	p, err := s.ResolvePath(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("could not resolve file: %s", name)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		return nil, fmt.Errorf("could not resolve file: %s", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFile {
		return nil, fmt.Errorf("file %s is larger than %d bytes", name, MaxFile)
	}
	return data, nil
}

// writeRouterFile writes a file of the router's user file space.
func writeRouterFile(env *cmdtree.Env, name string, data []byte) error {
	s, err := sessionOf(env)
	if err != nil {
		return err
	}
	p, err := s.ResolvePath(name)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		return fmt.Errorf("could not create file '%s'", name)
	}
	return nil
}

// Register adds the PKI commands to r; get finds the store of the router
// a command runs on.
func Register(r *cmdtree.Registry, get func(*cmdtree.Env) *Store) {
	c := commands{get: get}
	c.registerRequest(r)
	c.registerClear(r)
	c.registerShow(r)
}

type commands struct{ get func(*cmdtree.Env) *Store }

func (c commands) store(router any) *Store { return c.get(&cmdtree.Env{Router: router}) }

// Parameters shared by several commands.
func (c commands) certID(required bool, names func(*snapshot) []string) cmdtree.Param {
	return cmdtree.Param{Name: "certificate-id", Value: "<certificate-id>", Help: "Certificate identifier", Required: required,
		Values: func(router any) []string {
			n := names(c.store(router).current())
			slices.Sort(n)
			return n
		}}
}

func (c commands) caProfile(required bool) cmdtree.Param {
	return cmdtree.Param{Name: "ca-profile", Value: "<ca-profile>", Help: "CA profile name", Required: required,
		Values: func(router any) []string {
			var out []string
			for _, p := range c.store(router).Config().Profiles {
				out = append(out, p.Name)
			}
			return out
		}}
}

func filenameParam(help string, required bool) cmdtree.Param {
	return cmdtree.Param{Name: "filename", Value: "<filename>", Help: help, Required: required}
}

var levels = []cmdtree.Param{{Name: "brief", Help: "Display brief output"}, {Name: "detail", Help: "Display detailed output"}}

func (c commands) registerRequest(r *cmdtree.Registry) {
	pki := []string{"request", "security", "pki"}
	helps := []string{"Make system-level requests", "Security requests", "Public-key infrastructure requests"}
	path := func(words ...string) []string { return append(slices.Clone(pki), words...) }
	allKeys := func(sn *snapshot) []string { return keysOf(sn.keys) }
	r.Register(path("generate-key-pair"), "Generate a public/private key pair",
		[]cmdtree.Param{c.certID(true, allKeys),
			{Name: "size", Value: "<size>", Help: "Key size in bits (RSA: 1024, 2048, 3072, 4096; ECDSA: 256, 384)", Check: checkSize},
			{Name: "type", Value: "<type>", Help: "Key type (rsa, ecdsa)", Check: checkType,
				Values: func(any) []string { return []string{"ecdsa", "rsa"} }}},
		c.generateKeyPair, helps...)
	r.Register(path("generate-certificate-request"), "Generate a PKCS #10 certificate request",
		[]cmdtree.Param{c.certID(true, allKeys),
			{Name: "subject", Value: "<subject>", Help: "Distinguished name (CN=name,OU=unit,O=organization,L=locality,ST=state,C=country,DC=component)", Required: true},
			{Name: "domain-name", Value: "<domain-name>", Help: "Fully qualified domain name"},
			{Name: "ip-address", Value: "<ip-address>", Help: "IPv4 address", Check: checkIP(true)},
			{Name: "ipv6-address", Value: "<ipv6-address>", Help: "IPv6 address", Check: checkIP(false)},
			{Name: "email", Value: "<email>", Help: "E-mail address"},
			{Name: "digest", Value: "<digest>", Help: "Digest of the request signature (sha-1, sha-256)", Check: checkDigest,
				Values: func(any) []string { return []string{DigestSHA1, DigestSHA256} }},
			filenameParam("File to write the request to", false)},
		c.generateRequest, helps...)
	r.Group(path("local-certificate"), "Local certificate requests")
	r.Register(path("local-certificate", "load"), "Load a local certificate from a file",
		[]cmdtree.Param{c.certID(true, allKeys), filenameParam("File holding the certificate", true),
			{Name: "key", Value: "<key>", Help: "File holding the private key"}},
		c.loadLocal)
	r.Register(path("local-certificate", "generate-self-signed"), "Generate a self-signed local certificate",
		[]cmdtree.Param{c.certID(true, allKeys),
			{Name: "subject", Value: "<subject>", Help: "Distinguished name (CN=name,OU=unit,O=organization,...)", Required: true},
			{Name: "domain-name", Value: "<domain-name>", Help: "Fully qualified domain name"},
			{Name: "ip-address", Value: "<ip-address>", Help: "IPv4 address", Check: checkIP(true)},
			{Name: "ipv6-address", Value: "<ipv6-address>", Help: "IPv6 address", Check: checkIP(false)},
			{Name: "email", Value: "<email>", Help: "E-mail address"}},
		c.selfSigned)
	r.Register(path("local-certificate", "verify"), "Verify a local certificate",
		[]cmdtree.Param{c.certID(true, func(sn *snapshot) []string { return keysOf(sn.locals) })},
		c.verifyLocal)
	r.Group(path("ca-certificate"), "CA certificate requests")
	r.Register(path("ca-certificate", "load"), "Load a CA certificate from a file",
		[]cmdtree.Param{c.caProfile(true), filenameParam("File holding the CA certificate", true)}, c.loadCA)
	r.Register(path("ca-certificate", "verify"), "Verify a CA certificate",
		[]cmdtree.Param{c.caProfile(true)}, c.verifyCA)
	r.Group(path("crl"), "Certificate revocation list requests")
	r.Register(path("crl", "load"), "Load a certificate revocation list from a file",
		[]cmdtree.Param{c.caProfile(true), filenameParam("File holding the CRL", true)}, c.loadCRL)
}

func checkSize(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return errors.New("invalid key size")
	}
	for _, sizes := range KeySizes {
		if slices.Contains(sizes, n) {
			return nil
		}
	}
	return errors.New("invalid key size: 1024, 2048, 3072 or 4096 (RSA), 256 or 384 (ECDSA)")
}

func checkType(v string) error {
	if _, ok := KeySizes[KeyType(v)]; !ok {
		return fmt.Errorf("invalid key type %s: rsa or ecdsa", v)
	}
	return nil
}

func checkDigest(v string) error {
	if v != DigestSHA1 && v != DigestSHA256 {
		return errors.New("invalid digest: sha-1 or sha-256")
	}
	return nil
}

func checkIP(v4 bool) func(string) error {
	return func(v string) error {
		ip := net.ParseIP(v)
		if ip == nil || (ip.To4() != nil) != v4 {
			if v4 {
				return errors.New("invalid IPv4 address")
			}
			return errors.New("invalid IPv6 address")
		}
		return nil
	}
}

func (c commands) generateKeyPair(env *cmdtree.Env, a cmdtree.Args) error {
	typ := KeyType(a.Get("type", string(RSA)))
	bits := 0
	if v, ok := a["size"]; ok {
		bits, _ = strconv.Atoi(v)
	}
	id := a["certificate-id"]
	n, err := c.get(env).GenerateKeyPair(id, typ, bits)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "Generated key pair %s, key size %d bits\n", id, n)
	return err
}

func altNames(a cmdtree.Args) AltNames {
	var alt AltNames
	if v, ok := a["domain-name"]; ok {
		alt.DNS = []string{v}
	}
	for _, k := range []string{"ip-address", "ipv6-address"} {
		if v, ok := a[k]; ok {
			alt.IPs = append(alt.IPs, net.ParseIP(v))
		}
	}
	if v, ok := a["email"]; ok {
		alt.Emails = []string{v}
	}
	return alt
}

func (c commands) generateRequest(env *cmdtree.Env, a cmdtree.Args) error {
	p, csr, err := c.get(env).GenerateRequest(a["certificate-id"], a["subject"], altNames(a), a.Get("digest", DigestSHA256))
	if err != nil {
		return err
	}
	if f, ok := a["filename"]; ok {
		if err := writeRouterFile(env, f, p); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString("Generated certificate request\n")
	b.Write(p)
	s, m := sha1.Sum(csr.Raw), md5.Sum(csr.Raw)
	fmt.Fprintf(&b, "Fingerprint:\n%s (sha1)\n%s (md5)\n", colonHex(s[:]), colonHex(m[:]))
	_, err = io.WriteString(env.Out, b.String())
	return err
}

func (c commands) loadLocal(env *cmdtree.Env, a cmdtree.Args) error {
	cert, err := readFile(env, a["filename"])
	if err != nil {
		return err
	}
	var key []byte
	if k, ok := a["key"]; ok {
		if key, err = readFile(env, k); err != nil {
			return err
		}
	}
	if err := c.get(env).LoadLocal(a["certificate-id"], cert, key); err != nil {
		return err
	}
	_, err = io.WriteString(env.Out, "Local certificate loaded successfully\n")
	return err
}

func (c commands) selfSigned(env *cmdtree.Env, a cmdtree.Args) error {
	if err := c.get(env).GenerateSelfSigned(a["certificate-id"], a["subject"], altNames(a)); err != nil {
		return err
	}
	_, err := io.WriteString(env.Out, "Self-signed certificate generated and loaded successfully\n")
	return err
}

func (c commands) verifyLocal(env *cmdtree.Env, a cmdtree.Args) error {
	id := a["certificate-id"]
	if _, err := c.get(env).VerifyLocal(id); err != nil {
		//lint:ignore ST1005 Junos text shown to the user as it is
		return fmt.Errorf("Local certificate %s verification failed: %w", id, err)
	}
	_, err := fmt.Fprintf(env.Out, "Local certificate %s verification success\n", id)
	return err
}

// configured refuses a CA profile the committed configuration does not have.
func (c commands) configured(env *cmdtree.Env, profile string) error {
	if _, ok := c.get(env).Config().Profile(profile); !ok {
		return fmt.Errorf("ca-profile %s is not configured", profile)
	}
	return nil
}

func (c commands) loadCA(env *cmdtree.Env, a cmdtree.Args) error {
	profile := a["ca-profile"]
	if err := c.configured(env, profile); err != nil {
		return err
	}
	data, err := readFile(env, a["filename"])
	if err != nil {
		return err
	}
	certs, err := ParseCertificates(data)
	if err != nil {
		return err
	}
	for _, cert := range certs {
		s, m := sha1.Sum(cert.Raw), md5.Sum(cert.Raw)
		fmt.Fprintf(env.Out, "Fingerprint:\n %s (sha1)\n %s (md5)\n", colonHex(s[:]), colonHex(m[:]))
	}
	sess, err := sessionOf(env)
	if err != nil {
		return err
	}
	answer, err := sess.ReadLine(env.Ctx, "Do you want to load this CA certificate ? [yes,no] (no) ")
	if err != nil { // no input (-c commands), end of input or Ctrl-C
		return fmt.Errorf("CA certificate for profile %s not loaded", profile)
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "yes" && a != "y" {
		return nil
	}
	if err := c.get(env).LoadCA(profile, certs); err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "CA certificate for profile %s loaded successfully\n", profile)
	return err
}

func (c commands) verifyCA(env *cmdtree.Env, a cmdtree.Args) error {
	profile := a["ca-profile"]
	if err := c.get(env).VerifyCA(profile); err != nil {
		return fmt.Errorf("CA certificate %s verification failed: %w", profile, err)
	}
	_, err := fmt.Fprintf(env.Out, "CA certificate %s verified successfully\n", profile)
	return err
}

func (c commands) loadCRL(env *cmdtree.Env, a cmdtree.Args) error {
	profile := a["ca-profile"]
	if err := c.configured(env, profile); err != nil {
		return err
	}
	data, err := readFile(env, a["filename"])
	if err != nil {
		return err
	}
	if _, err := c.get(env).LoadCRL(profile, data); err != nil {
		return err
	}
	_, err = fmt.Fprintf(env.Out, "CRL for CA profile %s loaded successfully\n", profile)
	return err
}

func (c commands) registerClear(r *cmdtree.Registry) {
	pki := []string{"clear", "security", "pki"}
	helps := []string{"", "Clear security information", "Clear public-key infrastructure information"}
	type kind struct {
		word, help, param string
		names             func(*snapshot) []string
		clear             func(*Store, string) error
	}
	kinds := []kind{
		{"local-certificate", "Clear local certificates, their requests and key pairs", "certificate-id",
			func(sn *snapshot) []string { return keysOf(sn.locals) }, (*Store).ClearLocal},
		{"certificate-request", "Clear certificate requests and their key pairs", "certificate-id",
			func(sn *snapshot) []string { return keysOf(sn.requests) }, (*Store).ClearRequest},
		{"key-pair", "Clear key pairs", "certificate-id",
			func(sn *snapshot) []string { return keysOf(sn.keys) }, (*Store).ClearKeyPair},
		{"ca-certificate", "Clear CA certificates", "ca-profile",
			func(sn *snapshot) []string { return keysOf(sn.cas) }, (*Store).ClearCA},
		{"crl", "Clear certificate revocation lists", "ca-profile",
			func(sn *snapshot) []string { return keysOf(sn.crls) }, (*Store).ClearCRL},
	}
	for _, k := range kinds {
		param := c.certID(true, k.names)
		if k.param == "ca-profile" {
			param = cmdtree.Param{Name: "ca-profile", Value: "<ca-profile>", Help: "CA profile name", Required: true,
				Values: func(router any) []string { return sortedNames(k.names(c.store(router).current())) }}
		}
		clear := k.clear
		r.Register(append(slices.Clone(pki), k.word), k.help, []cmdtree.Param{param},
			func(env *cmdtree.Env, a cmdtree.Args) error { return clear(c.get(env), a[param.Name]) }, helps...)
		r.Register(append(slices.Clone(pki), k.word, "all"), "Clear all of them", nil,
			cmdtree.Func(func(env *cmdtree.Env) error { return clear(c.get(env), "") }))
	}
}

func sortedNames(n []string) []string {
	slices.Sort(n)
	return n
}

func (c commands) registerShow(r *cmdtree.Registry) {
	pki := []string{"show", "security", "pki"}
	helps := []string{"", "Show security information", "Show public-key infrastructure information"}
	with := func(p cmdtree.Param) []cmdtree.Param { return append(slices.Clone(levels), p) }
	r.Register(append(slices.Clone(pki), "ca-certificate"), "Show CA certificates", with(c.caProfile(false)),
		func(env *cmdtree.Env, a cmdtree.Args) error {
			c.get(env).ShowCA(env.Out, a["ca-profile"], a.Has("detail"))
			return nil
		}, helps...)
	r.Register(append(slices.Clone(pki), "local-certificate"), "Show local certificates",
		with(c.certID(false, func(sn *snapshot) []string { return keysOf(sn.locals) })),
		func(env *cmdtree.Env, a cmdtree.Args) error {
			c.get(env).ShowLocal(env.Out, a["certificate-id"], a.Has("detail"))
			return nil
		})
	r.Register(append(slices.Clone(pki), "certificate-request"), "Show certificate requests",
		with(c.certID(false, func(sn *snapshot) []string { return keysOf(sn.requests) })),
		func(env *cmdtree.Env, a cmdtree.Args) error {
			c.get(env).ShowRequests(env.Out, a["certificate-id"], a.Has("detail"))
			return nil
		})
	r.Register(append(slices.Clone(pki), "crl"), "Show certificate revocation lists", with(c.caProfile(false)),
		func(env *cmdtree.Env, a cmdtree.Args) error {
			c.get(env).ShowCRL(env.Out, a["ca-profile"], a.Has("detail"))
			return nil
		})
	r.Register([]string{"show", "services", "ipsec-vpn", "certificates"}, "Show certificates used by IPSec VPN",
		with(cmdtree.Param{Name: "service-set", Value: "<service-set>", Help: "Name of service set",
			Values: func(router any) []string {
				var out []string
				for _, u := range c.store(router).Config().Uses {
					out = append(out, u.ServiceSet)
				}
				return out
			}}),
		func(env *cmdtree.Env, a cmdtree.Args) error {
			c.get(env).ShowIPsec(env.Out, a["service-set"], a.Has("detail"))
			return nil
		}, "", "Show services information", "Show IPSec VPN information")
}
