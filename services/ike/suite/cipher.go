package suite

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"errors"
	"fmt"
)

// Encryption is an encryption algorithm, named as Junos names it.
type Encryption uint8

// Encryption algorithms of IKE and IPsec proposals
// (encryption-algorithm). The GCM algorithms have a 16-octet ICV; IKE
// proposals of MS PICs offer only the CBC ones.
const (
	DESCBC Encryption = iota + 1
	TripleDESCBC
	AES128CBC
	AES192CBC
	AES256CBC
	AES128GCM
	AES192GCM
	AES256GCM
)

// ErrAlgorithm: an algorithm this package does not know or that the
// protocol cannot use.
var ErrAlgorithm = errors.New("unsupported algorithm")

// IANA numbers of the encryption algorithms.
const (
	encrDES      = 2  // ENCR_DES, ESP_DES
	encr3DES     = 3  // ENCR_3DES, ESP_3DES
	encrAESCBC   = 12 // ENCR_AES_CBC, ESP_AES
	encrAESGCM16 = 20 // ENCR_AES_GCM_16, ESP_AES_GCM_16

	v1DES    = 1 // IKEv1 Encryption Algorithm class: DES-CBC
	v13DES   = 5 // 3DES-CBC
	v1AESCBC = 7 // AES-CBC (RFC 3602)
)

type encInfo struct {
	name    string
	key     int // cipher key bytes
	salt    int // salt bytes after the key in the keying material (GCM)
	block   int
	iv      int // IV bytes on the wire
	icv     int // AEAD tag bytes
	id      uint16
	v1      uint16 // IKEv1 phase-1 class value; 0: not in IKEv1 phase 1
	keyAttr bool   // the transform carries a Key Length attribute
}

var encInfos = [...]encInfo{
	DESCBC:       {name: "des-cbc", key: 8, block: 8, iv: 8, id: encrDES, v1: v1DES},
	TripleDESCBC: {name: "3des-cbc", key: 24, block: 8, iv: 8, id: encr3DES, v1: v13DES},
	AES128CBC:    {name: "aes-128-cbc", key: 16, block: 16, iv: 16, id: encrAESCBC, v1: v1AESCBC, keyAttr: true},
	AES192CBC:    {name: "aes-192-cbc", key: 24, block: 16, iv: 16, id: encrAESCBC, v1: v1AESCBC, keyAttr: true},
	AES256CBC:    {name: "aes-256-cbc", key: 32, block: 16, iv: 16, id: encrAESCBC, v1: v1AESCBC, keyAttr: true},
	AES128GCM:    {name: "aes-128-gcm", key: 16, salt: 4, block: 16, iv: 8, icv: 16, id: encrAESGCM16, keyAttr: true},
	AES192GCM:    {name: "aes-192-gcm", key: 24, salt: 4, block: 16, iv: 8, icv: 16, id: encrAESGCM16, keyAttr: true},
	AES256GCM:    {name: "aes-256-gcm", key: 32, salt: 4, block: 16, iv: 8, icv: 16, id: encrAESGCM16, keyAttr: true},
}

func (e Encryption) info() encInfo {
	if int(e) < len(encInfos) {
		return encInfos[e]
	}
	return encInfo{}
}

// Encryptions lists the algorithms.
var Encryptions = []Encryption{DESCBC, TripleDESCBC, AES128CBC, AES192CBC, AES256CBC, AES128GCM, AES192GCM, AES256GCM}

// String returns the Junos name ("aes-128-cbc").
func (e Encryption) String() string {
	if n := e.info().name; n != "" {
		return n
	}
	return fmt.Sprintf("encryption(%d)", uint8(e))
}

// ParseEncryption returns the algorithm with the given Junos name.
func ParseEncryption(name string) (Encryption, error) {
	for _, e := range Encryptions {
		if e.String() == name {
			return e, nil
		}
	}
	return 0, fmt.Errorf("%w: encryption algorithm %q", ErrAlgorithm, name)
}

// KeyLen returns the bytes of keying material the algorithm takes: the
// cipher key, and for GCM the 4-byte salt after it (RFC 5282 §7.1,
// RFC 4106 §8.1).
func (e Encryption) KeyLen() int { in := e.info(); return in.key + in.salt }

// SaltLen returns the bytes of salt at the end of the keying material
// (4 for GCM, 0 for CBC).
func (e Encryption) SaltLen() int { return e.info().salt }

// BlockSize returns the cipher's block size in bytes.
func (e Encryption) BlockSize() int { return e.info().block }

// IVLen returns the bytes of IV a message carries (the block for CBC, 8
// for GCM).
func (e Encryption) IVLen() int { return e.info().iv }

// ICVLen returns the bytes of the AEAD tag (16 for GCM, 0 for CBC, whose
// integrity comes from a separate Integrity algorithm).
func (e Encryption) ICVLen() int { return e.info().icv }

// AEAD reports whether the algorithm authenticates by itself (GCM).
func (e Encryption) AEAD() bool { return e.info().icv > 0 }

// TransformID returns the IKEv2 ENCR transform ID, which ESP transform
// IDs of the IPsec DOI share, and the Key Length attribute in bits (0
// when the transform has none).
func (e Encryption) TransformID() (id uint16, keyBits uint16) {
	in := e.info()
	if in.keyAttr {
		keyBits = uint16(in.key * 8)
	}
	return in.id, keyBits
}

// EncryptionFromID returns the algorithm of an IKEv2 ENCR (or ESP)
// transform ID and Key Length attribute in bits (0 when absent).
func EncryptionFromID(id, keyBits uint16) (Encryption, bool) {
	for _, e := range Encryptions {
		if i, k := e.TransformID(); i == id && k == keyBits {
			return e, true
		}
	}
	return 0, false
}

// IKEv1ID returns the IKEv1 phase-1 Encryption Algorithm class value
// (RFC 2409 Appendix A, RFC 3602) and the Key Length in bits (0 when
// the attribute is not sent); ok is false for algorithms IKEv1 phase 1
// does not have (GCM).
func (e Encryption) IKEv1ID() (id uint16, keyBits uint16, ok bool) {
	in := e.info()
	if in.v1 == 0 {
		return 0, 0, false
	}
	if in.keyAttr {
		keyBits = uint16(in.key * 8)
	}
	return in.v1, keyBits, true
}

// EncryptionFromIKEv1 returns the phase-1 algorithm of an IKEv1 class
// value and Key Length attribute (0 when absent).
func EncryptionFromIKEv1(id, keyBits uint16) (Encryption, bool) {
	for _, e := range Encryptions {
		if i, k, ok := e.IKEv1ID(); ok && i == id && k == keyBits {
			return e, true
		}
	}
	return 0, false
}

// NewBlock returns the block cipher of a CBC algorithm for key (KeyLen
// bytes).
func (e Encryption) NewBlock(key []byte) (cipher.Block, error) {
	in := e.info()
	if len(key) != in.key || in.salt != 0 {
		return nil, fmt.Errorf("%w: %v with a %d-byte key", ErrAlgorithm, e, len(key))
	}
	switch e {
	case DESCBC:
		return des.NewCipher(key)
	case TripleDESCBC:
		return des.NewTripleDESCipher(key)
	case AES128CBC, AES192CBC, AES256CBC:
		return aes.NewCipher(key)
	}
	return nil, fmt.Errorf("%w: %v is not a CBC algorithm", ErrAlgorithm, e)
}

// NewAEAD returns the AEAD of a GCM algorithm and its salt, from keying
// material of KeyLen bytes (key then salt). The nonce is salt | IV.
func (e Encryption) NewAEAD(keymat []byte) (cipher.AEAD, []byte, error) {
	in := e.info()
	if !e.AEAD() || len(keymat) != in.key+in.salt {
		return nil, nil, fmt.Errorf("%w: %v with %d bytes of keying material", ErrAlgorithm, e, len(keymat))
	}
	b, err := aes.NewCipher(keymat[:in.key])
	if err != nil {
		return nil, nil, err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, nil, err
	}
	return g, append([]byte(nil), keymat[in.key:]...), nil
}
