// Package replay implements the IPsec anti-replay window of RFC 4303 §3.4.3
// and Appendix A, kept as a ring of 64-bit blocks as described in RFC 6479 so
// that advancing the window never shifts the whole bitmap.
//
// A Filter holds the highest authenticated sequence number T and a bitmap of
// the W sequence numbers T-W+1..T. A receiver calls Check before verifying the
// integrity check value of a packet (cheap rejection of obvious replays) and
// Update only after the ICV has verified, so forged packets never move the
// window. Window sizes follow the Junos anti-replay-window-size range
// (64..4096); Disabled models no-anti-replay. With extended sequence numbers
// (RFC 4303 §2.2.1) the receiver recovers the high 32 bits of a sequence number
// with Estimate before checking the ICV.
//
// A Filter is not safe for concurrent use: the goroutine that owns the
// security association owns its filter.
package replay
