package offload

import "testing"

func BenchmarkChecksum(b *testing.B) {
	p := payload(1460, 3)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		csumAdd(0, p)
	}
}

// BenchmarkSegment cuts a 64 KB super-packet into 1386-byte segments.
func BenchmarkSegment(b *testing.B) {
	s := flowA
	s.payload = payload(47*1386, 1)
	pkt := gsoPacket(s, 1386)
	buf := make([]byte, 2048)
	var sg Segmenter
	b.SetBytes(int64(len(s.payload)))
	for b.Loop() {
		if err := sg.Start(pkt); err != nil {
			b.Fatal(err)
		}
		for sg.Pending() {
			sg.Next(buf)
		}
	}
}

// BenchmarkCoalesce plans and assembles a batch of 47 segments of one
// flow into one super-packet.
func BenchmarkCoalesce(b *testing.B) {
	sizes := make([]int, 47)
	for i := range sizes {
		sizes[i] = 200
	}
	pkts := flowSegs(flowA, sizes...)
	var c Coalescer
	var parts [][]byte
	b.SetBytes(int64(47 * 200))
	for b.Loop() {
		c.Plan(pkts, true)
		for k := range c.Len() {
			parts = c.Parts(parts[:0], k, pkts)
		}
	}
}
