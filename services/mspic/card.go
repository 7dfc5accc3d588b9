package mspic

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"mxlab/services/ipsec"
)

// Device is the device of a service unit: what the kernel routes into the
// unit is read from it, what the PIC writes to it enters the router.
// Packets are read and written as they are on the wire: a device whose
// kernel side works with super-packets (segmentation offload) cuts and
// merges them itself.
type Device interface {
	ReadBatch(bufs [][]byte, sizes []int) (int, error)
	// WriteBatch writes packets in order (per flow) and returns how
	// many were written.
	WriteBatch(pkts [][]byte) (int, error)
	// SetReadDeadline ends blocked reads (the card stops its readers
	// this way; the device outlives them).
	SetReadDeadline(t time.Time) error
}

// Receiver is an ESP socket: whole IPv4 packets (raw ESP) or UDP payloads.
type Receiver interface {
	ReadBatch(bufs [][]byte, sizes []int) (int, error)
	Close() error
}

// Sender sends whole IPv4 packets.
type Sender interface {
	SendBatch(pkts [][]byte) (int, error)
	Close() error
}

// Net opens the sockets of a card in the router's namespace.
type Net interface {
	OpenESP(local netip.Addr) (Receiver, error)
	OpenUDP(local netip.Addr, port uint16) (Receiver, error)
	// OpenSender opens a Sender; avoid lists the local UDP addresses and
	// ports the card receives on, which it must leave to the receivers.
	OpenSender(avoid []netip.AddrPort) (Sender, error)
}

// Logger receives the key-management events of the card (level is a
// traceoptions level: error, notice, info).
type Logger func(level, msg string)

// Options describe a card.
type Options struct {
	Name string // service interface, "ms-4/0/0"
	Net  Net    // nil: no forwarding plane (SAs exist, no traffic)
	Log  Logger
	Now  func() time.Time
	// Keys is the card's key manager (nil: no IKE; IKE messages are
	// dropped).
	Keys KeyManager
	// Seqs keeps the sequence numbers of manual SAs across restarts (see
	// seq.go); nil keeps them in memory only.
	Seqs SeqStore
	// Event receives the lines for the router's system log (SAs installed
	// and deleted, sockets that fail); nil drops them.
	Event func(tag, msg string)
}

// ErrStopped is returned by the methods of a card that is not running.
var ErrStopped = errors.New("services pic stopped")

// Card is the IPsec engine of one MS PIC.
type Card struct {
	opts Options
	ops  chan func(*state) // closed by no one; run exits on ctx
	cur  atomic.Pointer[plane]
	quit chan struct{} // closed when run returns

	mu      sync.Mutex
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started bool
}

// New returns a card; Start runs it.
func New(o Options) *Card {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = func(string, string) {}
	}
	return &Card{opts: o, ops: make(chan func(*state)), quit: make(chan struct{})}
}

// Name returns the service interface of the card.
func (c *Card) Name() string { return c.opts.Name }

// Start runs the card's goroutine until ctx ends or Stop is called.
func (c *Card) Start(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return
	}
	c.started = true
	ctx, c.cancel = context.WithCancel(ctx)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(c.quit)
		c.run(ctx)
	}()
}

// Stop ends the card and every goroutine it started, and waits for them.
// It is safe to call more than once.
func (c *Card) Stop() {
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
}

func (c *Card) run(ctx context.Context) {
	st := newState(c)
	defer st.shutdown()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case op := <-c.ops:
			op(st)
		case <-tick.C:
			st.tick()
		}
	}
}

// do runs op on the card's goroutine and waits for it.
func (c *Card) do(op func(*state) error) error {
	done := make(chan error, 1)
	select {
	case c.ops <- func(s *state) { done <- op(s) }:
	case <-c.quit:
		return ErrStopped
	}
	select {
	case err := <-done:
		return err
	case <-c.quit:
		return ErrStopped
	}
}

// Config is what the configuration gives a card.
type Config struct {
	Sets        []*ipsec.ServiceSet // the service sets on this PIC
	Devices     map[string]Device   // by unit ("ms-4/0/0.1")
	NoTunnelHop bool                // no-ipsec-tunnel-in-traceroute
	// ClearOnRestart is clear-ipsec-sas-on-pic-restart.
	ClearOnRestart bool
}

// Configure replaces the card's configuration; SAs are built again.
func (c *Card) Configure(cfg Config) error {
	return c.do(func(s *state) error { return s.configure(cfg) })
}

// SetOnline tells the card that the PIC went online or offline. Offline
// stops every service set and clears its SAs (spec O3, H3).
func (c *Card) SetOnline(online bool) error {
	return c.do(func(s *state) error { return s.setOnline(online) })
}

// SetGateway tells the card that a logical interface (a gw-interface)
// went down or came back (spec O3).
func (c *Card) SetGateway(ifl string, up bool) error {
	return c.do(func(s *state) error { return s.setGateway(ifl, up) })
}

// ClearSAs tears down the SAs of one service set ("" for all); manual SAs
// are installed again at once.
func (c *Card) ClearSAs(set string) error {
	return c.do(func(s *state) error { return s.clearSAs(set) })
}

// ClearStats resets the statistics of one service set ("" for all).
func (c *Card) ClearStats(set string) error {
	return c.do(func(s *state) error { s.clearStats(set); return nil })
}

// Status returns a snapshot of the card's service sets.
func (c *Card) Status() (Status, error) {
	var st Status
	err := c.do(func(s *state) error { st = s.status(); return nil })
	return st, err
}
