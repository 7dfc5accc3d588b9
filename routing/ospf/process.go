package ospf

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"mxlab/routing"
)

// Process is OSPF on one router: an instance per routing instance with
// OSPF configured, each its own goroutine. Configure, SetInterfaces and
// SetRIB never block: each instance takes the newest values when it gets
// to them.
type Process struct {
	net    Net
	rib    RIB
	now    func() time.Time
	logDir string

	mu    sync.Mutex
	insts map[string]*Instance
	mail  map[*Instance]*mailbox
	ifs   []IfState
	table map[string]*routing.Table
	ids   map[string]int
}

// mailbox holds what an instance has not taken yet.
type mailbox struct {
	mu   sync.Mutex
	p    pending
	wake chan struct{}
}

// Option configures a Process.
type Option func(*Process)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(p *Process) { p.now = now } }

// WithLogDir sets where traceoptions files go (the router's /var/log).
func WithLogDir(dir string) Option { return func(p *Process) { p.logDir = dir } }

// New returns the OSPF process of a router whose network is net and whose
// routes go to rib.
func New(net Net, rib RIB, opts ...Option) *Process {
	p := &Process{net: net, rib: rib, now: time.Now, insts: map[string]*Instance{}, mail: map[*Instance]*mailbox{},
		table: map[string]*routing.Table{}, ids: map[string]int{}}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Configure starts, reconfigures and stops instances: one per element of
// cfgs (by Config.Instance).
func (p *Process) Configure(cfgs []Config) {
	for _, in := range p.configure(cfgs) {
		// Outside p.mu: a stopping instance withdraws its routes, and the
		// RIB tells the process.
		in.shutdown()
		in.log.close()
	}
}

// configure updates the instances and returns those to stop.
func (p *Process) configure(cfgs []Config) []*Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	var gone []*Instance
	want := map[string]bool{}
	for _, c := range cfgs {
		want[c.Instance] = true
		in := p.insts[c.Instance]
		if in == nil {
			in = newInstance(c.Instance, p.net, p.rib, p.now, newTracer(p.logDir, p.now))
			in.table = p.ids[c.Instance]
			mb := &mailbox{wake: make(chan struct{}, 1)}
			p.insts[c.Instance], p.mail[in] = in, mb
			in.startWith(mb)
			mb.put(func(pp *pending) { pp.ifs = slices.Clone(p.ifs); pp.table = p.table[c.Instance] })
		}
		c := c
		p.mail[in].put(func(pp *pending) { pp.cfg = &c })
	}
	for name, in := range p.insts {
		if !want[name] {
			delete(p.insts, name)
			delete(p.mail, in)
			gone = append(gone, in)
		}
	}
	return gone
}

// SetInterfaces gives every instance the state of the router's logical
// interfaces.
func (p *Process) SetInterfaces(ifs []IfState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if slices.EqualFunc(ifs, p.ifs, func(a, b IfState) bool {
		return a.Name == b.Name && a.Up == b.Up && slices.Equal(a.Addrs, b.Addrs)
	}) {
		return // a change of the routes only (every SPF makes one)
	}
	p.ifs = slices.Clone(ifs)
	for _, mb := range p.mail {
		mb.put(func(pp *pending) { pp.ifs = slices.Clone(ifs) })
	}
}

// SetRIB gives every instance its routing table, for the export policies.
func (p *Process) SetRIB(rib *routing.RIB) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, t := range rib.Tables {
		p.table[t.Instance] = t
		p.ids[t.Instance] = t.ID
	}
	for name, in := range p.insts {
		t := p.table[name]
		if t != nil {
			p.mail[in].put(func(pp *pending) { pp.table = t })
		}
	}
}

// Stop stops every instance and waits for them; their routes are
// withdrawn.
func (p *Process) Stop() {
	p.Configure(nil)
}

// Instances returns the running instances, master first.
func (p *Process) Instances() []*Instance {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Instance, 0, len(p.insts))
	for _, in := range p.insts {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b *Instance) int { return cmp.Compare(a.name, b.name) })
	return out
}

// Instance returns the instance of a routing instance ("" or "master" for
// the master instance), or nil.
func (p *Process) Instance(name string) *Instance {
	if name == "master" {
		name = ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.insts[name]
}

func (mb *mailbox) put(f func(*pending)) {
	mb.mu.Lock()
	f(&mb.p)
	mb.p.has = true
	mb.mu.Unlock()
	select {
	case mb.wake <- struct{}{}:
	default:
	}
}

func (mb *mailbox) take() pending {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	p := mb.p
	mb.p = pending{}
	return p
}

// startWith starts the instance reading its mailbox.
func (in *Instance) startWith(mb *mailbox) {
	in.mail = mb
	in.start()
}

// Do runs f with the instance's state in its goroutine (for the show and
// clear commands).
func (in *Instance) Do(ctx context.Context, f func(*Instance)) error {
	return in.do(ctx, func() { f(in) })
}

// DBEntry is an LSA of a database, as other implementations list them.
type DBEntry struct {
	Area     string // "" for the AS scope
	Type     LSAType
	ID, Adv  ID
	Seq      int32
	Checksum uint16
	MaxAge   bool
}

// Database lists the LSAs of every area and of the AS scope.
func (in *Instance) Database(ctx context.Context) ([]DBEntry, error) {
	var out []DBEntry
	err := in.do(ctx, func() {
		now := in.now()
		add := func(area string, d *lsdb) {
			for _, e := range d.sorted() {
				out = append(out, DBEntry{Area: area, Type: e.lsa.Type, ID: e.lsa.ID, Adv: e.lsa.Adv, Seq: e.lsa.Seq,
					Checksum: e.lsa.Checksum, MaxAge: e.age(now) >= MaxAge})
			}
		}
		for _, a := range in.areas {
			add(a.id.String(), a.db)
		}
		add("", in.ext)
	})
	return out, err
}

// Adjacency is a neighbor as "show ospf neighbor" lists it.
type Adjacency struct {
	Area      string
	Interface string
	Address   ID // the neighbor's interface address
	ID        ID // its router ID
	State     string
}

// Adjacencies lists the neighbors of every area, in the order of "show
// ospf neighbor".
func (in *Instance) Adjacencies(ctx context.Context) ([]Adjacency, error) {
	var out []Adjacency
	err := in.do(ctx, func() {
		for _, a := range in.areas {
			for _, i := range a.ifaces {
				for _, n := range i.nbrs {
					out = append(out, Adjacency{Area: a.id.String(), Interface: i.name, Address: n.addr, ID: n.id, State: n.state.String()})
				}
			}
		}
	})
	return out, err
}

// Neighbors lists the neighbors as "address state".
func (in *Instance) Neighbors(ctx context.Context) ([]string, error) {
	var out []string
	err := in.do(ctx, func() {
		for _, a := range in.areas {
			for _, i := range a.ifaces {
				for _, n := range i.nbrs {
					out = append(out, n.addr.String()+" "+n.state.String())
				}
			}
		}
	})
	return out, err
}
