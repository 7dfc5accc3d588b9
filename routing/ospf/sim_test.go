package ospf

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"mxlab/routing"
)

// sim runs instances without goroutines on a virtual clock: every step
// delivers the queued packets, in a fixed order, and fires the timers that
// are due. Runs are deterministic, so their displays can be golden files.
type sim struct {
	t     testing.TB
	now   time.Time
	h     *hub
	names []string
	ins   map[string]*Instance
	ifs   map[string][]IfState
	ribs  map[string]*fakeRIB
	next  time.Time // next one-second tick
}

var simStart = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func newSim(t testing.TB) *sim {
	return &sim{t: t, now: simStart, h: &hub{}, ins: map[string]*Instance{}, ifs: map[string][]IfState{}, ribs: map[string]*fakeRIB{},
		next: simStart.Add(time.Second)}
}

func (s *sim) clock() time.Time { return s.now }

func (s *sim) port(node, ifl, addr, seg string) {
	s.h.link(node, ifl, addr, seg)
	s.ifs[node] = append(s.ifs[node], IfState{Name: ifl, Addrs: []netip.Prefix{netip.MustParsePrefix(addr)}, Up: true})
}

func (s *sim) loopback(node, addr string) {
	s.ifs[node] = append(s.ifs[node], IfState{Name: "lo0.0", Addrs: []netip.Prefix{netip.MustParsePrefix(addr)}, Up: true})
}

// start configures an instance; table is the RIB its export policies see.
func (s *sim) start(node string, cfg Config, table *routing.Table) *Instance {
	rib := &fakeRIB{}
	in := newInstance("", s.h.net(node), rib, s.clock, nil)
	in.timer = time.NewTimer(time.Hour)
	in.started = s.now
	s.t.Cleanup(func() { in.timer.Stop() })
	in.apply(pending{cfg: &cfg, ifs: s.ifs[node], table: table})
	in.afterPacket()
	s.names = append(s.names, node)
	slices.Sort(s.names)
	s.ins[node], s.ribs[node] = in, rib
	return in
}

// run advances the clock by d in 10 ms steps.
func (s *sim) run(d time.Duration) {
	end := s.now.Add(d)
	for s.now.Before(end) {
		s.now = s.now.Add(10 * time.Millisecond)
		tick := !s.now.Before(s.next)
		if tick {
			s.next = s.next.Add(time.Second)
		}
		for _, n := range s.names {
			in := s.ins[n]
		drain:
			for {
				select {
				case p := <-in.pkts:
					in.receive(p)
					in.afterPacket()
				default:
					break drain
				}
			}
			if tick {
				in.tick(s.now)
				in.afterPacket()
			}
			if !in.spfAt.IsZero() && !s.now.Before(in.spfAt) || !in.origAt.IsZero() && !s.now.Before(in.origAt) {
				in.timers()
				in.afterPacket()
			}
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
