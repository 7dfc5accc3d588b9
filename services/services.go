package services

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mxlab/config"
	"mxlab/netns"
	"mxlab/pic"
	"mxlab/services/ike"
	"mxlab/services/ike/ikev1"
	"mxlab/services/ike/ikev2"
	"mxlab/services/ipsec"
	"mxlab/services/kernel"
	"mxlab/services/mspic"
)

// Namespace runs functions inside the router's network namespace
// (netns.Router).
type Namespace interface {
	Do(fn func() error) error
}

// Hardware is what the services need from the chassis.
type Hardware interface {
	// Present reports whether a physical interface's PIC is online.
	Present(ifd string) bool
	// Watch returns the card state changes until ctx ends.
	Watch(ctx context.Context) <-chan pic.Event
}

// Options describe the services of a router.
type Options struct {
	Namespace Namespace // nil: no forwarding plane
	Hardware  Hardware
	StateDir  string // the trace file is <StateDir>/var/log/<file>
	Now       func() time.Time
	// Veth gives service units veth pairs instead of TUN devices (the
	// fallback where /dev/net/tun cannot be opened).
	Veth bool
	// Event receives lines for the router's system log (kmd events); nil
	// drops them.
	Event func(tag, msg string)
	// PKI is the router's certificate store, for IKE with certificates
	// (nil: certificate authentication fails).
	PKI Certificates
}

// Certificates is the router's PKI as IKE uses it (a *pki.Store).
type Certificates interface {
	ikev2.Certificates
	// CANames are the DER subjects of the CA certificates of profiles
	// (IKEv1 certificate requests).
	CANames(profiles []string) [][]byte
}

// DeviceMTU is the MTU of a service unit's device (Junos shows 9178 for
// family inet on ms- units); the tunnel MTU is enforced by the PIC.
const DeviceMTU = 9178

// Services are the IPsec services of one router.
type Services struct {
	opts  Options
	trace *tracer
	seqs  *seqFile // nil without a state directory
	last  atomic.Pointer[parsed]

	mu      sync.Mutex              // one commit at a time; guards the fields below
	faults  map[string]fault        // what Apply could not do, by the unit or step it concerns
	cardCfg map[string]mspic.Config // what each card was last given
	plan    *ipsec.Plan
	devs    map[string]device      // by unit
	cards   map[string]*mspic.Card // by service interface
	kmds    map[string]*ike.KMD    // key management of each card
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started bool
}

// New returns the services of a router; Start runs them.
func New(o Options) *Services {
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Services{opts: o, trace: newTracer(o.StateDir, o.Now), plan: &ipsec.Plan{},
		devs: map[string]device{}, cards: map[string]*mspic.Card{}, kmds: map[string]*ike.KMD{}, faults: map[string]fault{},
		cardCfg: map[string]mspic.Config{}}
	if o.StateDir != "" {
		s.seqs = newSeqFile(o.StateDir)
	}
	return s
}

// Prepare reads the service sets of a candidate configuration and creates
// the devices it needs; Apply hands the service sets to the PICs.
func (s *Services) Prepare(_ context.Context, _, root *config.Node) (config.Pending, error) {
	p := s.parse(root)
	plan, errs := p.plan, p.errs
	if len(errs) > 0 {
		return nil, errs[0]
	}
	s.mu.Lock()
	created, err := s.createDevices(plan)
	if err != nil {
		for _, t := range created {
			t.Close()
		}
		s.mu.Unlock()
		s.trace.log("error", err.Error())
		s.event("KMD_INTERNAL_ERROR", err.Error())
		var de *deviceError
		if errors.As(err, &de) {
			return nil, fmt.Errorf("commit failed: (could not create the device of interface %s)", de.unit)
		}
		return nil, fmt.Errorf("commit failed: (%v)", err)
	}
	return &pending{s: s, plan: plan, created: created}, nil
}

// wantedUnits are the interfaces that need a device: every configured
// services interface and its units (routes may point at any of them), and
// the units the service sets use.
func wantedUnits(plan *ipsec.Plan) []string {
	var units []string
	add := func(u string) {
		if u != "" && !slices.Contains(units, u) {
			units = append(units, u)
		}
	}
	for u := range plan.UnitAddrs {
		phys, _ := netns.SplitUnit(u)
		add(phys)
		add(u)
	}
	for _, ss := range plan.Sets {
		add(ss.Device())
	}
	slices.Sort(units)
	return units
}

// device is the device of a service unit: a TUN device, or a veth pair
// where TUN devices cannot be opened.
type device interface {
	mspic.Device
	Name() string
	Close() error
}

func (s *Services) createDevices(plan *ipsec.Plan) (map[string]device, error) {
	created := map[string]device{}
	if s.opts.Namespace == nil {
		return created, nil
	}
	for _, u := range wantedUnits(plan) {
		if s.devs[u] != nil {
			continue
		}
		linux, err := netns.LinuxName(u)
		if err != nil {
			return created, &deviceError{unit: u, err: err}
		}
		d, err := s.openDevice(linux)
		if err != nil {
			return created, &deviceError{unit: u, err: err}
		}
		created[u] = d
	}
	return created, nil
}

// deviceError is a device of a service unit that could not be created.
type deviceError struct {
	unit string
	err  error
}

func (e *deviceError) Error() string { return "interface " + e.unit + ": " + e.err.Error() }
func (e *deviceError) Unwrap() error { return e.err }

// openDevice opens a TUN device, or a veth pair when TUN devices cannot
// be opened (or Options.Veth asks for one).
func (s *Services) openDevice(linux string) (device, error) {
	if !s.opts.Veth {
		t, err := kernel.OpenTUN(s.opts.Namespace.Do, linux, DeviceMTU)
		if err == nil {
			return t, nil
		}
		s.trace.log("notice", fmt.Sprintf("%s: %v; using a veth pair", linux, err))
	}
	return kernel.OpenVeth(s.opts.Namespace.Do, linux, DeviceMTU)
}

type pending struct {
	s       *Services
	plan    *ipsec.Plan
	created map[string]device
	once    sync.Once
}

func (p *pending) Apply() { p.once.Do(func() { p.s.apply(p.plan, p.created); p.s.mu.Unlock() }) }

func (p *pending) Abort() {
	p.once.Do(func() {
		for _, t := range p.created {
			t.Close()
		}
		p.s.mu.Unlock()
	})
}

// apply runs with s.mu held.
func (s *Services) apply(plan *ipsec.Plan, created map[string]device) {
	for u, t := range created {
		s.devs[u] = t
	}
	s.plan = plan
	s.trace.configure(plan.Trace)
	if s.started {
		s.configureCards()
	}
	want := wantedUnits(plan)
	for u, t := range s.devs {
		if !slices.Contains(want, u) {
			t.Close()
			delete(s.devs, u)
		}
	}
	s.syncDevices()
}

// syncDevices gives the devices their configured addresses and the
// interface-style service sets their policy rules.
func (s *Services) syncDevices() {
	if s.opts.Namespace == nil {
		return
	}
	for u, t := range s.devs {
		err := kernel.SetAddrs(s.opts.Namespace.Do, t.Name(), s.plan.UnitAddrs[u])
		s.setFault("address "+u, err, func(err error) string {
			return fmt.Sprintf("interface %s: its addresses could not be set: %v", u, err)
		})
	}
	s.setFault("rules", s.syncRules(), func(err error) string {
		return fmt.Sprintf("interface service sets: traffic of their interfaces cannot be steered to the services PIC: %v", err)
	})
	for k := range s.faults {
		if strings.HasPrefix(k, "address ") && s.devs[strings.TrimPrefix(k, "address ")] == nil {
			delete(s.faults, k)
		}
	}
}

// fault is something Apply could not do.
type fault struct {
	since time.Time
	msg   string
}

// setFault records or clears the fault of key and logs each change; s.mu
// is held.
func (s *Services) setFault(key string, err error, text func(error) string) {
	old, had := s.faults[key]
	if err == nil {
		if had {
			delete(s.faults, key)
			s.event("KMD_INTERNAL_ERROR", old.msg+": recovered")
		}
		return
	}
	msg := text(err)
	if had && old.msg == msg {
		return
	}
	s.faults[key] = fault{since: s.opts.Now(), msg: msg}
	s.trace.log("error", msg)
	s.event("KMD_INTERNAL_ERROR", msg)
}

func (s *Services) event(tag, msg string) {
	if s.opts.Event != nil {
		s.opts.Event(tag, msg)
	}
}

// configureCards gives every PIC its service sets, creating the engines
// of PICs not seen before; s.mu is held.
func (s *Services) configureCards() {
	bySIC := map[string][]*ipsec.ServiceSet{}
	for _, ss := range s.plan.Sets {
		bySIC[ss.PIC()] = append(bySIC[ss.PIC()], ss)
	}
	for name := range bySIC {
		if s.cards[name] == nil {
			s.startCard(name)
		}
	}
	devs := map[string]mspic.Device{}
	for u, t := range s.devs {
		devs[u] = t
	}
	for name, c := range s.cards {
		cfg := mspic.Config{Sets: bySIC[name], Devices: devs,
			NoTunnelHop: s.plan.NoTunnelHop, ClearOnRestart: s.plan.ClearOnRestart}
		// A PIC whose service sets did not change keeps its SAs; its key
		// management takes the tunnels again all the same (it keeps the
		// SAs of the tunnels that did not change, and follows
		// establish-tunnels and the clear-on-restart settings).
		if old, ok := s.cardCfg[name]; !ok || !sameCardConfig(old, cfg) {
			s.cardCfg[name] = cfg
			err := c.Configure(cfg)
			if errors.Is(err, mspic.ErrStopped) {
				err = nil
			}
			s.setFault("card "+name, err, func(err error) string {
				return fmt.Sprintf("%s: the service sets could not be installed: %v", name, err)
			})
		}
		err := s.kmds[name].Configure(ike.Config{Tunnels: ike.Tunnels(bySIC[name], s.plan.Establish),
			ClearIKEOnRestart: s.plan.ClearIKEOnRestart, ClearIPsecOnRestart: s.plan.ClearOnRestart})
		if err != nil && !errors.Is(err, ike.ErrStopped) {
			s.trace.log("error", fmt.Sprintf("%s: %v", name, err))
		}
	}
	s.refreshGateways()
}

func (s *Services) startCard(name string) {
	var net mspic.Net
	if s.opts.Namespace != nil {
		net = kernelNet{do: s.opts.Namespace.Do}
	}
	k := ike.New(ike.Options{Name: name, Now: s.opts.Now,
		Log:       func(level, msg string) { s.trace.flagged("ike", level, msg) },
		Protocols: map[int]func(ike.Host) ike.Protocol{1: s.ikev1, 2: s.ikev2}})
	o := mspic.Options{Name: name, Net: net, Now: s.opts.Now, Log: s.trace.log, Event: s.opts.Event, Keys: k}
	if s.seqs != nil {
		o.Seqs = s.seqs
	}
	c := mspic.New(o)
	k.SetCard(c)
	if s.opts.Namespace != nil {
		k.SetNet(kmdNet{do: s.opts.Namespace.Do})
	}
	c.Start(s.ctx)
	k.Start(s.ctx)
	s.cards[name] = c
	s.kmds[name] = k
	s.setOnline(name, s.present(name))
}

// ikev1 makes IKEv1 for a card's key management, with the router's PKI.
func (s *Services) ikev1(h ike.Host) ike.Protocol {
	if s.opts.PKI == nil {
		return ikev1.New(h)
	}
	return ikev1.NewWith(h, s.opts.PKI)
}

// ikev2 makes IKEv2 for a card's key management, with the router's PKI.
func (s *Services) ikev2(h ike.Host) ike.Protocol {
	o := ikev2.DefaultOptions()
	if s.opts.PKI != nil {
		o.PKI = s.opts.PKI
	}
	return ikev2.NewWith(h, o)
}

// setOnline tells a card and its key management that the PIC went
// online or offline (the card first, so that SAs can be installed).
func (s *Services) setOnline(name string, online bool) {
	s.cards[name].SetOnline(online)
	s.kmds[name].SetOnline(online)
}

func (s *Services) present(ifd string) bool {
	return s.opts.Hardware != nil && s.opts.Hardware.Present(ifd)
}

// refreshGateways tells the cards which gw-interfaces are down.
func (s *Services) refreshGateways() {
	for _, ss := range s.plan.Sets {
		if ss.GWInterface == "" {
			continue
		}
		if c := s.cards[ss.PIC()]; c != nil {
			phys, _ := netns.SplitUnit(ss.GWInterface)
			c.SetGateway(ss.GWInterface, s.present(phys))
			s.kmds[ss.PIC()].SetGateway(ss.GWInterface, s.present(phys))
		}
	}
}

// Start runs the PIC engines with the committed configuration root and
// follows the hardware until ctx ends or Stop is called.
func (s *Services) Start(ctx context.Context, root *config.Node) error {
	s.mu.Lock()
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.started = true
	s.mu.Unlock()
	p, err := s.Prepare(ctx, nil, root)
	if err != nil {
		return err
	}
	p.Apply()
	if s.opts.Hardware == nil {
		return nil
	}
	events := s.opts.Hardware.Watch(s.ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runEvents(s.ctx, events)
	}()
	return nil
}

// runEvents follows PIC and FPC state changes.
func (s *Services) runEvents(ctx context.Context, events <-chan pic.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			s.mu.Lock()
			for _, ifd := range ev.Interfaces {
				if s.cards[ifd] != nil {
					s.setOnline(ifd, ev.State == pic.Online)
				}
			}
			s.refreshGateways()
			s.mu.Unlock()
		}
	}
}

// Stop ends the PIC engines and removes the devices; it waits for every
// goroutine and is safe to call twice.
func (s *Services) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.kmds {
		k.Stop()
	}
	for _, c := range s.cards {
		c.Stop()
	}
	s.plan = &ipsec.Plan{}
	s.syncRules()
	for u, t := range s.devs {
		t.Close()
		delete(s.devs, u)
	}
	s.trace.close()
}

// cardList returns the PIC engines.
func (s *Services) cardList() []*mspic.Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*mspic.Card, 0, len(s.cards))
	for _, c := range s.cards {
		out = append(out, c)
	}
	return out
}

// Status returns the state of every PIC running service sets, in
// interface order.
func (s *Services) Status() []mspic.Status {
	s.mu.Lock()
	names := make([]string, 0, len(s.cards))
	cards := make(map[string]*mspic.Card, len(s.cards))
	for n, c := range s.cards {
		names = append(names, n)
		cards[n] = c
	}
	s.mu.Unlock()
	slices.SortFunc(names, compareIfNames)
	var out []mspic.Status
	for _, n := range names {
		st, err := cards[n].Status()
		if err != nil {
			continue
		}
		out = append(out, st)
	}
	return out
}

// kernelNet opens the sockets of a card in the namespace.
type kernelNet struct{ do kernel.DoFunc }

func (k kernelNet) OpenESP(a netip.Addr) (mspic.Receiver, error) { return kernel.OpenESP(k.do, a) }
func (k kernelNet) OpenUDP(a netip.Addr, port uint16) (mspic.Receiver, error) {
	return kernel.OpenUDP(k.do, a, port)
}
func (k kernelNet) OpenSender(avoid []netip.AddrPort) (mspic.Sender, error) {
	return kernel.OpenSender(k.do, avoid)
}

// kmdNet opens the IKE socket of a card's key management.
type kmdNet struct{ do kernel.DoFunc }

func (k kmdNet) OpenSender() (ike.Sender, error) { return kernel.OpenSender(k.do, nil) }

// sameCardConfig reports whether two configurations of a card are the
// same: the same service sets (compared by value), devices and options.
func sameCardConfig(a, b mspic.Config) bool {
	if a.NoTunnelHop != b.NoTunnelHop || a.ClearOnRestart != b.ClearOnRestart || len(a.Devices) != len(b.Devices) {
		return false
	}
	for u, d := range a.Devices {
		if b.Devices[u] != d {
			return false
		}
	}
	return reflect.DeepEqual(a.Sets, b.Sets)
}

// Drops returns what the PIC ifd dropped itself: cleartext its devices
// refused (input) and ESP it could not send (output), over all its
// service sets.
func (s *Services) Drops(ifd string) (in, out uint64) {
	s.mu.Lock()
	c := s.cards[ifd]
	s.mu.Unlock()
	if c == nil {
		return 0, 0
	}
	st, err := c.Status()
	if err != nil {
		return 0, 0
	}
	for _, ss := range st.Sets {
		in += ss.Stats.DeviceErrors
		out += ss.Stats.SendErrors
	}
	return in, out
}
