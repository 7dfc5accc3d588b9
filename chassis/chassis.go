package chassis

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"mxlab/fpc"
	"mxlab/pic"
)

// State is the state of an FPC or a PIC.
type State = pic.State

// Event tells that an FPC (PIC == -1) or a PIC changed state.
type Event = pic.Event

// Stats are the traffic counters of an interface.
type Stats = pic.Stats

// Counters gives the traffic counters of interfaces; the forwarding plane
// implements it. Without one, counters read zero.
type Counters interface {
	Stats(ifname string) (Stats, bool)
}

// LinkReporter may also be implemented by the Counters value to tell whether
// a port has a link partner; without it a present, enabled port is up.
type LinkReporter interface {
	LinkUp(ifname string) bool
}

// ErrEmptySlot is returned by a chassis request for a slot with no card.
var ErrEmptySlot = errors.New("slot empty")

// SlotError tells that a request named a slot with no card in it.
type SlotError struct {
	FPC, PIC int // PIC is -1 for an FPC request
}

func (e *SlotError) Error() string {
	if e.PIC < 0 {
		return fmt.Sprintf("fpc %d: %v", e.FPC, ErrEmptySlot)
	}
	return fmt.Sprintf("fpc %d pic %d: %v", e.FPC, e.PIC, ErrEmptySlot)
}

func (e *SlotError) Unwrap() error { return ErrEmptySlot }

// Chassis is a router's hardware: its model, its FPCs and PICs, its
// interfaces and alarms.
type Chassis struct {
	name  string
	hw    *hardware
	ser   serials
	cards map[int]*fpc.Card // by FPC slot; fixed at New
	now   func() time.Time
	ev    broker
	idx   ifIndexes
	rates rates

	mu       sync.Mutex // guards the fields below
	cfg      Config
	counters Counters
	started  bool
	stopped  bool
	start    time.Time
	cancel   context.CancelFunc
	reClear  map[string]pic.Baseline // "clear interfaces statistics" of lo0, fxp0
	// alarmSrcs add the alarms of other subsystems (AddAlarmSource).
	alarmSrcs []func() []Alarm

	quit chan struct{}  // closed by Stop
	wg   sync.WaitGroup // watchers
}

// New builds a router's chassis from its layout. name is the router's name;
// serial numbers and MAC addresses derive from it. Nothing runs before Start.
func New(name string, layout Layout) (*Chassis, error) {
	hw, err := resolve(layout)
	if err != nil {
		return nil, err
	}
	c := &Chassis{name: name, hw: hw, ser: serials{name}, cards: make(map[int]*fpc.Card, len(hw.fpcs)),
		now: time.Now, quit: make(chan struct{}), reClear: map[string]pic.Baseline{}}
	c.ev.init()
	c.rates.samples = map[string][]sample{}
	opts := fpc.Options{BootDelay: hw.bootDelay, Notify: c.ev.publish, Now: func() time.Time { return c.now() }}
	for _, f := range hw.fpcs {
		spec := fpc.Spec{Slot: f.slot}
		for _, p := range f.pics {
			spec.PICs = append(spec.PICs, pic.Spec{FPC: f.slot, Slot: p.slot, Kind: p.kind})
		}
		c.cards[f.slot] = fpc.New(spec, opts)
	}
	c.idx.init(c)
	return c, nil
}

// Name returns the router name the chassis was built for.
func (c *Chassis) Name() string { return c.name }

// Model returns the router model ("mx480").
func (c *Chassis) Model() string { return c.hw.model.Name }

// Start brings every card up, Online, at once. The cards run until ctx ends
// or Stop is called.
func (c *Chassis) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return errors.New("chassis already started")
	}
	c.started = true
	c.start = c.now()
	ctx, c.cancel = context.WithCancel(ctx)
	for _, f := range c.hw.fpcs {
		c.cards[f.slot].Start(ctx)
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.runRates(ctx)
	}()
	return nil
}

// Stop ends every card's goroutine and every watcher, and waits for them.
// It is idempotent.
func (c *Chassis) Stop() {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.stopped = true
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	close(c.quit)
	for _, f := range c.hw.fpcs {
		c.cards[f.slot].Stop()
	}
	c.wg.Wait()
}

// SetCounters sets the source of interface counters (the forwarding plane).
func (c *Chassis) SetCounters(k Counters) {
	c.mu.Lock()
	c.counters = k
	c.mu.Unlock()
}

func (c *Chassis) card(slot int) (*fpc.Card, error) {
	f := c.cards[slot]
	if f == nil {
		return nil, &SlotError{FPC: slot, PIC: -1}
	}
	return f, nil
}

// FPCOnline brings an FPC online (it boots, then its PICs) or takes it
// offline. It returns the state the FPC was in.
func (c *Chassis) FPCOnline(slot int, online bool) (State, error) {
	f, err := c.card(slot)
	if err != nil {
		return pic.Empty, err
	}
	return f.SetOnline(online)
}

// FPCRestart takes an FPC offline and boots it again.
func (c *Chassis) FPCRestart(slot int) error {
	f, err := c.card(slot)
	if err != nil {
		return err
	}
	return f.Restart()
}

// PICOnline brings a PIC online or offline. It returns the state the PIC
// was in.
func (c *Chassis) PICOnline(fslot, pslot int, online bool) (State, error) {
	f, err := c.card(fslot)
	if err != nil {
		return pic.Empty, err
	}
	was, err := f.SetPICOnline(pslot, online)
	if errors.Is(err, fpc.ErrNoPIC) {
		return was, &SlotError{FPC: fslot, PIC: pslot}
	}
	return was, err
}

// Watch returns the state changes of the cards from now on. The channel is
// closed when ctx ends or the chassis stops; the caller must keep reading it
// until then.
func (c *Chassis) Watch(ctx context.Context) <-chan Event {
	out := make(chan Event)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		close(out)
		return out
	}
	s := c.ev.subscribe()
	c.wg.Add(1)
	go c.runWatch(ctx, s, out)
	return out
}

func (c *Chassis) runWatch(ctx context.Context, s *subscriber, out chan<- Event) {
	defer c.wg.Done()
	defer close(out)
	defer c.ev.unsubscribe(s)
	for {
		batch := s.take()
		for _, e := range batch {
			select {
			case out <- e:
			case <-ctx.Done():
				return
			case <-c.quit:
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return
		case <-c.quit:
			return
		}
	}
}
