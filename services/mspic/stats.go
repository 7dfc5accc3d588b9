package mspic

import "mxlab/services/ipsec/esp"

// fields lists the counters of esp.Stats, for adding and subtracting.
func fields(s *esp.Stats) []*uint64 {
	return []*uint64{&s.EncryptedPackets, &s.EncryptedBytes, &s.DecryptedPackets, &s.DecryptedBytes,
		&s.AuthErrors, &s.ReplayErrors, &s.DecryptErrors, &s.BadTrailers, &s.LengthErrors, &s.BadHeaders,
		&s.TTLExceeded, &s.LandAttacks, &s.AddressErrors, &s.OptionErrors, &s.TooBig, &s.Fragmented,
		&s.SeqExhausted, &s.Dummy}
}

func (s *Stats) all() []*uint64 {
	return append(fields(&s.Stats), &s.BadSPI, &s.OuterErrors, &s.NoMatch, &s.PolicyErrors,
		&s.ICMPSent, &s.DeviceErrors, &s.SendErrors, &s.NoSA)
}

// addSA adds the counters of a term's SAs, but those in skip.
func (s *Stats) addSA(tp *termPlane, skip map[*esp.SA]bool) {
	for _, r := range tp.sas() {
		if skip[r.sa] {
			continue
		}
		x := r.sa.Stats()
		src, dst := fields(&x), fields(&s.Stats)
		for i := range dst {
			*dst[i] += *src[i]
		}
	}
}

func (s Stats) plus(o Stats) Stats {
	a, b := s.all(), o.all()
	for i := range a {
		*a[i] += *b[i]
	}
	return s
}

func (s Stats) minus(o Stats) Stats {
	a, b := s.all(), o.all()
	for i := range a {
		if *a[i] < *b[i] {
			*a[i] = 0
		} else {
			*a[i] -= *b[i]
		}
	}
	return s
}
