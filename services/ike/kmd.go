package ike

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/mspic"
)

// Card is what the engine needs from the card's data path (mspic.Card).
type Card interface {
	InstallSA(d mspic.DynamicSA) error
	RemoveSA(set string, inSPI uint32) error
}

// Sender sends whole IPv4 packets (kernel.Sender).
type Sender interface {
	SendBatch(pkts [][]byte) (int, error)
	Close() error
}

// Net opens the engine's sending socket in the router's namespace.
type Net interface {
	OpenSender() (Sender, error)
}

// Options describe an engine.
type Options struct {
	Name string // the service interface, "ms-4/0/0"
	Card Card
	Net  Net // nil: nothing is sent (no forwarding plane)
	// Log writes key-management events (traceoptions flag ike).
	Log func(level, msg string)
	Now func() time.Time
	// Protocols make the protocol of each IKE version (1, 2).
	Protocols map[int]func(Host) Protocol
}

// Config is what a commit gives the engine.
type Config struct {
	Tunnels []*Tunnel
	// ClearIKEOnRestart and ClearIPsecOnRestart are
	// clear-ike-sas-on-pic-restart and clear-ipsec-sas-on-pic-restart.
	ClearIKEOnRestart, ClearIPsecOnRestart bool
}

// ErrStopped is returned by the methods of an engine that is not running.
var ErrStopped = errors.New("key management stopped")

// queue sizes of the inputs from the card's I/O goroutines.
const (
	inQueue  = 1024
	acqQueue = 256
)

// KMD is the key-management engine of one MS PIC.
type KMD struct {
	opts     Options
	ops      chan func()
	in       chan message
	acq      chan termRef
	quit     chan struct{}
	overflow atomic.Uint64

	mu      sync.Mutex
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started bool

	// Owned by the engine's goroutine.
	e *engine
}

type message struct {
	local, remote netip.AddrPort
	msg           []byte
}

type termRef struct {
	set  string
	term int
}

// New returns an engine; Start runs it.
func New(o Options) *KMD {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = func(string, string) {}
	}
	k := &KMD{opts: o, ops: make(chan func()), in: make(chan message, inQueue), acq: make(chan termRef, acqQueue),
		quit: make(chan struct{})}
	k.e = &engine{k: k, protos: map[int]Protocol{}, installed: map[*Child]bool{}, timers: map[*timer]bool{}}
	return k
}

// SetCard gives the engine its card; it must be called before Start.
func (k *KMD) SetCard(c Card) { k.opts.Card = c }

// SetNet gives the engine its network; it must be called before Start.
func (k *KMD) SetNet(n Net) { k.opts.Net = n }

// Start runs the engine until ctx ends or Stop is called.
func (k *KMD) Start(ctx context.Context) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.started {
		return
	}
	k.started = true
	ctx, k.cancel = context.WithCancel(ctx)
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		defer close(k.quit)
		k.run(ctx)
	}()
}

// Stop deletes every IKE SA (telling the peers), ends the engine and
// waits for it. It is safe to call more than once.
func (k *KMD) Stop() {
	k.mu.Lock()
	cancel, started := k.cancel, k.started
	k.mu.Unlock()
	if !started {
		return
	}
	k.do(func(e *engine) error { e.shutdown(); return nil })
	if cancel != nil {
		cancel()
	}
	k.wg.Wait()
}

func (k *KMD) run(ctx context.Context) {
	e := k.e
	for name, mk := range k.opts.Protocols {
		e.protos[name] = mk(e)
	}
	defer e.close()
	for {
		select {
		case <-ctx.Done():
			return
		case op := <-k.ops:
			op()
		case m := <-k.in:
			e.receive(m)
		case a := <-k.acq:
			e.acquire(a)
		}
	}
}

// do runs op on the engine's goroutine and waits for it.
func (k *KMD) do(op func(*engine) error) error {
	done := make(chan error, 1)
	select {
	case k.ops <- func() { done <- op(k.e) }:
	case <-k.quit:
		return ErrStopped
	}
	select {
	case err := <-done:
		return err
	case <-k.quit:
		return ErrStopped
	}
}

// IKE hands the engine an IKE message the card received
// (mspic.KeyManager); it never blocks.
func (k *KMD) IKE(local, remote netip.AddrPort, msg []byte) {
	select {
	case k.in <- message{local, remote, append([]byte(nil), msg...)}:
	default:
		k.overflow.Add(1)
	}
}

// Acquire reports traffic for a tunnel without SA (mspic.KeyManager); it
// never blocks.
func (k *KMD) Acquire(set string, term int) {
	select {
	case k.acq <- termRef{set, term}:
	default:
	}
}

// Configure gives the engine the tunnels of a commit.
func (k *KMD) Configure(cfg Config) error {
	return k.do(func(e *engine) error { e.configure(cfg); return nil })
}

// SetOnline tells the engine that the PIC went online or offline.
func (k *KMD) SetOnline(online bool) error {
	return k.do(func(e *engine) error { e.setOnline(online); return nil })
}

// SetGateway tells the engine that a gw-interface went down or came back
// (spec O3): while it is down the tunnels of its service sets are not
// negotiated, and the child SAs of its next-hop service sets are cleared;
// when it comes back they are negotiated per establish-tunnels.
func (k *KMD) SetGateway(ifl string, up bool) error {
	return k.do(func(e *engine) error { e.setGateway(ifl, up); return nil })
}

// ClearIKE deletes the IKE SAs with peer (all when peer is not valid);
// tunnels come back per establish-tunnels.
func (k *KMD) ClearIKE(peer netip.Addr) error {
	return k.do(func(e *engine) error { e.clearIKE(peer); return nil })
}

// ClearIPsec deletes the child SAs of a service set ("" for all); tunnels
// come back per establish-tunnels.
func (k *KMD) ClearIPsec(set string) error {
	return k.do(func(e *engine) error { e.clearIPsec(set); return nil })
}

// Status returns the IKE SAs of the card, in order, and the messages
// dropped.
func (k *KMD) Status() ([]SAStatus, Drops, error) {
	var sas []SAStatus
	var d Drops
	err := k.do(func(e *engine) error {
		for _, v := range []int{1, 2} {
			if p := e.protos[v]; p != nil {
				s, x := p.Status()
				sas = append(sas, s...)
				d.Add(x)
			}
		}
		d.BadVersion += e.badVersion
		d.Malformed += e.malformed
		return nil
	})
	d.Overflow += k.overflow.Load()
	return sas, d, err
}

// engine is the state of the engine's goroutine; it is the Host of the
// protocols.
type engine struct {
	k          *KMD
	cfg        Config
	protos     map[int]Protocol
	online     bool
	snd        Sender
	sndErr     error
	installed  map[*Child]bool
	timers     map[*timer]bool
	badVersion uint64
	malformed  uint64
	stopped    bool
	ipID       uint16
	// lost are the tunnels whose children the PIC lost going offline.
	lost map[string]bool
	// gwDown are the gw-interfaces that are down.
	gwDown map[string]bool
}

func tunnelKey(t *Tunnel) string { return t.Set.Name + "\x00" + t.Term.Rule + "\x00" + t.Term.Name }

func (e *engine) logf(format string, args ...any) {
	e.k.opts.Log("info", e.k.opts.Name+": "+fmt.Sprintf(format, args...))
}

func (e *engine) configure(cfg Config) {
	e.cfg = cfg
	for v, p := range e.protos {
		var ts []*Tunnel
		for _, t := range cfg.Tunnels {
			if t.IKE.Version == v {
				ts = append(ts, t)
			}
		}
		p.Configure(ts)
	}
	for _, t := range cfg.Tunnels {
		if e.protos[t.IKE.Version] == nil {
			e.logf("%s: IKE version %d is not available", t.Name(), t.IKE.Version)
		}
	}
	e.establish(func(t *Tunnel) bool { return t.Establish == "immediately" })
}

// establish initiates the tunnels that want accepts, when the PIC runs.
func (e *engine) establish(want func(*Tunnel) bool) {
	if !e.online {
		return
	}
	for _, t := range e.cfg.Tunnels {
		if p := e.protos[t.IKE.Version]; p != nil && want(t) && t.Establish != "responder-only" && initiable(t) &&
			!e.gwDown[t.Set.GWInterface] {
			p.Initiate(t)
		}
	}
}

// initiable reports whether the tunnel has a peer to initiate to (not a
// dynamic peer, remote-gateway 0.0.0.0).
func initiable(t *Tunnel) bool { return t.Remote.IsValid() && !t.Remote.IsUnspecified() }

func (e *engine) setGateway(ifl string, up bool) {
	if e.gwDown == nil {
		e.gwDown = map[string]bool{}
	}
	if e.gwDown[ifl] == !up {
		return
	}
	of := func(t *Tunnel) bool { return t.Set.GWInterface == ifl }
	if up {
		delete(e.gwDown, ifl)
		e.logf("gw-interface %s up", ifl)
		e.establish(func(t *Tunnel) bool { return of(t) && t.Establish == "immediately" })
		return
	}
	e.gwDown[ifl] = true
	e.logf("gw-interface %s down", ifl)
	for _, p := range e.protos {
		p.DeleteChildren(func(t *Tunnel) bool { return of(t) && t.Set.Style == ipsec.NextHop }, false)
	}
}

func (e *engine) setOnline(online bool) {
	if e.online == online {
		return
	}
	e.online = online
	if !online {
		// The card lost its ESP SAs; the IKE SAs live on (the
		// protocols notice what they miss).
		e.lost = map[string]bool{}
		for c := range e.installed {
			e.lost[tunnelKey(c.Tunnel)] = true
		}
		clear(e.installed)
		e.logf("PIC offline: IPsec SAs lost")
		return
	}
	e.logf("PIC online")
	all := func(*Tunnel) bool { return true }
	for _, p := range e.protos {
		if e.cfg.ClearIKEOnRestart {
			// The card lost the IPsec SAs: forget them (an IKEv1 IKE
			// SA does not take them along), then delete the IKE SAs,
			// telling the peers.
			p.DeleteChildren(all, false)
			p.DeleteIKE(netip.Addr{}, true)
		} else {
			p.DeleteChildren(all, true)
		}
	}
	lost := e.lost
	e.lost = nil
	e.establish(func(t *Tunnel) bool {
		return t.Establish == "immediately" || (!e.cfg.ClearIPsecOnRestart && lost[tunnelKey(t)])
	})
}

func (e *engine) clearIKE(peer netip.Addr) {
	for _, p := range e.protos {
		p.DeleteIKE(peer, true)
	}
	e.establish(func(t *Tunnel) bool {
		return t.Establish == "immediately" && (!peer.IsValid() || t.Remote == peer || t.Backup == peer)
	})
}

func (e *engine) clearIPsec(set string) {
	match := func(t *Tunnel) bool { return set == "" || t.Set.Name == set }
	for _, p := range e.protos {
		p.DeleteChildren(match, true)
	}
	e.establish(func(t *Tunnel) bool { return t.Establish == "immediately" && match(t) })
}

// receive dispatches a message by its version octet.
func (e *engine) receive(m message) {
	if !e.online {
		return
	}
	if len(m.msg) < 28 {
		e.malformed++ // shorter than the IKE header
		return
	}
	p := e.protos[int(m.msg[17]>>4)]
	if p == nil {
		e.badVersion++
		return
	}
	p.Receive(m.local, m.remote, m.msg)
}

func (e *engine) acquire(a termRef) {
	for _, t := range e.cfg.Tunnels {
		if t.Set.Name == a.set && t.Term.Index == a.term {
			if p := e.protos[t.IKE.Version]; p != nil && e.online && t.Establish != "responder-only" && initiable(t) &&
				!e.gwDown[t.Set.GWInterface] {
				p.Initiate(t)
			}
			return
		}
	}
}

func (e *engine) shutdown() {
	if e.stopped {
		return
	}
	for _, p := range e.protos {
		p.DeleteIKE(netip.Addr{}, true)
	}
	e.stopped = true
}

func (e *engine) close() {
	for t := range e.timers {
		t.t.Stop()
	}
	if e.snd != nil {
		e.snd.Close()
	}
}

// Send implements Host.
func (e *engine) Send(local, remote netip.AddrPort, msg []byte) {
	if !e.online {
		return
	}
	if e.snd == nil && e.sndErr == nil && e.k.opts.Net != nil {
		e.snd, e.sndErr = e.k.opts.Net.OpenSender()
		if e.sndErr != nil {
			e.k.opts.Log("error", e.k.opts.Name+": cannot open the IKE socket: "+e.sndErr.Error())
		}
	}
	if e.snd == nil {
		return
	}
	e.ipID++
	e.snd.SendBatch([][]byte{udpPacket(local, remote, msg, e.ipID)})
}

// Install implements Host.
func (e *engine) Install(c *Child) error {
	d := mspic.DynamicSA{Set: c.Tunnel.Set.Name, Term: c.Tunnel.Term.Index, InSPI: c.InSPI, OutSPI: c.OutSPI,
		Encryption: c.Encryption, Authentication: c.Integrity,
		InKeys:  [2][]byte{c.InKeys.Encryption, c.InKeys.Integrity},
		OutKeys: [2][]byte{c.OutKeys.Encryption, c.OutKeys.Integrity},
		Local:   c.Local, Remote: c.Remote, Created: c.Created, Lifetime: c.Lifetime, Standby: c.Standby}
	if !initiable(c.Tunnel) {
		// A tunnel with dynamic peers: each peer's pair carries only its
		// own networks.
		d.RemoteTS = c.RemoteTS
	}
	if err := e.k.opts.Card.InstallSA(d); err != nil {
		return err
	}
	e.installed[c] = true
	return nil
}

// Remove implements Host.
func (e *engine) Remove(c *Child) {
	if !e.installed[c] {
		return
	}
	delete(e.installed, c)
	e.k.opts.Card.RemoveSA(c.Tunnel.Set.Name, c.InSPI)
}

// timer is a Host timer: it fires on the engine's goroutine.
type timer struct {
	e       *engine
	t       *time.Timer
	stopped bool
}

func (t *timer) Stop() bool {
	if t.stopped {
		return false
	}
	t.stopped = true
	delete(t.e.timers, t)
	return t.t.Stop()
}

// AfterFunc implements Host.
func (e *engine) AfterFunc(d time.Duration, f func()) Timer {
	t := &timer{e: e}
	e.timers[t] = true
	k := e.k
	t.t = time.AfterFunc(d, func() {
		select {
		case k.ops <- func() {
			if t.stopped {
				return
			}
			t.stopped = true
			delete(e.timers, t)
			f()
		}:
		case <-k.quit:
		}
	})
	return t
}

// Logf implements Host.
func (e *engine) Logf(format string, args ...any) { e.logf(format, args...) }

// Now implements Host.
func (e *engine) Now() time.Time { return e.k.opts.Now() }

// Tunnels returns the tunnels of the dynamic terms of service sets (the
// service sets of one PIC), with establish-tunnels.
func Tunnels(sets []*ipsec.ServiceSet, establish string) []*Tunnel {
	var out []*Tunnel
	all := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	for _, ss := range sets {
		for _, t := range ss.Terms {
			d := t.Dynamic
			if d == nil || d.IKE == nil || d.IPsec == nil {
				continue
			}
			src, dst := t.Selector(ss.Style)
			if !src.IsValid() {
				src = all
			}
			if !dst.IsValid() {
				dst = all
			}
			out = append(out, &Tunnel{Set: ss, Term: t, Local: ss.LocalGateway, Remote: t.RemoteGateway,
				Backup: d.Backup, IKE: d.IKE, IPsec: d.IPsec, DPD: d.DPD, NATT: !d.NoNATT, NATKeepalive: d.NATKeepalive,
				TrustedCA: d.TrustedCA, EndCertOnly: d.EndCertOnly,
				Establish: establish, LocalTS: src.Masked(), RemoteTS: dst.Masked(),
				Profile: d.Profile, Dedicated: d.Dedicated})
		}
	}
	return out
}
