package suite

import (
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// Group is a Diffie-Hellman group; its value is the IANA transform ID
// (IKEv2 transform type 4, IKEv1 Group Description).
type Group uint16

// The groups of [edit services ipsec-vpn ike proposal P dh-group] and of
// ipsec policy perfect-forward-secrecy keys.
const (
	Group1  Group = 1  // 768-bit MODP
	Group2  Group = 2  // 1024-bit MODP
	Group5  Group = 5  // 1536-bit MODP
	Group14 Group = 14 // 2048-bit MODP
	Group15 Group = 15 // 3072-bit MODP
	Group16 Group = 16 // 4096-bit MODP
	Group19 Group = 19 // 256-bit random ECP (NIST P-256)
	Group20 Group = 20 // 384-bit random ECP (NIST P-384)
	Group24 Group = 24 // 2048-bit MODP with a 256-bit prime-order subgroup
)

// Groups lists the supported groups in IANA order.
var Groups = []Group{Group1, Group2, Group5, Group14, Group15, Group16, Group19, Group20, Group24}

// Errors of Diffie-Hellman exchanges.
var (
	// ErrGroup: the group is not one this package supports.
	ErrGroup = errors.New("unsupported Diffie-Hellman group")
	// ErrPublicValue: a peer's public value has the wrong length, is out
	// of range, is not in the group's subgroup or not on its curve.
	ErrPublicValue = errors.New("invalid Diffie-Hellman public value")
)

// modpGroup is the parameters of a MODP group.
type modpGroup struct {
	p, g, q *big.Int // q: subgroup order (nil for a safe prime: q = (p-1)/2)
	expLen  int      // bytes of a random private exponent (safe primes)
}

func mustHex(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("suite: bad constant")
	}
	return n
}

// Private exponents of the safe-prime groups are random numbers of
// expLen bytes, at least twice the security strength of the group in
// bits (RFC 3526 §8); group24 takes exponents below its 256-bit q.
var modpGroups = map[Group]*modpGroup{
	Group1:  {p: mustHex(modp768p), g: big.NewInt(2), expLen: 32},
	Group2:  {p: mustHex(modp1024p), g: big.NewInt(2), expLen: 32},
	Group5:  {p: mustHex(modp1536p), g: big.NewInt(2), expLen: 32},
	Group14: {p: mustHex(modp2048p), g: big.NewInt(2), expLen: 32},
	Group15: {p: mustHex(modp3072p), g: big.NewInt(2), expLen: 48},
	Group16: {p: mustHex(modp4096p), g: big.NewInt(2), expLen: 64},
	Group24: {p: mustHex(modp2048s256p), g: mustHex(modp2048s256g), q: mustHex(modp2048s256q), expLen: 32},
}

func (g Group) curve() ecdh.Curve {
	switch g {
	case Group19:
		return ecdh.P256()
	case Group20:
		return ecdh.P384()
	}
	return nil
}

// Supported reports whether g is a group of this package.
func (g Group) Supported() bool { return modpGroups[g] != nil || g.curve() != nil }

// String returns the Junos name ("group14"), or "group(N)" for a group
// this package does not know.
func (g Group) String() string {
	if g.Supported() {
		return "group" + strconv.Itoa(int(g))
	}
	return fmt.Sprintf("group(%d)", uint16(g))
}

// ParseGroup returns the group with the given Junos name ("group14").
func ParseGroup(name string) (Group, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "group"))
	if err != nil || !strings.HasPrefix(name, "group") || !Group(n).Supported() {
		return 0, fmt.Errorf("%w: %q", ErrGroup, name)
	}
	return Group(n), nil
}

// PublicLen returns the length in bytes of a public value on the wire
// (the prime's length for MODP, twice the coordinate length for ECP).
func (g Group) PublicLen() int {
	if m := modpGroups[g]; m != nil {
		return (m.p.BitLen() + 7) / 8
	}
	switch g {
	case Group19:
		return 64
	case Group20:
		return 96
	}
	return 0
}

// SecretLen returns the length in bytes of the shared secret.
func (g Group) SecretLen() int {
	if g.curve() != nil {
		return g.PublicLen() / 2
	}
	return g.PublicLen()
}

// Check validates a peer's public value (RFC 6989): MODP values must
// have the prime's length and lie in 2..p-2 (for group24 also in the
// order-q subgroup); ECP values must be a point on the curve.
func (g Group) Check(pub []byte) error {
	if len(pub) != g.PublicLen() || len(pub) == 0 {
		if !g.Supported() {
			return fmt.Errorf("%w: %v", ErrGroup, g)
		}
		return fmt.Errorf("%w: %d bytes for %v (want %d)", ErrPublicValue, len(pub), g, g.PublicLen())
	}
	if c := g.curve(); c != nil {
		if _, err := c.NewPublicKey(append([]byte{4}, pub...)); err != nil {
			return fmt.Errorf("%w: not a point of %v", ErrPublicValue, g)
		}
		return nil
	}
	m := modpGroups[g]
	y := new(big.Int).SetBytes(pub)
	pm1 := new(big.Int).Sub(m.p, big.NewInt(1))
	if y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(pm1) >= 0 {
		return fmt.Errorf("%w: out of range for %v", ErrPublicValue, g)
	}
	if m.q != nil && new(big.Int).Exp(y, m.q, m.p).Cmp(big.NewInt(1)) != 0 {
		return fmt.Errorf("%w: not in the subgroup of %v", ErrPublicValue, g)
	}
	return nil
}

// DHKey is one side's Diffie-Hellman key pair for one exchange.
type DHKey struct {
	group Group
	pub   []byte
	x     *big.Int         // MODP private exponent
	ec    *ecdh.PrivateKey // ECP private key
}

// GenerateKey returns a new key pair of group g from crypto/rand.
func (g Group) GenerateKey() (*DHKey, error) { return g.GenerateKeyFrom(rand.Reader) }

// GenerateKeyFrom returns a new key pair of group g with randomness from r.
func (g Group) GenerateKeyFrom(r io.Reader) (*DHKey, error) {
	if c := g.curve(); c != nil {
		k, err := c.GenerateKey(r)
		if err != nil {
			return nil, err
		}
		return g.ecKey(k), nil
	}
	m := modpGroups[g]
	if m == nil {
		return nil, fmt.Errorf("%w: %v", ErrGroup, g)
	}
	b := make([]byte, m.expLen)
	for {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		x := new(big.Int).SetBytes(b)
		if m.q != nil {
			x.Mod(x, m.q)
		}
		if x.Cmp(big.NewInt(1)) > 0 {
			return g.modpKey(x), nil
		}
	}
}

// NewKey returns the key pair with the given private value: a big-endian
// exponent for MODP groups, a scalar of the curve's length for ECP
// groups. It serves known-answer tests.
func (g Group) NewKey(private []byte) (*DHKey, error) {
	if c := g.curve(); c != nil {
		k, err := c.NewPrivateKey(private)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPublicValue, err)
		}
		return g.ecKey(k), nil
	}
	if modpGroups[g] == nil {
		return nil, fmt.Errorf("%w: %v", ErrGroup, g)
	}
	x := new(big.Int).SetBytes(private)
	if x.Sign() == 0 {
		return nil, fmt.Errorf("%w: zero private value", ErrPublicValue)
	}
	return g.modpKey(x), nil
}

func (g Group) ecKey(k *ecdh.PrivateKey) *DHKey {
	return &DHKey{group: g, ec: k, pub: k.PublicKey().Bytes()[1:]}
}

func (g Group) modpKey(x *big.Int) *DHKey {
	m := modpGroups[g]
	y := new(big.Int).Exp(m.g, x, m.p)
	return &DHKey{group: g, x: x, pub: y.FillBytes(make([]byte, g.PublicLen()))}
}

// Group returns the key's group.
func (k *DHKey) Group() Group { return k.group }

// Public returns the public value in the IKE wire format; the caller
// must not change it.
func (k *DHKey) Public() []byte { return k.pub }

// SharedSecret checks the peer's public value (Group.Check) and returns
// the shared secret g^ir in the IKE format.
func (k *DHKey) SharedSecret(peer []byte) ([]byte, error) {
	if err := k.group.Check(peer); err != nil {
		return nil, err
	}
	if k.ec != nil {
		pk, err := k.ec.Curve().NewPublicKey(append([]byte{4}, peer...))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPublicValue, err)
		}
		return k.ec.ECDH(pk)
	}
	m := modpGroups[k.group]
	z := new(big.Int).Exp(new(big.Int).SetBytes(peer), k.x, m.p)
	if z.Cmp(big.NewInt(1)) <= 0 {
		return nil, fmt.Errorf("%w: degenerate shared secret", ErrPublicValue)
	}
	return z.FillBytes(make([]byte, k.group.SecretLen())), nil
}
