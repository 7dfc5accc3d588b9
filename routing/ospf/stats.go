package ospf

import "errors"

// stats are the counters of "show ospf statistics", owned by run (dropped
// is written by the reader goroutine).
type stats struct {
	sent, recv [6]uint64 // by packet type
	// history holds the sent and received counts of the last seconds, to
	// print the last five seconds.
	history [6][2][6]uint64
	histPos int

	recvTotal, sendErrors                       uint64
	dbdSent, dbdRecv, lsrSent, lsrRecv          uint64
	lsuSent, lsuRecv, ackSent, ackRecv, lsaRecv uint64
	lsaFlooded, lsaRxmt, dbdRxmt, lsaTooSoon    uint64
	lsaRequested, lsaAcked                      uint64
	seqMismatch                                 uint64

	errParse, errArea, errSubnet, errMask, errTimers, errOptions uint64
	errAuthType, errAuth, errChecksum, errNoNbr, errMTU          uint64
	badLSA                                                       uint64
	dropped                                                      uint64 // copied from Instance.dropped
}

func (s *stats) clear() { *s = stats{} }

// roll records this second's totals for the five-second column.
func (s *stats) roll() {
	s.histPos = (s.histPos + 1) % len(s.history)
	s.history[s.histPos] = [2][6]uint64{s.sent, s.recv}
}

// last5 returns the packets sent and received in the last five seconds.
func (s *stats) last5() (sent, recv [6]uint64) {
	old := s.history[(s.histPos+1)%len(s.history)]
	for t := range sent {
		sent[t] = s.sent[t] - old[0][t]
		recv[t] = s.recv[t] - old[1][t]
	}
	return sent, recv
}

func (s *stats) countAuth(err error) {
	switch {
	case errors.Is(err, ErrAuthType):
		s.errAuthType++
	case errors.Is(err, ErrChecksum):
		s.errChecksum++
	default:
		s.errAuth++
	}
}

// receiveErrors are the nonzero error counters, in the order shown.
func (s *stats) receiveErrors() []struct {
	n    uint64
	what string
} {
	all := []struct {
		n    uint64
		what string
	}{
		{s.errChecksum, "bad checksums"},
		{s.errParse, "bad packets"},
		{s.errArea, "area mismatches"},
		{s.errSubnet, "subnet mismatches"},
		{s.errMask, "netmask mismatches"},
		{s.errTimers, "hello/dead timer mismatches"},
		{s.errOptions, "area type mismatches"},
		{s.errAuthType, "authentication type mismatches"},
		{s.errAuth, "authentication failures"},
		{s.errNoNbr, "packets from unknown neighbors"},
		{s.errMTU, "MTU mismatches"},
		{s.badLSA, "bad LSAs"},
		{s.dropped, "packets dropped (queue full)"},
	}
	out := all[:0]
	for _, e := range all {
		if e.n > 0 {
			out = append(out, e)
		}
	}
	return out
}
