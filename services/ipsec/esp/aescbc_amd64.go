//go:build amd64

package esp

import (
	"encoding/binary"

	"golang.org/x/sys/cpu"
)

// aesCBC is AES in CBC mode with AES-NI: the standard library's CBC for
// AES on amd64 encrypts and decrypts one block per call; here encryption
// runs the whole chain in one loop and decryption works on four blocks at
// once.
type aesCBC struct {
	rounds  int
	keys    [15 * 16]byte // round keys: encryption, or decryption order
	iv      [16]byte
	decrypt bool
}

// newAESCBC returns an encrypter and a decrypter for key (16, 24 or 32
// bytes), or ok false when the CPU has no AES instructions.
func newAESCBC(key []byte) (enc, dec cbcMode, ok bool) {
	if !cpu.X86.HasAES || !cpu.X86.HasSSE41 {
		return nil, nil, false
	}
	e := &aesCBC{rounds: len(key)/4 + 6}
	expandKey(key, e.keys[:16*(e.rounds+1)])
	d := &aesCBC{rounds: e.rounds, decrypt: true}
	invertKeys(e.rounds, &e.keys[0], &d.keys[0])
	return e, d, true
}

func (c *aesCBC) BlockSize() int { return 16 }

// SetIV sets the chaining value of the next CryptBlocks.
func (c *aesCBC) SetIV(iv []byte) { copy(c.iv[:], iv) }

// CryptBlocks encrypts or decrypts src into dst (len(src) a multiple of
// 16, dst at least as long; they may be the same slice).
func (c *aesCBC) CryptBlocks(dst, src []byte) {
	n := len(src) / 16
	if len(src)%16 != 0 || len(dst) < len(src) {
		panic("esp: CBC input not full blocks")
	}
	if n == 0 {
		return
	}
	if c.decrypt {
		cbcDecrypt(c.rounds, &c.keys[0], &c.iv, &dst[0], &src[0], n)
	} else {
		cbcEncrypt(c.rounds, &c.keys[0], &c.iv, &dst[0], &src[0], n)
	}
}

// expandKey writes the encryption round keys of key (FIPS 197 §5.2) into
// xk, each as the 16 bytes the AES instructions take.
func expandKey(key, xk []byte) {
	nk := len(key) / 4
	w := make([]uint32, len(xk)/4)
	for i := range nk {
		w[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	rcon := uint32(1)
	for i := nk; i < len(w); i++ {
		t := w[i-1]
		switch {
		case i%nk == 0:
			t = subWord(t<<8|t>>24) ^ rcon<<24
			rcon = uint32(xtime(byte(rcon)))
		case nk > 6 && i%nk == 4:
			t = subWord(t)
		}
		w[i] = w[i-nk] ^ t
	}
	for i, v := range w {
		binary.BigEndian.PutUint32(xk[4*i:], v)
	}
}

func subWord(w uint32) uint32 {
	return uint32(sbox(byte(w>>24)))<<24 | uint32(sbox(byte(w>>16)))<<16 | uint32(sbox(byte(w>>8)))<<8 | uint32(sbox(byte(w)))
}

// xtime multiplies by x in GF(2^8) modulo x^8+x^4+x^3+x+1.
func xtime(b byte) byte {
	if b&0x80 != 0 {
		return b<<1 ^ 0x1b
	}
	return b << 1
}

// sbox is the AES S-box (FIPS 197 §5.1.1): the multiplicative inverse in
// GF(2^8), then the affine transformation. Only the key schedule uses it.
func sbox(b byte) byte {
	inv := byte(0)
	if b != 0 {
		// b^254 is the inverse of b.
		r, p := byte(1), b
		for e := 254; e > 0; e >>= 1 {
			if e&1 != 0 {
				r = gmul(r, p)
			}
			p = gmul(p, p)
		}
		inv = r
	}
	s := inv
	for i := 1; i <= 4; i++ {
		s ^= inv<<i | inv>>(8-i)
	}
	return s ^ 0x63
}

func gmul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		a = xtime(a)
		b >>= 1
	}
	return p
}

// Implemented in aescbc_amd64.s.

// invertKeys writes the decryption round keys (the encryption keys in
// reverse order, the inner ones through InvMixColumns) of nr rounds.
//
//go:noescape
func invertKeys(nr int, enc, dec *byte)

//go:noescape
func cbcEncrypt(nr int, xk *byte, iv *[16]byte, dst, src *byte, blocks int)

//go:noescape
func cbcDecrypt(nr int, xk *byte, iv *[16]byte, dst, src *byte, blocks int)
