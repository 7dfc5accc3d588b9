package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// AuthMethod is an IKEv2 authentication method (RFC 7296 §3.8, RFC 4754,
// RFC 7427).
type AuthMethod uint8

// IKEv2 signature authentication methods.
const (
	AuthRSA              AuthMethod = 1  // RSA Digital Signature: PKCS #1 v1.5 with SHA-1
	AuthECDSA256         AuthMethod = 9  // ECDSA with SHA-256 on P-256, r||s (RFC 4754)
	AuthECDSA384         AuthMethod = 10 // ECDSA with SHA-384 on P-384, r||s
	AuthDigitalSignature AuthMethod = 14 // Digital Signature (RFC 7427): AlgorithmIdentifier + signature
)

// Hash algorithm numbers of the SIGNATURE_HASH_ALGORITHMS notification
// (RFC 7427 §4), and the hashes they name.
var ikeHashes = map[uint16]crypto.Hash{1: crypto.SHA1, 2: crypto.SHA256, 3: crypto.SHA384, 4: crypto.SHA512}

// HashFromIKE returns the hash of a SIGNATURE_HASH_ALGORITHMS number, and
// whether it is known.
func HashFromIKE(n uint16) (crypto.Hash, bool) {
	h, ok := ikeHashes[n]
	return h, ok
}

// IKEHashes are the SIGNATURE_HASH_ALGORITHMS numbers this PKI signs and
// verifies with, preferred first.
var IKEHashes = []uint16{2, 3, 4, 1}

// Errors of signing and verifying.
var (
	ErrBadAuth        = errors.New("signature does not verify")
	ErrAuthMethod     = errors.New("authentication method does not fit the key")
	ErrUnsupportedSig = errors.New("unsupported signature algorithm")
)

// Credential is a local certificate with its key pair, what IKE needs to
// authenticate the router: CERT payloads, the ID, the AUTH signature.
type Credential struct {
	ID    string
	Cert  *x509.Certificate
	Chain []*x509.Certificate // the intermediate CA certificates loaded with it
	Key   crypto.Signer
}

// Credential returns local certificate id with its key pair.
func (s *Store) Credential(id string) (*Credential, error) {
	snap := s.current()
	l := snap.locals[id]
	if l == nil {
		return nil, &VerifyError{Reason: ReasonNoLocalCert, Detail: id}
	}
	k := snap.keys[id]
	if k == nil || !samePublic(l.cert.PublicKey, k.key.Public()) {
		return nil, &VerifyError{Reason: ReasonNoKeyPair, Detail: id}
	}
	return &Credential{ID: id, Cert: l.cert, Chain: l.chain, Key: k.key}, nil
}

// Certificates returns the DER certificates for CERT payloads (encoding 4,
// X.509 Certificate - Signature): the certificate, then its chain unless
// endOnly ("no-certificate-chain-in-ike").
func (c *Credential) Certificates(endOnly bool) [][]byte {
	out := [][]byte{c.Cert.Raw}
	if !endOnly {
		for _, x := range c.Chain {
			out = append(out, x.Raw)
		}
	}
	return out
}

// Method returns the IKEv2 authentication method of the key when the peer
// does not support RFC 7427: 1 for RSA, 9 or 10 for ECDSA.
func (c *Credential) Method() AuthMethod {
	if k, ok := c.Key.Public().(*ecdsa.PublicKey); ok {
		if k.Curve.Params().BitSize > 256 {
			return AuthECDSA384
		}
		return AuthECDSA256
	}
	return AuthRSA
}

// Sign returns the AUTH data of an IKEv2 signature method over the signed
// octets (RFC 7296 §2.15). For AuthDigitalSignature, hash is the one negotiated
// by SIGNATURE_HASH_ALGORITHMS; the other methods fix their hash.
func (c *Credential) Sign(m AuthMethod, hash crypto.Hash, octets []byte) ([]byte, error) {
	switch m {
	case AuthRSA:
		k, ok := c.Key.(*rsa.PrivateKey)
		if !ok {
			return nil, ErrAuthMethod
		}
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA1, digest(crypto.SHA1, octets))
	case AuthECDSA256, AuthECDSA384:
		k, ok := c.Key.(*ecdsa.PrivateKey)
		h := methodHash(m)
		if !ok || curveHash(&k.PublicKey) != h {
			return nil, ErrAuthMethod
		}
		return signRS(k, h, octets)
	case AuthDigitalSignature:
		alg, ok := algorithmID(c.Key.Public(), hash)
		if !ok {
			return nil, ErrUnsupportedSig
		}
		sig, err := c.Key.Sign(rand.Reader, digest(hash, octets), hash)
		if err != nil {
			return nil, err
		}
		return slices.Concat([]byte{byte(len(alg))}, alg, sig), nil
	}
	return nil, fmt.Errorf("%w: method %d", ErrAuthMethod, m)
}

// VerifyAuth checks the AUTH data of a peer's IKEv2 signature method over
// the signed octets with the public key of its certificate.
func VerifyAuth(m AuthMethod, pub crypto.PublicKey, octets, auth []byte) error {
	switch m {
	case AuthRSA:
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return ErrAuthMethod
		}
		if rsa.VerifyPKCS1v15(k, crypto.SHA1, digest(crypto.SHA1, octets), auth) != nil {
			return ErrBadAuth
		}
		return nil
	case AuthECDSA256, AuthECDSA384:
		k, ok := pub.(*ecdsa.PublicKey)
		h := methodHash(m)
		if !ok || curveHash(k) != h {
			return ErrAuthMethod
		}
		return verifyRS(k, h, octets, auth)
	case AuthDigitalSignature:
		if len(auth) < 1 || len(auth) < 1+int(auth[0]) {
			return ErrBadAuth
		}
		alg, sig := auth[1:1+int(auth[0])], auth[1+int(auth[0]):]
		hash, ok := hashOfAlgorithm(pub, alg)
		if !ok {
			return ErrUnsupportedSig
		}
		return verifySig(pub, hash, octets, sig)
	}
	return fmt.Errorf("%w: method %d", ErrAuthMethod, m)
}

// SignIKEv1 returns the SIG payload data of IKEv1 signature
// authentication (RFC 2409 §5.1) over HASH_I or HASH_R: for RSA the hash
// padded and signed with PKCS #1 v1.5 without a DigestInfo, for ECDSA
// (RFC 4754) r||s over the hash of the curve's size.
func (c *Credential) SignIKEv1(hash []byte) ([]byte, error) {
	switch k := c.Key.(type) {
	case *rsa.PrivateKey:
		return rsa.SignPKCS1v15(rand.Reader, k, 0, hash)
	case *ecdsa.PrivateKey:
		return signRS(k, curveHash(&k.PublicKey), hash)
	}
	return nil, ErrAuthMethod
}

// VerifyIKEv1 checks the SIG payload of an IKEv1 peer over HASH_I or HASH_R.
func VerifyIKEv1(pub crypto.PublicKey, hash, sig []byte) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(k, 0, hash, sig) != nil {
			return ErrBadAuth
		}
		return nil
	case *ecdsa.PublicKey:
		return verifyRS(k, curveHash(k), hash, sig)
	}
	return ErrAuthMethod
}

func digest(h crypto.Hash, data []byte) []byte {
	w := h.New()
	w.Write(data)
	return w.Sum(nil)
}

func methodHash(m AuthMethod) crypto.Hash {
	if m == AuthECDSA384 {
		return crypto.SHA384
	}
	return crypto.SHA256
}

func curveHash(k *ecdsa.PublicKey) crypto.Hash {
	if k.Curve.Params().BitSize > 256 {
		return crypto.SHA384
	}
	return crypto.SHA256
}

// signRS signs with ECDSA and returns r||s, each padded to the curve size.
func signRS(k *ecdsa.PrivateKey, h crypto.Hash, data []byte) ([]byte, error) {
	r, s, err := ecdsa.Sign(rand.Reader, k, digest(h, data))
	if err != nil {
		return nil, err
	}
	n := (k.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	s.FillBytes(out[n:])
	return out, nil
}

func verifyRS(k *ecdsa.PublicKey, h crypto.Hash, data, sig []byte) error {
	n := (k.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*n {
		return ErrBadAuth
	}
	r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
	if !ecdsa.Verify(k, digest(h, data), r, s) {
		return ErrBadAuth
	}
	return nil
}

func verifySig(pub crypto.PublicKey, h crypto.Hash, data, sig []byte) error {
	d := digest(h, data)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(k, h, d, sig) != nil {
			return ErrBadAuth
		}
		return nil
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, d, sig) {
			return ErrBadAuth
		}
		return nil
	}
	return ErrAuthMethod
}

// The AlgorithmIdentifiers of RFC 7427 signatures (DER, RFC 7427
// Appendix A): PKCS #1 v1.5 with NULL parameters, ECDSA without.
var (
	oidRSAWith = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1: {1, 2, 840, 113549, 1, 1, 5}, crypto.SHA256: {1, 2, 840, 113549, 1, 1, 11},
		crypto.SHA384: {1, 2, 840, 113549, 1, 1, 12}, crypto.SHA512: {1, 2, 840, 113549, 1, 1, 13},
	}
	oidECDSAWith = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1: {1, 2, 840, 10045, 4, 1}, crypto.SHA256: {1, 2, 840, 10045, 4, 3, 2},
		crypto.SHA384: {1, 2, 840, 10045, 4, 3, 3}, crypto.SHA512: {1, 2, 840, 10045, 4, 3, 4},
	}
)

func algorithmID(pub crypto.PublicKey, h crypto.Hash) ([]byte, bool) {
	switch pub.(type) {
	case *rsa.PublicKey:
		oid, ok := oidRSAWith[h]
		if !ok {
			return nil, false
		}
		der, _ := asn1.Marshal(struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue
		}{oid, asn1.NullRawValue})
		return der, true
	case *ecdsa.PublicKey:
		oid, ok := oidECDSAWith[h]
		if !ok {
			return nil, false
		}
		der, _ := asn1.Marshal(struct{ Algorithm asn1.ObjectIdentifier }{oid})
		return der, true
	}
	return nil, false
}

// hashOfAlgorithm returns the hash of an RFC 7427 AlgorithmIdentifier
// that fits the key.
func hashOfAlgorithm(pub crypto.PublicKey, alg []byte) (crypto.Hash, bool) {
	var ai struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	if rest, err := asn1.Unmarshal(alg, &ai); err != nil || len(rest) > 0 {
		return 0, false
	}
	table := oidRSAWith
	if _, ok := pub.(*ecdsa.PublicKey); ok {
		table = oidECDSAWith
	}
	for h, oid := range table {
		if oid.Equal(ai.Algorithm) {
			return h, true
		}
	}
	return 0, false
}

// CAKeyHashes returns the Certification Authority data of an IKEv2
// CERTREQ payload (RFC 7296 §3.7): the SHA-1 hashes of the public keys
// (SubjectPublicKeyInfo) of the CA certificates of profiles (all when
// none), concatenated.
func (s *Store) CAKeyHashes(profiles []string) []byte {
	var out []byte
	for _, c := range s.caCerts(profiles) {
		h := sha1.Sum(c.RawSubjectPublicKeyInfo)
		out = append(out, h[:]...)
	}
	return out
}

// CANames returns the DER names of the CA certificates of profiles (all
// when none), one IKEv1 CERTREQ payload each (RFC 2408 §3.10).
func (s *Store) CANames(profiles []string) [][]byte {
	var out [][]byte
	for _, c := range s.caCerts(profiles) {
		out = append(out, c.RawSubject)
	}
	return out
}

func (s *Store) caCerts(profiles []string) []*x509.Certificate {
	snap := s.current()
	names := keysOf(snap.cas)
	slices.Sort(names)
	var out []*x509.Certificate
	for _, n := range names {
		if len(profiles) == 0 || slices.Contains(profiles, n) {
			out = append(out, snap.cas[n].certs...)
		}
	}
	return out
}

// MatchesCertReq reports whether the credential chains to a CA whose key
// hash is among those of a peer's IKEv2 CERTREQ (hashes: 20-byte SHA-1
// values, concatenated). An empty CERTREQ matches any credential.
func (s *Store) MatchesCertReq(c *Credential, hashes []byte) bool {
	if len(hashes) == 0 {
		return true
	}
	pool := append(slices.Clone(c.Chain), s.caCerts(nil)...)
	cur := c.Cert
	for depth := 0; depth < maxChain; depth++ {
		parent := findIssuer(cur, pool)
		if parent == nil {
			return false
		}
		h := sha1.Sum(parent.RawSubjectPublicKeyInfo)
		for i := 0; i+20 <= len(hashes); i += 20 {
			if bytes.Equal(hashes[i:i+20], h[:]) {
				return true
			}
		}
		if bytes.Equal(parent.RawSubject, parent.RawIssuer) {
			return false
		}
		cur = parent
	}
	return false
}
