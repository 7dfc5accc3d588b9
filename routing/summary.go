package routing

import (
	"fmt"
	"io"
	"net/netip"
	"sync"
	"time"
)

// Summary is `show route summary`.
type Summary struct {
	RouterID  netip.Addr
	Highwater []Watermark
	Tables    []TableSummary
}

// Watermark is a line of the "Highwater Mark" block: the most a counter
// ever reached, when, and its average over the router's uptime.
type Watermark struct {
	Label   string // "RIB routes"
	Max     int
	At      time.Time
	Average int
	HasAvg  bool // Junos prints no average for routing instances
}

// TableSummary is a table of `show route summary`.
type TableSummary struct {
	Name                          string
	Dests, Routes, Active, Hidden int
	Protocols                     []ProtocolCount // protocols with routes, in Junos order
}

// ProtocolCount is a protocol line of `show route summary`.
type ProtocolCount struct {
	Protocol       Protocol
	Routes, Active int
}

// Summary returns `show route summary` for the current RIB.
func (r *Router) Summary() Summary {
	rib := r.RIB()
	s := Summary{RouterID: RouterID(r.Config()), Highwater: r.hwm.marks(r.now())}
	for _, t := range rib.Tables {
		ts := TableSummary{Name: t.Name}
		ts.Dests, ts.Routes, ts.Active, ts.Hidden = t.Counts()
		for _, p := range Protocols {
			pc := ProtocolCount{Protocol: p}
			for _, d := range t.Dests {
				for _, rt := range d.Routes {
					if rt.Protocol == p {
						pc.Routes++
						if rt.Active {
							pc.Active++
						}
					}
				}
			}
			if pc.Routes > 0 {
				ts.Protocols = append(ts.Protocols, pc)
			}
		}
		s.Tables = append(s.Tables, ts)
	}
	return s
}

// WriteSummary renders `show route summary`.
func WriteSummary(w io.Writer, s Summary) {
	fmt.Fprintf(w, "Router ID: %s\n", s.RouterID)
	if len(s.Highwater) > 0 {
		io.WriteString(w, "\nHighwater Mark (All time / Time averaged watermark)\n")
		for _, m := range s.Highwater {
			fmt.Fprintf(w, "    %-29s: %d at %s", m.Label, m.Max, m.At.Format("2006-01-02 15:04:05"))
			if m.HasAvg {
				fmt.Fprintf(w, " / %d", m.Average)
			}
			io.WriteString(w, "\n")
		}
	}
	for _, t := range s.Tables {
		fmt.Fprintf(w, "\n%s: %d destinations, %d routes (%d active, 0 holddown, %d hidden)\n", t.Name, t.Dests, t.Routes, t.Active, t.Hidden)
		for _, p := range t.Protocols {
			fmt.Fprintf(w, "%20s:%7d routes,%7d active\n", p.Protocol, p.Routes, p.Active)
		}
	}
}

// The counters of the "Highwater Mark" block.
const (
	hwmDests = iota
	hwmRoutes
	hwmFIB
	hwmVRFs
	hwmCount
)

var hwmLabels = [hwmCount]string{"RIB unique destination routes", "RIB routes", "FIB routes", "VRF type routing instances"}

// highwater follows the counters of the "Highwater Mark" block: their
// maximum, when it was reached, and their average over time. The RIB
// owner reports each new RIB; any goroutine may read.
type highwater struct {
	mu    sync.Mutex
	start time.Time     // first observation
	last  time.Time     // last observation
	cur   [hwmCount]int // values since last
	max   [hwmCount]int // highest values
	at    [hwmCount]time.Time
	area  [hwmCount]float64 // value-seconds since start
}

// observe records the counters of a new RIB at time now.
func (h *highwater) observe(now time.Time, rib *RIB, cfg Config) {
	var v [hwmCount]int
	for _, t := range rib.Tables {
		for _, d := range t.Dests {
			v[hwmDests]++
			for _, rt := range d.Routes {
				v[hwmRoutes]++
				if rt.Active && rt.Protocol != Local {
					v[hwmFIB]++
				}
			}
		}
	}
	for _, in := range cfg.Instances {
		if in.Type == "vrf" {
			v[hwmVRFs]++
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.start.IsZero() {
		h.start, h.last = now, now
		for i := range h.at {
			h.at[i] = now
		}
	}
	h.accumulate(now)
	h.cur = v
	for i := range v {
		if v[i] > h.max[i] {
			h.max[i], h.at[i] = v[i], now
		}
	}
}

// accumulate adds the current values up to now. h.mu is held.
func (h *highwater) accumulate(now time.Time) {
	if dt := now.Sub(h.last).Seconds(); dt > 0 {
		for i := range h.cur {
			h.area[i] += float64(h.cur[i]) * dt
		}
		h.last = now
	}
}

// marks returns the watermarks at time now; none before the first RIB.
func (h *highwater) marks(now time.Time) []Watermark {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.start.IsZero() {
		return nil
	}
	h.accumulate(now)
	out := make([]Watermark, hwmCount)
	for i := range out {
		out[i] = Watermark{Label: hwmLabels[i], Max: h.max[i], At: h.at[i], HasAvg: i != hwmVRFs}
		if span := h.last.Sub(h.start).Seconds(); span > 0 {
			out[i].Average = int(h.area[i]/span + 0.5)
		} else {
			out[i].Average = h.cur[i]
		}
	}
	return out
}
