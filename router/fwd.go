package router

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"mxlab/chassis"
	"mxlab/config"
	"mxlab/netns"
	"mxlab/routing"
	"mxlab/syslog"
)

// forwarding is the router's forwarding plane: its network namespace
// (interfaces, addresses) and its routing table. One goroutine (run) owns
// it: commits and chassis events reach it as operations, in order, so a
// chassis event always reprograms from the last committed configuration
// and can never undo a commit.
type forwarding struct {
	ns      *netns.Router // nil without a namespace
	rt      *routing.Router
	chassis *chassis.Chassis
	log     *syslog.Log
	ops     chan func() // run by run; nobody closes it
	quit    <-chan struct{}

	committed *config.Node // owned by run: the last applied configuration
}

// run executes the operations until ctx ends.
func (f *forwarding) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case op := <-f.ops:
			op()
		}
	}
}

// errStopped is returned when the router is stopping.
var errStopped = errors.New("commit failed: (the router is stopping)")

// do runs op on the owner goroutine and waits for it.
func (f *forwarding) do(op func()) error {
	done := make(chan struct{})
	select {
	case f.ops <- func() { op(); close(done) }:
	case <-f.quit:
		return errStopped
	}
	select {
	case <-done:
		return nil
	case <-f.quit:
		return errStopped
	}
}

// Prepare programs the interfaces first (routing needs their links), then
// the routes; a failure undoes what was done. The owner goroutine waits
// for the commit's decision (Apply or Abort) before it takes the next
// operation.
func (f *forwarding) Prepare(_ context.Context, _, new *config.Node) (config.Pending, error) {
	type result struct {
		p   pendings
		err error
	}
	res := make(chan result, 1)
	d := &decision{ch: make(chan bool, 1), done: make(chan struct{}), quit: f.quit}
	op := func() {
		p, err := f.prepare(new)
		res <- result{p, err}
		if err != nil {
			return
		}
		defer close(d.done)
		select {
		case apply := <-d.ch:
			if apply {
				p.Apply()
				f.committed = new
			} else {
				p.Abort()
			}
		case <-f.quit:
			p.Abort()
		}
	}
	select {
	case f.ops <- op:
	case <-f.quit:
		return nil, errStopped
	}
	var r result
	select {
	case r = <-res:
	case <-f.quit:
		return nil, errStopped
	}
	if r.err != nil {
		return nil, r.err
	}
	return d, nil
}

// decision hands the commit's verdict to the owner goroutine and waits
// until it has been carried out.
type decision struct {
	ch   chan bool
	done chan struct{} // closed when the owner has applied or aborted
	quit <-chan struct{}
	once sync.Once
}

func (d *decision) Apply() { d.decide(true) }
func (d *decision) Abort() { d.decide(false) }

func (d *decision) decide(apply bool) {
	d.once.Do(func() {
		d.ch <- apply
		select {
		case <-d.done:
		case <-d.quit:
		}
	})
}

// prepare programs a configuration; it runs on the owner goroutine.
// Failures are the kernel's (the configuration was validated before):
// the user sees the Junos interface they concern, the log has the detail.
func (f *forwarding) prepare(cfg *config.Node) (pendings, error) {
	var steps pendings
	hw := linksOf(f.chassis)
	if f.ns != nil {
		p, err := f.ns.Prepare(netnsState(cfg, hw))
		if err != nil {
			f.log.Event(syslog.Dcd, "DCD_CONFIG_WRITE_FAILED", "%v", err)
			return nil, fmt.Errorf("commit failed: (%s)", userText(err))
		}
		steps = append(steps, p)
	}
	p, err := f.rt.Prepare(routing.ParseConfig(cfg, hw.state))
	if err != nil {
		steps.Abort()
		f.log.Event(syslog.Rpd, "RPD_KRT_Q_RETRIES", "%v", err)
		return nil, fmt.Errorf("commit failed: (%s)", userText(err))
	}
	return append(steps, p), nil
}

// reprogram applies the last committed configuration again, after the
// hardware changed (a card went offline, a link down). It runs on the
// owner goroutine; a failure is logged and leaves the previous state.
func (f *forwarding) reprogram() {
	if f.committed == nil {
		return
	}
	p, err := f.prepare(f.committed)
	if err != nil {
		return
	}
	p.Apply()
}

// userText names what failed in Junos terms: the netns and routing errors
// name the interface or route first; the kernel's own words stay in the
// log.
func userText(err error) string {
	var ie *netns.InterfaceError
	if errors.As(err, &ie) {
		return "could not configure interface " + ie.Name
	}
	return "could not program the forwarding table"
}

// pendings applies or aborts several prepared changes.
type pendings []netns.Pending

func (ps pendings) Apply() {
	for _, p := range ps {
		p.Apply()
	}
}

func (ps pendings) Abort() {
	for i := len(ps) - 1; i >= 0; i-- {
		ps[i].Abort()
	}
}

// netnsState is the part of the configuration the namespace carries: the
// port interfaces present in the chassis and the lo0 addresses.
func netnsState(root *config.Node, hw links) netns.State {
	var st netns.State
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		name := ifd.Key()
		if name == "lo0" {
			for _, u := range ifd.Entries("unit") {
				if u.Key() == "0" {
					st.Loopback = append(st.Loopback, chassis.Prefixes(u.Get("family", "inet"))...)
				}
			}
			continue
		}
		if present, _ := hw.state(name); !(isPort(name) || name == "fxp0") || !present {
			continue // fxp0: the management link of a lab
		}
		p := netns.Port{Name: name}
		_, p.Disable = ifd.Leaf("disable")
		_, p.VLANTagging = ifd.Leaf("vlan-tagging")
		if v, ok := ifd.Leaf("mtu"); ok {
			p.MTU, _ = strconv.Atoi(v)
		}
		for _, u := range ifd.Entries("unit") {
			var un netns.Unit
			un.Number, _ = strconv.Atoi(u.Key())
			if v, ok := u.Leaf("vlan-id"); ok {
				un.VLANID, _ = strconv.Atoi(v)
			}
			_, un.Disable = u.Leaf("disable")
			un.Addrs = chassis.Prefixes(u.Get("family", "inet"))
			p.Units = append(p.Units, un)
		}
		st.Ports = append(st.Ports, p)
	}
	return st
}

// isPort reports whether an interface is a network port (ge-, xe-, et-,
// so-) rather than a services or internal interface.
func isPort(name string) bool {
	for _, p := range []string{"ge-", "xe-", "et-", "so-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// links is the state of the chassis interfaces at one moment: one view
// of the hardware for a whole configuration, whatever its size.
type links map[string]chassis.IfState

func linksOf(ch *chassis.Chassis) links {
	all := ch.Interfaces()
	m := make(links, len(all))
	for _, st := range all {
		m[st.Name] = st
	}
	return m
}

// state tells routing whether an interface is present and its link up.
func (l links) state(ifd string) (present, up bool) {
	st, ok := l[ifd]
	return ok && st.Present, ok && st.LinkUp
}

// linkState is links.state on a fresh view (for tests).
func (f *forwarding) linkState(ifd string) (present, up bool) {
	return linksOf(f.chassis).state(ifd)
}

// counters gives the chassis the kernel's link counters.
type counters struct {
	ns *netns.Router
	// pic returns the drops a services PIC counted itself (ESP it could
	// not send, cleartext its devices refused), added to the counters of
	// its ms- interface as Junos shows them there.
	pic func(ifd string) (inDrops, outDrops uint64)
}

func (c counters) Stats(ifname string) (chassis.Stats, bool) {
	if isService(ifname) && !strings.Contains(ifname, ".") {
		all, err := c.AllStats()
		if err != nil {
			return chassis.Stats{}, false
		}
		s, ok := all[ifname]
		return s, ok
	}
	s, err := c.ns.Stats(ifname)
	if err != nil {
		return chassis.Stats{}, false
	}
	return junosStats(s), true
}

// AllStats returns the counters of every interface of the namespace by
// Junos name; a services interface (ms-, sp-) adds up its units: its
// traffic flows through the units' devices, not the physical one.
func (c counters) AllStats() (map[string]chassis.Stats, error) {
	links, err := c.ns.Handle().AllStats()
	if err != nil {
		return nil, err
	}
	out := make(map[string]chassis.Stats, len(links))
	svc := map[string]chassis.Stats{}
	for linux, ls := range links {
		name, err := netns.JunosName(linux)
		if err != nil {
			continue
		}
		s := junosStats(ls)
		out[name] = s
		if phys, _ := netns.SplitUnit(name); isService(phys) {
			t := svc[phys]
			t.InBytes += s.InBytes
			t.OutBytes += s.OutBytes
			t.InPackets += s.InPackets
			t.OutPackets += s.OutPackets
			t.InErrors += s.InErrors
			t.OutErrors += s.OutErrors
			t.InDrops += s.InDrops
			t.OutDrops += s.OutDrops
			svc[phys] = t
		}
	}
	for phys, t := range svc {
		if c.pic != nil {
			in, o := c.pic(phys)
			t.InDrops += in
			t.OutDrops += o
		}
		out[phys] = t
	}
	return out, nil
}

// isService reports whether an interface is a services interface (ms-, sp-).
func isService(name string) bool {
	return strings.HasPrefix(name, "ms-") || strings.HasPrefix(name, "sp-")
}

// junosStats maps the kernel's counters to the Junos fields.
func junosStats(s netns.LinkStats) chassis.Stats {
	return chassis.Stats{InBytes: s.RxBytes, OutBytes: s.TxBytes, InPackets: s.RxPackets, OutPackets: s.TxPackets,
		InErrors: s.RxErrors, OutErrors: s.TxErrors, InDrops: s.RxDropped, OutDrops: s.TxDropped}
}

// LinkUp reports whether a port has a link partner (the peer end of its
// veth is up). A services interface (ms-, sp-) is up when its PIC is
// online, whether or not a unit of it has a device yet.
func (c counters) LinkUp(ifname string) bool {
	if isService(ifname) {
		return true
	}
	l, err := c.ns.Link(ifname)
	return err == nil && l.OperUp
}

// noPlane is the dataplane of a router without a namespace: the routing
// table is computed and shown, nothing is programmed, and commands that
// need the kernel say why they cannot run.
type noPlane struct{ reason error }

func (n noPlane) PrepareFIB(netns.FIB) (netns.Pending, error)   { return pendings(nil), nil }
func (n noPlane) KernelRoutes(int) ([]netns.KernelRoute, error) { return nil, n.err() }
func (n noPlane) Neighbors() ([]netns.Neighbor, error)          { return nil, n.err() }
func (n noPlane) Do(func() error) error                         { return n.err() }

// err says why a command that needs the kernel cannot run.
func (n noPlane) err() error {
	return fmt.Errorf("this router has no forwarding plane: %w", n.reason)
}
func (n noPlane) LinuxIFL(ifl string) (string, error) { return netns.LinuxName(ifl) }

var errNoNamespace = errors.New("the router runs without a network namespace")
