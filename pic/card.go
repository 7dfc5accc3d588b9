package pic

import (
	"context"
	"fmt"
	"maps"
	"time"

	"mxlab/internal/card"
)

// Spec places a PIC: its FPC slot, its PIC slot and its kind.
type Spec struct {
	FPC, Slot int
	Kind      Kind
}

// Options tune a Card.
type Options struct {
	// BootDelay is how long the PIC stays Booting when brought online.
	BootDelay time.Duration
	// Notify, when set, is called from the card's goroutine on every state
	// change. It must not block and must not call the Card.
	Notify func(Event)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Card is a running PIC. Its state is owned by one goroutine (loop); the
// methods send it closures and wait for them to finish.
type Card struct {
	spec  Spec
	opts  Options
	names []string // physical interface names, fixed by the kind
	loop  *card.Loop[state]
}

// state is owned by the card's goroutine.
type state struct {
	st       State
	since    time.Time
	pkg      string
	disabled map[string]bool
	flapped  time.Time
	portFlap map[string]time.Time
	cleared  map[string]Baseline
}

// New returns a stopped Card; Start runs it.
func New(spec Spec, opts Options) *Card {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Card{spec: spec, opts: opts, names: PortNames(spec), loop: card.NewLoop[state]()}
}

// PortNames lists the physical interfaces a PIC carries.
func PortNames(spec Spec) []string {
	k := spec.Kind
	var names []string
	for p := 0; p < k.Ports; p++ {
		names = append(names, fmt.Sprintf("%s-%d/%d/%d", k.Prefix, spec.FPC, spec.Slot, p))
	}
	for _, a := range k.Aliases {
		names = append(names, fmt.Sprintf("%s-%d/%d/0", a, spec.FPC, spec.Slot))
	}
	return names
}

// Spec returns where the card sits and what it is.
func (c *Card) Spec() Spec { return c.spec }

// Names returns the physical interfaces of the card, whatever its state.
func (c *Card) Names() []string { return c.names }

// Start runs the card's goroutine, the PIC Online, until ctx ends or Stop.
func (c *Card) Start(ctx context.Context) {
	c.loop.Start(ctx, func() *state {
		now := c.opts.Now()
		s := &state{st: Online, since: now, flapped: now, pkg: c.spec.Kind.Package,
			disabled: map[string]bool{}, portFlap: map[string]time.Time{}, cleared: map[string]Baseline{}}
		if c.spec.Kind.Services && s.pkg == "" {
			s.pkg = DefaultPackage
		}
		return s
	})
}

// Stop ends the card's goroutine and waits for it. It is safe to call more
// than once, and before Start.
func (c *Card) Stop() { c.loop.Stop() }

// do runs f on the card's goroutine and waits for it.
func (c *Card) do(f func(*state)) error {
	if !c.loop.Do(f) {
		return ErrStopped
	}
	return nil
}

// enter moves the card to st and publishes the change.
func (c *Card) enter(s *state, st State) {
	if s.st == st {
		return
	}
	now := c.opts.Now()
	s.st, s.since = st, now
	if st == Online {
		s.flapped = now
		clear(s.portFlap)
	}
	if c.opts.Notify != nil {
		c.opts.Notify(Event{FPC: c.spec.FPC, PIC: c.spec.Slot, State: st, Time: now,
			Interfaces: append([]string(nil), c.names...)})
	}
}

// boot moves the card to Booting, then Online after the boot delay.
func (c *Card) boot(s *state) {
	c.loop.CancelTimer()
	c.enter(s, Booting)
	if c.opts.BootDelay <= 0 {
		c.enter(s, Online)
		return
	}
	c.loop.After(c.opts.BootDelay, func(s *state) { c.enter(s, Online) })
}

// SetOnline brings the PIC online (through Booting) or takes it offline. It
// returns the state the PIC was in.
func (c *Card) SetOnline(online bool) (State, error) {
	var was State
	err := c.do(func(s *state) {
		was = s.st
		switch {
		case online && s.st == Offline:
			c.boot(s)
		case !online && s.st != Offline:
			c.loop.CancelTimer()
			c.enter(s, Offline)
		}
	})
	return was, err
}

// Restart takes the PIC offline and boots it again.
func (c *Card) Restart() error {
	return c.do(func(s *state) {
		c.enter(s, Offline)
		c.boot(s)
	})
}

// Configure applies the PIC's part of the configuration. A change of the
// service package of an adaptive-services PIC reboots the PIC, as on Junos.
func (c *Card) Configure(cfg Config) error {
	return c.do(func(s *state) {
		now := c.opts.Now()
		for _, n := range c.names {
			if s.disabled[n] != cfg.Disabled[n] {
				s.portFlap[n] = now
			}
		}
		s.disabled = maps.Clone(cfg.Disabled)
		if s.disabled == nil {
			s.disabled = map[string]bool{}
		}
		if !c.spec.Kind.Services || c.spec.Kind.Package != "" {
			return
		}
		pkg := cfg.Package
		if pkg == "" {
			pkg = DefaultPackage
		}
		if pkg != s.pkg {
			s.pkg = pkg
			if s.st == Online || s.st == Booting {
				c.enter(s, Offline)
				c.boot(s)
			}
		}
	})
}

// ClearStats records the current counters of the named interfaces as their
// new zero.
func (c *Card) ClearStats(current map[string]Stats) error {
	return c.do(func(s *state) {
		now := c.opts.Now()
		for n, st := range current {
			s.cleared[n] = Baseline{At: now, Stats: st}
		}
	})
}

// Status returns a snapshot of the card.
func (c *Card) Status() (Status, error) {
	var st Status
	err := c.do(func(s *state) {
		st = Status{FPC: c.spec.FPC, Slot: c.spec.Slot, State: s.st, Since: s.since,
			Package: s.pkg, Cleared: maps.Clone(s.cleared)}
		if s.st != Online {
			return
		}
		st.Ports = make([]Port, len(c.names))
		for i, n := range c.names {
			f := s.flapped
			if t, ok := s.portFlap[n]; ok && t.After(f) {
				f = t
			}
			st.Ports[i] = Port{Name: n, Disabled: s.disabled[n], Flapped: f}
		}
	})
	return st, err
}
