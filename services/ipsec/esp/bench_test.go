package esp

import (
	"fmt"
	"testing"
)

var benchSuites = []suite{
	{AES128CBC, HMACSHA1_96},
	{AES256CBC, HMACSHA256_128},
	{AES128GCM, NoAuthentication},
}

func TestZeroAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a normal build")
	}
	for _, s := range benchSuites {
		cfg := s.config(9000)
		cfg.NoAntiReplay = true // the same packet is decapsulated many times
		out, tbl, _ := pair(t, cfg)
		inner := pkt4{size: 1400}.bytes()
		wire := make([]byte, 0, 2048)
		buf := make([]byte, 0, 2048)
		var err error
		if n := testing.AllocsPerRun(100, func() { wire, err = out.Encapsulate(wire[:0], inner) }); n != 0 || err != nil {
			t.Errorf("%v: Encapsulate: %v allocations per packet, err %v", s, n, err)
		}
		if n := testing.AllocsPerRun(100, func() { buf, _, err = tbl.Decapsulate(buf[:0], wire) }); n != 0 || err != nil {
			t.Errorf("%v: Decapsulate: %v allocations per packet, err %v", s, n, err)
		}
	}
}

func BenchmarkEncapsulate(b *testing.B) {
	for _, s := range benchSuites {
		b.Run(fmt.Sprintf("%v/1400", s), func(b *testing.B) {
			out, _, _ := pair(b, s.config(9100))
			inner := pkt4{size: 1400}.bytes()
			wire := make([]byte, 0, 2048)
			b.SetBytes(int64(len(inner)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if wire, err = out.Encapsulate(wire[:0], inner); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecapsulate(b *testing.B) {
	for _, s := range benchSuites {
		b.Run(fmt.Sprintf("%v/1400", s), func(b *testing.B) {
			cfg := s.config(9200)
			cfg.NoAntiReplay = true
			out, tbl, _ := pair(b, cfg)
			inner := pkt4{size: 1400}.bytes()
			wire, err := out.Encapsulate(nil, inner)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 2048)
			b.SetBytes(int64(len(inner)))
			b.ReportAllocs()
			for b.Loop() {
				if buf, _, err = tbl.Decapsulate(buf[:0], wire); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
