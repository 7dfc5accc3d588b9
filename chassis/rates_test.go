package chassis

import (
	"testing"
	"time"
)

func TestRates(t *testing.T) {
	r := rates{samples: map[string][]sample{}}
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	if got := r.rate("ge-1/0/0"); got != (Rate{}) {
		t.Errorf("no samples: %+v", got)
	}
	// 1,000 packets of 1,250 bytes a second in, half of it out.
	for i := range 10 {
		r.add(t0.Add(time.Duration(i)*time.Second), map[string]Stats{"ge-1/0/0": {
			InBytes: uint64(i) * 1250000, InPackets: uint64(i) * 1000,
			OutBytes: uint64(i) * 625000, OutPackets: uint64(i) * 500}})
	}
	want := Rate{InBPS: 10000000, OutBPS: 5000000, InPPS: 1000, OutPPS: 500}
	if got := r.rate("ge-1/0/0"); got != want {
		t.Errorf("rate %+v, want %+v", got, want)
	}
	if n := len(r.samples["ge-1/0/0"]); n != rateWindow+1 {
		t.Errorf("%d samples kept", n)
	}
	// Counters that go back (cleared, link replaced) give no rate.
	r.add(t0.Add(10*time.Second), map[string]Stats{"ge-1/0/0": {}})
	if got := r.rate("ge-1/0/0"); got.InBPS != 0 {
		t.Errorf("after a reset: %+v", got)
	}
	// An interface that went away is forgotten.
	r.add(t0.Add(11*time.Second), map[string]Stats{})
	if _, ok := r.samples["ge-1/0/0"]; ok {
		t.Error("samples of a vanished interface kept")
	}
}
