package esp

import (
	"bytes"
	"errors"
	"math"
	"net/netip"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	inners := map[string][]byte{
		"v4-min":  pkt4{size: 20}.bytes(),
		"v4-28":   pkt4{size: 28, proto: 1}.bytes(),
		"v4-odd":  pkt4{size: 333}.bytes(),
		"v4-1400": pkt4{size: 1400, df: true}.bytes(),
		"v6-100":  pkt6(100, 64),
	}
	encaps := map[string]*UDPEncap{"esp": nil, "nat-t": {SrcPort: NATTPort, DstPort: NATTPort}, "udp-4565": {DstPort: DefaultUDPEncapPort}}
	for _, s := range suites() {
		for ename, u := range encaps {
			for _, esn := range []bool{false, true} {
				cfg := s.config(1000)
				cfg.UDP, cfg.ESN = u, esn
				out, tbl, in := pair(t, cfg)
				for iname, inner := range inners {
					wire, err := out.Encapsulate(nil, inner)
					if err != nil {
						t.Fatalf("%v %s esn=%v %s: Encapsulate: %v", s, ename, esn, iname, err)
					}
					checkOuter(t, out, wire, len(inner))
					got, sa, err := tbl.Decapsulate(nil, wire)
					if err != nil || sa != in {
						t.Fatalf("%v %s esn=%v %s: Decapsulate: %v (sa %p want %p)", s, ename, esn, iname, err, sa, in)
					}
					if want := forwarded(inner); !bytes.Equal(got, want) {
						t.Fatalf("%v %s %s: inner differs\n got %x\nwant %x", s, ename, iname, got, want)
					}
				}
				if st := in.Stats(); st.DecryptedPackets != uint64(len(inners)) || st.EncryptedPackets != 0 {
					t.Errorf("%v: inbound stats %+v", s, st)
				}
			}
		}
	}
}

// checkOuter verifies the outer headers Encapsulate wrote.
func checkOuter(t *testing.T, sa *SA, b []byte, innerLen int) {
	t.Helper()
	if len(b) != sa.outerLen(innerLen) || int(be.Uint16(b[2:])) != len(b) {
		t.Fatalf("outer length %d, header says %d, want %d", len(b), be.Uint16(b[2:]), sa.outerLen(innerLen))
	}
	if checksum(b[:20]) != 0 || b[0] != 0x45 || b[8] != DefaultTTL {
		t.Fatalf("bad outer header %x", b[:20])
	}
	if a := sa.cfg.Local.As4(); !bytes.Equal(b[12:16], a[:]) {
		t.Fatalf("outer source %v", b[12:16])
	}
	espOff := 20
	if u := sa.cfg.UDP; u != nil {
		if b[9] != protoUDP || be.Uint16(b[22:]) != u.DstPort || int(be.Uint16(b[24:])) != len(b)-20 || be.Uint16(b[26:]) != 0 {
			t.Fatalf("bad UDP header %x", b[20:28])
		}
		if u.SrcPort != 0 && be.Uint16(b[20:]) != u.SrcPort {
			t.Fatalf("UDP source port %d", be.Uint16(b[20:]))
		}
		espOff += 8
	} else if b[9] != protoESP {
		t.Fatalf("outer protocol %d", b[9])
	}
	if (len(b)-espOff-sa.icvLen)%4 != 0 {
		t.Fatalf("ESP payload not 4-byte aligned")
	}
	if be.Uint32(b[espOff:]) != sa.SPI() {
		t.Fatalf("SPI %x", b[espOff:espOff+4])
	}
}

func TestSequenceNumbers(t *testing.T) {
	out, _, _ := pair(t, suite{AES128GCM, NoAuthentication}.config(300))
	inner := pkt4{}.bytes()
	for want := uint32(1); want <= 3; want++ {
		wire, err := out.Encapsulate(nil, inner)
		if err != nil {
			t.Fatal(err)
		}
		if got := be.Uint32(wire[24:]); got != want {
			t.Fatalf("sequence %d, want %d", got, want)
		}
		if iv := be.Uint64(wire[28:]); iv != uint64(want) {
			t.Fatalf("GCM explicit IV %d, want the sequence number", iv)
		}
	}
}

func TestNewSAErrors(t *testing.T) {
	good := suite{AES128CBC, HMACSHA1_96}.config(1000)
	tests := []struct {
		name   string
		edit   func(*Config)
		want   error
		keyLen int // wanted length in a *KeyError
	}{
		{"short aes key", func(c *Config) { c.EncryptionKey = []byte("123456789012345") }, nil, 16},
		{"long hmac key", func(c *Config) { c.AuthenticationKey = make([]byte, 21) }, nil, 20},
		{"gcm needs salt", func(c *Config) {
			c.Encryption, c.Authentication, c.AuthenticationKey, c.EncryptionKey = AES256GCM, NoAuthentication, nil, make([]byte, 32)
		}, nil, 36},
		{"3des", func(c *Config) { c.Encryption, c.EncryptionKey = TripleDESCBC, make([]byte, 16) }, nil, 24},
		{"gcm with hmac", func(c *Config) { c.Encryption, c.EncryptionKey = AES128GCM, make([]byte, 20) }, ErrConfig, 0},
		{"reserved spi", func(c *Config) { c.SPI = 255 }, ErrConfig, 0},
		{"unknown cipher", func(c *Config) { c.Encryption = 99 }, ErrAlgorithm, 0},
		{"unknown auth", func(c *Config) { c.Authentication = 99 }, ErrAlgorithm, 0},
		{"ipv6 endpoint", func(c *Config) { c.Remote = netip.MustParseAddr("2001:db8::1") }, ErrConfig, 0},
		{"mtu too small", func(c *Config) { c.TunnelMTU = 100 }, ErrConfig, 0},
		{"window too big", func(c *Config) { c.ReplayWindow = 8192 }, ErrConfig, 0},
		{"df mode", func(c *Config) { c.DF = 9 }, ErrConfig, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			_, err := NewSA(cfg)
			if tt.keyLen != 0 {
				var ke *KeyError
				if !errors.As(err, &ke) || ke.Want != tt.keyLen {
					t.Fatalf("NewSA = %v, want a KeyError wanting %d bytes", err, tt.keyLen)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewSA = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := NewSA(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
}

func TestKeyErrorMessage(t *testing.T) {
	err := checkKey("aes-128-cbc", 16, []byte("short"))
	want := "invalid key length for aes-128-cbc: 5 bytes given, 16 required (ascii-text of 16 characters or hexadecimal of 32 digits)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestParseNames(t *testing.T) {
	for e := DESCBC; e <= AES256GCM; e++ {
		got, err := ParseEncryption(e.String())
		if err != nil || got != e {
			t.Errorf("ParseEncryption(%q) = %v, %v", e.String(), got, err)
		}
	}
	for a := HMACMD5_96; a <= HMACSHA2_256; a++ {
		got, err := ParseAuthentication(a.String())
		if err != nil || got != a {
			t.Errorf("ParseAuthentication(%q) = %v, %v", a.String(), got, err)
		}
	}
	for _, bad := range []string{"", "aes-cbc", "none", "AES-128-CBC"} {
		if _, err := ParseEncryption(bad); !errors.Is(err, ErrAlgorithm) {
			t.Errorf("ParseEncryption(%q) = %v", bad, err)
		}
		if _, err := ParseAuthentication(bad); !errors.Is(err, ErrAlgorithm) {
			t.Errorf("ParseAuthentication(%q) = %v", bad, err)
		}
	}
	if n := HMACSHA256_96.ICVLen(); n != 12 {
		t.Errorf("hmac-sha-256-96 ICV %d", n)
	}
	if n := HMACSHA2_256.ICVLen(); n != 16 {
		t.Errorf("hmac-sha2-256 ICV %d", n)
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		format, text string
		want         []byte
		ok           bool
	}{
		{"ascii-text", "1234567890123456", []byte("1234567890123456"), true},
		{"hexadecimal", "0x00ff10", []byte{0, 0xff, 0x10}, true},
		{"hexadecimal", "ABCD", []byte{0xab, 0xcd}, true},
		{"hexadecimal", "abc", nil, false},
		{"hexadecimal", "zz", nil, false},
		{"base64", "x", nil, false},
	}
	for _, tt := range tests {
		got, err := ParseKey(tt.format, tt.text)
		if (err == nil) != tt.ok || !bytes.Equal(got, tt.want) {
			t.Errorf("ParseKey(%q, %q) = %x, %v", tt.format, tt.text, got, err)
		}
	}
}

func TestTamper(t *testing.T) {
	for _, s := range suites() {
		if s.auth == NoAuthentication && !s.enc.AEAD() {
			continue // nothing to detect tampering with
		}
		out, tbl, in := pair(t, s.config(2000))
		inner := pkt4{size: 200}.bytes()
		regions := map[string]func(n int) int{
			"sequence":   func(int) int { return 20 + 7 },
			"iv":         func(int) int { return 20 + 8 },
			"ciphertext": func(n int) int { return n - in.icvLen - 5 },
			"icv":        func(n int) int { return n - 1 },
		}
		for name, at := range regions {
			wire, err := out.Encapsulate(nil, inner)
			if err != nil {
				t.Fatal(err)
			}
			wire[at(len(wire))] ^= 0x40
			before := in.Stats().AuthErrors
			if _, _, err := tbl.Decapsulate(nil, wire); !errors.Is(err, ErrAuth) {
				t.Fatalf("%v: tampered %s: %v, want ErrAuth", s, name, err)
			}
			if in.Stats().AuthErrors != before+1 {
				t.Fatalf("%v: auth failure not counted", s)
			}
		}
		if in.Stats().DecryptedPackets != 0 {
			t.Fatalf("%v: a tampered packet was accepted", s)
		}
	}
}

func TestBadSPI(t *testing.T) {
	out, tbl, in := pair(t, suite{AES128CBC, HMACSHA1_96}.config(3000))
	wire, _ := out.Encapsulate(nil, pkt4{}.bytes())
	be.PutUint32(wire[20:], 3001)
	if _, _, err := tbl.Decapsulate(nil, wire); !errors.Is(err, ErrBadSPI) {
		t.Fatalf("got %v, want ErrBadSPI", err)
	}
	if tbl.Stats().BadSPI != 1 || in.Stats() != (Stats{}) {
		t.Fatalf("table %+v sa %+v", tbl.Stats(), in.Stats())
	}
	if _, err := in.Decapsulate(nil, wire); !errors.Is(err, ErrBadSPI) {
		t.Fatalf("SA.Decapsulate: %v", err)
	}
	if err := tbl.Add(in); !errors.Is(err, ErrDupSPI) {
		t.Fatalf("duplicate Add: %v", err)
	}
	if !tbl.Remove(3000) || tbl.Remove(3000) || tbl.Len() != 0 || tbl.Lookup(3000) != nil {
		t.Fatal("Remove")
	}
}

func TestReplay(t *testing.T) {
	tests := []struct {
		name   string
		window int
		off    bool
		order  []int // packet indexes delivered, in order
		want   []error
	}{
		{"duplicate", 64, false, []int{0, 0}, []error{nil, ErrReplay}},
		{"reordered", 64, false, []int{2, 0, 1, 1}, []error{nil, nil, nil, ErrReplay}},
		{"too old for 64", 64, false, []int{80, 16, 17}, []error{nil, ErrReplay, nil}},
		{"fits 128", 128, false, []int{80, 16}, []error{nil, nil}},
		{"disabled", 0, true, []int{0, 0, 80, 1, 1}, []error{nil, nil, nil, nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := suite{AES128GCM, NoAuthentication}.config(4000)
			cfg.ReplayWindow, cfg.NoAntiReplay = tt.window, tt.off
			out, tbl, in := pair(t, cfg)
			var wires [][]byte
			for range 100 {
				w, err := out.Encapsulate(nil, pkt4{}.bytes())
				if err != nil {
					t.Fatal(err)
				}
				wires = append(wires, w)
			}
			replays := 0
			for i, idx := range tt.order {
				_, _, err := tbl.Decapsulate(nil, wires[idx])
				if !errors.Is(err, tt.want[i]) || (err == nil) != (tt.want[i] == nil) {
					t.Fatalf("delivery %d (packet %d): %v, want %v", i, idx, err, tt.want[i])
				}
				if err != nil {
					replays++
				}
			}
			if got := in.Stats().ReplayErrors; got != uint64(replays) {
				t.Fatalf("ReplayErrors = %d, want %d", got, replays)
			}
		})
	}
}

func TestSeqExhausted(t *testing.T) {
	out, _, _ := pair(t, suite{AES128CBC, HMACSHA1_96}.config(5000))
	out.seq.Store(math.MaxUint32 - 1)
	if _, err := out.Encapsulate(nil, pkt4{}.bytes()); err != nil {
		t.Fatalf("last sequence number: %v", err)
	}
	if _, err := out.Encapsulate(nil, pkt4{}.bytes()); !errors.Is(err, ErrSeqExhausted) {
		t.Fatalf("got %v, want ErrSeqExhausted", err)
	}
	if out.Stats().SeqExhausted != 1 || out.Seq() != math.MaxUint32 {
		t.Fatalf("stats %+v seq %d", out.Stats(), out.Seq())
	}
}

func TestESNWrap(t *testing.T) {
	for _, s := range []suite{{AES128CBC, HMACSHA1_96}, {AES256GCM, NoAuthentication}} {
		cfg := s.config(5100)
		cfg.ESN = true
		out, tbl, in := pair(t, cfg)
		out.seq.Store(math.MaxUint32 - 2)
		in.window.Update(math.MaxUint32 - 2)
		for i := range 5 {
			wire, err := out.Encapsulate(nil, pkt4{}.bytes())
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := tbl.Decapsulate(nil, wire); err != nil {
				t.Fatalf("%v: packet %d across the 2^32 boundary: %v", s, i, err)
			}
		}
		if in.window.Last() != 1<<32+2 {
			t.Fatalf("%v: window at %#x", s, in.window.Last())
		}
	}
}

func TestUDPControl(t *testing.T) {
	cfg := suite{AES128CBC, HMACSHA1_96}.config(6000)
	cfg.UDP = &UDPEncap{SrcPort: NATTPort, DstPort: NATTPort}
	out, tbl, _ := pair(t, cfg)
	wire, _ := out.Encapsulate(nil, pkt4{}.bytes())
	udp := func(payload ...byte) []byte {
		b := append(bytes.Clone(wire[:28]), payload...)
		be.PutUint16(b[2:], uint16(len(b)))
		be.PutUint16(b[24:], uint16(len(b)-20))
		be.PutUint16(b[10:], 0)
		be.PutUint16(b[10:], checksum(b[:20]))
		return b
	}
	if _, _, err := tbl.Decapsulate(nil, udp(0xff)); !errors.Is(err, ErrKeepalive) {
		t.Fatalf("keepalive: %v", err)
	}
	if _, _, err := tbl.Decapsulate(nil, udp(0, 0, 0, 0, 1, 2, 3, 4, 5)); !errors.Is(err, ErrNonESP) {
		t.Fatalf("non-ESP marker: %v", err)
	}
	if _, _, err := tbl.DecapsulateUDP(nil, []byte{0xff}, NATTPort); !errors.Is(err, ErrKeepalive) {
		t.Fatalf("keepalive from a UDP socket: %v", err)
	}
	if st := tbl.Stats(); st.Keepalives != 2 || st.NonESP != 1 {
		t.Fatalf("table stats %+v", st)
	}
	// The same packet as a UDP socket delivers it.
	got, _, err := tbl.DecapsulateUDP(nil, wire[UDPPayloadOffset:], NATTPort)
	if err != nil || !bytes.Equal(got, forwarded(pkt4{}.bytes())) {
		t.Fatalf("DecapsulateUDP: %v", err)
	}
	if _, _, err := tbl.DecapsulateUDP(nil, wire[UDPPayloadOffset:], 4501); !errors.Is(err, ErrHeader) {
		t.Fatalf("DecapsulateUDP on the wrong port: %v", err)
	}
	// Plain ESP for a UDP-encapsulated SA is refused.
	plain := append(bytes.Clone(wire[:20]), wire[28:]...)
	plain[9] = protoESP
	be.PutUint16(plain[2:], uint16(len(plain)))
	be.PutUint16(plain[10:], 0)
	be.PutUint16(plain[10:], checksum(plain[:20]))
	if _, _, err := tbl.Decapsulate(nil, plain); !errors.Is(err, ErrHeader) {
		t.Fatalf("plain ESP on a NAT-T SA: %v", err)
	}
}

func TestPackets(t *testing.T) {
	out, _, _ := pair(t, suite{AES128GCM, NoAuthentication}.config(7000))
	var b []byte
	for _, n := range []int{40, 100, 60} {
		var err error
		if b, err = out.Encapsulate(b, pkt4{size: n}.bytes()); err != nil {
			t.Fatal(err)
		}
	}
	var lens []int
	for p := range Packets(b) {
		lens = append(lens, len(p))
	}
	if len(lens) != 3 || lens[0] != out.outerLen(40) || lens[1] != out.outerLen(100) {
		t.Fatalf("Packets lengths %v", lens)
	}
}
