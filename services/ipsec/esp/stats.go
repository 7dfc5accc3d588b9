package esp

import "sync/atomic"

// counters are updated by the SA's owner and read by anyone; they are best
// effort: a snapshot taken while packets flow may mix two moments.
type counters struct {
	encPackets, encBytes, decPackets, decBytes atomic.Uint64

	auth, replay, decrypt, trailer, length, header  atomic.Uint64
	ttl, land, address, options, tooBig, fragmented atomic.Uint64
	seqExhausted, dummy                             atomic.Uint64
}

// Stats is a snapshot of an SA's counters. Byte counts are inner packet
// bytes. Counters are best effort (see SA).
type Stats struct {
	EncryptedPackets, EncryptedBytes uint64
	DecryptedPackets, DecryptedBytes uint64

	AuthErrors    uint64 // ESP authentication failures
	ReplayErrors  uint64
	DecryptErrors uint64 // ESP decryption failures
	BadTrailers   uint64 // bad padding or next header
	LengthErrors  uint64
	BadHeaders    uint64 // malformed outer, UDP or inner headers

	TTLExceeded   uint64 // inner TTL expired in the tunnel hop
	LandAttacks   uint64
	AddressErrors uint64
	OptionErrors  uint64
	TooBig        uint64 // dropped: larger than the tunnel MTU and not fragmentable
	Fragmented    uint64 // inner packets fragmented before encapsulation
	SeqExhausted  uint64
	Dummy         uint64 // dummy packets (next header 59) discarded
}

// Stats returns a snapshot of the counters.
func (sa *SA) Stats() Stats {
	c := &sa.c
	return Stats{
		EncryptedPackets: c.encPackets.Load(), EncryptedBytes: c.encBytes.Load(),
		DecryptedPackets: c.decPackets.Load(), DecryptedBytes: c.decBytes.Load(),
		AuthErrors: c.auth.Load(), ReplayErrors: c.replay.Load(),
		DecryptErrors: c.decrypt.Load(), BadTrailers: c.trailer.Load(),
		LengthErrors: c.length.Load(), BadHeaders: c.header.Load(),
		TTLExceeded: c.ttl.Load(), LandAttacks: c.land.Load(),
		AddressErrors: c.address.Load(), OptionErrors: c.options.Load(),
		TooBig: c.tooBig.Load(), Fragmented: c.fragmented.Load(),
		SeqExhausted: c.seqExhausted.Load(), Dummy: c.dummy.Load(),
	}
}

// drop counts a dropped packet on c and returns its reason.
func drop(c *atomic.Uint64, err error) error {
	c.Add(1)
	return err
}
