package kernel

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

// udp4 is an ESP-in-UDP packet from 127.0.0.1:sport to 127.0.0.1:dport
// whose payload is n bytes of fill.
func udp4(sport, dport uint16, n int, fill byte, tos byte, df bool) []byte {
	p := make([]byte, 28+n)
	p[0], p[1], p[8], p[9] = 0x45, tos, 64, 17
	if df {
		p[6] = 0x40
	}
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	copy(p[12:], []byte{127, 0, 0, 1, 127, 0, 0, 1})
	binary.BigEndian.PutUint16(p[10:], sum(p[:20]))
	binary.BigEndian.PutUint16(p[20:], sport)
	binary.BigEndian.PutUint16(p[22:], dport)
	binary.BigEndian.PutUint16(p[24:], uint16(len(p)-20))
	for i := 28; i < len(p); i++ {
		p[i] = fill
	}
	return p
}

func TestUDPRun(t *testing.T) {
	a := func(n int) []byte { return udp4(50000, 4565, n, 1, 0, true) }
	esp := make([]byte, 100)
	esp[0], esp[9] = 0x45, 50
	frag := a(100)
	frag[6] |= 0x20 // more fragments
	tos := udp4(50000, 4565, 100, 1, 0x10, true)
	noDF := udp4(50000, 4565, 100, 1, 0, false)
	other := udp4(50001, 4565, 100, 1, 0, true)
	many := make([][]byte, 70)
	for i := range many {
		many[i] = a(100)
	}
	big := make([][]byte, 50)
	for i := range big {
		big[i] = a(1400)
	}
	for _, tc := range []struct {
		name string
		pkts [][]byte
		want int
	}{
		{"raw esp", [][]byte{esp, a(100)}, 0},
		{"one", [][]byte{a(100)}, 1},
		{"equal sizes", [][]byte{a(100), a(100), a(100)}, 3},
		{"last shorter", [][]byte{a(100), a(100), a(60), a(60)}, 3},
		{"larger ends it", [][]byte{a(100), a(120)}, 1},
		{"fragment ends it", [][]byte{a(100), frag}, 1},
		{"fragment first", [][]byte{frag, a(100)}, 0},
		{"tos ends it", [][]byte{a(100), tos}, 1},
		{"df ends it", [][]byte{a(100), noDF}, 1},
		{"port ends it", [][]byte{a(100), other}, 1},
		{"at most 64", many, gsoMaxSegs},
		{"within 65000 bytes", big, gsoMaxPayload / (1400)},
	} {
		if got := udpRun(tc.pkts); got != tc.want {
			t.Errorf("%s: run of %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestSenderGSO sends a batch mixing raw ESP, runs of ESP in UDP and a
// run from a port that receivers hold; every packet arrives once, in
// order, as sent, and the runs left through UDP sockets.
func TestSenderGSO(t *testing.T) {
	_, do := testNS(t, "mxgso")
	lo := netip.MustParseAddr("127.0.0.1")
	rxUDP, err := OpenUDP(do, lo, 4565)
	if err != nil {
		t.Fatal(err)
	}
	defer rxUDP.Close()
	rxESP, err := OpenESP(do, lo)
	if err != nil {
		t.Fatal(err)
	}
	defer rxESP.Close()
	held := netip.AddrPortFrom(lo, 4600)
	rxHeld, err := OpenUDP(do, lo, 4600)
	if err != nil {
		t.Fatal(err)
	}
	defer rxHeld.Close()
	snd, err := OpenSender(do, []netip.AddrPort{held})
	if err != nil {
		t.Fatal(err)
	}
	defer snd.Close()

	esp := func(fill byte) []byte {
		p := make([]byte, 100)
		p[0], p[9], p[8] = 0x45, 50, 64
		binary.BigEndian.PutUint16(p[2:], 100)
		copy(p[12:], []byte{127, 0, 0, 1, 127, 0, 0, 1})
		for i := 20; i < len(p); i++ {
			p[i] = fill
		}
		return p
	}
	var pkts [][]byte
	var wantUDP, wantESP, wantHeld [][]byte
	add := func(p []byte, to *[][]byte) {
		pkts = append(pkts, p)
		*to = append(*to, p)
	}
	add(esp(1), &wantESP)
	for i := range 40 {
		add(udp4(50000, 4565, 1400, byte(10+i), 0, true), &wantUDP)
	}
	add(udp4(50000, 4565, 300, 60, 0, true), &wantUDP) // ends the run
	add(esp(2), &wantESP)
	for i := range 5 {
		add(udp4(50001, 4565, 1000, byte(70+i), 0x10, false), &wantUDP)
	}
	for i := range 5 {
		add(udp4(4600, 4565, 200, byte(80+i), 0, true), &wantUDP) // from a held port: raw
	}
	for i := range 3 {
		add(udp4(50002, 4600, 500, byte(90+i), 0, true), &wantHeld)
	}
	if n, err := snd.SendBatch(pkts); n != len(pkts) || err != nil {
		t.Fatalf("sent %d of %d: %v", n, len(pkts), err)
	}
	if s := snd.gso.socks[gsoKey{lo.As4(), 50000}]; s == nil || s.fd < 0 {
		t.Error("the run from port 50000 did not leave through a UDP socket")
	}
	if s := snd.gso.socks[gsoKey{lo.As4(), 4600}]; s != nil {
		t.Error("a socket was opened on a port a receiver holds")
	}
	expect := func(name string, s *Socket, want [][]byte, hdr int) {
		t.Helper()
		bufs, sizes := make([][]byte, 8), make([]int, 8)
		for i := range bufs {
			bufs[i] = make([]byte, 2048)
		}
		var got [][]byte
		for len(got) < len(want) {
			s.f.SetReadDeadline(time.Now().Add(2 * time.Second))
			n, err := s.ReadBatch(bufs, sizes)
			if err != nil {
				t.Fatalf("%s: %d of %d datagrams, then %v", name, len(got), len(want), err)
			}
			for i := range n {
				got = append(got, bytes.Clone(bufs[i][:sizes[i]]))
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d datagrams, want %d", name, len(got), len(want))
		}
		for i := range want {
			// Raw ESP sockets give the IPv4 header, UDP sockets the payload.
			w := want[i][hdr:]
			g := got[i]
			if hdr == 0 {
				g, w = g[20:], w[20:]
			}
			if !bytes.Equal(g, w) {
				t.Errorf("%s: datagram %d: %d bytes starting % x, want %d starting % x", name, i, len(g), g[:min(8, len(g))], len(w), w[:8])
			}
		}
	}
	expect("udp 4565", rxUDP, wantUDP, 28)
	if rxUDP.gro == nil || rxUDP.gro.merged == 0 {
		t.Error("no merged datagram was received (UDP_GRO)")
	}
	expect("raw esp", rxESP, wantESP, 0)
	expect("udp 4600", rxHeld, wantHeld, 28)
}

// FuzzUDPRun cuts the input into packets and checks what udpRun promises:
// a run is only whole, unfragmented ESP-in-UDP packets of one flow and
// header, all of the first one's size but the last, within the limits of
// one GSO send.
func FuzzUDPRun(f *testing.F) {
	p := udp4(50000, 4565, 40, 1, 0, true)
	f.Add(append(append([]byte{byte(len(p))}, p...), append([]byte{byte(len(p))}, p...)...))
	f.Add([]byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, in []byte) {
		var pkts [][]byte
		for len(in) > 0 {
			n := min(int(in[0]), len(in)-1)
			pkts = append(pkts, in[1:1+n])
			in = in[1+n:]
		}
		if len(pkts) == 0 {
			return
		}
		n := udpRun(pkts)
		if n > len(pkts) || n > gsoMaxSegs {
			t.Fatalf("run of %d in %d packets", n, len(pkts))
		}
		total := 0
		for i, q := range pkts[:n] {
			if !plainUDP(q) {
				t.Fatalf("packet %d of the run is not plain UDP: % x", i, q)
			}
			f := pkts[0]
			if [12]byte(q[12:24]) != [12]byte(f[12:24]) || q[1] != f[1] || q[8] != f[8] || q[6]&0x40 != f[6]&0x40 {
				t.Fatalf("packet %d of another flow or header", i)
			}
			if len(q) > len(pkts[0]) || (len(q) < len(pkts[0]) && i != n-1) {
				t.Fatalf("packet %d of %d bytes in a run of %d-byte packets", i, len(q), len(pkts[0]))
			}
			total += len(q) - 28
		}
		if total > gsoMaxPayload {
			t.Fatalf("run of %d payload bytes", total)
		}
	})
}
