package esp

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

func TestDFAndMTU(t *testing.T) {
	const mtu = 600
	tests := []struct {
		name     string
		mode     DFMode
		passive  bool
		innerDF  bool
		size     int
		frags    int  // outer packets expected; 0 means an *MTUError
		outerDF  bool // DF in every outer header
		icmp     bool // MTUError.ICMP
		clearsDF bool // inner DF cleared by the tunnel
	}{
		{"default fits, DF copied", DFDefault, false, true, 400, 1, true, false, false},
		{"default fits, no DF", DFDefault, false, false, 400, 1, false, false, false},
		{"default too big with DF", DFDefault, false, true, 1000, 0, false, true, false},
		{"default too big without DF", DFDefault, false, false, 1000, 2, false, false, false},
		{"copy too big with DF", DFCopy, false, true, 1500, 0, false, true, false},
		{"set fits, no inner DF", DFSet, false, false, 400, 1, true, false, false},
		{"set too big, no inner DF", DFSet, false, false, 1500, 3, true, false, false},
		{"clear fits", DFClear, false, true, 400, 1, false, false, true},
		{"clear too big fragments", DFClear, false, true, 1500, 3, false, false, true},
		{"passive too big with DF", DFDefault, true, true, 1000, 0, false, false, false},
		{"passive too big without DF", DFDefault, true, false, 1000, 2, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := suite{AES128CBC, HMACSHA1_96}.config(8000)
			cfg.TunnelMTU, cfg.DF, cfg.Passive = mtu, tt.mode, tt.passive
			out, tbl, _ := pair(t, cfg)
			inner := pkt4{size: tt.size, df: tt.innerDF, options: []byte{0x94, 4, 0, 0}}.bytes()
			wire, err := out.Encapsulate(nil, inner)
			if tt.frags == 0 {
				var me *MTUError
				if !errors.As(err, &me) || !errors.Is(err, ErrTooBig) || me.MTU != out.InnerMTU() || me.ICMP != tt.icmp {
					t.Fatalf("got %v (%+v), want MTUError{%d, %v}", err, me, out.InnerMTU(), tt.icmp)
				}
				if len(wire) != 0 || out.Stats().TooBig != 1 {
					t.Fatalf("dropped packet: %d bytes out, stats %+v", len(wire), out.Stats())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]byte
			for p := range Packets(wire) {
				if len(p) > mtu {
					t.Fatalf("outer packet of %d bytes exceeds the tunnel MTU", len(p))
				}
				if df := p[6]&flagDF != 0; df != tt.outerDF {
					t.Fatalf("outer DF %v, want %v", df, tt.outerDF)
				}
				in, _, err := tbl.Decapsulate(nil, p)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, in)
			}
			if len(got) != tt.frags {
				t.Fatalf("%d outer packets, want %d", len(got), tt.frags)
			}
			want := inner
			if !tt.passive {
				want = forwarded(inner)
			}
			if tt.clearsDF {
				want[6] &^= flagDF
				be.PutUint16(want[10:], 0)
				be.PutUint16(want[10:], checksum(want[:24]))
			}
			if re := reassemble(t, got); !bytes.Equal(re, want) {
				t.Fatalf("reassembled inner differs\n got %x\nwant %x", re, want)
			}
		})
	}
}

// reassemble rebuilds an IPv4 packet from its fragments (in order).
func reassemble(t *testing.T, frags [][]byte) []byte {
	t.Helper()
	if len(frags) == 1 {
		return frags[0]
	}
	first := frags[0]
	ihl := int(first[0]&0x0f) * 4
	out := bytes.Clone(first[:ihl])
	for i, f := range frags {
		if checksum(f[:int(f[0]&0x0f)*4]) != 0 {
			t.Fatalf("fragment %d: bad checksum", i)
		}
		fo := be.Uint16(f[6:])
		if int(fo&0x1fff)*8 != len(out)-ihl {
			t.Fatalf("fragment %d at offset %d, want %d", i, int(fo&0x1fff)*8, len(out)-ihl)
		}
		if mf := fo&(flagMF<<8) != 0; mf != (i < len(frags)-1) {
			t.Fatalf("fragment %d: MF %v", i, mf)
		}
		if i > 0 && int(f[0]&0x0f)*4 != 24 {
			t.Fatalf("fragment %d: copied options missing (header %d bytes)", i, int(f[0]&0x0f)*4)
		}
		out = append(out, f[int(f[0]&0x0f)*4:]...)
	}
	be.PutUint16(out[2:], uint16(len(out)))
	out[6] = frags[0][6] &^ flagMF
	out[7] = 0
	be.PutUint16(out[10:], 0)
	be.PutUint16(out[10:], checksum(out[:ihl]))
	return out
}

func TestInnerMTU(t *testing.T) {
	for _, s := range suites() {
		for _, mtu := range []int{MinTunnelMTU, 1400, DefaultTunnelMTU, MaxTunnelMTU} {
			cfg := s.config(8100)
			cfg.TunnelMTU = mtu
			sa, err := NewSA(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m := sa.InnerMTU()
			if sa.outerLen(m) > mtu || sa.outerLen(m+sa.align) <= mtu {
				t.Fatalf("%v mtu %d: InnerMTU %d is not the largest fit", s, mtu, m)
			}
		}
	}
}

func TestTTL(t *testing.T) {
	tests := []struct {
		name          string
		passive, nohp bool
		ttl           byte
		want          error
		wantTTL       byte
	}{
		{"hop decrements", false, false, 64, nil, 63},
		{"hop expires at 1", false, false, 1, ErrTTLExceeded, 0},
		{"hop expires at 0", false, false, 0, ErrTTLExceeded, 0},
		{"no-ipsec-tunnel-in-traceroute", false, true, 1, nil, 1},
		{"no-ipsec-tunnel-in-traceroute keeps 64", false, true, 64, nil, 64},
		{"passive", true, false, 1, nil, 1},
		{"passive zero", true, false, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := suite{AES128GCM, NoAuthentication}.config(8200)
			cfg.Passive, cfg.NoTunnelHop = tt.passive, tt.nohp
			out, tbl, _ := pair(t, cfg)
			v4 := pkt4{}.bytes()
			v4[8] = tt.ttl
			be.PutUint16(v4[10:], 0)
			be.PutUint16(v4[10:], checksum(v4[:20]))
			for _, inner := range [][]byte{v4, pkt6(80, tt.ttl)} {
				wire, err := out.Encapsulate(nil, inner)
				if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
					t.Fatalf("Encapsulate: %v, want %v", err, tt.want)
				}
				if err != nil {
					continue
				}
				got, _, err := tbl.Decapsulate(nil, wire)
				if err != nil {
					t.Fatal(err)
				}
				ttl := got[8]
				if got[0]>>4 == 6 {
					ttl = got[7]
				} else if checksum(got[:20]) != 0 {
					t.Fatal("inner checksum broken by the TTL change")
				}
				if ttl != tt.wantTTL {
					t.Fatalf("inner TTL %d, want %d", ttl, tt.wantTTL)
				}
			}
			if tt.want != nil && out.Stats().TTLExceeded != 2 {
				t.Fatalf("TTLExceeded = %d, want 2", out.Stats().TTLExceeded)
			}
		})
	}
}

func TestActiveChecks(t *testing.T) {
	badSum := pkt4{}.bytes()
	badSum[10]++
	badVersion := pkt4{}.bytes()
	badVersion[0] = 0x55
	shortIHL := pkt4{}.bytes()
	shortIHL[0] = 0x44
	long := pkt4{}.bytes()
	be.PutUint16(long[2:], 200)
	tests := []struct {
		name  string
		pkt   []byte
		want  error
		count func(Stats) uint64
	}{
		{"checksum", badSum, ErrHeader, func(s Stats) uint64 { return s.BadHeaders }},
		{"version", badVersion, ErrHeader, func(s Stats) uint64 { return s.BadHeaders }},
		{"header length", shortIHL, ErrHeader, func(s Stats) uint64 { return s.BadHeaders }},
		{"total length", long, ErrLength, func(s Stats) uint64 { return s.LengthErrors }},
		{"truncated", pkt4{}.bytes()[:12], ErrLength, func(s Stats) uint64 { return s.LengthErrors }},
		{"land", pkt4{src: "10.9.9.9", dst: "10.9.9.9"}.bytes(), ErrLand, func(s Stats) uint64 { return s.LandAttacks }},
		{"loopback source", pkt4{src: "127.0.0.1"}.bytes(), ErrAddress, func(s Stats) uint64 { return s.AddressErrors }},
		{"multicast source", pkt4{src: "224.0.0.5"}.bytes(), ErrAddress, func(s Stats) uint64 { return s.AddressErrors }},
		{"zero destination", pkt4{dst: "0.0.0.0"}.bytes(), ErrAddress, func(s Stats) uint64 { return s.AddressErrors }},
		{"loose source route", pkt4{options: []byte{131, 3, 4, 0}}.bytes(), ErrOptions, func(s Stats) uint64 { return s.OptionErrors }},
		{"bad option length", pkt4{options: []byte{7, 9, 4, 0}}.bytes(), ErrOptions, func(s Stats) uint64 { return s.OptionErrors }},
		{"ipv6 land", func() []byte { p := pkt6(60, 9); copy(p[24:40], p[8:24]); return p }(), ErrLand, func(s Stats) uint64 { return s.LandAttacks }},
		{"ipv6 truncated", pkt6(60, 9)[:50], ErrLength, func(s Stats) uint64 { return s.LengthErrors }},
		{"not ip", []byte{0x00, 1, 2, 3}, ErrHeader, func(s Stats) uint64 { return s.BadHeaders }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := suite{AES128CBC, HMACSHA1_96}.config(8300)
			out, _, _ := pair(t, cfg)
			if _, err := out.Encapsulate(nil, tt.pkt); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.count(out.Stats()) != 1 {
				t.Fatalf("not counted: %+v", out.Stats())
			}
			// Passive mode tunnels the packet as it is.
			cfg.Passive = true
			pout, ptbl, _ := pair(t, cfg)
			wire, err := pout.Encapsulate(nil, tt.pkt)
			if err != nil {
				t.Fatalf("passive: %v", err)
			}
			got, _, err := ptbl.Decapsulate(nil, wire)
			if err != nil || !bytes.Equal(got, tt.pkt) {
				t.Fatalf("passive round trip: %v\n got %x\nwant %x", err, got, tt.pkt)
			}
		})
	}
}

func TestAppendICMPError(t *testing.T) {
	from := netip.MustParseAddr("192.0.2.1")
	orig := pkt4{size: 1000, df: true}.bytes()
	b, ok := AppendICMPError([]byte{0xee}, from, ICMPDestUnreachable, CodeFragNeeded, 1400, orig)
	if !ok {
		t.Fatal("no ICMP error for a normal packet")
	}
	m := b[1:]
	if len(m) != 20+8+28 || int(be.Uint16(m[2:])) != len(m) || checksum(m[:20]) != 0 || m[9] != protoICMP {
		t.Fatalf("bad IP header %x", m[:20])
	}
	if !bytes.Equal(m[12:16], []byte{192, 0, 2, 1}) || !bytes.Equal(m[16:20], orig[12:16]) {
		t.Fatalf("addresses %v -> %v", m[12:16], m[16:20])
	}
	icmp := m[20:]
	if icmp[0] != 3 || icmp[1] != 4 || be.Uint16(icmp[6:]) != 1400 || checksum(icmp) != 0 {
		t.Fatalf("bad ICMP header %x", icmp[:8])
	}
	if !bytes.Equal(icmp[8:], orig[:28]) {
		t.Fatal("quoted header and 8 bytes differ")
	}
	tx, _ := AppendICMPError(nil, from, ICMPTimeExceeded, CodeTTLExceeded, 1400, orig)
	if be.Uint16(tx[20+6:]) != 0 {
		t.Fatal("MTU set in a time-exceeded message")
	}

	icmpErr := pkt4{proto: protoICMP}.bytes()
	icmpErr[20] = 3
	frag := pkt4{}.bytes()
	frag[7] = 1
	echo := pkt4{proto: protoICMP}.bytes()
	echo[20] = 8
	for name, tc := range map[string]struct {
		p  []byte
		ok bool
	}{
		"about an ICMP error":   {icmpErr, false},
		"about a fragment":      {frag, false},
		"from multicast":        {pkt4{src: "224.1.1.1"}.bytes(), false},
		"truncated":             {orig[:10], false},
		"about an echo request": {echo, true},
	} {
		if _, ok := AppendICMPError(nil, from, ICMPTimeExceeded, 0, 0, tc.p); ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v", name, ok, tc.ok)
		}
	}
}

func TestDecapsulateMalformed(t *testing.T) {
	out, tbl, in := pair(t, suite{AES128CBC, HMACSHA1_96}.config(8400))
	wire, _ := out.Encapsulate(nil, pkt4{size: 100}.bytes())
	fix := func(b []byte) []byte {
		be.PutUint16(b[2:], uint16(len(b)))
		be.PutUint16(b[10:], 0)
		be.PutUint16(b[10:], checksum(b[:20]))
		return b
	}
	misaligned := fix(append(bytes.Clone(wire[:len(wire)-12]), append(make([]byte, 3), wire[len(wire)-12:]...)...))
	fragment := bytes.Clone(wire)
	fragment[6] = flagMF
	fragment = fix(fragment)
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrLength},
		{"short esp", fix(bytes.Clone(wire[:26])), ErrLength},
		{"bad checksum", func() []byte { b := bytes.Clone(wire); b[10]++; return b }(), ErrHeader},
		{"outer fragment", fragment, ErrHeader},
		{"other protocol", func() []byte { b := bytes.Clone(wire); b[9] = 6; return fix(b) }(), ErrHeader},
		{"ciphertext not whole blocks", misaligned, ErrDecrypt},
		{"only icv", fix(bytes.Clone(wire[:20+8+16+12])), ErrLength},
	}
	for _, tt := range tests {
		if _, _, err := tbl.Decapsulate(nil, tt.b); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if in.Stats().DecryptErrors != 1 || tbl.Stats().BadHeaders != 3 {
		t.Errorf("sa %+v table %+v", in.Stats(), tbl.Stats())
	}
}

// TestTrailer seals hand-made payloads to check the receiver's padding and
// next-header checks.
func TestTrailer(t *testing.T) {
	cfg := suite{AES128GCM, NoAuthentication}.config(8500)
	out, tbl, in := pair(t, cfg)
	inner := pkt4{size: 30}.bytes()
	tests := []struct {
		name string
		edit func(pt []byte) // pt: plaintext of 32 bytes, inner then 0 pad
		want error
	}{
		{"bad pad byte", func(pt []byte) { pt[28], pt[29], pt[30] = 1, 9, 2 }, ErrTrailer},
		{"pad longer than payload", func(pt []byte) { pt[30] = 40 }, ErrTrailer},
		{"unknown next header", func(pt []byte) { pt[31] = 6 }, ErrTrailer},
		{"dummy packet", func(pt []byte) { pt[31] = nextDummy }, ErrDummy},
		{"inner not ipv6", func(pt []byte) { pt[31] = nextIPv6 }, ErrHeader},
	}
	for _, tt := range tests {
		pt := append(bytes.Clone(inner), 0, nextIPv4)
		tt.edit(pt)
		wire := sealRaw(t, out, pt)
		if _, _, err := tbl.Decapsulate(nil, wire); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if st := in.Stats(); st.BadTrailers != 3 || st.Dummy != 1 || st.BadHeaders != 1 {
		t.Errorf("stats %+v", st)
	}
}

// sealRaw encrypts the plaintext pt (already padded) as out would.
func sealRaw(t *testing.T, out *SA, pt []byte) []byte {
	t.Helper()
	seq, _ := out.nextSeq()
	b := make([]byte, 20+8+8+len(pt)+16)
	out.putOuter(b, 0, false, nil)
	esp := b[20:]
	be.PutUint32(esp, out.SPI())
	be.PutUint32(esp[4:], uint32(seq))
	copy(esp[16:], pt)
	out.sealAEAD(esp[:16], esp[16:16+len(pt)], seq)
	return b
}

// TestTTLLinkLocalMulticast: a packet to 224.0.0.0/24 (an OSPF hello, TTL
// 1) crosses the tunnel hop with its TTL; the tunnel is a hop for what
// goes through it, not for what is addressed to the router at its other
// end.
func TestTTLLinkLocalMulticast(t *testing.T) {
	cfg := suite{AES128GCM, NoAuthentication}.config(8201)
	out, tbl, _ := pair(t, cfg)
	for _, c := range []struct {
		dst  string
		want error
	}{{"224.0.0.5", nil}, {"224.0.0.6", nil}, {"224.0.1.5", ErrTTLExceeded}, {"10.2.0.1", ErrTTLExceeded}} {
		inner := pkt4{dst: c.dst, proto: 89, ttl: 1}.bytes()
		wire, err := out.Encapsulate(nil, inner)
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Fatalf("%s: Encapsulate: %v, want %v", c.dst, err, c.want)
		}
		if err != nil {
			continue
		}
		got, _, err := tbl.Decapsulate(nil, wire)
		if err != nil || got[8] != 1 {
			t.Fatalf("%s: decapsulated TTL %d, %v", c.dst, got[8], err)
		}
	}
}
