package esp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// Encryption is an ESP encryption algorithm, named as Junos names it.
type Encryption uint8

// Encryption algorithms of [edit services ipsec-vpn ipsec proposal] and of
// manual SAs.
const (
	DESCBC Encryption = iota + 1
	TripleDESCBC
	AES128CBC
	AES192CBC
	AES256CBC
	AES128GCM // RFC 4106 with a 16-octet ICV
	AES192GCM
	AES256GCM
)

type encInfo struct {
	name    string
	keyLen  int // for GCM: AES key plus the 4-byte salt (RFC 4106 §8.1)
	block   int // cipher block size (1 for GCM: no block alignment)
	ivLen   int
	icvLen  int // AEAD tag length; 0 for CBC (the ICV comes from Authentication)
	aeadLen int // AES key length of a GCM algorithm
}

var encInfos = [...]encInfo{
	DESCBC:       {name: "des-cbc", keyLen: 8, block: 8, ivLen: 8},
	TripleDESCBC: {name: "3des-cbc", keyLen: 24, block: 8, ivLen: 8},
	AES128CBC:    {name: "aes-128-cbc", keyLen: 16, block: 16, ivLen: 16},
	AES192CBC:    {name: "aes-192-cbc", keyLen: 24, block: 16, ivLen: 16},
	AES256CBC:    {name: "aes-256-cbc", keyLen: 32, block: 16, ivLen: 16},
	AES128GCM:    {name: "aes-128-gcm", keyLen: 20, block: 1, ivLen: 8, icvLen: 16, aeadLen: 16},
	AES192GCM:    {name: "aes-192-gcm", keyLen: 28, block: 1, ivLen: 8, icvLen: 16, aeadLen: 24},
	AES256GCM:    {name: "aes-256-gcm", keyLen: 36, block: 1, ivLen: 8, icvLen: 16, aeadLen: 32},
}

func (e Encryption) info() encInfo {
	if int(e) < len(encInfos) {
		return encInfos[e]
	}
	return encInfo{}
}

// String returns the Junos name (aes-128-cbc).
func (e Encryption) String() string {
	if n := e.info().name; n != "" {
		return n
	}
	return fmt.Sprintf("encryption(%d)", uint8(e))
}

// KeyLen returns the key length in bytes; for AES-GCM it includes the
// 4-byte salt.
func (e Encryption) KeyLen() int { return e.info().keyLen }

// AEAD reports whether the algorithm authenticates by itself (AES-GCM), in
// which case an SA has no separate Authentication algorithm.
func (e Encryption) AEAD() bool { return e.info().icvLen > 0 }

// ParseEncryption returns the algorithm with the given Junos name.
func ParseEncryption(name string) (Encryption, error) {
	for e, in := range encInfos {
		if in.name != "" && in.name == name {
			return Encryption(e), nil
		}
	}
	return 0, fmt.Errorf("%w: encryption algorithm %q", ErrAlgorithm, name)
}

// newCipher returns the block cipher of a CBC algorithm or the AEAD of a GCM
// one, and for GCM the salt.
func (e Encryption) newCipher(key []byte) (cipher.Block, cipher.AEAD, []byte, error) {
	in := e.info()
	var (
		b   cipher.Block
		err error
	)
	switch e {
	case DESCBC:
		b, err = des.NewCipher(key)
	case TripleDESCBC:
		b, err = des.NewTripleDESCipher(key)
	case AES128CBC, AES192CBC, AES256CBC:
		b, err = aes.NewCipher(key)
	case AES128GCM, AES192GCM, AES256GCM:
		if b, err = aes.NewCipher(key[:in.aeadLen]); err != nil {
			return nil, nil, nil, err
		}
		g, err := cipher.NewGCM(b)
		return nil, g, key[in.aeadLen:], err
	default:
		return nil, nil, nil, fmt.Errorf("%w: %v", ErrAlgorithm, e)
	}
	return b, nil, nil, err
}

// newCBC returns the CBC encrypter and decrypter of block cipher b: with
// AES, the AES-NI mode of this package where the CPU has it.
func (e Encryption) newCBC(b cipher.Block, key []byte) (enc, dec cbcMode, err error) {
	switch e {
	case AES128CBC, AES192CBC, AES256CBC:
		if enc, dec, ok := newAESCBC(key); ok {
			return enc, dec, nil
		}
	}
	zero := make([]byte, b.BlockSize())
	enc, ok1 := cipher.NewCBCEncrypter(b, zero).(cbcMode)
	dec, ok2 := cipher.NewCBCDecrypter(b, zero).(cbcMode)
	if !ok1 || !ok2 {
		return nil, nil, fmt.Errorf("%w: cbc mode without SetIV", ErrAlgorithm)
	}
	return enc, dec, nil
}

// Authentication is an ESP integrity algorithm, named as Junos names it.
type Authentication uint8

// Authentication algorithms. HMACSHA256_96 is the non-RFC-compliant
// truncation Junos offers as hmac-sha-256-96; HMACSHA2_256 (Junos
// hmac-sha2-256) is HMAC-SHA-256-128 of RFC 4868.
const (
	NoAuthentication Authentication = iota
	HMACMD5_96
	HMACSHA1_96
	HMACSHA256_96
	HMACSHA256_128
	HMACSHA2_256
)

type authInfo struct {
	name   string
	keyLen int
	icvLen int
	hash   func() hash.Hash
}

var authInfos = [...]authInfo{
	NoAuthentication: {name: "none"},
	HMACMD5_96:       {name: "hmac-md5-96", keyLen: 16, icvLen: 12, hash: md5.New},
	HMACSHA1_96:      {name: "hmac-sha1-96", keyLen: 20, icvLen: 12, hash: sha1.New},
	HMACSHA256_96:    {name: "hmac-sha-256-96", keyLen: 32, icvLen: 12, hash: sha256.New},
	HMACSHA256_128:   {name: "hmac-sha-256-128", keyLen: 32, icvLen: 16, hash: sha256.New},
	HMACSHA2_256:     {name: "hmac-sha2-256", keyLen: 32, icvLen: 16, hash: sha256.New},
}

func (a Authentication) info() authInfo {
	if int(a) < len(authInfos) {
		return authInfos[a]
	}
	return authInfo{}
}

// String returns the Junos name (hmac-sha1-96).
func (a Authentication) String() string {
	if n := a.info().name; n != "" {
		return n
	}
	return fmt.Sprintf("authentication(%d)", uint8(a))
}

// KeyLen returns the key length in bytes.
func (a Authentication) KeyLen() int { return a.info().keyLen }

// ICVLen returns the length of the integrity check value in bytes.
func (a Authentication) ICVLen() int { return a.info().icvLen }

// ParseAuthentication returns the algorithm with the given Junos name.
func ParseAuthentication(name string) (Authentication, error) {
	for a, in := range authInfos {
		if a != int(NoAuthentication) && in.name == name {
			return Authentication(a), nil
		}
	}
	return 0, fmt.Errorf("%w: authentication algorithm %q", ErrAlgorithm, name)
}

func (a Authentication) newMAC(key []byte) hash.Hash {
	if a == NoAuthentication {
		return nil
	}
	return hmac.New(a.info().hash, key)
}

// KeyError reports a key whose length does not fit its algorithm.
type KeyError struct {
	Algorithm string // Junos algorithm name
	Want, Got int    // lengths in bytes
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("invalid key length for %s: %d bytes given, %d required "+
		"(ascii-text of %d characters or hexadecimal of %d digits)",
		e.Algorithm, e.Got, e.Want, e.Want, 2*e.Want)
}

func checkKey(name string, want int, key []byte) error {
	if len(key) != want {
		return &KeyError{Algorithm: name, Want: want, Got: len(key)}
	}
	return nil
}

// ParseKey decodes a key given as Junos does: format "ascii-text" takes the
// bytes of the string, "hexadecimal" takes hex digits (an optional 0x prefix
// is allowed).
func ParseKey(format, text string) ([]byte, error) {
	switch format {
	case "ascii-text":
		return []byte(text), nil
	case "hexadecimal":
		s := strings.TrimPrefix(strings.TrimPrefix(text, "0x"), "0X")
		k, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("invalid hexadecimal key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("unknown key format %q", format)
}
