package ikev1

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike/suite"
)

// A lab of machines that exchange datagrams through an in-memory network
// with a fake clock.

type datagram struct {
	from, to netip.AddrPort
	msg      []byte
}

type lab struct {
	t     testing.TB
	now   time.Time
	nodes map[netip.Addr]*node
	queue []datagram
	// filter may drop (false) or change a datagram before delivery.
	filter func(d *datagram) bool
	// nat rewrites the source of datagrams from inside to outside
	// (address and port map), and back for replies.
	nat    map[netip.AddrPort]netip.AddrPort
	natRev map[netip.AddrPort]netip.AddrPort
	sent   int
}

type node struct {
	name      string
	addr      netip.Addr
	m         *Machine
	lab       *lab
	installed map[uint32]*ChildSA // by inbound SPI
	removed   []uint32
	log       []string
	failNext  bool
}

func newLab(t testing.TB) *lab {
	return &lab{t: t, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), nodes: map[netip.Addr]*node{},
		nat: map[netip.AddrPort]netip.AddrPort{}, natRev: map[netip.AddrPort]netip.AddrPort{}}
}

func (l *lab) add(name, addr string, seed uint64) *node {
	n := &node{name: name, addr: netip.MustParseAddr(addr), lab: l, installed: map[uint32]*ChildSA{}}
	n.m = NewMachine(Options{Host: n, Rand: rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}),
		Log: func(level, msg string) { n.log = append(n.log, level+": "+msg) }})
	l.nodes[n.addr] = n
	return n
}

func (n *node) Send(local, remote netip.AddrPort, msg []byte) {
	n.lab.sent++
	n.lab.queue = append(n.lab.queue, datagram{local, remote, append([]byte(nil), msg...)})
}

func (n *node) Install(sa *ChildSA) error {
	if n.failNext {
		n.failNext = false
		return fmt.Errorf("install refused")
	}
	if _, dup := n.installed[sa.InSPI]; dup {
		n.lab.t.Errorf("%s: SPI %d installed twice", n.name, sa.InSPI)
	}
	c := *sa
	n.installed[sa.InSPI] = &c
	return nil
}

func (n *node) Remove(tunnel string, inSPI uint32) {
	if _, ok := n.installed[inSPI]; !ok {
		n.lab.t.Errorf("%s: remove of SPI %d that is not installed", n.name, inSPI)
	}
	delete(n.installed, inSPI)
	n.removed = append(n.removed, inSPI)
}

func (n *node) configure(cfg Config) { n.m.Configure(n.lab.now, cfg) }

// deliver sends every queued datagram (and those they cause).
func (l *lab) deliver() {
	for steps := 0; len(l.queue) > 0; steps++ {
		if steps > 100000 {
			l.t.Fatal("message storm")
		}
		d := l.queue[0]
		l.queue = l.queue[1:]
		if m, ok := l.nat[d.from]; ok {
			d.from = m
		}
		if m, ok := l.natRev[d.to]; ok {
			d.to = m
		}
		if l.filter != nil && !l.filter(&d) {
			continue
		}
		n := l.nodes[d.to.Addr()]
		if n == nil {
			continue
		}
		n.m.Receive(l.now, d.to, d.from, d.msg)
	}
}

// run delivers messages and runs timers until the clock reaches until.
func (l *lab) run(d time.Duration) {
	until := l.now.Add(d)
	for i := 0; ; i++ {
		if i > 1000000 {
			l.t.Fatal("timer storm")
		}
		l.deliver()
		var next time.Time
		for _, n := range l.nodes {
			if x := n.m.Next(); !x.IsZero() && (next.IsZero() || x.Before(next)) {
				next = x
			}
		}
		if next.IsZero() || next.After(until) {
			l.now = until
			return
		}
		if next.After(l.now) {
			l.now = next
		}
		for _, n := range l.sortedNodes() {
			n.m.Tick(l.now)
		}
		for _, n := range l.sortedNodes() {
			if x := n.m.Next(); !x.IsZero() && !x.After(l.now) {
				l.deliver()
				if x := n.m.Next(); !x.IsZero() && !x.After(l.now) {
					l.t.Fatalf("%s: Next() = %v is not after the Tick at %v", n.name, x, l.now)
				}
			}
		}
	}
}

func (l *lab) sortedNodes() []*node {
	var out []*node
	for _, n := range l.nodes {
		out = append(out, n)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].addr.Less(out[j-1].addr); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// pair checks that a's SA pairs and b's match (a's outbound is b's
// inbound, with the same keys) and returns how many there are.
func pair(t testing.TB, a, b *node) int {
	t.Helper()
	n := 0
	for _, x := range a.installed {
		y := b.installed[x.OutSPI]
		if y == nil {
			t.Errorf("%s SA out %d: not installed on %s", a.name, x.OutSPI, b.name)
			continue
		}
		if y.OutSPI != x.InSPI || !bytes.Equal(x.OutEncKey, y.InEncKey) || !bytes.Equal(x.OutAuthKey, y.InAuthKey) ||
			!bytes.Equal(x.InEncKey, y.OutEncKey) || !bytes.Equal(x.InAuthKey, y.OutAuthKey) {
			t.Errorf("%s %d/%d and %s %d/%d do not match", a.name, x.InSPI, x.OutSPI, b.name, y.InSPI, y.OutSPI)
		}
		if x.Encryption != y.Encryption || x.Integrity != y.Integrity || x.UDP != y.UDP {
			t.Errorf("algorithms differ: %v/%v/%v and %v/%v/%v", x.Encryption, x.Integrity, x.UDP, y.Encryption, y.Integrity, y.UDP)
		}
		if bytes.Equal(x.InEncKey, x.OutEncKey) {
			t.Errorf("%s: the same key both ways", a.name)
		}
		n++
	}
	if len(b.installed) != n {
		t.Errorf("%s has %d pairs, %s %d", a.name, n, b.name, len(b.installed))
	}
	return n
}

func (n *node) dumpLog() string { return strings.Join(n.log, "\n") }

// site returns the tunnel between two labs sites, seen from local.
func site(name, local, remote string, lts, rts string, mode Exchange) Tunnel {
	return Tunnel{Name: name, Local: netip.MustParseAddr(local), Remote: netip.MustParseAddr(remote),
		LocalTS: netip.MustParsePrefix(lts), RemoteTS: netip.MustParsePrefix(rts),
		IKE: IKEPolicy{Mode: mode, PSK: []byte("juniper123"), Proposals: []IKEProposal{
			{Encryption: suite.AES128CBC, Hash: suite.SHA1, Group: suite.Group14},
		}},
		IPsec: IPsecPolicy{Proposals: []IPsecProposal{{Encryption: suite.AES128CBC, Integrity: suite.HMACSHA1_96}}},
	}
}

// twoSites returns a lab with r1 (10.0.1.1, LAN 172.16/16) and r2
// (10.0.1.2, LAN 192.168/16); r1 starts the tunnel.
func twoSites(t testing.TB, mode Exchange, edit func(t1, t2 *Tunnel)) (*lab, *node, *node) {
	l := newLab(t)
	r1, r2 := l.add("r1", "10.0.1.1", 1), l.add("r2", "10.0.1.2", 2)
	t1 := site("ss/r/t", "10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", mode)
	t2 := site("ss/r/t", "10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", mode)
	t1.AutoStart = true
	if edit != nil {
		edit(&t1, &t2)
	}
	r2.configure(Config{Tunnels: []Tunnel{t2}})
	r1.configure(Config{Tunnels: []Tunnel{t1}})
	return l, r1, r2
}

func (n *node) port(p uint16) netip.AddrPort { return netip.AddrPortFrom(n.addr, p) }
