package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"mxlab/config"
	"mxlab/lab"
	"mxlab/syslog"
)

// hub reads the lab's state and pushes it to the pages. Its goroutine
// (run) owns everything below join; pages join and leave through the
// channels.
type hub struct {
	lab   Lab
	opts  Options
	join  chan *client
	leave chan *client
	inbox inbox

	clients map[*client]bool
	last    []byte    // the last state message
	lastAt  time.Time // when it was read
	ends    map[lab.Endpoint]linkEnd
	endsAt  time.Time
	rates   map[int]linkState // by link: the rates of the last tick
	commits map[string]*commitWatch
	events  [][]byte // recent event messages, oldest first
}

// maxEvents is how many recent events a page gets when it opens.
const maxEvents = 100

// minRefresh is the shortest time between two reads of the state: a burst
// of router events costs one read.
const minRefresh = 150 * time.Millisecond

type commitWatch struct {
	seq    uint64         // the newest commit seen
	active *config.Node   // the configuration it committed
	hasSeq bool           // a commit was seen
	r      commitReporter // the router
}

// commitReporter is the commit history of a router.
type commitReporter interface {
	History() []config.Commit
	Active() *config.Node
}

func newHub(l Lab, o Options) *hub {
	return &hub{lab: l, opts: o, join: make(chan *client), leave: make(chan *client),
		inbox: inbox{wake: make(chan struct{}, 1)}, clients: map[*client]bool{}, rates: map[int]linkState{},
		commits: map[string]*commitWatch{}}
}

// inbox takes the routers' log events from their writers' goroutines.
type inbox struct {
	mu      sync.Mutex
	commits map[string]bool // routers that logged a commit
	wake    chan struct{}   // cap 1: something arrived
}

func (b *inbox) add(router string, commit bool) {
	b.mu.Lock()
	if commit {
		if b.commits == nil {
			b.commits = map[string]bool{}
		}
		b.commits[router] = true
	}
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *inbox) take() map[string]bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.commits
	b.commits = nil
	return c
}

// run serves until ctx ends.
func (h *hub) run(ctx context.Context) {
	for _, n := range h.lab.Topology().Nodes {
		r := h.lab.Router(n.Name)
		if r == nil {
			continue
		}
		name := n.Name
		w := &commitWatch{r: r.DB, active: r.DB.Active()}
		if hist := r.DB.History(); len(hist) > 0 {
			w.seq, w.hasSeq = hist[0].Seq, true
		}
		h.commits[name] = w
		unsub := r.Log.Subscribe(func(e syslog.Entry) {
			h.inbox.add(name, strings.HasPrefix(e.Tag, "UI_COMMIT"))
		})
		defer unsub()
	}
	tick := time.NewTicker(h.opts.Interval)
	defer tick.Stop()
	soon := time.NewTimer(time.Hour)
	soon.Stop()
	defer soon.Stop()
	pending := false // soon is set
	for {
		select {
		case <-ctx.Done():
			for c := range h.clients {
				c.close()
			}
			return
		case c := <-h.join:
			h.clients[c] = true
			c.send(h.topology(), false)
			if h.last == nil || time.Since(h.lastAt) > h.opts.Interval {
				h.refresh(true)
			}
			c.send(h.last, true)
			for _, e := range h.events {
				c.send(e, false)
			}
		case c := <-h.leave:
			delete(h.clients, c)
		case <-tick.C:
			if len(h.clients) > 0 {
				h.refresh(true)
			}
		case <-h.inbox.wake:
			h.commitEvents(h.inbox.take())
			if len(h.clients) > 0 && !pending {
				pending = true
				soon.Reset(max(0, minRefresh-time.Since(h.lastAt)))
			}
		case <-soon.C:
			pending = false
			if len(h.clients) > 0 {
				h.refresh(false)
			}
		}
	}
}

func (h *hub) topology() []byte {
	data, _ := json.Marshal(topology(h.lab))
	return data
}

// refresh reads the state and sends it to every page when it changed. On
// a tick it also measures the links' rates since the last tick.
func (h *hub) refresh(tick bool) {
	t := h.lab.Topology()
	m := stateMsg{Type: "state", Nodes: map[string]*nodeState{}}
	for _, n := range t.Nodes {
		if r := h.lab.Router(n.Name); r != nil {
			m.Nodes[n.Name] = routerState(r, h.opts.Adjacencies)
		}
	}
	now := time.Now()
	ends := readEnds(h.lab)
	dt := now.Sub(h.endsAt).Seconds()
	measure := tick && h.ends != nil && dt > 0
	for i, k := range t.Links {
		a, b := ends[k.A], ends[k.B]
		ls := linkState{ID: i, Known: a.ok || b.ok, AUp: a.up, BUp: b.up, Up: a.up && b.up}
		if !a.ok || !b.ok { // one end unknown: the other tells
			ls.Up = a.up || b.up
		}
		if measure {
			ls.PPS, ls.BPS = rates(a, h.ends[k.A], b, h.ends[k.B], dt)
		} else {
			old := h.rates[i]
			ls.PPS, ls.BPS = old.PPS, old.BPS
		}
		h.rates[i] = ls
		m.Links = append(m.Links, ls)
	}
	if tick {
		h.ends, h.endsAt = ends, now
	}
	h.lastAt = now
	data, err := json.Marshal(m)
	if err != nil || bytes.Equal(data, h.last) {
		return
	}
	h.last = data
	for c := range h.clients {
		c.send(data, true)
	}
}

// rates returns the packet and bit rates of a link, a to b and b to a,
// from the counters of its first end (of the second when the first is
// unknown).
func rates(a, a0, b, b0 linkEnd, dt float64) (pps, bps [2]uint64) {
	per := func(x, y uint64) uint64 {
		if y < x {
			return 0
		}
		return uint64(float64(y-x)/dt + 0.5)
	}
	switch {
	case a.ok && a0.ok:
		pps = [2]uint64{per(a0.stats.TxPackets, a.stats.TxPackets), per(a0.stats.RxPackets, a.stats.RxPackets)}
		bps = [2]uint64{8 * per(a0.stats.TxBytes, a.stats.TxBytes), 8 * per(a0.stats.RxBytes, a.stats.RxBytes)}
	case b.ok && b0.ok:
		pps = [2]uint64{per(b0.stats.RxPackets, b.stats.RxPackets), per(b0.stats.TxPackets, b.stats.TxPackets)}
		bps = [2]uint64{8 * per(b0.stats.RxBytes, b.stats.RxBytes), 8 * per(b0.stats.TxBytes, b.stats.TxBytes)}
	}
	return pps, bps
}

// commitEvents turns the new commits of the routers named into events:
// who, when, how, the comment and what changed.
func (h *hub) commitEvents(routers map[string]bool) {
	names := make([]string, 0, len(routers))
	for n := range routers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		w := h.commits[name]
		if w == nil {
			continue
		}
		hist := w.r.History()
		var fresh []config.Commit // oldest first
		for _, c := range hist {
			if w.hasSeq && c.Seq <= w.seq {
				break
			}
			fresh = append([]config.Commit{c}, fresh...)
		}
		if len(fresh) == 0 {
			continue
		}
		active := w.r.Active()
		diff := config.Compare(w.active, active)
		w.active, w.seq, w.hasSeq = active, fresh[len(fresh)-1].Seq, true
		for i, c := range fresh {
			e := event{Time: c.Time.UTC(), Router: name, User: c.User, Via: c.Via, Comment: c.Comment, Confirm: c.Confirm}
			if i == len(fresh)-1 {
				e.Diff = clip(diff, maxDiff)
			}
			data, _ := json.Marshal(eventMsg{Type: "event", Event: e})
			h.events = append(h.events, data)
			if len(h.events) > maxEvents {
				h.events = h.events[len(h.events)-maxEvents:]
			}
			for c := range h.clients {
				c.send(data, false)
			}
		}
	}
}

// maxDiff bounds the change an event carries.
const maxDiff = 8 << 10

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := strings.LastIndexByte(s[:n], '\n')
	if i < 0 {
		i = n
	}
	return s[:i+1] + "...\n"
}

// client is a page's state WebSocket: the hub queues messages, the
// page's writer sends them. A state waiting to be sent is replaced by a
// newer one.
type client struct {
	mu     sync.Mutex
	queue  []queued
	closed bool
	wake   chan struct{} // cap 1
}

type queued struct {
	data  []byte
	state bool
}

// maxQueue bounds the messages waiting for a page; a page that does not
// read them is closed.
const maxQueue = 256

func newClient() *client { return &client{wake: make(chan struct{}, 1)} }

func (c *client) send(data []byte, state bool) {
	if data == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if state {
		for i := range c.queue {
			if c.queue[i].state {
				c.queue[i].data = data
				return
			}
		}
	}
	if len(c.queue) >= maxQueue {
		c.closed = true
	} else {
		c.queue = append(c.queue, queued{data, state})
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *client) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// next returns the messages queued; closed is true when the page must be
// closed once they are sent.
func (c *client) next() (msgs [][]byte, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range c.queue {
		msgs = append(msgs, q.data)
	}
	c.queue = c.queue[:0]
	return msgs, c.closed
}
