package ikev2

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// world connects protocol instances through an in-memory network, with a
// simulated clock: timers fire in order as time advances, packets are
// delivered between timer events.
type world struct {
	t      testing.TB
	now    time.Time
	seq    int
	timers []*simTimer
	wire   []packet
	hosts  map[netip.Addr]*host
	// filter may drop (false) or change a packet on the wire.
	filter func(p *packet) bool
	// nat translates the source address of packets from an inside
	// address: it rewrites the port of packets from that address.
	nat map[netip.AddrPort]netip.AddrPort
}

type packet struct {
	from, to netip.AddrPort
	msg      []byte
}

type simTimer struct {
	at      time.Time
	seq     int
	f       func()
	stopped bool
	fired   bool
}

func (t *simTimer) Stop() bool {
	was := !t.stopped && !t.fired
	t.stopped = true
	return was
}

func newWorld(t testing.TB) *world {
	return &world{t: t, now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), hosts: map[netip.Addr]*host{},
		nat: map[netip.AddrPort]netip.AddrPort{}}
}

// host is one router's engine as a protocol sees it.
type host struct {
	w         *world
	name      string
	addr      netip.Addr
	p         *Protocol
	installed map[uint32]*ike.Child // by inbound SPI
	removed   []*ike.Child
	log       []string
	down      bool // drops everything it receives
}

func (w *world) addHost(name, addr string, o Options) *host {
	h := &host{w: w, name: name, addr: netip.MustParseAddr(addr), installed: map[uint32]*ike.Child{}}
	h.p = NewWith(h, o)
	w.hosts[h.addr] = h
	return h
}

func (h *host) Send(local, remote netip.AddrPort, msg []byte) {
	if local.Addr() != h.addr {
		h.w.t.Errorf("%s sends from %s", h.name, local)
	}
	h.w.wire = append(h.w.wire, packet{from: local, to: remote, msg: bytes.Clone(msg)})
}

func (h *host) Install(c *ike.Child) error {
	if h.installed[c.InSPI] != nil {
		return fmt.Errorf("duplicate spi %d", c.InSPI)
	}
	if len(c.InKeys.Encryption) != c.Encryption.KeyLen() || len(c.OutKeys.Encryption) != c.Encryption.KeyLen() {
		h.w.t.Errorf("%s: keys of %d bytes for %v", h.name, len(c.InKeys.Encryption), c.Encryption)
	}
	h.installed[c.InSPI] = c
	return nil
}

func (h *host) Remove(c *ike.Child) {
	if h.installed[c.InSPI] != c {
		h.w.t.Errorf("%s removes child %08x it does not have", h.name, c.InSPI)
	}
	delete(h.installed, c.InSPI)
	h.removed = append(h.removed, c)
}

func (h *host) AfterFunc(d time.Duration, f func()) ike.Timer {
	h.w.seq++
	t := &simTimer{at: h.w.now.Add(d), seq: h.w.seq, f: f}
	h.w.timers = append(h.w.timers, t)
	return t
}

func (h *host) Logf(format string, args ...any) {
	h.log = append(h.log, h.w.now.Format("15:04:05.000")+" "+fmt.Sprintf(format, args...))
}

func (h *host) Now() time.Time { return h.w.now }

// children returns the installed children, by inbound SPI order.
func (h *host) children() []*ike.Child {
	var out []*ike.Child
	for _, c := range h.installed {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InSPI < out[j].InSPI })
	return out
}

// deliver delivers the packets on the wire (and those they cause).
func (w *world) deliver() {
	for n := 0; len(w.wire) > 0; n++ {
		if n > 10000 {
			w.t.Fatal("packet storm")
		}
		p := w.wire[0]
		w.wire = w.wire[1:]
		if to, ok := w.nat[p.from]; ok {
			p.from = to
		}
		for in, out := range w.nat {
			if p.to == out {
				p.to = in
			}
		}
		if w.filter != nil && !w.filter(&p) {
			continue
		}
		h := w.hosts[p.to.Addr()]
		if h == nil || h.down {
			continue
		}
		h.p.Receive(p.to, p.from, p.msg)
	}
}

// run advances the clock by d, firing timers and delivering packets.
func (w *world) run(d time.Duration) {
	end := w.now.Add(d)
	w.deliver()
	for {
		w.timers = slices.DeleteFunc(w.timers, func(t *simTimer) bool { return t.stopped || t.fired })
		if len(w.timers) == 0 {
			break
		}
		sort.Slice(w.timers, func(i, j int) bool {
			if !w.timers[i].at.Equal(w.timers[j].at) {
				return w.timers[i].at.Before(w.timers[j].at)
			}
			return w.timers[i].seq < w.timers[j].seq
		})
		t := w.timers[0]
		if t.at.After(end) {
			break
		}
		if t.at.After(w.now) {
			w.now = t.at
		}
		t.fired = true
		t.f()
		w.deliver()
	}
	w.now = end
}

// dump returns every host's log, for failure messages.
func (w *world) dump() string {
	var b strings.Builder
	for _, h := range w.hosts {
		fmt.Fprintf(&b, "--- %s\n%s\n", h.name, strings.Join(h.log, "\n"))
	}
	return b.String()
}

// testTunnel returns a tunnel from local to remote protecting the two
// prefixes, IKEv2 with one proposal and the given PSK.
func testTunnel(local, remote, localTS, remoteTS string, psk string, prop *ipsec.IKEProposal, ipp *ipsec.IPsecProposal) *ike.Tunnel {
	if prop == nil {
		prop = &ipsec.IKEProposal{Name: "p", AuthMethod: "pre-shared-keys", Group: suite.Group14, Hash: suite.SHA1,
			Encryption: suite.AES128CBC, Lifetime: 3600 * time.Second}
	}
	if ipp == nil {
		ipp = &ipsec.IPsecProposal{Name: "q", Protocol: "esp", Authentication: esp.HMACSHA1_96,
			Encryption: esp.AES128CBC, Lifetime: 28800 * time.Second}
	}
	set := &ipsec.ServiceSet{Name: "ss1", LocalGateway: netip.MustParseAddr(local)}
	term := &ipsec.Term{Rule: "r1", Name: "t1", Index: 1}
	return &ike.Tunnel{Set: set, Term: term, Local: netip.MustParseAddr(local), Remote: netip.MustParseAddr(remote),
		IKE:   &ipsec.IKEPolicy{Name: "ike1", Version: 2, Mode: "main", Proposals: []*ipsec.IKEProposal{prop}, PSK: []byte(psk)},
		IPsec: &ipsec.IPsecPolicy{Name: "ipsec1", Proposals: []*ipsec.IPsecProposal{ipp}},
		NATT:  true, Establish: "immediately",
		LocalTS: netip.MustParsePrefix(localTS), RemoteTS: netip.MustParsePrefix(remoteTS)}
}

// pair is two routers with mirrored tunnels, A initiating.
type pair struct {
	w      *world
	a, b   *host
	ta, tb *ike.Tunnel
}

func newPair(t testing.TB, o Options, edit func(ta, tb *ike.Tunnel)) *pair {
	w := newWorld(t)
	p := &pair{w: w, a: w.addHost("A", "10.0.1.1", o), b: w.addHost("B", "10.0.1.2", o)}
	p.ta = testTunnel("10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", "juniper123", nil, nil)
	p.tb = testTunnel("10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", "juniper123", nil, nil)
	p.tb.Establish = "responder-only"
	if edit != nil {
		edit(p.ta, p.tb)
	}
	p.a.p.Configure([]*ike.Tunnel{p.ta})
	p.b.p.Configure([]*ike.Tunnel{p.tb})
	return p
}

func testOptions() Options {
	o := DefaultOptions()
	o.RetransmitTimeout = time.Second
	return o
}

// checkChildren checks that A and B have matching children: A's inbound
// SA is B's outbound one, with the same keys, and the reverse.
func (p *pair) checkChildren(t testing.TB, n int) {
	t.Helper()
	ca, cb := p.a.children(), p.b.children()
	if len(ca) != n || len(cb) != n {
		t.Fatalf("children: A %d, B %d, want %d\n%s", len(ca), len(cb), n, p.w.dump())
	}
	for _, x := range ca {
		y := p.b.installed[x.OutSPI]
		if y == nil || y.OutSPI != x.InSPI {
			t.Fatalf("A's child %08x/%08x has no twin at B\n%s", x.InSPI, x.OutSPI, p.w.dump())
		}
		if !bytes.Equal(x.InKeys.Encryption, y.OutKeys.Encryption) || !bytes.Equal(x.OutKeys.Integrity, y.InKeys.Integrity) ||
			!bytes.Equal(x.OutKeys.Encryption, y.InKeys.Encryption) || bytes.Equal(x.InKeys.Encryption, x.OutKeys.Encryption) {
			t.Fatalf("keys of %08x differ between A and B", x.InSPI)
		}
		if x.Encryption != y.Encryption || x.Integrity != y.Integrity {
			t.Fatalf("algorithms differ: %v/%v and %v/%v", x.Encryption, x.Integrity, y.Encryption, y.Integrity)
		}
	}
}

func mustAP(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// established returns the established IKE SAs of a host.
func (h *host) established() []ike.SAStatus {
	sas, _ := h.p.Status()
	return slices.DeleteFunc(sas, func(s ike.SAStatus) bool { return !s.Matured })
}
