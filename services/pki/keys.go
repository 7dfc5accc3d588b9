package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// KeyType is the algorithm of a key pair.
type KeyType string

// Key pair algorithms ("type" of generate-key-pair).
const (
	RSA   KeyType = "rsa"
	ECDSA KeyType = "ecdsa"
)

// ErrKeySize reports a key size the algorithm does not take.
var ErrKeySize = errors.New("invalid key size")

// KeySizes lists the sizes each algorithm takes, the default first.
var KeySizes = map[KeyType][]int{
	RSA:   {2048, 1024, 3072, 4096},
	ECDSA: {256, 384},
}

// generateKey makes a key pair of the type and size (0: the default).
func generateKey(typ KeyType, bits int) (crypto.Signer, int, error) {
	sizes, ok := KeySizes[typ]
	if !ok {
		return nil, 0, fmt.Errorf("key type %q is not supported", typ)
	}
	if bits == 0 {
		bits = sizes[0]
	}
	valid := false
	for _, n := range sizes {
		valid = valid || n == bits
	}
	if !valid {
		return nil, 0, fmt.Errorf("%w: %s keys are %s bits", ErrKeySize, typ, sizeList(sizes))
	}
	switch typ {
	case RSA:
		k, err := rsa.GenerateKey(rand.Reader, bits)
		return k, bits, err
	default:
		curve := elliptic.P256()
		if bits == 384 {
			curve = elliptic.P384()
		}
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		return k, bits, err
	}
}

func sizeList(sizes []int) string {
	s := ""
	for i, n := range sizes {
		switch {
		case i == 0:
		case i == len(sizes)-1:
			s += " or "
		default:
			s += ", "
		}
		s += fmt.Sprint(n)
	}
	return s
}

// keyBits returns the size of a public key in bits and its algorithm name
// as the show commands print it ("rsaEncryption").
func keyBits(pub crypto.PublicKey) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "rsaEncryption", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ecdsaEncryption", k.Curve.Params().BitSize
	}
	return "unknown", 0
}

// encodeStoredKey renders a key pair the way the store keeps it: PKCS #8
// in PEM, with a header telling where it comes from.
func encodeStoredKey(k *keyPair) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.key)
	if err != nil {
		return nil, err
	}
	origin := "imported"
	if k.generated {
		origin = "generated"
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{pemKeyOrigin: origin}, Bytes: der}), nil
}

func readStoredKey(id string, data []byte) (*keyPair, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("not a stored key pair")
	}
	k, err := parseKeyDER(b.Bytes)
	if err != nil {
		return nil, err
	}
	return &keyPair{id: id, key: k, generated: b.Headers[pemKeyOrigin] == "generated"}, nil
}

// ErrEncryptedKey reports a private key file protected by a passphrase.
var ErrEncryptedKey = errors.New("encrypted private keys are not supported")

// ParseKey reads an RSA or ECDSA private key: PEM (PKCS #8, PKCS #1 or
// SEC 1, as openssl and strongSwan's pki write them) or DER.
func ParseKey(data []byte) (crypto.Signer, error) {
	rest := data
	sawPEM := false
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		sawPEM = true
		switch b.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if _, ok := b.Headers["Proc-Type"]; ok {
				return nil, ErrEncryptedKey
			}
			return parseKeyDER(b.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, ErrEncryptedKey
		}
	}
	if sawPEM {
		return nil, errors.New("no private key in the file")
	}
	return parseKeyDER(data)
}

func parseKeyDER(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return signerOf(k)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return signerOf(k)
	}
	return nil, errors.New("not an RSA or ECDSA private key")
}

func signerOf(k any) (crypto.Signer, error) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384():
			return k, nil
		}
		return nil, fmt.Errorf("ECDSA curve %s is not supported", k.Curve.Params().Name)
	}
	return nil, fmt.Errorf("%T keys are not supported", k)
}

// samePublic reports whether two public keys are the same key.
func samePublic(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}
