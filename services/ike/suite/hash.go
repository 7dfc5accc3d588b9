package suite

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
)

// Hash is the hash algorithm of an IKE proposal (authentication-algorithm
// md5, sha1, sha-256, sha-384). IKE uses it as an HMAC pseudo-random
// function (the IKEv2 PRF, the IKEv1 hash) and, truncated, as the
// integrity algorithm of IKEv2 messages (Hash.Integrity).
type Hash uint8

// Hash algorithms.
const (
	MD5 Hash = iota + 1
	SHA1
	SHA256
	SHA384
)

type hashInfo struct {
	name  string
	new   func() hash.Hash
	prf   uint16 // IKEv2 PRF transform ID
	v1    uint16 // IKEv1 Hash Algorithm
	integ Integrity
}

var hashInfos = [...]hashInfo{
	MD5:    {name: "md5", new: md5.New, prf: 1, v1: 1, integ: HMACMD5_96},
	SHA1:   {name: "sha1", new: sha1.New, prf: 2, v1: 2, integ: HMACSHA1_96},
	SHA256: {name: "sha-256", new: sha256.New, prf: 5, v1: 4, integ: HMACSHA256_128},
	SHA384: {name: "sha-384", new: sha512.New384, prf: 6, v1: 5, integ: HMACSHA384_192},
}

// Hashes lists the hash algorithms.
var Hashes = []Hash{MD5, SHA1, SHA256, SHA384}

func (h Hash) info() hashInfo {
	if int(h) < len(hashInfos) {
		return hashInfos[h]
	}
	return hashInfo{}
}

// String returns the Junos name ("sha-256").
func (h Hash) String() string {
	if n := h.info().name; n != "" {
		return n
	}
	return fmt.Sprintf("hash(%d)", uint8(h))
}

// ParseHash returns the hash with the given Junos name.
func ParseHash(name string) (Hash, error) {
	for _, h := range Hashes {
		if h.String() == name {
			return h, nil
		}
	}
	return 0, fmt.Errorf("%w: authentication algorithm %q", ErrAlgorithm, name)
}

// New returns the constructor of the plain hash.
func (h Hash) New() func() hash.Hash { return h.info().new }

// Size returns the output length in bytes (also the PRF's key length
// preference, RFC 7296 §2.13).
func (h Hash) Size() int {
	if f := h.info().new; f != nil {
		return f().Size()
	}
	return 0
}

// PRF returns HMAC-h(key, data...).
func (h Hash) PRF(key []byte, data ...[]byte) []byte {
	m := hmac.New(h.info().new, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// NewPRF returns HMAC-h keyed with key, for callers that feed data in
// pieces.
func (h Hash) NewPRF(key []byte) hash.Hash { return hmac.New(h.info().new, key) }

// PRFID returns the IKEv2 PRF transform ID (PRF_HMAC_MD5 1, PRF_HMAC_SHA1
// 2, PRF_HMAC_SHA2_256 5, PRF_HMAC_SHA2_384 6).
func (h Hash) PRFID() uint16 { return h.info().prf }

// HashFromPRFID returns the hash of an IKEv2 PRF transform ID.
func HashFromPRFID(id uint16) (Hash, bool) {
	for _, h := range Hashes {
		if h.PRFID() == id {
			return h, true
		}
	}
	return 0, false
}

// IKEv1ID returns the IKEv1 phase-1 Hash Algorithm value (MD5 1, SHA 2,
// SHA2-256 4, SHA2-384 5).
func (h Hash) IKEv1ID() uint16 { return h.info().v1 }

// HashFromIKEv1 returns the hash of an IKEv1 Hash Algorithm value.
func HashFromIKEv1(id uint16) (Hash, bool) {
	for _, h := range Hashes {
		if h.IKEv1ID() == id {
			return h, true
		}
	}
	return 0, false
}

// Integrity returns the truncated HMAC that an IKEv2 proposal with this
// Junos authentication-algorithm uses for integrity.
func (h Hash) Integrity() Integrity { return h.info().integ }

// Integrity is a truncated-HMAC integrity algorithm (IKEv2 INTEG
// transforms, ESP authentication).
type Integrity uint8

// Integrity algorithms, by their Junos IPsec names.
const (
	HMACMD5_96 Integrity = iota + 1
	HMACSHA1_96
	HMACSHA256_128
	HMACSHA384_192
)

type integInfo struct {
	name string
	hash Hash
	icv  int
	id   uint16 // IKEv2 INTEG transform ID
	v1   uint16 // IKEv1 IPsec DOI Authentication Algorithm attribute
}

var integInfos = [...]integInfo{
	HMACMD5_96:     {name: "hmac-md5-96", hash: MD5, icv: 12, id: 1, v1: 1},
	HMACSHA1_96:    {name: "hmac-sha1-96", hash: SHA1, icv: 12, id: 2, v1: 2},
	HMACSHA256_128: {name: "hmac-sha-256-128", hash: SHA256, icv: 16, id: 12, v1: 5},
	HMACSHA384_192: {name: "hmac-sha-384-192", hash: SHA384, icv: 24, id: 13, v1: 6},
}

// Integrities lists the integrity algorithms.
var Integrities = []Integrity{HMACMD5_96, HMACSHA1_96, HMACSHA256_128, HMACSHA384_192}

func (i Integrity) info() integInfo {
	if int(i) < len(integInfos) {
		return integInfos[i]
	}
	return integInfo{}
}

// String returns the Junos name ("hmac-sha1-96").
func (i Integrity) String() string {
	if n := i.info().name; n != "" {
		return n
	}
	return fmt.Sprintf("integrity(%d)", uint8(i))
}

// Hash returns the hash the HMAC is built on.
func (i Integrity) Hash() Hash { return i.info().hash }

// KeyLen returns the key length in bytes (the hash's output length).
func (i Integrity) KeyLen() int { return i.info().hash.Size() }

// ICVLen returns the length of the truncated integrity check value.
func (i Integrity) ICVLen() int { return i.info().icv }

// New returns the HMAC keyed with key; its Sum is truncated to ICVLen by
// the caller.
func (i Integrity) New(key []byte) hash.Hash { return hmac.New(i.info().hash.info().new, key) }

// TransformID returns the IKEv2 INTEG transform ID (AUTH_HMAC_MD5_96 1,
// AUTH_HMAC_SHA1_96 2, AUTH_HMAC_SHA2_256_128 12, AUTH_HMAC_SHA2_384_192 13).
func (i Integrity) TransformID() uint16 { return i.info().id }

// IntegrityFromID returns the algorithm of an IKEv2 INTEG transform ID.
func IntegrityFromID(id uint16) (Integrity, bool) {
	for _, i := range Integrities {
		if i.TransformID() == id {
			return i, true
		}
	}
	return 0, false
}

// IKEv1ID returns the IPsec DOI Authentication Algorithm attribute value
// of IKEv1 quick mode (HMAC-MD5 1, HMAC-SHA 2, HMAC-SHA2-256 5,
// HMAC-SHA2-384 6).
func (i Integrity) IKEv1ID() uint16 { return i.info().v1 }

// IntegrityFromIKEv1 returns the algorithm of an IPsec DOI Authentication
// Algorithm attribute value.
func IntegrityFromIKEv1(id uint16) (Integrity, bool) {
	for _, i := range Integrities {
		if i.IKEv1ID() == id {
			return i, true
		}
	}
	return 0, false
}
