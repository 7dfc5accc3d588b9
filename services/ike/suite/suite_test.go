package suite

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"mxlab/services/ipsec/esp"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHMACVectors: test case 1 of RFC 2202 (MD5, SHA-1) and RFC 4231
// (SHA-256, SHA-384), plus the truncation of each integrity algorithm.
func TestHMACVectors(t *testing.T) {
	tests := []struct {
		h    Hash
		key  int
		want string
	}{
		{MD5, 16, "9294727a3638bb1c13f48ef8158bfc9d"},
		{SHA1, 20, "b617318655057264e28bc0b6fb378c8ef146be00"},
		{SHA256, 20, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
		{SHA384, 20, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"},
	}
	for _, tt := range tests {
		t.Run(tt.h.String(), func(t *testing.T) {
			key := bytes.Repeat([]byte{0x0b}, tt.key)
			want := unhex(t, tt.want)
			if got := tt.h.PRF(key, []byte("Hi "), []byte("There")); !bytes.Equal(got, want) {
				t.Fatalf("PRF = %x, want %x", got, want)
			}
			m := tt.h.NewPRF(key)
			m.Write([]byte("Hi There"))
			if got := m.Sum(nil); !bytes.Equal(got, want) || tt.h.Size() != len(want) {
				t.Fatalf("NewPRF = %x (size %d)", got, tt.h.Size())
			}
			i := tt.h.Integrity()
			m = i.New(key)
			m.Write([]byte("Hi There"))
			if got := m.Sum(nil)[:i.ICVLen()]; !bytes.Equal(got, want[:i.ICVLen()]) || i.Hash() != tt.h {
				t.Fatalf("%v = %x", i, got)
			}
		})
	}
}

// TestCipherVectors: RFC 3602 case 1 (AES-128-CBC), NIST 3DES MMT
// example 1, NESSIE DES set 8 vector 0 (CBC with a zero IV is ECB for
// one block) and test case 3 of the GCM specification (McGrew and Viega)
// with the salt and the 8-byte IV of RFC 4106/5282 taken from its nonce.
func TestCipherVectors(t *testing.T) {
	cbc := []struct {
		e               Encryption
		key, iv, pt, ct string
	}{
		{AES128CBC, "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
			hex.EncodeToString([]byte("Single block msg")), "e353779c1079aeb82708942dbe77181a"},
		{TripleDESCBC, "627f460e08104a1043cd265d5840eaf1313edf97df2a8a8c", "8e29f75ea77e5475",
			"326a494cd33fe756", "b22b8d66de970692"},
		{DESCBC, "0001020304050607", "0000000000000000", "41ad068548809d02", "0011223344556677"},
	}
	for _, tt := range cbc {
		t.Run(tt.e.String(), func(t *testing.T) {
			b, err := tt.e.NewBlock(unhex(t, tt.key))
			if err != nil {
				t.Fatal(err)
			}
			if b.BlockSize() != tt.e.BlockSize() || tt.e.IVLen() != len(unhex(t, tt.iv)) {
				t.Fatalf("block %d, IV %d", b.BlockSize(), tt.e.IVLen())
			}
			got := make([]byte, len(tt.pt)/2)
			cipher.NewCBCEncrypter(b, unhex(t, tt.iv)).CryptBlocks(got, unhex(t, tt.pt))
			if want := unhex(t, tt.ct); !bytes.Equal(got, want) {
				t.Fatalf("ciphertext %x, want %x", got, want)
			}
		})
	}
	t.Run("aes-128-gcm", func(t *testing.T) {
		key := "feffe9928665731c6d6a8f9467308308"
		nonce := unhex(t, "cafebabefacedbaddecaf888")
		pt := unhex(t, "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255")
		want := unhex(t, "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"+
			"4d5c2af327cd64a62cf35abd2ba6fab4")
		g, salt, err := AES128GCM.NewAEAD(append(unhex(t, key), nonce[:4]...))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(salt, nonce[:4]) || AES128GCM.IVLen() != 8 || g.Overhead() != AES128GCM.ICVLen() {
			t.Fatalf("salt %x, IV %d, overhead %d", salt, AES128GCM.IVLen(), g.Overhead())
		}
		if got := g.Seal(nil, append(salt, nonce[4:]...), pt, nil); !bytes.Equal(got, want) {
			t.Fatalf("sealed %x\nwant %x", got, want)
		}
	})
}

func TestEncryptionIDs(t *testing.T) {
	tests := []struct {
		e           Encryption
		key, keyLen int // keying material bytes, Key Length attribute bits
		id, v1      uint16
	}{
		{DESCBC, 8, 0, 2, 1},
		{TripleDESCBC, 24, 0, 3, 5},
		{AES128CBC, 16, 128, 12, 7},
		{AES192CBC, 24, 192, 12, 7},
		{AES256CBC, 32, 256, 12, 7},
		{AES128GCM, 20, 128, 20, 0},
		{AES192GCM, 28, 192, 20, 0},
		{AES256GCM, 36, 256, 20, 0},
	}
	for _, tt := range tests {
		if got, err := ParseEncryption(tt.e.String()); err != nil || got != tt.e {
			t.Errorf("ParseEncryption(%q) = %v, %v", tt.e, got, err)
		}
		id, bits := tt.e.TransformID()
		if id != tt.id || int(bits) != tt.keyLen || tt.e.KeyLen() != tt.key {
			t.Errorf("%v: id %d bits %d key %d", tt.e, id, bits, tt.e.KeyLen())
		}
		if got, ok := EncryptionFromID(id, bits); !ok || got != tt.e {
			t.Errorf("EncryptionFromID(%d, %d) = %v", id, bits, got)
		}
		v1, bits1, ok := tt.e.IKEv1ID()
		if ok != (tt.v1 != 0) || v1 != tt.v1 || (ok && bits1 != bits) {
			t.Errorf("%v: IKEv1 %d %d %v", tt.e, v1, bits1, ok)
		}
		if ok {
			if got, ok := EncryptionFromIKEv1(v1, bits1); !ok || got != tt.e {
				t.Errorf("EncryptionFromIKEv1(%d, %d) = %v", v1, bits1, got)
			}
		}
		x, ok := tt.e.ESP()
		if !ok || x.KeyLen() != tt.e.KeyLen() || x.String() != tt.e.String() || x.AEAD() != tt.e.AEAD() {
			t.Errorf("%v: esp %v", tt.e, x)
		}
		if back, ok := EncryptionOf(x); !ok || back != tt.e {
			t.Errorf("EncryptionOf(%v) = %v", x, back)
		}
	}
	for _, bad := range []struct{ id, bits uint16 }{{12, 0}, {12, 64}, {20, 0}, {3, 192}, {0, 0}, {23, 128}} {
		if e, ok := EncryptionFromID(bad.id, bad.bits); ok {
			t.Errorf("EncryptionFromID(%d, %d) = %v", bad.id, bad.bits, e)
		}
	}
	if _, err := ParseEncryption("aes-512-cbc"); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("ParseEncryption: %v", err)
	}
	if _, err := AES128GCM.NewBlock(make([]byte, 16)); err == nil {
		t.Error("NewBlock accepted GCM")
	}
	if _, _, err := AES128CBC.NewAEAD(make([]byte, 16)); err == nil {
		t.Error("NewAEAD accepted CBC")
	}
	if _, err := AES256CBC.NewBlock(make([]byte, 16)); err == nil {
		t.Error("NewBlock accepted a short key")
	}
}

func TestHashIDs(t *testing.T) {
	tests := []struct {
		h        Hash
		prf, v1  uint16
		integ    Integrity
		id, v1a  uint16
		key, icv int
		espName  string // "" when ESP does not offer it
	}{
		{MD5, 1, 1, HMACMD5_96, 1, 1, 16, 12, "hmac-md5-96"},
		{SHA1, 2, 2, HMACSHA1_96, 2, 2, 20, 12, "hmac-sha1-96"},
		{SHA256, 5, 4, HMACSHA256_128, 12, 5, 32, 16, "hmac-sha-256-128"},
		{SHA384, 6, 5, HMACSHA384_192, 13, 6, 48, 24, ""},
	}
	for _, tt := range tests {
		if got, err := ParseHash(tt.h.String()); err != nil || got != tt.h {
			t.Errorf("ParseHash(%q) = %v, %v", tt.h, got, err)
		}
		if tt.h.PRFID() != tt.prf || tt.h.IKEv1ID() != tt.v1 || tt.h.Integrity() != tt.integ {
			t.Errorf("%v: prf %d v1 %d integ %v", tt.h, tt.h.PRFID(), tt.h.IKEv1ID(), tt.h.Integrity())
		}
		if h, ok := HashFromPRFID(tt.prf); !ok || h != tt.h {
			t.Errorf("HashFromPRFID(%d) = %v", tt.prf, h)
		}
		if h, ok := HashFromIKEv1(tt.v1); !ok || h != tt.h {
			t.Errorf("HashFromIKEv1(%d) = %v", tt.v1, h)
		}
		i := tt.integ
		if i.TransformID() != tt.id || i.IKEv1ID() != tt.v1a || i.KeyLen() != tt.key || i.ICVLen() != tt.icv {
			t.Errorf("%v: id %d v1 %d key %d icv %d", i, i.TransformID(), i.IKEv1ID(), i.KeyLen(), i.ICVLen())
		}
		if got, ok := IntegrityFromID(tt.id); !ok || got != i {
			t.Errorf("IntegrityFromID(%d) = %v", tt.id, got)
		}
		if got, ok := IntegrityFromIKEv1(tt.v1a); !ok || got != i {
			t.Errorf("IntegrityFromIKEv1(%d) = %v", tt.v1a, got)
		}
		a, ok := i.ESP()
		if ok != (tt.espName != "") || (ok && (a.String() != tt.espName || a.KeyLen() != i.KeyLen() || a.ICVLen() != i.ICVLen())) {
			t.Errorf("%v: esp %v %v", i, a, ok)
		}
		if ok {
			if back, ok := IntegrityOf(a); !ok || back != i {
				t.Errorf("IntegrityOf(%v) = %v", a, back)
			}
		}
	}
	if i, ok := IntegrityOf(esp.HMACSHA2_256); !ok || i != HMACSHA256_128 {
		t.Errorf("IntegrityOf(hmac-sha2-256) = %v, %v", i, ok)
	}
	for _, a := range []esp.Authentication{esp.HMACSHA256_96, esp.NoAuthentication} {
		if i, ok := IntegrityOf(a); ok {
			t.Errorf("IntegrityOf(%v) = %v", a, i)
		}
	}
	if _, err := ParseHash("sha-512"); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("ParseHash: %v", err)
	}
	if _, ok := HashFromPRFID(7); ok {
		t.Error("HashFromPRFID(7)")
	}
}
