package mspic

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"mxlab/services/ipsec"
)

// Manually keyed SAs keep their outbound sequence numbers across PIC and
// router restarts. RFC 4303 §3.3.3: with manual keys and a receiver that
// checks for replays, "the sequence number counter at the sender MUST be
// correctly maintained across local reboots, etc., until the key is
// replaced". A sender that started again at 1 would be taken for a replay
// by its peer until its counter passed the peer's window: a silent black
// hole. It would also reuse AES-GCM nonces and CBC IVs under the same key.
//
// The card keeps the last number of each outbound manual SA while it runs
// and, through a SeqStore, a reservation on disk: a number no greater than
// any the SA may have sent, moved seqReserve ahead whenever the SA comes
// within half of it. After a crash the SA resumes at the reservation,
// skipping at most seqReserve numbers of the 2^32.

// seqReserve is how far ahead of the sent numbers the stored reservation
// runs: about ten seconds of a gigabit tunnel.
const seqReserve = 1 << 20

// SeqStore keeps the reservations of the card's manual SAs, by key (a
// digest of the SA's identity and keys, no secret).
type SeqStore interface {
	Load() (map[string]uint64, error)
	Save(map[string]uint64) error
}

// seqKey names an outbound manual SA: its service set, rule, term, SPI
// and keys. New keys make a new key, whose counter starts at zero.
func seqKey(set string, t *ipsec.Term, m ipsec.Manual) string {
	h := sha256.New()
	for _, s := range []string{set, t.Rule, t.Name} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var spi [4]byte
	binary.BigEndian.PutUint32(spi[:], m.SPI)
	h.Write(spi[:])
	h.Write(m.EncKey)
	h.Write([]byte{0})
	h.Write(m.AuthKey)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// seqState follows the counters of the card's manual outbound SAs; the
// card's goroutine owns it.
type seqState struct {
	store    SeqStore                 // nil: nothing kept on disk
	last     map[string]uint64        // last number sent by retired SAs
	reserved map[string]uint64        // what the store holds
	err      func(error)              // reports a store that cannot be written
	live     map[string]func() uint64 // the SAs of the current plane
}

func newSeqState(store SeqStore, report func(error)) *seqState {
	s := &seqState{store: store, last: map[string]uint64{}, reserved: map[string]uint64{}, err: report}
	if store != nil {
		m, err := store.Load()
		if err != nil {
			report(err)
		}
		for k, v := range m {
			s.reserved[k] = v
		}
	}
	return s
}

// start returns where an SA of key resumes: after the last number of the
// SA it replaces, with room for the packets its I/O goroutines may still
// have sent after that number was read; after the reservation when this
// process never ran the SA.
func (s *seqState) start(key string) uint64 {
	if n, ok := s.last[key]; ok {
		return n + seqSlack
	}
	return s.reserved[key]
}

// seqSlack is more than the packets in flight in the I/O pipeline of a
// device when its plane is replaced.
const seqSlack = 4 * 64 * txDepth

// track records the SAs of a new plane (key -> its sequence reader) and
// reserves ahead of each.
func (s *seqState) track(live map[string]func() uint64) {
	s.live = live
	s.check()
}

// retire keeps the last numbers of the SAs of the plane going away.
func (s *seqState) retire() {
	for k, seq := range s.live {
		s.last[k] = seq()
	}
	s.live = nil
}

// check moves the reservations ahead of the live SAs that came near them
// and saves them when one moved.
func (s *seqState) check() {
	moved := false
	for k, seq := range s.live {
		n := seq()
		if n+seqReserve/2 > s.reserved[k] {
			s.reserved[k] = n + seqReserve
			moved = true
		}
	}
	if moved && s.store != nil {
		if err := s.store.Save(s.reserved); err != nil {
			s.err(err)
		}
	}
}
