package ikev1

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"mxlab/internal/swantest"
	"mxlab/services/ike/suite"
)

var update = flag.Bool("update", false, "rewrite testdata/strongswan-vectors.json from live strongSwan runs (needs root)")

const vectorsFile = "testdata/strongswan-vectors.json"

// vector is one negotiation with strongSwan: the values this side chose
// (nonces, cookies, public values) and what charon computed from them and
// logged (ike and chd level 4). It checks the key schedule without a
// peer.
type vector struct {
	Name       string
	Hash       string
	Encryption string
	PSK        []byte
	Ni, Nr     []byte
	CkyI, CkyR []byte
	GXI, GXR   []byte

	GXY, SKEYID, SKEYIDd, SKEYIDa, SKEYIDe, Ka, IV []byte
	HashIData, HashI, HashRData, HashR             []byte
	Children                                       []childVector
}

// childVector is a quick mode: charon's KEYMAT seeds (g(qm)^xy | protocol
// | SPI | Ni_b | Nr_b) and the keys it derived.
type childVector struct {
	SeedI, SeedR           []byte
	EncI, EncR             []byte
	IntegI, IntegR         []byte
	NonceLenI, NonceLenR   int
	EncKeyLen, IntegKeyLen int
}

// TestStrongSwanVectors records the vectors (with -update).
func TestStrongSwanVectors(t *testing.T) {
	if !*update {
		t.Skip("records " + vectorsFile + " with -update")
	}
	var vs []vector
	for _, c := range []swanCase{
		{name: "main aes-128-cbc sha1 group14, PFS group14", ike: "aes128-sha1-modp2048", esp: "aes128-sha1-modp2048",
			ikeP: IKEProposal{Encryption: suite.AES128CBC, Hash: suite.SHA1, Group: suite.Group14},
			espP: IPsecProposal{Encryption: suite.AES128CBC, Integrity: suite.HMACSHA1_96}, pfs: suite.Group14},
		{name: "aggressive aes-256-cbc sha-256 group19, aes-gcm", aggressive: true, ike: "aes256-sha256-ecp256", esp: "aes256gcm16",
			ikeP: IKEProposal{Encryption: suite.AES256CBC, Hash: suite.SHA256, Group: suite.Group19},
			espP: IPsecProposal{Encryption: suite.AES256GCM}, settings: "i_dont_care_about_security_and_use_aggressive_mode_psk = yes"},
		{name: "main 3des-cbc md5 group2", ike: "3des-md5-modp1024", esp: "3des-md5",
			ikeP: IKEProposal{Encryption: suite.TripleDESCBC, Hash: suite.MD5, Group: suite.Group2},
			espP: IPsecProposal{Encryption: suite.TripleDESCBC, Integrity: suite.HMACMD5_96}},
	} {
		lab := newSwanLab(t)
		s := swantest.Start(t, lab.b.Name(), c.swanctl(), c.settings+"\n  filelog {\n    charon {\n      ike = 4\n    }\n  }")
		l := startLive(t, lab.a, mx, Config{Tunnels: []Tunnel{c.tunnel()}})
		if !waitFor(10*time.Second, func() bool { return len(l.children()) == 1 && len(s.Children()) == 1 }) {
			t.Fatalf("%s: no tunnel\n%s", c.name, s.Log())
		}
		v := vector{Name: c.name, Hash: c.ikeP.Hash.String(), Encryption: c.ikeP.Encryption.String(), PSK: []byte("juniper123")}
		l.do(func() {
			for _, sa := range l.m.sas {
				v.Ni, v.Nr, v.CkyI, v.CkyR, v.GXI, v.GXR = sa.ni, sa.nr, sa.icookie[:], sa.rcookie[:], sa.gxi, sa.gxr
			}
		})
		k := c.espP.withDefaults()
		cv := childVector{EncKeyLen: k.Encryption.KeyLen(), NonceLenI: nonceLen, NonceLenR: nonceLen}
		if k.Integrity != 0 {
			cv.IntegKeyLen = k.Integrity.KeyLen()
		}
		for _, d := range s.Dumps() {
			dst := map[string]*[]byte{"shared Diffie Hellman secret": &v.GXY, "SKEYID": &v.SKEYID, "SKEYID_d": &v.SKEYIDd,
				"SKEYID_a": &v.SKEYIDa, "SKEYID_e": &v.SKEYIDe, "encryption key Ka": &v.Ka, "initial IV": &v.IV,
				"HASH_I data": &v.HashIData, "HASH_I": &v.HashI, "HASH_R data": &v.HashRData, "HASH_R": &v.HashR,
				"initiator SA seed": &cv.SeedI, "responder SA seed": &cv.SeedR,
				"encryption initiator key": &cv.EncI, "encryption responder key": &cv.EncR,
				"integrity initiator key": &cv.IntegI, "integrity responder key": &cv.IntegR}[d.Name]
			if dst != nil && *dst == nil {
				*dst = d.Data
			}
		}
		v.Children = []childVector{cv}
		vs = append(vs, v)
	}
	b, err := json.MarshalIndent(vs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vectorsFile, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestVectors recomputes strongSwan's key schedule from the recorded
// inputs: SKEYID and its derivatives, the encryption key, the first IV,
// HASH_I/HASH_R and the KEYMAT of each quick mode.
func TestVectors(t *testing.T) {
	b, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			h, err := suite.ParseHash(v.Hash)
			if err != nil {
				t.Fatal(err)
			}
			e, err := suite.ParseEncryption(v.Encryption)
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got, want []byte) {
				t.Helper()
				if len(want) == 0 || !bytes.Equal(got, want) {
					t.Errorf("%s:\n got %x\nwant %x", what, got, want)
				}
			}
			var ci, cr Cookie
			copy(ci[:], v.CkyI)
			copy(cr[:], v.CkyR)
			check("SKEYID", skeyidPSK(h, v.PSK, v.Ni, v.Nr), v.SKEYID)
			k := deriveKeys(h, v.SKEYID, v.GXY, ci, cr, e.KeyLen())
			check("SKEYID_d", k.d, v.SKEYIDd)
			check("SKEYID_a", k.a, v.SKEYIDa)
			check("SKEYID_e", k.e, v.SKEYIDe)
			check("Ka", k.ka, v.Ka)
			c, err := newCBC(h, e, k.ka, v.GXI, v.GXR)
			if err != nil {
				t.Fatal(err)
			}
			check("initial IV", c.p1IV, v.IV)
			check("HASH_I", h.PRF(v.SKEYID, v.HashIData), v.HashI)
			check("HASH_R", h.PRF(v.SKEYID, v.HashRData), v.HashR)
			prefix := append(append(append(append([]byte(nil), v.GXI...), v.GXR...), v.CkyI...), v.CkyR...)
			if !bytes.HasPrefix(v.HashIData, prefix) {
				t.Error("HASH_I data does not start with g^xi | g^xr | CKY-I | CKY-R")
			}
			for _, cv := range v.Children {
				n := cv.EncKeyLen + cv.IntegKeyLen
				for _, dir := range []struct {
					seed, enc, integ []byte
				}{{cv.SeedI, cv.EncI, cv.IntegI}, {cv.SeedR, cv.EncR, cv.IntegR}} {
					s := dir.seed
					nonces := cv.NonceLenI + cv.NonceLenR
					gqm, proto := s[:len(s)-nonces-5], s[len(s)-nonces-5]
					spi := binary.BigEndian.Uint32(s[len(s)-nonces-4:])
					ni, nr := s[len(s)-nonces:len(s)-cv.NonceLenR], s[len(s)-cv.NonceLenR:]
					km := keymat(h, v.SKEYIDd, gqm, proto, spi, ni, nr, n)
					check("encryption key", km[:cv.EncKeyLen], dir.enc)
					if cv.IntegKeyLen > 0 {
						check("integrity key", km[cv.EncKeyLen:], dir.integ)
					}
				}
			}
		})
	}
}
