package esp

import (
	"errors"
	"fmt"
)

// Configuration errors.
var (
	ErrAlgorithm = errors.New("unsupported algorithm")
	ErrConfig    = errors.New("invalid security association")
	ErrDupSPI    = errors.New("duplicate spi")
)

// Per-packet drop reasons. Each is counted where it is detected (see Stats
// and TableStats) and returned wrapped, so callers test them with errors.Is.
var (
	// ErrBadSPI: no inbound SA has the packet's SPI.
	ErrBadSPI = errors.New("bad spi")
	// ErrAuth: the integrity check value did not verify.
	ErrAuth = errors.New("authentication failure")
	// ErrReplay: the sequence number is outside the window or seen before.
	ErrReplay = errors.New("replayed packet")
	// ErrDecrypt: the ciphertext is not a whole number of cipher blocks.
	ErrDecrypt = errors.New("decryption failure")
	// ErrTrailer: bad padding or an unknown next header after decryption.
	ErrTrailer = errors.New("bad trailer")
	// ErrLength: a length field or the packet size is impossible.
	ErrLength = errors.New("invalid length")
	// ErrHeader: a malformed IP or UDP header (version, header length,
	// checksum, fragment, protocol, encapsulation).
	ErrHeader = errors.New("header error")
	// ErrTTLExceeded: the tunnel is a hop and the inner TTL (hop limit)
	// would reach zero; the caller sends ICMP time exceeded.
	ErrTTLExceeded = errors.New("ttl exceeded")
	// ErrLand: source and destination address are equal (land attack).
	ErrLand = errors.New("land attack")
	// ErrAddress: a source or destination that is never forwarded
	// (unspecified, loopback, multicast or broadcast source).
	ErrAddress = errors.New("invalid address")
	// ErrOptions: malformed IPv4 options, or source-route options.
	ErrOptions = errors.New("ip options")
	// ErrTooBig: the encapsulated packet would exceed the tunnel MTU;
	// returned as *MTUError.
	ErrTooBig = errors.New("packet exceeds tunnel mtu")
	// ErrSeqExhausted: the sequence number space is used up; the SA must
	// be rekeyed.
	ErrSeqExhausted = errors.New("sequence number exhausted")
)

// Packets that are dropped without being errors (not counted as errors).
var (
	// ErrKeepalive: a NAT-keepalive (a single 0xFF byte on UDP, RFC 3948).
	ErrKeepalive = errors.New("nat keepalive")
	// ErrNonESP: a UDP payload that starts with the 4-byte non-ESP marker
	// (an IKE message sharing the port, RFC 3948 §2.2).
	ErrNonESP = errors.New("non-esp marker")
	// ErrDummy: a dummy packet (next header 59, RFC 4303 §2.6).
	ErrDummy = errors.New("dummy packet")
)

// MTUError reports an inner packet that does not fit the tunnel and may not
// be fragmented. MTU is the largest inner packet that fits, the value for the
// ICMP "fragmentation needed" (or ICMPv6 "packet too big") message; ICMP is
// false when no ICMP error may be sent (passive-mode-tunneling).
type MTUError struct {
	MTU  int
	ICMP bool
}

func (e *MTUError) Error() string {
	return fmt.Sprintf("%v: inner mtu %d", ErrTooBig, e.MTU)
}

func (e *MTUError) Unwrap() error { return ErrTooBig }
