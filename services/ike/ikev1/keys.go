package ikev1

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"

	"mxlab/services/ike/suite"
)

// ErrDecrypt: an encrypted message is not a whole number of blocks, or
// its plaintext does not parse (the usual sign of a wrong key).
var ErrDecrypt = errors.New("decryption failed")

// skeyidPSK returns SKEYID for pre-shared key authentication (RFC 2409
// §5): prf(pre-shared-key, Ni_b | Nr_b).
func skeyidPSK(h suite.Hash, psk, ni, nr []byte) []byte {
	return h.PRF(psk, ni, nr)
}

// skeyidSig returns SKEYID for signature authentication (RFC 2409 §5):
// prf(Ni_b | Nr_b, g^xy).
func skeyidSig(h suite.Hash, ni, nr, gxy []byte) []byte {
	return h.PRF(append(append([]byte(nil), ni...), nr...), gxy)
}

// phase1Keys are the keys of a phase-1 SA (RFC 2409 §5).
type phase1Keys struct {
	skeyid, d, a, e []byte
	ka              []byte // encryption key, from SKEYID_e (Appendix B)
}

// deriveKeys computes SKEYID_d, SKEYID_a, SKEYID_e and the encryption key
// of keyLen bytes:
//
//	SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
//	SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
//	SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
func deriveKeys(h suite.Hash, skeyid, gxy []byte, ci, cr Cookie, keyLen int) phase1Keys {
	k := phase1Keys{skeyid: skeyid}
	k.d = h.PRF(skeyid, gxy, ci[:], cr[:], []byte{0})
	k.a = h.PRF(skeyid, k.d, gxy, ci[:], cr[:], []byte{1})
	k.e = h.PRF(skeyid, k.a, gxy, ci[:], cr[:], []byte{2})
	k.ka = expandKa(h, k.e, keyLen)
	return k
}

// expandKa returns the n-byte encryption key from SKEYID_e: its first n
// bytes when it is long enough, else K1 | K2 | ... with K1 = prf(SKEYID_e,
// 0) and Ki = prf(SKEYID_e, Ki-1) (RFC 2409 Appendix B).
func expandKa(h suite.Hash, e []byte, n int) []byte {
	if len(e) >= n {
		return append([]byte(nil), e[:n]...)
	}
	var ka []byte
	k := []byte{0}
	for len(ka) < n {
		k = h.PRF(e, k)
		ka = append(ka, k...)
	}
	return ka[:n]
}

// authHash returns HASH_I (initiator true) or HASH_R of PSK
// authentication (RFC 2409 §5):
//
//	HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
//	HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
func authHash(h suite.Hash, skeyid, gxi, gxr []byte, ci, cr Cookie, sai, id []byte, initiator bool) []byte {
	if initiator {
		return h.PRF(skeyid, gxi, gxr, ci[:], cr[:], sai, id)
	}
	return h.PRF(skeyid, gxr, gxi, cr[:], ci[:], sai, id)
}

// keymat returns n bytes of quick-mode keying material for one direction
// (RFC 2409 §5.5):
//
//	KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
//	                        Ki = prf(SKEYID_d, Ki-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
//
// where SPI is the SPI of the receiving side of that direction.
func keymat(h suite.Hash, d, gqm []byte, proto uint8, spi uint32, ni, nr []byte, n int) []byte {
	s := binary.BigEndian.AppendUint32(nil, spi)
	var out, k []byte
	for len(out) < n {
		k = h.PRF(d, k, gqm, []byte{proto}, s, ni, nr)
		out = append(out, k...)
	}
	return out[:n]
}

// cbc is the encryption of a phase-1 SA and of the exchanges it
// protects, with the IV chaining of RFC 2409 Appendix B: the first IV of
// phase 1 is hash(g^xi | g^xr); each following message's IV is the last
// ciphertext block of the message before it in the same exchange; the
// first IV of a phase-2 or informational exchange is hash(last phase-1
// ciphertext block | M-ID).
type cbc struct {
	hash  suite.Hash
	block cipher.Block
	p1IV  []byte            // the phase-1 IV: after phase 1, its last block
	ivs   map[uint32][]byte // IV of the next message of each exchange
}

// maxExchangeIVs bounds the IVs kept for exchanges in progress: more
// than the quick modes a phase-1 SA lets run at once.
const maxExchangeIVs = 2 * maxQuickModes

func newCBC(h suite.Hash, e suite.Encryption, ka, gxi, gxr []byte) (*cbc, error) {
	b, err := e.NewBlock(ka)
	if err != nil {
		return nil, err
	}
	hh := h.New()()
	hh.Write(gxi)
	hh.Write(gxr)
	return &cbc{hash: h, block: b, p1IV: hh.Sum(nil)[:b.BlockSize()], ivs: map[uint32][]byte{}}, nil
}

// iv returns the IV of the next message of exchange mid (0: phase 1).
func (c *cbc) iv(mid uint32) []byte {
	if mid == 0 {
		return c.p1IV
	}
	if iv, ok := c.ivs[mid]; ok {
		return iv
	}
	hh := c.hash.New()()
	hh.Write(c.p1IV)
	hh.Write(binary.BigEndian.AppendUint32(nil, mid))
	return hh.Sum(nil)[:c.block.BlockSize()]
}

// advance records the last ciphertext block of a message of exchange
// mid as the IV of the next one. Informational exchanges, one message
// each, keep no IV.
func (c *cbc) advance(mid uint32, last []byte, keep bool) {
	last = append([]byte(nil), last...)
	if mid == 0 {
		c.p1IV = last
		return
	}
	if !keep {
		return
	}
	if _, ok := c.ivs[mid]; !ok && len(c.ivs) >= maxExchangeIVs {
		for k := range c.ivs {
			delete(c.ivs, k)
			break
		}
	}
	c.ivs[mid] = last
}

// forget drops the IV of a finished exchange.
func (c *cbc) forget(mid uint32) { delete(c.ivs, mid) }

// seal encrypts the payload chain plain (zero padded to a whole number
// of blocks) with the IV of exchange mid and returns the ciphertext and
// its last block; the IV is not advanced (see advance).
func (c *cbc) seal(mid uint32, plain []byte) (ct, last []byte) {
	bs := c.block.BlockSize()
	n := (len(plain) + bs - 1) / bs * bs
	if n == 0 {
		n = bs
	}
	ct = make([]byte, n)
	copy(ct, plain)
	cipher.NewCBCEncrypter(c.block, c.iv(mid)).CryptBlocks(ct, ct)
	return ct, ct[n-bs:]
}

// open decrypts ct with the IV of exchange mid and returns the plaintext
// and ct's last block; the IV is not advanced until the message proves
// authentic (see advance).
func (c *cbc) open(mid uint32, ct []byte) (plain, last []byte, err error) {
	bs := c.block.BlockSize()
	if len(ct) == 0 || len(ct)%bs != 0 {
		return nil, nil, fmt.Errorf("%w: %d bytes is not a whole number of %d-byte blocks", ErrDecrypt, len(ct), bs)
	}
	plain = make([]byte, len(ct))
	cipher.NewCBCDecrypter(c.block, c.iv(mid)).CryptBlocks(plain, ct)
	return plain, ct[len(ct)-bs:], nil
}

// hashEqual compares two hashes in constant time.
func hashEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
