package offload

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzSegmenter feeds arbitrary packets with virtio-net headers to the
// Segmenter: it must not panic, and every TCP segment it cuts from a
// super-packet carries valid lengths and checksums.
func FuzzSegmenter(f *testing.F) {
	f.Add(gsoPacket(tcpSpec{src: "10.0.0.1", dst: "10.0.0.2", flags: tcpACK | tcpPSH, opts: tsOpt, payload: payload(30, 1)}, 10))
	f.Add(gsoPacket(tcpSpec{src: "2001:db8::1", dst: "2001:db8::2", flags: tcpACK, payload: payload(19, 1)}, 8))
	buf := make([]byte, 1<<16+HdrLen)
	f.Fuzz(func(t *testing.T, b []byte) {
		in := append([]byte(nil), b...)
		segs, err := segmentAll(in, buf)
		if err != nil || len(b) < HdrLen {
			return
		}
		var h vnetHdr
		h.decode(b)
		if h.gsoType&^gsoECN == gsoNone {
			if len(segs) != 1 {
				t.Fatalf("%d packets from one without segmentation", len(segs))
			}
			return
		}
		total := 0
		for _, p := range segs {
			if p[0]>>4 == 4 {
				checkSegment(t, p)
			}
			total += len(p)
		}
		if len(segs) == 0 {
			t.Fatal("no segment from a super-packet")
		}
	})
}

// fuzzPackets splits b into packets, each preceded by a 2-byte length; a
// batch has at most 128 (a device is written 64 at a time).
func fuzzPackets(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 2 && len(out) < 128 {
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		n = min(n, len(b))
		out = append(out, append([]byte(nil), b[:n]...))
		b = b[n:]
	}
	return out
}

func encodePackets(pkts [][]byte) []byte {
	var b []byte
	for _, p := range pkts {
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return b
}

// fixChecksums makes the IPv4 and TCP checksums of what parses valid, so
// that the fuzzer explores merging rather than checksum failures.
func fixChecksums(p []byte) {
	if len(p) < 40 || p[0] != 0x45 || p[9] != 6 || int(binary.BigEndian.Uint16(p[2:])) != len(p) {
		return
	}
	p[10], p[11] = 0, 0
	binary.BigEndian.PutUint16(p[10:], refChecksum(p[:20]))
	binary.BigEndian.PutUint16(p[36:], refTransportChecksum(p, 20))
}

// FuzzCoalescer plans batches of arbitrary packets: every packet is
// written exactly once, the packets of a flow keep their order, and a
// super-packet cut again gives back the segments it was made of.
func FuzzCoalescer(f *testing.F) {
	flowB := flowA
	flowB.sport++
	a, b := flowSegs(flowA, 8, 8, 8, 5), flowSegs(flowB, 7, 7)
	f.Add(true, encodePackets(a))
	f.Add(true, encodePackets([][]byte{a[0], b[0], a[1], b[1], a[2]}))
	f.Add(false, encodePackets([][]byte{a[0], a[1], a[3]}))
	buf := make([]byte, 1<<16+HdrLen)
	f.Fuzz(func(t *testing.T, fix bool, data []byte) {
		pkts := fuzzPackets(data)
		if fix {
			for _, p := range pkts {
				fixChecksums(p)
			}
		}
		orig := make([][]byte, len(pkts))
		for i, p := range pkts {
			orig[i] = append([]byte(nil), p...)
		}
		var c Coalescer
		c.Plan(pkts, true)
		seen := make([]bool, len(pkts))
		var order []int // packets in the order written
		for k, g := range groups(&c) {
			for _, i := range g {
				if seen[i] {
					t.Fatalf("packet %d written twice", i)
				}
				seen[i] = true
				order = append(order, i)
			}
			checkItem(t, &c, k, g, pkts, buf)
		}
		for i, s := range seen {
			if !s {
				t.Fatalf("packet %d not written", i)
			}
			if !bytes.Equal(pkts[i], orig[i]) {
				t.Fatalf("packet %d modified", i)
			}
		}
		checkFlowOrder(t, order, pkts)
	})
}

// checkItem checks that item k, cut again, gives back its packets.
func checkItem(t *testing.T, c *Coalescer, k int, g []int, pkts [][]byte, buf []byte) {
	t.Helper()
	b := joined(c, k, pkts)
	if len(g) == 1 {
		if !bytes.Equal(b[HdrLen:], pkts[g[0]]) {
			t.Fatalf("item %d: packet changed", k)
		}
		return
	}
	segs, err := segmentAll(b, buf)
	if err != nil {
		t.Fatalf("item %d: %v", k, err)
	}
	if len(segs) != len(g) {
		t.Fatalf("item %d: %d segments, want %d", k, len(segs), len(g))
	}
	for j, i := range g {
		s, p := segs[j], pkts[i]
		if len(s) != len(p) || !bytes.Equal(s[:36], p[:36]) || !bytes.Equal(s[38:], p[38:]) {
			t.Fatalf("item %d: segment %d differs from packet %d", k, j, i)
		}
		checkSegment(t, s)
	}
}

// checkFlowOrder fails when two packets between the same hosts (IPv4)
// were written out of order, unless both are TCP segments of different
// connections.
func checkFlowOrder(t *testing.T, order []int, pkts [][]byte) {
	t.Helper()
	for x := range order {
		for y := x + 1; y < len(order); y++ {
			i, j := order[x], order[y]
			if i < j {
				continue
			}
			p, q := pkts[i], pkts[j]
			if len(p) < 20 || len(q) < 20 || p[0]>>4 != 4 || q[0]>>4 != 4 || !bytes.Equal(p[12:20], q[12:20]) {
				continue
			}
			_, tp := parseTCP4(p)
			_, tq := parseTCP4(q)
			if tp && tq && !bytes.Equal(p[20:24], q[20:24]) {
				continue
			}
			t.Fatalf("packet %d written before packet %d of the same flow", i, j)
		}
	}
}
