package ikev2

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"mxlab/services/ike/suite"
)

// ErrIntegrity: an encrypted message whose ICV does not verify or whose
// decryption fails.
var ErrIntegrity = errors.New("integrity check failed")

// prfPlus is prf+ of RFC 7296 §2.13: T1 | T2 | ... with
// Tn = prf(K, Tn-1 | S | n), cut to n bytes.
func prfPlus(h suite.Hash, key, seed []byte, n int) []byte {
	out := make([]byte, 0, n+h.Size())
	var t []byte
	m := h.NewPRF(key)
	for i := 1; len(out) < n; i++ {
		m.Reset()
		m.Write(t)
		m.Write(seed)
		m.Write([]byte{byte(i)})
		t = m.Sum(nil)
		out = append(out, t...)
	}
	return out[:n]
}

// Algorithms are the transforms of a negotiated IKE SA.
type Algorithms struct {
	Encryption suite.Encryption
	Integrity  suite.Integrity // 0 with an AEAD cipher
	PRF        suite.Hash
	Group      suite.Group
}

// keys are the keys of an IKE SA (RFC 7296 §2.14).
type keys struct {
	alg    Algorithms
	d      []byte
	pi, pr []byte
	i, r   *skCipher // protect messages sent by the original initiator, responder
}

// deriveKeys expands SKEYSEED into the IKE SA's keys.
func deriveKeys(alg Algorithms, skeyseed, ni, nr []byte, spii, spir [8]byte) (*keys, error) {
	p := alg.PRF
	encLen, integLen := alg.Encryption.KeyLen(), 0
	if alg.Integrity != 0 {
		integLen = alg.Integrity.KeyLen()
	}
	seed := append(append(append(append([]byte{}, ni...), nr...), spii[:]...), spir[:]...)
	km := prfPlus(p, skeyseed, seed, 3*p.Size()+2*integLen+2*encLen)
	take := func(n int) []byte { b := km[:n:n]; km = km[n:]; return b }
	k := &keys{alg: alg, d: take(p.Size())}
	ai, ar := take(integLen), take(integLen)
	ei, er := take(encLen), take(encLen)
	k.pi, k.pr = take(p.Size()), take(p.Size())
	var err error
	if k.i, err = newSKCipher(alg, ei, ai); err != nil {
		return nil, err
	}
	if k.r, err = newSKCipher(alg, er, ar); err != nil {
		return nil, err
	}
	return k, nil
}

// skeyseed returns SKEYSEED = prf(Ni | Nr, g^ir) for a new IKE SA.
func skeyseed(p suite.Hash, ni, nr, shared []byte) []byte {
	return p.PRF(append(append([]byte{}, ni...), nr...), shared)
}

// rekeySeed returns SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) for
// an IKE SA rekeyed with CREATE_CHILD_SA.
func rekeySeed(p suite.Hash, oldD, shared, ni, nr []byte) []byte {
	return p.PRF(oldD, shared, ni, nr)
}

// childKeys returns KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr) split into the
// keys of the initiator-to-responder and responder-to-initiator SAs.
func childKeys(p suite.Hash, d, shared, ni, nr []byte, encLen, integLen int) (i2r, r2i [2][]byte) {
	seed := append(append(append([]byte{}, shared...), ni...), nr...)
	km := prfPlus(p, d, seed, 2*(encLen+integLen))
	i2r = [2][]byte{km[:encLen:encLen], km[encLen : encLen+integLen : encLen+integLen]}
	km = km[encLen+integLen:]
	r2i = [2][]byte{km[:encLen:encLen], km[encLen : encLen+integLen : encLen+integLen]}
	return i2r, r2i
}

// keyPad is the PSK pad string of RFC 7296 §2.15.
var keyPad = []byte("Key Pad for IKEv2")

// pskAuth returns the AUTH data of shared-key authentication:
// prf(prf(PSK, "Key Pad for IKEv2"), RealMessage | Nonce | prf(SK_p, ID')).
func pskAuth(p suite.Hash, psk, realMessage, nonce, skp, idBody []byte) []byte {
	return p.PRF(p.PRF(psk, keyPad), realMessage, nonce, p.PRF(skp, idBody))
}

// natHash returns the NAT detection hash SHA1(SPIi | SPIr | IP | port).
func natHash(spii, spir [8]byte, ap netip.AddrPort) []byte {
	h := sha1.New()
	h.Write(spii[:])
	h.Write(spir[:])
	h.Write(ap.Addr().AsSlice())
	binary.Write(h, binary.BigEndian, ap.Port())
	return h.Sum(nil)
}

// skCipher protects the messages one side of an IKE SA sends (the SK
// payload, RFC 7296 §3.14 and RFC 5282 for GCM).
type skCipher struct {
	enc   suite.Encryption
	block cipher.Block
	aead  cipher.AEAD
	salt  []byte
	integ suite.Integrity
	mkey  []byte
	ivCtr uint64 // GCM: the explicit IV of the next message
}

func newSKCipher(alg Algorithms, ek, ak []byte) (*skCipher, error) {
	c := &skCipher{enc: alg.Encryption, integ: alg.Integrity, mkey: ak}
	var err error
	if alg.Encryption.AEAD() {
		c.aead, c.salt, err = alg.Encryption.NewAEAD(ek)
		var r [8]byte
		rand.Read(r[:])
		c.ivCtr = binary.BigEndian.Uint64(r[:]) >> 1
	} else {
		if alg.Integrity == 0 {
			return nil, fmt.Errorf("%w: %v without integrity", suite.ErrAlgorithm, alg.Encryption)
		}
		c.block, err = alg.Encryption.NewBlock(ek)
	}
	return c, err
}

func (c *skCipher) icvLen() int {
	if c.aead != nil {
		return c.aead.Overhead()
	}
	return c.integ.ICVLen()
}

// seal returns the wire form of m with its payloads in an SK payload.
func (c *skCipher) seal(m *Message) []byte {
	h := m.Header
	h.Next = PayloadSK
	b := h.append(make([]byte, 0, 512))
	first := NoNext
	if len(m.Payloads) > 0 {
		first = m.Payloads[0].Type()
	}
	sk := len(b)
	b = append(b, byte(first), 0, 0, 0)
	ivAt := len(b)
	b = append(b, make([]byte, c.enc.IVLen())...)
	ptAt := len(b)
	b = appendPayloads(b, m.Payloads)
	// Padding: CBC needs whole blocks; GCM takes none (the pad length
	// octet is still there).
	pad := 0
	if c.aead == nil {
		bs := c.enc.BlockSize()
		pad = (bs - (len(b)-ptAt+1)%bs) % bs
	}
	for i := range pad {
		b = append(b, byte(i))
	}
	b = append(b, byte(pad))
	total := len(b) + c.icvLen()
	binary.BigEndian.PutUint32(b[24:], uint32(total))
	binary.BigEndian.PutUint16(b[sk+2:], uint16(total-sk))
	if c.aead != nil {
		iv := b[ivAt:ptAt]
		binary.BigEndian.PutUint64(iv, c.ivCtr)
		c.ivCtr++
		nonce := append(append(make([]byte, 0, 12), c.salt...), iv...)
		pt := append([]byte(nil), b[ptAt:]...)
		return c.aead.Seal(b[:ptAt], nonce, pt, b[:ivAt])
	}
	iv := b[ivAt:ptAt]
	rand.Read(iv)
	cipher.NewCBCEncrypter(c.block, iv).CryptBlocks(b[ptAt:], b[ptAt:])
	mac := c.integ.New(c.mkey)
	mac.Write(b)
	return mac.Sum(b)[:total]
}

// open verifies and decrypts the SK payload of a message (raw: the whole
// message, sk: its Encrypted payload) and returns the inner payloads.
func (c *skCipher) open(raw []byte, sk *Encrypted) ([]Payload, error) {
	ivLen, icv := c.enc.IVLen(), c.icvLen()
	if len(sk.Data) < ivLen+icv+1 {
		return nil, ErrTruncated
	}
	body := raw[:len(raw)-icv]
	skAt := len(raw) - len(sk.Data) - payloadHeaderLen
	if skAt < HeaderLen {
		return nil, ErrPayload
	}
	iv := sk.Data[:ivLen]
	ct := sk.Data[ivLen : len(sk.Data)-icv]
	var pt []byte
	if c.aead != nil {
		nonce := append(append(make([]byte, 0, 12), c.salt...), iv...)
		var err error
		pt, err = c.aead.Open(nil, nonce, sk.Data[ivLen:], raw[:skAt+payloadHeaderLen])
		if err != nil {
			return nil, ErrIntegrity
		}
	} else {
		mac := c.integ.New(c.mkey)
		mac.Write(body)
		if !hmac.Equal(mac.Sum(nil)[:icv], raw[len(raw)-icv:]) {
			return nil, ErrIntegrity
		}
		if len(ct) == 0 || len(ct)%c.enc.BlockSize() != 0 {
			return nil, fmt.Errorf("%w: ciphertext of %d bytes", ErrLength, len(ct))
		}
		pt = make([]byte, len(ct))
		cipher.NewCBCDecrypter(c.block, iv).CryptBlocks(pt, ct)
	}
	if len(pt) == 0 || int(pt[len(pt)-1])+1 > len(pt) {
		return nil, fmt.Errorf("%w: padding", ErrPayload)
	}
	pt = pt[:len(pt)-1-int(pt[len(pt)-1])]
	return parsePayloads(sk.Next, pt)
}
