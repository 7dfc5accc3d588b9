package offload

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestChecksum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 63, 64, 65, 1499, 1500, 9000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := ^csumFold(csumAdd(0, b)), refChecksum(b); got != want {
			t.Errorf("%d bytes: %#04x, want %#04x", n, got, want)
		}
		ff := bytes.Repeat([]byte{0xff}, n)
		if got, want := ^csumFold(csumAdd(0, ff)), refChecksum(ff); got != want {
			t.Errorf("%d bytes of 0xff: %#04x, want %#04x", n, got, want)
		}
	}
}

func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

var tsOpt = []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}

func TestSegmenter(t *testing.T) {
	tests := []struct {
		name  string
		spec  tcpSpec
		gso   int
		sizes []int
	}{
		{"ipv4 psh fin cwr", tcpSpec{src: "172.16.0.10", dst: "192.168.0.10", sport: 40000, dport: 5201, seq: 0xfffffc00,
			ack: 77, id: 0xfffe, ttl: 63, df: true, flags: tcpACK | tcpPSH | tcpFIN | tcpCWR, win: 500, opts: tsOpt,
			payload: payload(3500, 1)}, 1000, []int{1000, 1000, 1000, 500}},
		{"ipv4 exact", tcpSpec{src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, seq: 5, ttl: 64, flags: tcpACK,
			payload: payload(2896, 2)}, 1448, []int{1448, 1448}},
		{"ipv6", tcpSpec{src: "2001:db8::1", dst: "2001:db8::2", sport: 3, dport: 4, seq: 9, ttl: 64, flags: tcpACK | tcpPSH,
			opts: tsOpt, payload: payload(2500, 3)}, 1200, []int{1200, 1200, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, err := segmentAll(gsoPacket(tt.spec, tt.gso), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(segs) != len(tt.sizes) {
				t.Fatalf("%d segments, want %d", len(segs), len(tt.sizes))
			}
			off := 0
			for i, p := range segs {
				want := tt.spec
				want.payload = tt.spec.payload[off : off+tt.sizes[i]]
				want.seq += uint32(off)
				want.id += uint16(i)
				if i < len(segs)-1 {
					want.flags &^= tcpFIN | tcpPSH
				}
				if i > 0 {
					want.flags &^= tcpCWR
				}
				checkSegment(t, p)
				if w := want.build(); !bytes.Equal(p, w) {
					t.Errorf("segment %d:\n got % x\nwant % x", i, p[:60], w[:60])
				}
				off += tt.sizes[i]
			}
		})
	}
}

func TestSegmenterChecksumOnly(t *testing.T) {
	want := tcpSpec{src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2, ttl: 64, flags: tcpACK, payload: payload(101, 9)}.build()
	p := append([]byte(nil), want...)
	// As the kernel leaves it: the pseudo-header sum in the field.
	binary.BigEndian.PutUint16(p[36:], csumFold(pseudoSum(p[12:16], p[16:20], 6, len(p)-20)))
	b := make([]byte, HdrLen)
	(&vnetHdr{flags: vnetNeedsCsum, csumStart: 20, csumOffset: 16}).encode(b)
	segs, err := segmentAll(append(b, p...), nil)
	if err != nil || len(segs) != 1 || !bytes.Equal(segs[0], want) {
		t.Fatalf("got %d packets (%v), want the packet with its checksum", len(segs), err)
	}
}

func TestSegmenterMalformed(t *testing.T) {
	good := gsoPacket(tcpSpec{src: "10.0.0.1", dst: "10.0.0.2", flags: tcpACK, payload: payload(100, 0)}, 50)
	tests := map[string]func(b []byte) []byte{
		"short":        func(b []byte) []byte { return b[:5] },
		"no payload":   func(b []byte) []byte { return b[:HdrLen+40] },
		"gso size 0":   func(b []byte) []byte { b[4], b[5] = 0, 0; return b },
		"udp gso":      func(b []byte) []byte { b[1] = 5; return b },
		"bad l3":       func(b []byte) []byte { b[6] = 24; return b },
		"not tcp":      func(b []byte) []byte { b[HdrLen+9] = 17; return b },
		"tcp too long": func(b []byte) []byte { b[HdrLen+32] = 0xf0; return b[:HdrLen+60] },
		"csum outside": func(b []byte) []byte { b[1] = 0; b[8] = 200; return b },
	}
	for name, mod := range tests {
		if _, err := segmentAll(mod(append([]byte(nil), good...)), nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// flowSegs cuts a stream into segments of one flow.
func flowSegs(base tcpSpec, sizes ...int) [][]byte {
	var out [][]byte
	data := payload(10000, byte(base.sport))
	off := 0
	for i, n := range sizes {
		s := base
		s.seq += uint32(off)
		s.id += uint16(i)
		s.payload = data[off : off+n]
		out = append(out, s.build())
		off += n
	}
	return out
}

var flowA = tcpSpec{src: "172.16.0.10", dst: "192.168.0.10", sport: 40000, dport: 5201, seq: 1000, ack: 1,
	id: 100, ttl: 62, df: true, flags: tcpACK, win: 300, opts: tsOpt}

func TestCoalescerRoundTrip(t *testing.T) {
	last := flowA
	last.flags |= tcpPSH
	pkts := flowSegs(flowA, 1386, 1386, 1386)
	pkts = append(pkts, func() []byte {
		s := last
		s.seq += 3 * 1386
		s.id += 3
		s.payload = payload(10000, byte(s.sport))[3*1386 : 3*1386+700]
		return s.build()
	}())
	var c Coalescer
	c.Plan(pkts, true)
	if len(c.items) != 1 || c.items[0].n != 4 {
		t.Fatalf("items %+v, want one of 4 segments", c.items)
	}
	b := joined(&c, 0, pkts)
	var h vnetHdr
	h.decode(b)
	if h.gsoType != gsoTCPv4 || h.gsoSize != 1386 || h.hdrLen != 52 || h.csumStart != 20 || h.csumOffset != 16 {
		t.Errorf("virtio-net header %+v", h)
	}
	if int(binary.BigEndian.Uint16(b[HdrLen+2:])) != len(b)-HdrLen {
		t.Error("IPv4 total length is not the super-packet's")
	}
	segs, err := segmentAll(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != len(pkts) {
		t.Fatalf("%d segments, want %d", len(segs), len(pkts))
	}
	for i := range segs {
		if !bytes.Equal(segs[i], pkts[i]) {
			t.Errorf("segment %d differs after coalescing and segmentation", i)
		}
	}
}

// groups returns the packets of each item.
func groups(c *Coalescer) [][]int {
	var out [][]int
	for _, it := range c.items {
		var g []int
		for i := it.head; i >= 0; i = c.next[i] {
			g = append(g, i)
		}
		out = append(out, g)
	}
	return out
}

func TestCoalescerPlan(t *testing.T) {
	mod := func(p []byte, f func(p []byte)) []byte {
		p = append([]byte(nil), p...)
		f(p)
		binary.BigEndian.PutUint16(p[10:], 0)
		binary.BigEndian.PutUint16(p[10:], refChecksum(p[:20]))
		binary.BigEndian.PutUint16(p[36:], refTransportChecksum(p, 20))
		return p
	}
	a := flowSegs(flowA, 1000, 1000, 1000, 1000)
	flowB := flowA
	flowB.sport = 40001
	b := flowSegs(flowB, 1000, 1000, 1000)
	ping := []byte{0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1, 0, 0, 172, 16, 0, 10, 192, 168, 0, 10, 8, 0, 0, 0, 0, 0, 0, 0}
	tests := []struct {
		name string
		pkts [][]byte
		want [][]int
	}{
		{"one flow", a, [][]int{{0, 1, 2, 3}}},
		{"two flows interleaved", [][]byte{a[0], b[0], a[1], b[1], a[2], b[2]}, [][]int{{0, 2, 4}, {1, 3, 5}}},
		{"gap", [][]byte{a[0], a[2], a[3]}, [][]int{{0}, {1, 2}}},
		{"reordered", [][]byte{a[1], a[0], a[2]}, [][]int{{0}, {1}, {2}}},
		{"psh ends", [][]byte{a[0], mod(a[1], func(p []byte) { p[33] |= tcpPSH }), a[2]}, [][]int{{0, 1}, {2}}},
		{"fin alone", [][]byte{a[0], mod(a[1], func(p []byte) { p[33] |= tcpFIN }), a[2]}, [][]int{{0}, {1}, {2}}},
		{"bad tcp checksum", [][]byte{a[0], func() []byte { p := append([]byte(nil), a[1]...); p[50]++; return p }(), a[2]},
			[][]int{{0}, {1}, {2}}},
		{"bad first checksum", [][]byte{func() []byte { p := append([]byte(nil), a[0]...); p[50]++; return p }(), a[1], a[2]},
			[][]int{{0}, {1, 2}}},
		{"bad ip checksum", [][]byte{a[0], func() []byte { p := append([]byte(nil), a[1]...); p[10]++; return p }(), a[2]},
			[][]int{{0}, {1}, {2}}},
		{"ttl differs", [][]byte{a[0], mod(a[1], func(p []byte) { p[8]-- })}, [][]int{{0}, {1}}},
		{"id jumps", [][]byte{a[0], mod(a[1], func(p []byte) { p[5] += 2 })}, [][]int{{0}, {1}}},
		{"window differs", [][]byte{a[0], mod(a[1], func(p []byte) { p[35]++ })}, [][]int{{0}, {1}}},
		{"ack differs", [][]byte{a[0], mod(a[1], func(p []byte) { p[31]++ })}, [][]int{{0}, {1}}},
		{"options differ", [][]byte{a[0], mod(a[1], func(p []byte) { p[51]++ })}, [][]int{{0}, {1}}},
		{"other host between", [][]byte{a[0], b[0], func() []byte {
			p := append([]byte(nil), ping...)
			p[19] = 11
			binary.BigEndian.PutUint16(p[10:], refChecksum(p[:20]))
			return p
		}(), a[1], b[1]}, [][]int{{0, 3}, {1, 4}, {2}}},
		{"same hosts between", [][]byte{a[0], func() []byte {
			p := append([]byte(nil), ping...)
			binary.BigEndian.PutUint16(p[10:], refChecksum(p[:20]))
			return p
		}(), a[1]}, [][]int{{0}, {1}, {2}}},
		{"larger after smaller", flowSegs(flowA, 500, 1000), [][]int{{0}, {1}}},
		{"smaller ends", flowSegs(flowA, 1000, 500, 500), [][]int{{0, 1}, {2}}},
		{"pure ack", [][]byte{a[0], func() []byte {
			s := flowA
			s.seq += 1000
			s.id += 7
			return s.build()
		}(), a[1]}, [][]int{{0}, {1}, {2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Coalescer
			c.Plan(tt.pkts, true)
			got := groups(&c)
			if len(got) != len(tt.want) {
				t.Fatalf("items %v, want %v", got, tt.want)
			}
			for k := range got {
				if !slices.Equal(got[k], tt.want[k]) {
					t.Fatalf("items %v, want %v", got, tt.want)
				}
			}
			c.Plan(tt.pkts, false)
			if len(c.items) != len(tt.pkts) {
				t.Errorf("without merging: %d items for %d packets", len(c.items), len(tt.pkts))
			}
		})
	}
}
