package suite

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
)

// dhVector is a known-answer test of a Diffie-Hellman group: both private
// values, both public values and the shared secret.
type dhVector struct {
	group                     Group
	xi, xr, pubi, pubr, share []byte
}

// readVectors reads testdata/dh.txt: the RFC 5114 (group24) and RFC 5903
// (group19, group20) test data, and MODP vectors as strongSwan's test
// suite carries them, one "key hex" line per value.
func readVectors(t testing.TB) []dhVector {
	f, err := os.Open("testdata/dh.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dhVector
	var v *dhVector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		k, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		if k == "group" {
			n, _ := strconv.Atoi(val)
			out = append(out, dhVector{group: Group(n)})
			v = &out[len(out)-1]
			continue
		}
		b, err := hex.DecodeString(val)
		if err != nil || v == nil {
			t.Fatalf("testdata/dh.txt: %q", sc.Text())
		}
		switch k {
		case "xi":
			v.xi = b
		case "xr":
			v.xr = b
		case "pubi":
			v.pubi = b
		case "pubr":
			v.pubr = b
		case "shared":
			v.share = b
		}
	}
	return out
}

func TestDHVectors(t *testing.T) {
	vs := readVectors(t)
	seen := map[Group]bool{}
	for _, v := range vs {
		t.Run(v.group.String(), func(t *testing.T) {
			seen[v.group] = true
			ki, err := v.group.NewKey(v.xi)
			if err != nil {
				t.Fatal(err)
			}
			kr, err := v.group.NewKey(v.xr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ki.Public(), v.pubi) || !bytes.Equal(kr.Public(), v.pubr) {
				t.Fatalf("public values differ:\n got %x\nwant %x", ki.Public(), v.pubi)
			}
			for _, x := range []struct {
				k    *DHKey
				peer []byte
			}{{ki, v.pubr}, {kr, v.pubi}} {
				z, err := x.k.SharedSecret(x.peer)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(z, v.share) {
					t.Fatalf("shared secret:\n got %x\nwant %x", z, v.share)
				}
			}
		})
	}
	for _, g := range Groups {
		if !seen[g] {
			t.Errorf("no test vector for %v", g)
		}
	}
}

func TestDHRoundTrip(t *testing.T) {
	for _, g := range Groups {
		a, err := g.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		b, err := g.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Public()) != g.PublicLen() || a.Group() != g {
			t.Fatalf("%v: public value of %d bytes, want %d", g, len(a.Public()), g.PublicLen())
		}
		za, err1 := a.SharedSecret(b.Public())
		zb, err2 := b.SharedSecret(a.Public())
		if err1 != nil || err2 != nil || !bytes.Equal(za, zb) || len(za) != g.SecretLen() {
			t.Fatalf("%v: secrets differ (%v, %v)", g, err1, err2)
		}
	}
}

// TestMODPParameters checks the constants: safe primes (q = (p-1)/2 prime)
// of the stated size with 64 one bits at both ends (RFC 2409, 3526), and
// for group24 a prime q dividing p-1 with g of order q (RFC 5114).
func TestMODPParameters(t *testing.T) {
	bits := map[Group]int{Group1: 768, Group2: 1024, Group5: 1536, Group14: 2048, Group15: 3072, Group16: 4096, Group24: 2048}
	ones := new(big.Int).SetUint64(^uint64(0))
	for g, m := range modpGroups {
		if m.p.BitLen() != bits[g] || !m.p.ProbablyPrime(8) {
			t.Errorf("%v: p of %d bits, prime %v", g, m.p.BitLen(), m.p.ProbablyPrime(8))
		}
		one := big.NewInt(1)
		pm1 := new(big.Int).Sub(m.p, one)
		if m.q == nil {
			q := new(big.Int).Rsh(pm1, 1)
			if !q.ProbablyPrime(4) {
				t.Errorf("%v: (p-1)/2 is not prime", g)
			}
			low := new(big.Int).And(m.p, ones)
			high := new(big.Int).Rsh(m.p, uint(m.p.BitLen()-64))
			if low.Cmp(ones) != 0 || high.Cmp(ones) != 0 {
				t.Errorf("%v: p does not begin and end with 64 one bits", g)
			}
			continue
		}
		if m.q.BitLen() != 256 || !m.q.ProbablyPrime(8) || new(big.Int).Mod(pm1, m.q).Sign() != 0 {
			t.Errorf("%v: q is not a 256-bit prime factor of p-1", g)
		}
		if new(big.Int).Exp(m.g, m.q, m.p).Cmp(one) != 0 {
			t.Errorf("%v: g does not have order q", g)
		}
	}
}

func TestDHCheck(t *testing.T) {
	pad := func(g Group, n *big.Int) []byte { return n.FillBytes(make([]byte, g.PublicLen())) }
	p14 := modpGroups[Group14].p
	p24 := modpGroups[Group24].p
	valid19, _ := Group19.GenerateKey()
	offCurve := bytes.Clone(valid19.Public())
	offCurve[63] ^= 1
	tests := []struct {
		name string
		g    Group
		pub  []byte
		err  error
	}{
		{"zero", Group14, pad(Group14, big.NewInt(0)), ErrPublicValue},
		{"one", Group14, pad(Group14, big.NewInt(1)), ErrPublicValue},
		{"two", Group14, pad(Group14, big.NewInt(2)), nil},
		{"p-1", Group14, pad(Group14, new(big.Int).Sub(p14, big.NewInt(1))), ErrPublicValue},
		{"p", Group14, pad(Group14, p14), ErrPublicValue},
		{"short", Group14, make([]byte, 255), ErrPublicValue},
		{"long", Group2, make([]byte, 129), ErrPublicValue},
		{"empty", Group1, nil, ErrPublicValue},
		{"outside the subgroup", Group24, pad(Group24, new(big.Int).Sub(p24, big.NewInt(2))), ErrPublicValue},
		{"generator", Group24, pad(Group24, modpGroups[Group24].g), nil},
		{"on the curve", Group19, valid19.Public(), nil},
		{"off the curve", Group19, offCurve, ErrPublicValue},
		{"zero point", Group20, make([]byte, 96), ErrPublicValue},
		{"unknown group", Group(31), make([]byte, 32), ErrGroup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.g.Check(tt.pub)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("Check = %v, want %v", err, tt.err)
			}
		})
	}
	k, _ := Group14.GenerateKey()
	if _, err := k.SharedSecret(pad(Group14, big.NewInt(1))); !errors.Is(err, ErrPublicValue) {
		t.Fatalf("SharedSecret(1) = %v", err)
	}
}

func TestParseGroup(t *testing.T) {
	for _, g := range Groups {
		got, err := ParseGroup(g.String())
		if err != nil || got != g {
			t.Errorf("ParseGroup(%q) = %v, %v", g.String(), got, err)
		}
	}
	for _, bad := range []string{"", "group", "group3", "group31", "14", "groupx", "group-14"} {
		if _, err := ParseGroup(bad); !errors.Is(err, ErrGroup) {
			t.Errorf("ParseGroup(%q) = %v", bad, err)
		}
	}
	if Group(31).String() != "group(31)" {
		t.Errorf("String of an unknown group: %q", Group(31).String())
	}
}

func BenchmarkDH(b *testing.B) {
	for _, g := range Groups {
		peer, _ := g.GenerateKey()
		b.Run(g.String()+"/generate", func(b *testing.B) {
			for b.Loop() {
				if _, err := g.GenerateKey(); err != nil {
					b.Fatal(err)
				}
			}
		})
		k, _ := g.GenerateKey()
		b.Run(g.String()+"/shared", func(b *testing.B) {
			for b.Loop() {
				if _, err := k.SharedSecret(peer.Public()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
