package fpc

import (
	"context"
	"errors"
	"time"

	"mxlab/internal/card"
	"mxlab/pic"
)

// ErrNotOnline is returned for a PIC request on an FPC that is not online.
var ErrNotOnline = errors.New("fpc not online")

// ErrNoPIC is returned for a PIC slot that holds no PIC.
var ErrNoPIC = errors.New("pic slot empty")

// Spec is what an FPC carries: its slot and its PICs.
type Spec struct {
	Slot int
	PICs []pic.Spec
}

// Options tune a Card and its PICs.
type Options struct {
	// BootDelay is how long the FPC, then each of its PICs, stays Booting.
	BootDelay time.Duration
	// Notify is called on every FPC and PIC state change, from the card's
	// goroutines; it must not block nor call the card.
	Notify func(pic.Event)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Card is a running FPC.
type Card struct {
	slot int
	opts Options
	pics map[int]*pic.Card // by PIC slot; fixed at New
	loop *card.Loop[state]
}

// state is owned by the card's goroutine.
type state struct {
	st    pic.State
	since time.Time
}

// New returns a stopped Card and its PICs.
func New(spec Spec, opts Options) *Card {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Card{slot: spec.Slot, opts: opts, pics: make(map[int]*pic.Card, len(spec.PICs)),
		loop: card.NewLoop[state]()}
	popts := pic.Options{BootDelay: opts.BootDelay, Notify: opts.Notify, Now: opts.Now}
	for _, ps := range spec.PICs {
		ps.FPC = spec.Slot
		c.pics[ps.Slot] = pic.New(ps, popts)
	}
	return c
}

// Slot returns the FPC slot.
func (c *Card) Slot() int { return c.slot }

// PIC returns the PIC in slot, or nil.
func (c *Card) PIC(slot int) *pic.Card { return c.pics[slot] }

// Start runs the FPC and its PICs, all Online, until ctx ends or Stop.
func (c *Card) Start(ctx context.Context) {
	c.loop.Start(ctx, func() *state {
		for _, p := range c.pics {
			p.Start(ctx)
		}
		return &state{st: pic.Online, since: c.opts.Now()}
	})
}

// Stop ends the FPC's goroutine and its PICs' and waits for them. It is
// safe to call more than once, and before Start.
func (c *Card) Stop() {
	c.loop.Stop()
	for _, p := range c.pics {
		p.Stop()
	}
}

// do runs f on the FPC's goroutine and waits for it.
func (c *Card) do(f func(*state)) error {
	if !c.loop.Do(f) {
		return pic.ErrStopped
	}
	return nil
}

func (c *Card) enter(s *state, st pic.State) {
	if s.st == st {
		return
	}
	now := c.opts.Now()
	s.st, s.since = st, now
	if c.opts.Notify != nil {
		c.opts.Notify(pic.Event{FPC: c.slot, PIC: -1, State: st, Time: now})
	}
}

// online finishes the boot: the FPC is Online and its PICs boot.
func (c *Card) online(s *state) {
	c.enter(s, pic.Online)
	for _, p := range c.pics {
		_, _ = p.SetOnline(true) // a stopped PIC means the router is stopping
	}
}

func (c *Card) offline(s *state) {
	c.loop.CancelTimer()
	for _, p := range c.pics {
		_, _ = p.SetOnline(false)
	}
	c.enter(s, pic.Offline)
}

func (c *Card) boot(s *state) {
	c.enter(s, pic.Booting)
	if c.opts.BootDelay <= 0 {
		c.online(s)
		return
	}
	c.loop.After(c.opts.BootDelay, c.online)
}

// SetOnline boots the FPC and then its PICs, or takes the PICs and the FPC
// offline. It returns the state the FPC was in.
func (c *Card) SetOnline(online bool) (pic.State, error) {
	var was pic.State
	err := c.do(func(s *state) {
		was = s.st
		switch {
		case online && s.st == pic.Offline:
			c.boot(s)
		case !online && s.st != pic.Offline:
			c.offline(s)
		}
	})
	return was, err
}

// Restart takes the FPC offline and boots it again.
func (c *Card) Restart() error {
	return c.do(func(s *state) {
		c.offline(s)
		c.boot(s)
	})
}

// SetPICOnline brings a PIC of an online FPC online or offline, returning
// the state the PIC was in.
func (c *Card) SetPICOnline(slot int, online bool) (pic.State, error) {
	p := c.pics[slot]
	if p == nil {
		return pic.Empty, ErrNoPIC
	}
	var was pic.State
	var err error
	derr := c.do(func(s *state) {
		if s.st != pic.Online {
			err = ErrNotOnline
			return
		}
		was, err = p.SetOnline(online)
	})
	if derr != nil {
		return was, derr
	}
	return was, err
}

// Status is a snapshot of an FPC.
type Status struct {
	Slot  int
	State pic.State
	Since time.Time
}

// Status returns a snapshot of the FPC (not of its PICs).
func (c *Card) Status() (Status, error) {
	var st Status
	err := c.do(func(s *state) { st = Status{Slot: c.slot, State: s.st, Since: s.since} })
	return st, err
}
