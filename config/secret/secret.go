package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Prefix starts every encoded secret.
const Prefix = "$9$"

// ErrFormat is wrapped by the errors of Decode for a string that is not a
// well-formed "$9$" secret.
var ErrFormat = errors.New("malformed $9$ secret")

// families are the four letter groups of the alphabet. A salt from group i
// is followed by 3-i filler characters.
var families = [4]string{
	"QzF3n6/9CAtpu0O",
	"B1IREhcSyrleKvMW8LXx",
	"7N-dVbwsY2g4oaJZGUDj",
	"iHkq.mPf5T",
}

// weights gives, for the n-th byte of the secret (n modulo 7), the weight
// of each character's gap: the byte is the weighted sum of the gaps.
var weights = [7][]int{
	{1, 4, 32},
	{1, 16, 32},
	{1, 8, 32},
	{1, 64},
	{1, 32},
	{1, 4, 16, 128},
	{1, 32, 64},
}

// alphabet is the families in order; its size is the gap modulus.
var alphabet = strings.Join(families[:], "")

// charInfo holds, for each byte, its alphabet position (-1 when the byte
// is not in the alphabet) and the filler count it implies as a salt.
var charInfo = buildCharInfo()

type charData struct {
	pos   int
	extra int
}

func buildCharInfo() [256]charData {
	var t [256]charData
	for i := range t {
		t[i].pos = -1
	}
	pos := 0
	for fam, letters := range families {
		for i := 0; i < len(letters); i++ {
			t[letters[i]] = charData{pos: pos, extra: 3 - fam}
			pos++
		}
	}
	return t
}

// Encode returns plain in "$9$" form with a random salt and filler, as a
// router does: encoding the same secret twice gives different strings that
// both decode to it.
func Encode(plain string) string {
	s, err := EncodeWith(rand.Reader, plain)
	if err != nil {
		// crypto/rand.Reader does not fail on supported platforms.
		panic(fmt.Sprintf("secret: reading random bytes: %v", err))
	}
	return s
}

// EncodeWith is Encode with the salt and filler drawn from r. Given the
// same bytes from r it returns the same string, which tests rely on.
func EncodeWith(r io.Reader, plain string) (string, error) {
	pick := func() (byte, error) {
		var b [1]byte
		for {
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return 0, fmt.Errorf("secret: random source: %w", err)
			}
			// Reject the top of the range so every letter is equally likely.
			if int(b[0]) < 256/len(alphabet)*len(alphabet) {
				return alphabet[int(b[0])%len(alphabet)], nil
			}
		}
	}
	var out strings.Builder
	out.WriteString(Prefix)
	salt, err := pick()
	if err != nil {
		return "", err
	}
	out.WriteByte(salt)
	for range charInfo[salt].extra {
		c, err := pick()
		if err != nil {
			return "", err
		}
		out.WriteByte(c)
	}
	prev := salt
	for i := 0; i < len(plain); i++ {
		prev = encodeByte(&out, plain[i], prev, weights[i%len(weights)])
	}
	return out.String(), nil
}

// encodeByte writes the characters for b, each one a gap away from the one
// before, and returns the last character written.
func encodeByte(out *strings.Builder, b, prev byte, w []int) byte {
	gaps := make([]int, len(w))
	v := int(b)
	for i := len(w) - 1; i >= 0; i-- {
		gaps[i] = v / w[i]
		v %= w[i]
	}
	for _, g := range gaps {
		prev = alphabet[(charInfo[prev].pos+g+1)%len(alphabet)]
		out.WriteByte(prev)
	}
	return prev
}

// Decode returns the secret held by a "$9$" string.
func Decode(s string) (string, error) {
	body, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		return "", fmt.Errorf("%w: missing %q prefix", ErrFormat, Prefix)
	}
	if body == "" {
		return "", fmt.Errorf("%w: no salt", ErrFormat)
	}
	for i := 0; i < len(body); i++ {
		if charInfo[body[i]].pos < 0 {
			return "", fmt.Errorf("%w: character %q not in the alphabet", ErrFormat, body[i])
		}
	}
	salt := body[0]
	rest := body[1:]
	if len(rest) < charInfo[salt].extra {
		return "", fmt.Errorf("%w: too short", ErrFormat)
	}
	rest = rest[charInfo[salt].extra:]
	prev := salt
	var plain []byte
	for len(rest) > 0 {
		w := weights[len(plain)%len(weights)]
		if len(rest) < len(w) {
			return "", fmt.Errorf("%w: %d trailing characters", ErrFormat, len(rest))
		}
		sum := 0
		for i, wi := range w {
			c := rest[i]
			gap := (charInfo[c].pos-charInfo[prev].pos+len(alphabet))%len(alphabet) - 1
			sum += gap * wi
			prev = c
		}
		plain = append(plain, byte((sum%256+256)%256))
		rest = rest[len(w):]
	}
	return string(plain), nil
}

// IsEncoded reports whether s is a well-formed "$9$" secret.
func IsEncoded(s string) bool {
	_, err := Decode(s)
	return err == nil
}

// EncodeStable is Encode with the salt and filler derived from the secret
// itself, so the same secret always gets the same "$9$" string: a
// configuration renders the same way every time it is loaded, and setting a
// key again to the same value changes nothing in `show | compare`.
func EncodeStable(plain string) string {
	s, err := EncodeWith(&hashStream{seed: plain}, plain)
	if err != nil {
		panic(fmt.Sprintf("secret: %v", err)) // hashStream never fails
	}
	return s
}

// hashStream is an endless byte stream: SHA-256(seed, counter) blocks.
type hashStream struct {
	seed string
	n    uint64
	buf  []byte
}

func (h *hashStream) Read(p []byte) (int, error) {
	for i := range p {
		if len(h.buf) == 0 {
			sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", h.seed, h.n)))
			h.n++
			h.buf = sum[:]
		}
		p[i] = h.buf[0]
		h.buf = h.buf[1:]
	}
	return len(p), nil
}
