package replay

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

type step struct {
	seq  uint64
	want bool
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		steps []step
	}{
		{"zero is invalid", 64, []step{{0, false}, {1, true}, {0, false}}},
		{"in order", 64, []step{{1, true}, {2, true}, {3, true}, {4, true}}},
		{"duplicate", 64, []step{{1, true}, {1, false}, {2, true}, {1, false}, {2, false}}},
		{"reorder within window", 64, []step{{5, true}, {3, true}, {4, true}, {1, true}, {2, true}, {3, false}}},
		{"window edge 64", 64, []step{{100, true}, {37, true}, {36, false}, {37, false}, {99, true}}},
		{"window edge 128", 128, []step{{200, true}, {73, true}, {72, false}}},
		{"window edge 4096", 4096, []step{{5000, true}, {905, true}, {904, false}, {4999, true}}},
		{"odd size 100", 100, []step{{150, true}, {51, true}, {50, false}}},
		{"big jump clears the ring", 64, []step{
			{1, true}, {2, true}, {1 + 128*64, true}, {1 + 128*64 - 1, true}, {2 + 128*64, true}, {2 + 128*64, false},
		}},
		{"jump of exactly the ring", 4096, []step{{65, true}, {65 + 64*128, true}, {65 + 64*128 - 4095, true}}},
		{"block boundaries", 64, []step{{63, true}, {64, true}, {65, true}, {127, true}, {128, true}, {64, false}, {66, true}, {65, false}}},
		{"old after advance", 64, []step{{10, true}, {74, true}, {10, false}, {11, true}}},
		{"top of the space", 64, []step{{math.MaxUint64 - 1, true}, {math.MaxUint64, true}, {math.MaxUint64 - 1, false}, {math.MaxUint64 - 63, true}, {math.MaxUint64 - 64, false}}},
		{"disabled", Disabled, []step{{1, true}, {1, true}, {0, true}, {100, true}, {2, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Filter
			if err := f.Reset(tt.size); err != nil {
				t.Fatal(err)
			}
			for i, s := range tt.steps {
				if got := f.Check(s.seq); got != s.want {
					t.Fatalf("step %d: Check(%d) = %v, want %v", i, s.seq, got, s.want)
				}
				if got := f.Update(s.seq); got != s.want {
					t.Fatalf("step %d: Update(%d) = %v, want %v", i, s.seq, got, s.want)
				}
			}
		})
	}
}

func TestCheckDoesNotUpdate(t *testing.T) {
	var f Filter
	for range 3 {
		if !f.Check(7) {
			t.Fatal("Check(7) = false on an empty window")
		}
	}
	if f.Last() != 0 {
		t.Fatalf("Last() = %d after Check, want 0", f.Last())
	}
}

func TestZeroValueIsDefault(t *testing.T) {
	var f Filter
	if f.Size() != DefaultSize {
		t.Fatalf("Size() = %d, want %d", f.Size(), DefaultSize)
	}
	f.Update(1000)
	if !f.Update(1000 - DefaultSize + 1) {
		t.Fatal("oldest in-window packet rejected")
	}
	if f.Update(1000 - DefaultSize) {
		t.Fatal("packet just outside the window accepted")
	}
}

func TestResetSize(t *testing.T) {
	for _, size := range []int{1, 63, 4097, -1} {
		var f Filter
		if err := f.Reset(size); !errors.Is(err, ErrSize) {
			t.Errorf("Reset(%d) = %v, want ErrSize", size, err)
		}
	}
	for _, size := range []int{Disabled, MinSize, 128, 1000, MaxSize} {
		var f Filter
		f.Update(99)
		if err := f.Reset(size); err != nil {
			t.Errorf("Reset(%d) = %v", size, err)
		}
		if f.Size() != size || f.Last() != 0 {
			t.Errorf("after Reset(%d): Size %d Last %d", size, f.Size(), f.Last())
		}
	}
}

func TestEstimate(t *testing.T) {
	const hi = uint64(5) << 32
	tests := []struct {
		name string
		last uint64
		low  uint32
		want uint64
	}{
		{"start", 0, 1, 1},
		{"start far ahead", 0, 0xfffffff0, 0xfffffff0},
		{"case A same", hi | 1000, 990, hi | 990},
		{"case A ahead", hi | 1000, 2000, hi | 2000},
		{"case A next subspace", hi | 0xfffffff0, 3, hi + 1<<32 | 3},
		{"case A bottom of window", hi | 1000, 1000 - 127, hi | (1000 - 127)},
		{"case A below window wraps forward", hi | 1000, 1000 - 128, hi + 1<<32 | (1000 - 128)},
		{"case B previous subspace", hi | 10, 0xfffffff0, hi - 1<<32 | 0xfffffff0},
		{"case B same", hi | 10, 5, hi | 5},
		{"case B ahead", hi | 10, 500, hi | 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f Filter
			if err := f.Reset(128); err != nil {
				t.Fatal(err)
			}
			if tt.last != 0 {
				f.Update(tt.last)
			}
			if got := f.Estimate(tt.low); got != tt.want {
				t.Fatalf("Estimate(%#x) with last %#x = %#x, want %#x", tt.low, tt.last, got, tt.want)
			}
		})
	}
}

// model is a naive anti-replay window: a set of every sequence number seen.
type model struct {
	last uint64
	w    uint64
	off  bool
	seen map[uint64]bool
}

func (m *model) update(seq uint64) bool {
	if m.off {
		m.last = max(m.last, seq)
		return true
	}
	if seq == 0 || m.seen[seq] || (seq <= m.last && m.last-seq >= m.w) {
		return false
	}
	m.seen[seq] = true
	m.last = max(m.last, seq)
	return true
}

func FuzzFilter(f *testing.F) {
	f.Add(uint16(64), []byte{1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0})
	f.Add(uint16(4096), []byte{0xff, 0xff, 0, 0, 1, 0, 0, 0, 0, 0x10, 0, 0})
	f.Add(uint16(0), []byte{5, 0, 0, 0, 5, 0, 0, 0})
	f.Fuzz(func(t *testing.T, size uint16, ops []byte) {
		w := int(size)
		if w != Disabled {
			w = MinSize + w%(MaxSize-MinSize+1)
		}
		var flt Filter
		if err := flt.Reset(w); err != nil {
			t.Fatal(err)
		}
		m := &model{w: uint64(w), off: w == Disabled, seen: map[uint64]bool{}}
		var seq uint64
		for len(ops) >= 4 {
			// Each op moves the sequence number by a signed 32-bit step.
			d := int64(int32(binary.LittleEndian.Uint32(ops)))
			ops = ops[4:]
			seq = uint64(int64(seq) + d)
			want := m.update(seq)
			if got := flt.Check(seq); got != want {
				t.Fatalf("Check(%d) = %v, model says %v (last %d, w %d)", seq, got, want, m.last, w)
			}
			if got := flt.Update(seq); got != want {
				t.Fatalf("Update(%d) = %v, model says %v (last %d, w %d)", seq, got, want, m.last, w)
			}
			if flt.Last() != m.last {
				t.Fatalf("Last() = %d, model %d", flt.Last(), m.last)
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	var f Filter
	if err := f.Reset(MaxSize); err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		seq := uint64(i + 1)
		if f.Check(seq) {
			f.Update(seq)
		}
	}
}
