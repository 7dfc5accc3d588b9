package chassis

import (
	"context"
	"sync"
	"time"
)

// Interface rates are what Junos shows as "Input rate" and "Output rate":
// the counters' growth over the last few seconds. A sampler reads the
// counters of every physical interface once a second and keeps the last
// rateWindow seconds.

// rateWindow is how many seconds of samples a rate covers.
const rateWindow = 5

// BulkCounters may also be implemented by the Counters value: the
// counters of every interface it knows in one call (one kernel dump),
// which the sampler prefers.
type BulkCounters interface {
	AllStats() (map[string]Stats, error)
}

// Rate is the rate of an interface, in bits and packets per second.
type Rate struct {
	InBPS, OutBPS, InPPS, OutPPS uint64
}

type sample struct {
	at time.Time
	s  Stats
}

// rates holds the samples; the sampler goroutine writes, show commands
// read.
type rates struct {
	mu      sync.Mutex
	samples map[string][]sample // by interface, oldest first, at most rateWindow+1
}

// rate returns the rate of one interface (zero until two samples exist).
func (r *rates) rate(name string) Rate {
	r.mu.Lock()
	defer r.mu.Unlock()
	ss := r.samples[name]
	if len(ss) < 2 {
		return Rate{}
	}
	a, b := ss[0], ss[len(ss)-1]
	dt := b.at.Sub(a.at).Seconds()
	if dt <= 0 {
		return Rate{}
	}
	per := func(x, y uint64) uint64 {
		if y < x {
			return 0 // counters cleared or the link replaced
		}
		return uint64(float64(y-x)/dt + 0.5)
	}
	return Rate{InBPS: 8 * per(a.s.InBytes, b.s.InBytes), OutBPS: 8 * per(a.s.OutBytes, b.s.OutBytes),
		InPPS: per(a.s.InPackets, b.s.InPackets), OutPPS: per(a.s.OutPackets, b.s.OutPackets)}
}

func (r *rates) add(at time.Time, all map[string]Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, s := range all {
		ss := append(r.samples[name], sample{at, s})
		if len(ss) > rateWindow+1 {
			ss = ss[len(ss)-rateWindow-1:]
		}
		r.samples[name] = ss
	}
	for name := range r.samples {
		if _, ok := all[name]; !ok {
			delete(r.samples, name)
		}
	}
}

// runRates samples the counters every second until ctx ends.
func (c *Chassis) runRates(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.sampleRates()
		}
	}
}

func (c *Chassis) sampleRates() {
	c.mu.Lock()
	k := c.counters
	c.mu.Unlock()
	if k == nil {
		return
	}
	all := map[string]Stats{}
	names := c.hardwareNames()
	if bk, ok := k.(BulkCounters); ok {
		got, err := bk.AllStats()
		if err != nil {
			return
		}
		for _, n := range names {
			if s, ok := got[n]; ok {
				all[n] = s
			}
		}
	} else {
		for _, n := range names {
			if s, ok := k.Stats(n); ok {
				all[n] = s
			}
		}
	}
	c.rates.add(c.now(), all)
}

// Rate returns the current rate of a physical interface.
func (c *Chassis) Rate(ifd string) Rate { return c.rates.rate(ifd) }
