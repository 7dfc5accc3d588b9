package mspic

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"mxlab/services/ipsec/esp"
)

// state is what the card's goroutine owns.
type state struct {
	c        *Card
	cfg      Config
	online   bool
	gwDown   map[string]bool
	plane    *plane
	counters map[string]*setCounters
	retired  map[string]Stats // statistics of SAs torn down, per set
	wires    map[wireKey]esp.TableStats
	base     map[string]Stats // "clear ... statistics" baselines
	io       *ioGroup
	dyn      *dynState // negotiated SAs (dynamic.go)
}

func newState(c *Card) *state {
	return &state{c: c, gwDown: map[string]bool{}, counters: map[string]*setCounters{},
		retired: map[string]Stats{}, wires: map[wireKey]esp.TableStats{}, base: map[string]Stats{},
		dyn: newDynState()}
}

func (s *state) log(level, format string, args ...any) {
	s.c.opts.Log(level, fmt.Sprintf(format, args...))
}

func (s *state) counter(set string) *setCounters {
	c := s.counters[set]
	if c == nil {
		c = &setCounters{}
		s.counters[set] = c
	}
	return c
}

func (s *state) configure(cfg Config) error {
	s.cfg = cfg
	s.dyn.prune(cfg, "", false)
	return s.rebuild("configuration changed")
}

func (s *state) setOnline(online bool) error {
	if s.online == online {
		return nil
	}
	s.online = online
	if !online {
		s.dyn.prune(s.cfg, "", true)
	}
	if online {
		s.log("notice", "%s: PIC online, service sets started", s.c.opts.Name)
	} else {
		s.log("notice", "%s: PIC offline, service sets stopped", s.c.opts.Name)
	}
	return s.rebuild("")
}

func (s *state) setGateway(ifl string, up bool) error {
	if s.gwDown[ifl] == !up {
		return nil
	}
	if up {
		delete(s.gwDown, ifl)
	} else {
		s.gwDown[ifl] = true
	}
	s.log("notice", "gw-interface %s %s", ifl, map[bool]string{true: "up", false: "down"}[up])
	return s.rebuild("")
}

func (s *state) clearSAs(set string) error {
	found := false
	for _, ss := range s.cfg.Sets {
		found = found || set == "" || ss.Name == set
	}
	if !found {
		return nil
	}
	s.dyn.prune(s.cfg, set, set == "")
	return s.rebuild("cleared by operator")
}

// rebuild tears the SAs down and, when the PIC runs, installs them again
// from the configuration; the I/O goroutines are restarted only when the
// devices or sockets they serve change.
func (s *state) rebuild(why string) error {
	var next *plane
	if s.online {
		p, err := assemble(s.cfg, s.gwDown, s.counter, s.c.opts.Now(), s.dyn)
		if err != nil {
			s.log("error", "%v", err)
			return err
		}
		next = p
	}
	old := s.plane
	s.retire(old, next)
	if !sameIO(old, next) {
		s.stopIO()
	}
	s.plane = next
	s.c.cur.Store(next)
	if s.io == nil && next != nil {
		s.startIO(next)
	}
	s.logSAs(old, "deleted", why)
	s.logSAs(next, "installed", why)
	return nil
}

func (s *state) logSAs(p *plane, what, why string) {
	if p == nil {
		return
	}
	for _, sp := range p.sets {
		for _, tp := range sp.terms {
			for _, r := range tp.sas() {
				if r.dynamic != nil {
					continue
				}
				msg := fmt.Sprintf("IPSec SA %s: service set %s, rule %s, term %s, %s, SPI %d, local %s, remote %s",
					what, sp.cfg.Name, tp.t.Rule, tp.t.Name, r.dir, r.sa.SPI(), sp.cfg.LocalGateway, tp.t.RemoteGateway)
				if why != "" {
					msg += " (" + why + ")"
				}
				s.log("info", "%s", msg)
			}
		}
	}
}

// retire keeps the statistics of the SAs of a plane that goes away,
// except those the next plane keeps.
func (s *state) retire(p, next *plane) {
	if p == nil {
		return
	}
	kept := map[*esp.SA]bool{}
	if next != nil {
		for _, sp := range next.sets {
			for _, tp := range sp.terms {
				for _, r := range tp.sas() {
					kept[r.sa] = true
				}
			}
		}
	}
	for _, sp := range p.sets {
		r := s.retired[sp.cfg.Name]
		for _, tp := range sp.terms {
			r.addSA(tp, kept)
		}
		s.retired[sp.cfg.Name] = r
	}
	for k, w := range p.wires {
		t := s.wires[k]
		addTable(&t, w.table.Stats())
		s.wires[k] = t
	}
}

func (s *state) clearStats(set string) {
	st := s.status()
	for _, ss := range st.Sets {
		if set == "" || ss.Name == set {
			s.base[ss.Name] = ss.Stats.plus(s.base[ss.Name])
		}
	}
}

func (s *state) shutdown() {
	s.stopIO()
	s.c.cur.Store(nil)
}

// ioGroup is the set of I/O goroutines of a plane.
type ioGroup struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	devs    []Device
	socks   []Receiver
	senders []Sender
}

func (s *state) startIO(p *plane) {
	if s.c.opts.Net == nil {
		return
	}
	g := &ioGroup{}
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	s.io = g
	var listen []netip.AddrPort
	for k := range p.wires {
		if k.port != 0 {
			listen = append(listen, netip.AddrPortFrom(k.addr, k.port))
		}
	}
	for unit, d := range p.devs {
		// Each reader has its own sending socket: a Sender is used by
		// one goroutine at a time.
		snd, err := s.c.opts.Net.OpenSender(listen)
		if err != nil {
			s.log("error", "%s: cannot open ESP socket: %v", s.c.opts.Name, err)
			continue
		}
		g.senders = append(g.senders, snd)
		g.devs = append(g.devs, d.dev)
		o := newOutbound(s.c, unit, d.dev, snd)
		g.wg.Add(1)
		go func() { defer g.wg.Done(); o.run(ctx) }()
	}
	for k := range p.wires {
		var rx Receiver
		var err error
		if k.port == 0 {
			rx, err = s.c.opts.Net.OpenESP(k.addr)
		} else {
			rx, err = s.c.opts.Net.OpenUDP(k.addr, k.port)
		}
		if err != nil {
			s.log("error", "%s: local gateway %s: %v", s.c.opts.Name, k.addr, err)
			continue
		}
		g.socks = append(g.socks, rx)
		in := newInbound(s.c, k, rx)
		g.wg.Add(1)
		go func() { defer g.wg.Done(); in.run(ctx) }()
	}
}

// stopIO ends the I/O goroutines: sockets are closed, device reads are
// cut short by a deadline (the devices stay, they belong to the unit).
func (s *state) stopIO() {
	g := s.io
	if g == nil {
		return
	}
	s.io = nil
	g.cancel()
	for _, r := range g.socks {
		r.Close()
	}
	for _, d := range g.devs {
		d.SetReadDeadline(time.Unix(1, 0))
	}
	g.wg.Wait()
	for _, d := range g.devs {
		d.SetReadDeadline(time.Time{})
	}
	for _, snd := range g.senders {
		snd.Close()
	}
}
