package esp

import (
	"bytes"
	"net/netip"
	"testing"
)

var (
	gwA = netip.MustParseAddr("192.0.2.1")
	gwB = netip.MustParseAddr("192.0.2.2")
)

// suite is one algorithm pair with keys of the right length.
type suite struct {
	enc  Encryption
	auth Authentication
}

func (s suite) String() string { return s.enc.String() + "/" + s.auth.String() }

func keyOf(n int, seed byte) []byte {
	k := make([]byte, n)
	for i := range k {
		k[i] = seed + byte(i)*7
	}
	return k
}

func (s suite) config(spi uint32) Config {
	return Config{
		SPI: spi, Encryption: s.enc, EncryptionKey: keyOf(s.enc.KeyLen(), 0x11),
		Authentication: s.auth, AuthenticationKey: keyOf(s.auth.KeyLen(), 0x51),
		Local: gwA, Remote: gwB,
	}
}

// suites returns every supported algorithm pair.
func suites() []suite {
	var out []suite
	for e := DESCBC; e <= AES256GCM; e++ {
		if e.AEAD() {
			out = append(out, suite{e, NoAuthentication})
			continue
		}
		for a := NoAuthentication; a <= HMACSHA2_256; a++ {
			out = append(out, suite{e, a})
		}
	}
	return out
}

// pair returns an outbound SA for cfg and a table holding the matching
// inbound SA (endpoints swapped).
func pair(t testing.TB, cfg Config) (*SA, *Table, *SA) {
	t.Helper()
	out, err := NewSA(cfg)
	if err != nil {
		t.Fatalf("NewSA: %v", err)
	}
	cfg.Local, cfg.Remote = cfg.Remote, cfg.Local
	in, err := NewSA(cfg)
	if err != nil {
		t.Fatalf("NewSA inbound: %v", err)
	}
	tbl := NewTable()
	if err := tbl.Add(in); err != nil {
		t.Fatal(err)
	}
	return out, tbl, in
}

// pkt4 describes an inner IPv4 packet.
type pkt4 struct {
	src, dst string
	proto    byte
	ttl      byte
	df       bool
	size     int    // total length
	options  []byte // multiple of 4
}

func (p pkt4) bytes() []byte {
	if p.src == "" {
		p.src = "10.1.0.1"
	}
	if p.dst == "" {
		p.dst = "10.2.0.1"
	}
	if p.ttl == 0 {
		p.ttl = 64
	}
	if p.proto == 0 {
		p.proto = 17
	}
	ihl := ipv4HeaderLen + len(p.options)
	if p.size < ihl {
		p.size = ihl + 8
	}
	b := make([]byte, p.size)
	b[0], b[1] = 0x40|byte(ihl/4), 0x28
	be.PutUint16(b[2:], uint16(p.size))
	be.PutUint16(b[4:], 0x1234)
	if p.df {
		b[6] = flagDF
	}
	b[8], b[9] = p.ttl, p.proto
	s, d := netip.MustParseAddr(p.src).As4(), netip.MustParseAddr(p.dst).As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	copy(b[20:], p.options)
	for i := ihl; i < len(b); i++ {
		b[i] = byte(i * 13)
	}
	be.PutUint16(b[10:], checksum(b[:ihl]))
	return b
}

func pkt6(size int, hop byte) []byte {
	b := make([]byte, size)
	b[0], b[1] = 0x6a, 0xb0 // traffic class 0xab
	be.PutUint16(b[4:], uint16(size-ipv6HeaderLen))
	b[6], b[7] = 17, hop
	s, d := netip.MustParseAddr("2001:db8:1::1").As16(), netip.MustParseAddr("2001:db8:2::1").As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	for i := ipv6HeaderLen; i < len(b); i++ {
		b[i] = byte(i)
	}
	return b
}

// forwarded returns p as the tunnel forwards it: TTL one less.
func forwarded(p []byte) []byte {
	q := bytes.Clone(p)
	if q[0]>>4 == 6 {
		q[7]--
		return q
	}
	q[8]--
	be.PutUint16(q[10:], 0)
	be.PutUint16(q[10:], checksum(q[:int(q[0]&0x0f)*4]))
	return q
}
