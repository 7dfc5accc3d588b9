package ikev2

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"mxlab/services/ike/suite"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPRFPlus: the prf+ vector derived from RFC 4868 and an IKEv2 vector
// of NIST CAVP (SP 800-135), as strongSwan's test suite carries them.
func TestPRFPlus(t *testing.T) {
	tests := []struct{ key, seed, out string }{
		{"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
			"b9bdc08988b4c2b75aa93e596ac84205fa2ddde1bf7a2572067b00e14b237732830509981ad2f94a8c32a47daa2255b660c436347ae756a6edc023477d809590e682f61d9c04b06b4ad971a34c8147fa66792ff1434b93c722b32e12f48832ebc15ce2369ce71fe9b7b81e5704c14d0f5280a6ec626e992d7a9f"},
		{"37fde90b81d63692620f67367b62092e3efdc6a03509137d731004767ff35010", "ed80dc79912c32a935fb6d1a3feac07847c1858efc932ea4606fd05609624002",
			"63d018a08f7a29daa7d1f92cb63f45fa39bbaf5e5f1a78139613bb891e3e6bf9d0448f7c74e05b4c1a25c0b61e62c875e852f287e192d4ae536112db5197216400bd5e123470efc15f53161865fe8b19a1416518a157d651ecd2caddab6a9eae6a27a55af088218d5156edaa9789f934d9836ed43edffda553822202ff9f7d4860ca72e0"},
	}
	for _, tt := range tests {
		want := unhex(t, tt.out)
		if got := prfPlus(suite.SHA256, unhex(t, tt.key), unhex(t, tt.seed), len(want)); !bytes.Equal(got, want) {
			t.Errorf("prf+ = %x\nwant %x", got, want)
		}
	}
}

// TestSK seals and opens a message with every algorithm, and checks that
// a changed byte anywhere fails the integrity check.
func TestSK(t *testing.T) {
	for _, e := range suite.Encryptions {
		for _, h := range []suite.Hash{suite.SHA1, suite.SHA256, suite.SHA384} {
			alg := Algorithms{Encryption: e, PRF: h, Group: suite.Group14}
			if !e.AEAD() {
				alg.Integrity = h.Integrity()
			}
			k, err := deriveKeys(alg, []byte("skeyseed"), make([]byte, 16), make([]byte, 16), newSPI(), newSPI())
			if err != nil {
				t.Fatal(e, err)
			}
			m := &Message{Header: Header{SPIi: newSPI(), SPIr: newSPI(), Exchange: ExchangeInformational, Flags: FlagInitiator, MsgID: 7},
				Payloads: []Payload{&Delete{Protocol: ProtoESP, SPIs: [][]byte{{1, 2, 3, 4}}}, &Notify{Kind: NotifyInitialContact}}}
			raw := k.i.seal(m)
			d, err := Decode(raw)
			if err != nil {
				t.Fatalf("%v/%v: %v", e, h, err)
			}
			ps, err := k.i.open(raw, d.Payloads[0].(*Encrypted))
			if err != nil || len(ps) != 2 || ps[1].(*Notify).Kind != NotifyInitialContact {
				t.Fatalf("%v/%v: open = %v, %v", e, h, ps, err)
			}
			if _, err := k.r.open(raw, d.Payloads[0].(*Encrypted)); !errors.Is(err, ErrIntegrity) {
				t.Fatalf("%v/%v: the other direction's key opened the message: %v", e, h, err)
			}
			for i := range raw {
				bad := bytes.Clone(raw)
				bad[i] ^= 0x40
				d, err := Decode(bad)
				if err != nil {
					continue
				}
				sk, ok := d.Payloads[0].(*Encrypted)
				if !ok {
					continue
				}
				if _, err := k.i.open(bad, sk); err == nil {
					t.Fatalf("%v/%v: byte %d changed, message still opens", e, h, i)
				}
			}
		}
	}
}

func TestNATHash(t *testing.T) {
	a := natHash([8]byte{1}, [8]byte{}, mustAP("192.0.2.1:500"))
	b := natHash([8]byte{1}, [8]byte{}, mustAP("192.0.2.1:4500"))
	if len(a) != 20 || bytes.Equal(a, b) {
		t.Fatalf("hashes %x %x", a, b)
	}
}
