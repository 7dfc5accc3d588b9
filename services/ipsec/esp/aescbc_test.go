package esp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"math/rand/v2"
	"testing"
)

// TestAESCBC checks the AES-NI CBC mode against the standard library's,
// for every key size, lengths from none to 37 blocks, in place and not,
// and chained calls (the IV carries over as in crypto/cipher).
func TestAESCBC(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, ks := range []int{16, 24, 32} {
		key, iv := make([]byte, ks), make([]byte, 16)
		fill(r, key)
		fill(r, iv)
		enc, dec, ok := newAESCBC(key)
		if !ok {
			t.Skip("skipping: no AES instructions")
		}
		b, _ := aes.NewCipher(key)
		for n := 0; n <= 37; n++ {
			pt := make([]byte, 16*n)
			fill(r, pt)
			want := make([]byte, len(pt))
			se := cipher.NewCBCEncrypter(b, iv)
			se.CryptBlocks(want, pt)
			got := append([]byte(nil), pt...)
			enc.SetIV(iv)
			enc.CryptBlocks(got, got) // in place
			if !bytes.Equal(got, want) {
				t.Fatalf("key %d, %d blocks: encryption differs", ks, n)
			}
			back := make([]byte, len(got))
			dec.SetIV(iv)
			dec.CryptBlocks(back, got)
			if !bytes.Equal(back, pt) {
				t.Fatalf("key %d, %d blocks: decryption differs", ks, n)
			}
			dec.SetIV(iv)
			dec.CryptBlocks(got, got) // in place
			if !bytes.Equal(got, pt) {
				t.Fatalf("key %d, %d blocks: in-place decryption differs", ks, n)
			}
			// Chained: the next call continues the chain.
			more := make([]byte, 48)
			fill(r, more)
			w, g := make([]byte, 48), make([]byte, 48)
			se.CryptBlocks(w, more)
			enc.SetIV(iv)
			enc.CryptBlocks(make([]byte, len(pt)), pt)
			enc.CryptBlocks(g, more)
			if !bytes.Equal(g, w) {
				t.Fatalf("key %d, %d blocks: chained encryption differs", ks, n)
			}
			sd := cipher.NewCBCDecrypter(b, iv)
			sd.CryptBlocks(make([]byte, len(want)), want)
			sd.CryptBlocks(w, more)
			dec.SetIV(iv)
			dec.CryptBlocks(make([]byte, len(want)), want)
			dec.CryptBlocks(g, more)
			if !bytes.Equal(g, w) {
				t.Fatalf("key %d, %d blocks: chained decryption differs", ks, n)
			}
		}
	}
}

func fill(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

// FuzzAESCBC compares both directions with the standard library.
func FuzzAESCBC(f *testing.F) {
	f.Add(make([]byte, 16), make([]byte, 16), make([]byte, 64))
	f.Add(make([]byte, 32), make([]byte, 16), make([]byte, 80))
	f.Fuzz(func(t *testing.T, key, iv, data []byte) {
		if (len(key) != 16 && len(key) != 24 && len(key) != 32) || len(iv) != 16 {
			return
		}
		data = data[:len(data)/16*16]
		enc, dec, ok := newAESCBC(key)
		if !ok {
			t.Skip("no AES instructions")
		}
		b, _ := aes.NewCipher(key)
		want := make([]byte, len(data))
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(want, data)
		got := make([]byte, len(data))
		enc.SetIV(iv)
		enc.CryptBlocks(got, data)
		if !bytes.Equal(got, want) {
			t.Fatal("encryption differs")
		}
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(want, data)
		dec.SetIV(iv)
		dec.CryptBlocks(got, data)
		if !bytes.Equal(got, want) {
			t.Fatal("decryption differs")
		}
	})
}

func BenchmarkAESCBC(b *testing.B) {
	for _, ks := range []int{16, 32} {
		key := make([]byte, ks)
		enc, dec, ok := newAESCBC(key)
		if !ok {
			b.Skip("no AES instructions")
		}
		std, _ := aes.NewCipher(key)
		buf := make([]byte, 1408)
		for name, m := range map[string]cipher.BlockMode{
			"encrypt": enc, "decrypt": dec,
			"stdlib-encrypt": cipher.NewCBCEncrypter(std, make([]byte, 16)),
			"stdlib-decrypt": cipher.NewCBCDecrypter(std, make([]byte, 16)),
		} {
			b.Run(name+"/"+map[int]string{16: "aes-128", 32: "aes-256"}[ks], func(b *testing.B) {
				b.SetBytes(int64(len(buf)))
				for b.Loop() {
					m.CryptBlocks(buf, buf)
				}
			})
		}
	}
}
