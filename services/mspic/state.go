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
	seq      *seqState
	faults   map[string]ioFault // what the I/O could not open, as last reported
	ticks    int
	dyn      *dynState // negotiated SAs (dynamic.go)
}

func newState(c *Card) *state {
	s := &state{c: c, gwDown: map[string]bool{}, counters: map[string]*setCounters{},
		retired: map[string]Stats{}, wires: map[wireKey]esp.TableStats{}, base: map[string]Stats{},
		dyn: newDynState()}
	s.seq = newSeqState(c.opts.Seqs, func(err error) {
		s.log("error", "%s: manual SA sequence numbers cannot be kept: %v", c.opts.Name, err)
	})
	return s
}

func (s *state) log(level, format string, args ...any) {
	s.c.opts.Log(level, fmt.Sprintf(format, args...))
}

// event writes a line to the router's system log.
func (s *state) event(tag, format string, args ...any) {
	if s.c.opts.Event != nil {
		s.c.opts.Event(tag, fmt.Sprintf(format, args...))
	}
}

// tick runs every second: sequence-number reservations, and every five
// seconds another try at the sockets that failed.
func (s *state) tick() {
	s.seq.check()
	s.ticks++
	if s.ticks%5 == 0 {
		s.retryIO()
	}
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
	s.seq.retire()
	if s.online {
		p, err := assemble(s.cfg, s.gwDown, s.counter, s.seq, s.c.opts.Now(), s.dyn)
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
	if next == nil {
		s.faults = nil
	}
	if next != nil {
		s.seq.track(next.live)
	}
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
				tag := "KMD_PM_SA_ESTABLISHED"
				if what == "deleted" {
					tag = "KMD_PM_SA_DELETED"
				}
				s.event(tag, "Local gateway: %s, Remote gateway: %s, Direction: %s, SPI: 0x%x, AUX-SPI: 0, Mode: Tunnel, Type: manual, Service set: %s",
					sp.cfg.LocalGateway, tp.t.RemoteGateway, r.dir, r.sa.SPI(), sp.cfg.Name)
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
	// The sockets that could not be opened: their SAs cannot carry
	// traffic. The card tries again (retryIO) until they open.
	noWire   map[wireKey]error
	noSender map[string]error // by unit
}

// faulty reports whether some socket of the group could not be opened.
func (g *ioGroup) faulty() bool { return g != nil && (len(g.noWire) > 0 || len(g.noSender) > 0) }

func (s *state) startIO(p *plane) {
	if s.c.opts.Net == nil {
		return
	}
	g := &ioGroup{noWire: map[wireKey]error{}, noSender: map[string]error{}}
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
			g.noSender[unit] = err
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
			g.noWire[k] = err
			continue
		}
		g.socks = append(g.socks, rx)
		in := newInbound(s.c, k, rx)
		g.wg.Add(1)
		go func() { defer g.wg.Done(); in.run(ctx) }()
	}
	s.reportFaults(g)
}

// reportFaults logs the sockets that could not be opened, once per
// failure (not again at each retry), and the recovery of those that were.
func (s *state) reportFaults(g *ioGroup) {
	now := map[string]ioFault{}
	t := s.c.opts.Now()
	for k, err := range g.noWire {
		now["wire "+k.String()] = ioFault{fmt.Sprintf("local gateway %s: cannot receive ESP: %v", k, err), t}
	}
	for u, err := range g.noSender {
		now["send "+u] = ioFault{fmt.Sprintf("%s: cannot send ESP: %v", u, err), t}
	}
	for k, f := range now {
		if old, ok := s.faults[k]; ok && old.msg == f.msg {
			now[k] = old
			continue
		}
		s.log("error", "%s: %s", s.c.opts.Name, f.msg)
		s.event("KMD_INTERNAL_ERROR", "%s: %s; the SAs that use it are not installed", s.c.opts.Name, f.msg)
	}
	for k := range s.faults {
		if _, still := now[k]; !still {
			s.log("notice", "%s: %s: works again", s.c.opts.Name, k)
			s.event("KMD_INTERNAL_ERROR", "%s: %s: recovered", s.c.opts.Name, k)
		}
	}
	s.faults = now
}

// ioFault is a socket of the card that could not be opened.
type ioFault struct {
	msg   string
	since time.Time
}

// since returns when the oldest fault began.
func (s *state) faultSince() time.Time {
	var t time.Time
	for _, f := range s.faults {
		if t.IsZero() || f.since.Before(t) {
			t = f.since
		}
	}
	return t
}

// retryIO opens the I/O of the plane again when some of it failed (a
// local gateway whose address was not up yet, a socket refused).
func (s *state) retryIO() {
	if !s.io.faulty() || s.plane == nil {
		return
	}
	s.stopIO()
	s.startIO(s.plane)
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
