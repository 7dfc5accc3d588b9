package replay

import (
	"errors"
	"fmt"
)

const (
	// Disabled turns the check off (Junos no-anti-replay).
	Disabled = 0
	// MinSize and MaxSize bound the window size in packets, as Junos
	// anti-replay-window-size does.
	MinSize = 64
	MaxSize = 4096
	// DefaultSize is the window of Multiservices PICs and DPCs.
	DefaultSize = 128
)

const (
	blockBits  = 64
	ringBlocks = 128 // a power of two with (ringBlocks-1)*blockBits >= MaxSize+blockBits
)

// ErrSize reports a window size outside MinSize..MaxSize.
var ErrSize = errors.New("anti-replay window size out of range")

// Filter is an anti-replay window. The zero value is a window of DefaultSize
// at sequence number 0, ready for use.
type Filter struct {
	last uint64 // highest sequence number accepted by Update
	size uint64 // window size; 0 means DefaultSize
	off  bool
	ring [ringBlocks]uint64
}

// Reset empties the filter and sets its window size: Disabled, or a size in
// MinSize..MaxSize.
func (f *Filter) Reset(size int) error {
	if size != Disabled && (size < MinSize || size > MaxSize) {
		return fmt.Errorf("%w: %d (valid %d..%d)", ErrSize, size, MinSize, MaxSize)
	}
	*f = Filter{size: uint64(size), off: size == Disabled}
	return nil
}

// Size returns the window size, or Disabled.
func (f *Filter) Size() int {
	if f.off {
		return Disabled
	}
	return int(f.window())
}

// Last returns the highest sequence number accepted so far (0 before any).
func (f *Filter) Last() uint64 { return f.last }

func (f *Filter) window() uint64 {
	if f.size == 0 {
		return DefaultSize
	}
	return f.size
}

// Check reports whether a packet with sequence number seq would be accepted,
// without changing the window. Sequence number 0 is never valid in ESP.
func (f *Filter) Check(seq uint64) bool {
	if f.off {
		return true
	}
	if seq == 0 {
		return false
	}
	if seq > f.last {
		return true
	}
	if f.last-seq >= f.window() {
		return false
	}
	return f.ring[(seq/blockBits)%ringBlocks]&(1<<(seq%blockBits)) == 0
}

// Update records seq as received and reports whether it was acceptable (not
// too old and not seen before). Call it only after the packet's integrity
// check value has verified. With the filter disabled every packet is
// accepted and only the highest sequence number is tracked.
func (f *Filter) Update(seq uint64) bool {
	if f.off {
		f.last = max(f.last, seq)
		return true
	}
	if seq == 0 {
		return false
	}
	if seq > f.last {
		f.advance(seq)
	} else if f.last-seq >= f.window() {
		return false
	}
	b := &f.ring[(seq/blockBits)%ringBlocks]
	bit := uint64(1) << (seq % blockBits)
	if *b&bit != 0 {
		return false
	}
	*b |= bit
	return true
}

// advance moves the top of the window to seq, clearing the blocks it enters.
func (f *Filter) advance(seq uint64) {
	cur, next := f.last/blockBits, seq/blockBits
	n := min(next-cur, ringBlocks)
	for i := uint64(1); i <= n; i++ {
		f.ring[(cur+i)%ringBlocks] = 0
	}
	f.last = seq
}

// Estimate returns the 64-bit sequence number that a packet carrying the low
// 32 bits low most likely has, given the current window (RFC 4303 Appendix
// A2.2). A disabled filter estimates with a window of DefaultSize.
func (f *Filter) Estimate(low uint32) uint64 {
	w := uint32(f.window())
	tl, th := uint32(f.last), uint32(f.last>>32)
	hi := th
	bottom := tl - w + 1 // wraps when tl < w-1 (case B)
	switch {
	case tl >= w-1 && low < bottom:
		hi = th + 1
	case tl < w-1 && low >= bottom && th > 0:
		hi = th - 1
	}
	return uint64(hi)<<32 | uint64(low)
}
