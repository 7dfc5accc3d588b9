package mspic

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// KeyManager is the key-management engine of the card (package ike): it
// gets what the data path finds for it. Both methods are called from the
// card's I/O goroutines and must return at once; msg is only valid
// during the call.
type KeyManager interface {
	// IKE hands over an IKE message received on UDP 500, or on a NAT-T
	// port after the non-ESP marker (which is removed).
	IKE(local, remote netip.AddrPort, msg []byte)
	// Acquire reports cleartext for a dynamic term (set name, tunnel
	// index) that has no SA yet; it is called at most once a second per
	// term.
	Acquire(set string, term int)
}

// Ports of IKE.
const (
	ikePort = 500
	natPort = 4500
)

// ErrOffline: the PIC is offline, SAs cannot be installed.
var ErrOffline = errors.New("services pic offline")

// DynamicSA is an SA pair a key manager negotiated for a dynamic term.
// The card adds the tunnel options of the term (anti-replay window,
// tunnel MTU, DF, passive mode, traceroute behaviour).
type DynamicSA struct {
	Set  string
	Term int // the term's tunnel index in the set
	// InSPI is the SPI the peer sends with; OutSPI the one this side
	// sends with.
	InSPI, OutSPI  uint32
	Encryption     esp.Encryption
	Authentication esp.Authentication
	// InKeys decrypt, OutKeys encrypt: encryption key (with the GCM
	// salt), then authentication key.
	InKeys, OutKeys [2][]byte
	// Local and Remote are the ESP endpoints; with ports (4500 locally)
	// ESP goes in UDP (NAT traversal), with ports 0 it is plain ESP.
	Local, Remote netip.AddrPort
	Created       time.Time
	Lifetime      time.Duration
	// Standby leaves the term's traffic on its older pairs while there
	// are any (the new pair of a rekey the peer started: the peer uses it
	// only once it has our answer); it takes over when they are removed.
	Standby bool
	// RemoteTS is the negotiated traffic selector of the peer's side:
	// when a term has pairs with several peers (dynamic endpoints), its
	// outbound traffic goes to the peer whose selector holds the
	// destination. Invalid: any.
	RemoteTS netip.Prefix
}

// InstallSA installs a negotiated SA pair. The new outbound SA takes the
// term's traffic at once; the term's older inbound SAs stay until removed.
func (c *Card) InstallSA(d DynamicSA) error {
	return c.do(func(s *state) error { return s.installSA(d) })
}

// RemoveSA removes the SA pair of a set whose inbound SPI is inSPI; it
// does nothing when there is none.
func (c *Card) RemoveSA(set string, inSPI uint32) error {
	return c.do(func(s *state) error { s.removeSA(set, inSPI); return nil })
}

// termID names a term across configurations.
type termID struct {
	set   string
	index int
}

// dynSA is an installed SA pair.
type dynSA struct {
	d       DynamicSA
	in, out *esp.SA
	wire    wireKey // where in's packets arrive
}

// dynState holds the negotiated SAs of a card across planes.
type dynState struct {
	sas     map[termID][]*dynSA
	acquire map[termID]*atomic.Int64
}

func newDynState() *dynState {
	return &dynState{sas: map[termID][]*dynSA{}, acquire: map[termID]*atomic.Int64{}}
}

// stamp returns the acquire time stamp of a term.
func (d *dynState) stamp(id termID) *atomic.Int64 {
	a := d.acquire[id]
	if a == nil {
		a = &atomic.Int64{}
		d.acquire[id] = a
	}
	return a
}

// prune drops the SAs of terms the configuration no longer has as
// dynamic terms, and those of set when set is not "" (or all when all).
func (d *dynState) prune(cfg Config, set string, all bool) {
	keep := map[termID]bool{}
	for _, ss := range cfg.Sets {
		for _, t := range ss.Terms {
			if t.Dynamic != nil && !all && (set == "" || ss.Name != set) {
				keep[termID{ss.Name, t.Index}] = true
			}
		}
	}
	for id := range d.sas {
		if !keep[id] {
			delete(d.sas, id)
		}
	}
}

// pruneGateway drops the negotiated SAs of the next-hop service sets
// whose gw-interface ifl went down (spec O3: their SAs are cleared;
// interface-style sets keep theirs, not installed).
func (d *dynState) pruneGateway(cfg Config, ifl string) {
	for _, ss := range cfg.Sets {
		if ss.GWInterface != ifl || ss.Style != ipsec.NextHop {
			continue
		}
		for id := range d.sas {
			if id.set == ss.Name {
				delete(d.sas, id)
			}
		}
	}
}

// addDynamic gives a dynamic term the IKE and ESP sockets of its local
// gateway and its negotiated SAs.
func (p *plane) addDynamic(tp *termPlane, dyn *dynState) error {
	gw := tp.set.cfg.LocalGateway
	p.wire(wireKey{addr: gw, port: ikePort}).ike = true
	p.wire(wireKey{addr: gw})
	if !tp.t.Dynamic.NoNATT {
		p.wire(wireKey{addr: gw, port: natPort})
	}
	if dyn == nil {
		return nil
	}
	id := termID{tp.set.cfg.Name, tp.t.Index}
	tp.acquired = dyn.stamp(id)
	for _, d := range dyn.sas[id] {
		if err := p.addInbound(tp, d.in, d.wire); err != nil {
			return err
		}
		if ts := d.d.RemoteTS; ts.IsValid() && ts.Bits() > 0 {
			w := p.wire(d.wire)
			if w.peerTS == nil {
				w.peerTS = map[uint32]netip.Prefix{}
			}
			w.peerTS[d.d.InSPI] = ts
		}
		tp.dyn = append(tp.dyn, d)
		if !d.d.Standby || tp.out == nil {
			tp.out = d.out
		}
		if ts := d.d.RemoteTS; ts.IsValid() {
			i := slices.IndexFunc(tp.peers, func(p peerOut) bool { return p.ts == ts })
			switch {
			case i < 0:
				tp.peers = append(tp.peers, peerOut{ts: ts, out: d.out})
			case !d.d.Standby:
				tp.peers[i].out = d.out
			}
		}
	}
	return nil
}

func (s *state) findTerm(set string, index int) (*ipsec.ServiceSet, *ipsec.Term) {
	for _, ss := range s.cfg.Sets {
		if ss.Name != set {
			continue
		}
		for _, t := range ss.Terms {
			if t.Index == index {
				return ss, t
			}
		}
	}
	return nil, nil
}

func (s *state) installSA(d DynamicSA) error {
	if !s.online {
		return ErrOffline
	}
	ss, t := s.findTerm(d.Set, d.Term)
	if t == nil || t.Dynamic == nil {
		return fmt.Errorf("service set %s has no dynamic term %d", d.Set, d.Term)
	}
	if ss.GWInterface != "" && s.gwDown[ss.GWInterface] {
		return fmt.Errorf("service set %s: gw-interface %s is down", ss.Name, ss.GWInterface)
	}
	base := ss.SAConfig(t, ipsec.Manual{}, s.cfg.NoTunnelHop)
	base.Encryption, base.Authentication = d.Encryption, d.Authentication
	base.Local, base.Remote = d.Local.Addr(), d.Remote.Addr()
	in, out := base, base
	in.SPI, in.EncryptionKey, in.AuthenticationKey = d.InSPI, d.InKeys[0], d.InKeys[1]
	out.SPI, out.EncryptionKey, out.AuthenticationKey = d.OutSPI, d.OutKeys[0], d.OutKeys[1]
	if d.Local.Port() != 0 {
		in.UDP = &esp.UDPEncap{DstPort: d.Local.Port()}
		out.UDP = &esp.UDPEncap{SrcPort: d.Local.Port(), DstPort: d.Remote.Port()}
	}
	x := &dynSA{d: d, wire: wireOf(in)}
	var err error
	if x.in, err = esp.NewSA(in); err != nil {
		return err
	}
	if x.out, err = esp.NewSA(out); err != nil {
		return err
	}
	id := termID{d.Set, d.Term}
	s.dyn.sas[id] = append(s.dyn.sas[id], x)
	if err := s.publish(); err != nil {
		s.dyn.sas[id] = slices.DeleteFunc(s.dyn.sas[id], func(y *dynSA) bool { return y == x })
		return err
	}
	s.log("info", "IPSec SA installed: service set %s, rule %s, term %s, inbound SPI %d, outbound SPI %d, local %s, remote %s (negotiated)",
		ss.Name, t.Rule, t.Name, d.InSPI, d.OutSPI, d.Local, d.Remote)
	s.saEvents("KMD_PM_SA_ESTABLISHED", ss.Name, d)
	return nil
}

func (s *state) removeSA(set string, inSPI uint32) {
	for id, l := range s.dyn.sas {
		if id.set != set {
			continue
		}
		for _, x := range l {
			if x.d.InSPI != inSPI {
				continue
			}
			s.dyn.sas[id] = slices.DeleteFunc(l, func(y *dynSA) bool { return y == x })
			s.publish()
			s.log("info", "IPSec SA deleted: service set %s, inbound SPI %d, outbound SPI %d (negotiated)", set, x.d.InSPI, x.d.OutSPI)
			s.saEvents("KMD_PM_SA_DELETED", set, x.d)
			return
		}
	}
}

// publish builds a plane with the current SAs, keeping the manual SAs of
// the current plane, and swaps it in.
func (s *state) publish() error {
	if s.plane == nil {
		return nil
	}
	next, err := assemble(s.cfg, s.gwDown, s.counter, s.seq, s.c.opts.Now(), s.dyn)
	if err != nil {
		return err
	}
	// Keep the manual SAs (their sequence numbers and windows): the
	// new plane takes them over from the current one.
	keepManual(s.plane, next)
	next.live = s.plane.live // the same manual SAs: their sequence readers stay
	old := s.plane
	s.retire(old, next)
	if !sameIO(old, next) {
		s.stopIO()
	}
	s.plane = next
	s.c.cur.Store(next)
	if s.io == nil {
		s.startIO(next)
	}
	return nil
}

// keepManual moves the manual SAs of old into next, whose manual SAs are
// new copies of the same configuration.
func keepManual(old, next *plane) {
	type key struct {
		set  string
		term int
	}
	was := map[key]*termPlane{}
	for _, sp := range old.sets {
		for _, tp := range sp.terms {
			was[key{sp.cfg.Name, tp.t.Index}] = tp
		}
	}
	for _, sp := range next.sets {
		for _, tp := range sp.terms {
			o := was[key{sp.cfg.Name, tp.t.Index}]
			if o == nil || len(tp.t.Manual) == 0 {
				continue
			}
			tp.created = o.created
			if tp.out != nil {
				tp.out = o.out
			}
			if tp.in != nil && o.in != nil {
				for _, w := range next.wires {
					if w.terms[tp.in.SPI()] == tp {
						w.table.Remove(tp.in.SPI())
						w.table.Add(o.in)
					}
				}
				tp.in = o.in
			}
		}
	}
}

// saEvents writes the system log lines of a negotiated SA pair.
func (s *state) saEvents(tag, set string, d DynamicSA) {
	for _, x := range []struct {
		dir string
		spi uint32
	}{{"inbound", d.InSPI}, {"outbound", d.OutSPI}} {
		s.event(tag, "Local gateway: %s, Remote gateway: %s, Direction: %s, SPI: 0x%x, AUX-SPI: 0, Mode: Tunnel, Type: dynamic, Service set: %s",
			d.Local.Addr(), d.Remote.Addr(), x.dir, x.spi, set)
	}
}
