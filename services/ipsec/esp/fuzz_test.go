package esp

import (
	"bytes"
	"errors"
	"testing"
)

// fuzzConfigs are the inbound SAs FuzzDecapsulate decapsulates with; the
// last one has no authentication, so mutated packets reach the decryption,
// trailer and inner-header code.
func fuzzConfigs() []Config {
	a := suite{AES128CBC, HMACSHA1_96}.config(1000)
	g := suite{AES128GCM, NoAuthentication}.config(1001)
	g.UDP = &UDPEncap{SrcPort: NATTPort, DstPort: NATTPort}
	d := suite{TripleDESCBC, HMACMD5_96}.config(1002)
	d.ESN = true
	n := suite{AES256CBC, NoAuthentication}.config(1003)
	n.UDP = &UDPEncap{DstPort: DefaultUDPEncapPort}
	return []Config{a, g, d, n}
}

var knownErrors = []error{
	ErrBadSPI, ErrAuth, ErrReplay, ErrDecrypt, ErrTrailer, ErrLength, ErrHeader,
	ErrKeepalive, ErrNonESP, ErrDummy,
}

func FuzzDecapsulate(f *testing.F) {
	for _, cfg := range fuzzConfigs() {
		out, _, _ := pair(f, cfg)
		for _, inner := range [][]byte{pkt4{size: 40}.bytes(), pkt6(64, 3)} {
			w, err := out.Encapsulate(nil, inner)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(w)
		}
	}
	f.Add([]byte{0x45, 0, 0, 29, 0, 0, 0, 0, 64, 17, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0x11, 0x94, 0x11, 0x94, 0, 9, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		tbl := NewTable()
		for _, cfg := range fuzzConfigs() {
			cfg.Local, cfg.Remote = cfg.Remote, cfg.Local
			sa, err := NewSA(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := tbl.Add(sa); err != nil {
				t.Fatal(err)
			}
		}
		orig := bytes.Clone(b)
		if got, _, err := tbl.DecapsulateUDP(nil, b, DefaultUDPEncapPort); err != nil && (len(got) != 0 || !isKnown(err)) {
			t.Fatalf("DecapsulateUDP: error %v with %d bytes out", err, len(got))
		}
		dst := []byte{0xaa}
		got, sa, err := tbl.Decapsulate(dst, b)
		if !bytes.Equal(b, orig) {
			t.Fatal("Decapsulate modified its input")
		}
		if err != nil {
			if len(got) != 1 || !isKnown(err) {
				t.Fatalf("error %v with %d bytes out", err, len(got))
			}
			return
		}
		if sa == nil || len(got)-1 > len(b) || got[0] != 0xaa {
			t.Fatalf("accepted: sa %v, %d inner bytes from %d", sa, len(got)-1, len(b))
		}
	})
}

func isKnown(err error) bool {
	for _, k := range knownErrors {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// FuzzEncapsulate feeds arbitrary inner packets through tunnels with a small
// MTU (fragmentation), passive mode and every DF mode; whatever is
// encapsulated must decapsulate.
func FuzzEncapsulate(f *testing.F) {
	f.Add(uint8(0), pkt4{size: 700, options: []byte{0x94, 4, 0, 0}}.bytes())
	f.Add(uint8(5), pkt4{size: 60, df: true}.bytes())
	f.Add(uint8(2), pkt6(90, 2))
	f.Add(uint8(7), []byte{0x45, 0, 0, 2})
	f.Fuzz(func(t *testing.T, mode uint8, inner []byte) {
		cfg := suite{AES128CBC, HMACSHA1_96}.config(1100)
		cfg.TunnelMTU = MinTunnelMTU
		cfg.DF = DFMode(mode % 4)
		cfg.Passive = mode&4 != 0
		cfg.NoTunnelHop = mode&8 != 0
		cfg.NoAntiReplay = true
		out, tbl, _ := pair(t, cfg)
		orig := bytes.Clone(inner)
		wire, err := out.Encapsulate(nil, inner)
		if !bytes.Equal(inner, orig) {
			t.Fatal("Encapsulate modified its input")
		}
		if err != nil {
			if len(wire) != 0 || !(isKnown(err) || errors.Is(err, ErrTooBig) || errors.Is(err, ErrTTLExceeded) ||
				errors.Is(err, ErrLand) || errors.Is(err, ErrAddress) || errors.Is(err, ErrOptions)) {
				t.Fatalf("error %v with %d bytes out", err, len(wire))
			}
			return
		}
		total := 0
		for p := range Packets(wire) {
			total += len(p)
			if len(p) > cfg.TunnelMTU {
				t.Fatalf("outer packet of %d bytes", len(p))
			}
			if _, _, err := tbl.Decapsulate(nil, p); err != nil && !(cfg.Passive && errors.Is(err, ErrDummy)) {
				t.Fatalf("own packet rejected: %v", err)
			}
		}
		if total != len(wire) {
			t.Fatalf("Packets covered %d of %d bytes", total, len(wire))
		}
	})
}

// FuzzReplay delivers 100 packets of one SA in an arbitrary order, with
// repeats, and checks each verdict against the window rule.
func FuzzReplay(f *testing.F) {
	f.Add([]byte{0, 1, 2, 2, 99, 35, 36, 1})
	f.Add([]byte{50, 49, 48, 0, 98, 97, 3})
	f.Fuzz(func(t *testing.T, order []byte) {
		cfg := suite{AES128GCM, NoAuthentication}.config(1200)
		cfg.ReplayWindow = 64
		out, tbl, _ := pair(t, cfg)
		wires := make([][]byte, 100)
		for i := range wires {
			wires[i], _ = out.Encapsulate(nil, pkt4{}.bytes())
		}
		seen := map[int]bool{}
		last := 0
		for _, o := range order {
			i := int(o) % len(wires)
			seq := i + 1
			want := !seen[seq] && seq+64 > last
			_, _, err := tbl.Decapsulate(nil, wires[i])
			if (err == nil) != want || (err != nil && !errors.Is(err, ErrReplay)) {
				t.Fatalf("packet %d (last %d): %v, want accepted=%v", seq, last, err, want)
			}
			if want {
				seen[seq], last = true, max(last, seq)
			}
		}
	})
}
