package ospf

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"mxlab/routing"
)

// Flow of an instance: one goroutine (run) owns everything below. Packets
// come from the connection's reader goroutine through pkts; commands
// (configuration, interface and RIB changes, show and clear) come as
// closures through ctl; a one-second tick drives hellos, inactivity,
// retransmissions and aging; a timer runs the delayed SPF and LSA
// originations. After each packet the DR elections it caused run and the
// delayed acknowledgments go out.

// RIB is where an instance puts its routes.
type RIB interface {
	SetRoutes(instance string, p routing.Protocol, routes []*routing.Route) error
}

// area is an area of an instance.
type area struct {
	id      ID
	cfg     AreaConfig
	db      *lsdb
	ifaces  []*iface
	spfRuns int
	// abrs and asbrs count the border routers the last SPF reached.
	abrs, asbrs int
	translator  bool
}

func (a *area) stubby() bool { return a.cfg.Stub || a.cfg.NSSA }

// options are the options of our hellos and DBDs in the area.
func (a *area) options() uint8 {
	switch {
	case a.cfg.NSSA:
		return OptNP
	case a.cfg.Stub:
		return 0
	}
	return OptE
}

// lsaOptions are the options of the LSAs we originate in the area.
func (a *area) lsaOptions() uint8 {
	if a.stubby() {
		return OptDC
	}
	return OptDC | OptE
}

// Instance is OSPF in one routing instance.
type Instance struct {
	name  string // "" for master
	net   Net
	rib   RIB
	now   func() time.Time
	table int // kernel table (Route table index)
	log   *tracer

	pkts    chan Received
	ctl     chan func()
	mail    *mailbox
	dropped atomic.Uint64 // packets the full queue refused (reader goroutine)
	wg      sync.WaitGroup
	stop    context.CancelFunc

	// Owned by run.
	cfg       Config
	rid       ID
	conn      Conn
	areas     []*area
	ext       *lsdb
	ifs       map[string]IfState
	ribView   *routing.Table
	exported  []extRoute
	rt        *table
	installed []*routing.Route
	elect     []*iface
	stats     stats
	started   time.Time
	spfAt     time.Time
	origAt    time.Time
	spfRecent []time.Time
	lastSPF   time.Time
	timer     *time.Timer
	connErr   error
	retried   time.Time
}

// missing reports whether an interface that should run is down.
func (in *Instance) missing() bool {
	if in.cfg.Disable {
		return false
	}
	if in.conn == nil {
		return len(in.cfg.Areas) > 0
	}
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			st := in.ifs[i.name]
			if i.state == ifDown && !i.cfg.Disable && st.Up && (firstV4(st).IsValid() || i.cfg.P2P) {
				return true
			}
		}
	}
	return false
}

// newInstance returns an instance; Start runs it.
func newInstance(name string, net Net, rib RIB, now func() time.Time, log *tracer) *Instance {
	return &Instance{name: name, net: net, rib: rib, now: now, log: log,
		pkts: make(chan Received, 512), ctl: make(chan func(), 16), ext: newLSDB(), ifs: map[string]IfState{}}
}

// start runs the instance's goroutine until stop.
func (in *Instance) start() {
	ctx, cancel := context.WithCancel(context.Background())
	in.stop = cancel
	in.started = in.now()
	in.timer = time.NewTimer(time.Hour)
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		in.run(ctx)
	}()
}

// Stop ends the instance: its neighbors are told nothing (like a crash
// of the process, neighbors time out), its routes are withdrawn.
func (in *Instance) shutdown() {
	in.stop()
	in.wg.Wait()
}

// do runs f in the instance's goroutine and waits for it.
func (in *Instance) do(ctx context.Context, f func()) error {
	done := make(chan struct{})
	select {
	case in.ctl <- func() { f(); close(done) }:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// post runs f in the instance's goroutine without waiting.
func (in *Instance) post(f func()) { in.ctl <- f }

func (in *Instance) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	defer in.teardown()
	var wake <-chan struct{}
	if in.mail != nil {
		wake = in.mail.wake
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
			in.apply(in.mail.take())
			in.afterPacket()
		case p := <-in.pkts:
			in.receive(p)
			in.afterPacket()
		case f := <-in.ctl:
			f()
			in.afterPacket()
		case now := <-tick.C:
			in.tick(now)
			in.afterPacket()
		case <-in.timer.C:
			in.timers()
			in.afterPacket()
		}
	}
}

// afterPacket runs what a packet or event left to do: DR elections, the
// delayed acknowledgments and the timer of SPF and originations.
func (in *Instance) afterPacket() {
	for len(in.elect) > 0 {
		i := in.elect[0]
		in.elect = in.elect[1:]
		if i.state >= ifDROther {
			in.electDR(i)
		}
	}
	in.flushAcks()
	in.rearm()
}

func (in *Instance) rearm() {
	next := time.Time{}
	for _, t := range []time.Time{in.spfAt, in.origAt} {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if next.IsZero() {
		return
	}
	in.timer.Reset(max(next.Sub(in.now()), 0))
}

func (in *Instance) timers() {
	now := in.now()
	if !in.spfAt.IsZero() && !now.Before(in.spfAt) {
		in.spfAt = time.Time{}
		in.runSPF()
	}
	if !in.origAt.IsZero() && !now.Before(in.origAt) {
		in.origAt = time.Time{}
		in.originateAll()
	}
}

// dirty asks for our LSAs to be originated again (soon, once the current
// event is handled).
func (in *Instance) dirty() {
	at := in.now().Add(20 * time.Millisecond)
	if in.origAt.IsZero() || at.Before(in.origAt) {
		in.origAt = at
	}
}

// spfLater schedules a routing table calculation after the SPF delay, or
// the holddown after the rapid runs.
func (in *Instance) spfLater() {
	if !in.spfAt.IsZero() {
		return
	}
	now := in.now()
	delay := in.cfg.SPFDelay
	hold := in.cfg.SPFHolddown
	recent := 0
	for _, t := range in.spfRecent {
		if now.Sub(t) < hold {
			recent++
		}
	}
	if recent >= in.cfg.SPFRapidRuns {
		delay = hold
	}
	in.spfAt = now.Add(delay)
}

func (in *Instance) tick(now time.Time) {
	in.stats.roll()
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			if i.state == ifDown {
				continue
			}
			if i.state == ifWaiting && !now.Before(i.waitEnd) {
				in.electDR(i)
			}
			if !now.Before(i.hello) {
				// The election is run again with each hello: events alone
				// can leave two routers each taking the other for the DR
				// when their declarations crossed.
				if i.state >= ifDROther {
					in.electDR(i)
				}
				in.sendHello(i, now)
			}
			for _, n := range slices.Clone(i.nbrs) {
				in.tickNbr(n, now)
			}
		}
	}
	in.age(now)
	if now.Sub(in.retried) >= 5*time.Second && in.missing() {
		// An interface that is up has no link yet (a unit whose device
		// comes with its card), or the socket could not be opened: try
		// again.
		in.retried = now
		in.reconcile()
	}
	if in.cfg.Overload && in.cfg.OverloadUntil > 0 && now.Sub(in.started) >= in.cfg.OverloadUntil {
		in.cfg.Overload = false
		in.dirty()
	}
}

// age refreshes our LSAs when due and removes MaxAge LSAs nobody needs
// any more (RFC 2328 14).
func (in *Instance) age(now time.Time) {
	refresh := uint16(in.refreshSeconds())
	exchanging := in.anyExchanging()
	check := func(a *area, d *lsdb) {
		for _, e := range d.sorted() {
			k := e.lsa.Key()
			age := e.age(now)
			switch {
			case age >= MaxAge:
				if !exchanging && !in.onRxmt(a, k) {
					if e.lsa.Age < MaxAge && !e.ours {
						// It aged out here: flood the MaxAge copy first.
						l := in.aged(e, now)
						in.install(a, l, now, false)
						in.flood(a, l, nil, nil)
						continue
					}
					d.remove(k)
					in.spfLater()
				}
			case e.ours && age >= refresh:
				in.dirty()
			}
		}
	}
	for _, a := range in.areas {
		check(a, a.db)
	}
	if len(in.areas) > 0 {
		check(in.areas[0], in.ext)
	}
}

func (in *Instance) refreshSeconds() int {
	m := in.cfg.RefreshMinutes
	if m == 0 {
		m = DefaultRefresh
	}
	return m * 60
}

func (in *Instance) onRxmt(a *area, k LSAKey) bool {
	for _, ar := range in.areas {
		if !k.Type.asScope() && ar != a {
			continue
		}
		for _, i := range ar.ifaces {
			for _, n := range i.nbrs {
				if _, ok := n.rxmt[k]; ok {
					return true
				}
			}
		}
	}
	return false
}

// receive dispatches a packet (RFC 2328 8.2).
func (in *Instance) receive(r Received) {
	now := in.now()
	i := in.ifaceByIndex(r.IfIndex)
	if i == nil {
		return // not an OSPF interface of this instance
	}
	in.stats.recvTotal++
	p, err := ParsePacket(r.Data)
	if err != nil {
		in.stats.errParse++
		in.trace("error", "packet from %s on %s dropped: %v", r.Src, i.name, err)
		return
	}
	src := IDOf(r.Src)
	switch dst := IDOf(r.Dst); {
	case dst == AllDRouters && i.state != ifDR && i.state != ifBackup:
		return
	case dst != AllSPFRouters && dst != AllDRouters && dst != i.addrID():
		return
	}
	if src == i.addrID() || p.RouterID == in.rid {
		return // our own
	}
	if p.Area != i.area.id {
		in.stats.errArea++
		in.trace("error", "packet from %s on %s dropped: area %s, ours %s", r.Src, i.name, p.Area, i.area.id)
		return
	}
	if !i.p2p() && i.addr.IsValid() && !i.addr.Masked().Contains(r.Src) {
		in.stats.errSubnet++
		return
	}
	n := i.findNbr(p.RouterID, src)
	var last uint32
	if n != nil {
		last = n.cryptoSeq
	}
	if err := Verify(r.Data, p, &i.cfg.Auth, last); err != nil {
		in.stats.countAuth(err)
		in.trace("error", "packet from %s on %s dropped: %v", r.Src, i.name, err)
		return
	}
	in.stats.recv[p.Type]++
	if p.Type == TypeHello {
		if i.passive() {
			return
		}
		in.receiveHello(i, src, p, now)
		if n = i.findNbr(p.RouterID, src); n != nil && p.AuType == AuthCrypto {
			n.cryptoSeq = p.CryptoSeq
		}
		return
	}
	if n == nil {
		in.stats.errNoNbr++
		return
	}
	if p.AuType == AuthCrypto {
		n.cryptoSeq = p.CryptoSeq
	}
	switch p.Type {
	case TypeDBD:
		in.receiveDBD(n, p)
	case TypeLSR:
		in.receiveLSR(n, p)
	case TypeLSU:
		in.receiveLSU(n, p, now)
	case TypeLSAck:
		in.receiveAck(n, p)
	}
}

func (in *Instance) ifaceByIndex(idx int) *iface {
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			if i.state != ifDown && i.link.Index == idx && !i.loop {
				return i
			}
		}
	}
	return nil
}

// send encodes and sends a packet out of i; it returns the bytes sent.
func (in *Instance) send(i *iface, dst netip.Addr, p *Packet) []byte {
	p.RouterID, p.Area = in.rid, i.area.id
	if i.cfg.Auth.Type == AuthCrypto {
		i.cryptoSeq = max(i.cryptoSeq+1, uint32(in.now().Unix()))
	}
	b := p.Marshal(&i.cfg.Auth, i.cryptoSeq)
	in.sendRaw(i, dst, b)
	in.stats.sent[p.Type]++
	return b
}

func (in *Instance) sendRaw(i *iface, dst netip.Addr, b []byte) {
	if in.conn == nil || i.state == ifDown {
		return
	}
	src := netip.Addr{}
	if i.addr.IsValid() {
		src = i.addr.Addr()
	}
	if i.p2p() {
		// RFC 2328 §8.1: on a point-to-point network every packet goes
		// to AllSPFRouters. An unnumbered neighbor has no address to
		// send to, and a unicast packet sent with TTL 1 would not cross
		// a tunnel that counts as a hop (an IPsec inside unit).
		dst = AllSPFRouters.Addr()
	}
	if err := in.conn.Send(i.link.Index, src, dst, b); err != nil {
		in.stats.sendErrors++
		in.trace("error", "send on %s to %s: %v", i.name, dst, err)
	}
}

// teardown withdraws the instance's routes and closes its connection.
func (in *Instance) teardown() {
	if in.rib != nil && len(in.installed) > 0 {
		in.rib.SetRoutes(in.name, routing.OSPF, nil)
	}
	if in.conn != nil {
		in.conn.Close()
		in.conn = nil
	}
	in.timer.Stop()
}

// deliver is the connection's callback: it hands the packet to run,
// dropping it when the queue is full (as an overloaded interface would).
func (in *Instance) deliver(r Received) {
	select {
	case in.pkts <- r:
	default:
		in.dropped.Add(1)
	}
}

func (in *Instance) trace(flag, format string, args ...any) {
	if in.log != nil {
		in.log.printf(flag, format, args...)
	}
}

// String names the instance as the displays do.
func (in *Instance) String() string {
	if in.name == "" {
		return "master"
	}
	return in.name
}
