package mspic

import (
	"fmt"
	"net/netip"
	"sync/atomic"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// plane is an immutable snapshot of the card's tables, published to the
// I/O goroutines. Only the SAs' internal state and the atomic counters
// change after publication.
type plane struct {
	sets  []*setPlane
	devs  map[string]*devPlane // by unit
	wires map[wireKey]*wirePlane
	// live are the sequence readers of the manual outbound SAs, by key
	// (see seq.go); seqs gives their first numbers while building.
	live map[string]func() uint64
	seqs *seqState
}

// setPlane is a service set in a plane.
type setPlane struct {
	cfg       *ipsec.ServiceSet
	dev       *devPlane
	terms     []*termPlane
	installed bool // false: SAs kept but "not installed" (gateway down)
	c         *setCounters
}

// setCounters outlive planes: the card keeps one per service set.
type setCounters struct {
	noMatch, policy, icmp, devErrors, sendErrors atomic.Uint64
	noSA                                         atomic.Uint64 // dynamic term without SA yet
}

// termPlane is a term with its SAs (nil where the term has none). A
// dynamic term has its negotiated SA pairs in dyn, oldest first, and the
// newest outbound SA in out; in stays nil.
type termPlane struct {
	set     *setPlane
	t       *ipsec.Term
	out, in *esp.SA
	dyn     []*dynSA
	// peers are the outbound SAs of a term with pairs for several
	// traffic selectors (dynamic peers), by the peer's selector.
	peers   []peerOut
	created time.Time
	// acquired is when the key manager was last told of traffic for
	// the term (unix nanoseconds); it outlives planes.
	acquired *atomic.Int64
}

// peerOut is the outbound SA for the traffic to one peer's networks.
type peerOut struct {
	ts  netip.Prefix
	out *esp.SA
}

// outFor returns the outbound SA for a packet to dst: that of the most
// specific peer selector holding dst, else the term's.
func (tp *termPlane) outFor(dst netip.Addr) *esp.SA {
	if len(tp.peers) < 2 {
		return tp.out
	}
	var best *peerOut
	for i := range tp.peers {
		p := &tp.peers[i]
		if p.ts.Contains(dst) && (best == nil || p.ts.Bits() > best.ts.Bits()) {
			best = p
		}
	}
	if best == nil {
		return tp.out
	}
	return best.out
}

// saRef is one SA of a term and its direction.
type saRef struct {
	sa      *esp.SA
	dir     string // inbound, outbound
	dynamic *dynSA // nil for a manual SA
}

// sas returns every SA of the term once.
func (tp *termPlane) sas() []saRef {
	var out []saRef
	if tp.in != nil {
		out = append(out, saRef{sa: tp.in, dir: "inbound"})
	}
	if tp.out != nil && len(tp.dyn) == 0 {
		out = append(out, saRef{sa: tp.out, dir: "outbound"})
	}
	for _, d := range tp.dyn {
		out = append(out, saRef{sa: d.in, dir: "inbound", dynamic: d}, saRef{sa: d.out, dir: "outbound", dynamic: d})
	}
	return out
}

// devPlane is a device and the service sets whose cleartext it carries.
type devPlane struct {
	unit string
	dev  Device
	sets []*setPlane
}

// wireKey is a local gateway and UDP port (0 for raw ESP).
type wireKey struct {
	addr netip.Addr
	port uint16
}

// wirePlane is an ESP socket's inbound SA table. On the IKE port (500)
// every datagram goes to the key manager; on the other UDP ports those
// with the non-ESP marker do.
type wirePlane struct {
	key   wireKey
	table *esp.Table
	terms map[uint32]*termPlane // by inbound SPI
	// peerTS are the networks of the dynamic peer of an inbound SA (by
	// SPI): what it decrypts must come from there.
	peerTS map[uint32]netip.Prefix
	ike    bool
}

// buildPlane creates the SAs of the sets that run (all of them unless the
// PIC is offline or their gateway is down).
func buildPlane(cfg Config, gwDown map[string]bool, counters func(string) *setCounters, seqs *seqState, now time.Time) (*plane, error) {
	return assemble(cfg, gwDown, counters, seqs, now, nil)
}

// assemble builds a plane: new manual SAs, and the negotiated SAs of the
// dynamic terms from dyn.
func assemble(cfg Config, gwDown map[string]bool, counters func(string) *setCounters, seqs *seqState, now time.Time, dyn *dynState) (*plane, error) {
	p := &plane{devs: map[string]*devPlane{}, wires: map[wireKey]*wirePlane{}, seqs: seqs, live: map[string]func() uint64{}}
	for _, ss := range cfg.Sets {
		down := ss.GWInterface != "" && gwDown[ss.GWInterface]
		if down && ss.Style == ipsec.NextHop {
			continue // SAs cleared while the gateway is down
		}
		sp := &setPlane{cfg: ss, installed: !down, c: counters(ss.Name)}
		if err := p.addSet(sp, cfg, now, dyn); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *plane) addSet(sp *setPlane, cfg Config, now time.Time, dyn *dynState) error {
	ss := sp.cfg
	unit := ss.Device()
	if d := cfg.Devices[unit]; d != nil {
		dp := p.devs[unit]
		if dp == nil {
			dp = &devPlane{unit: unit, dev: d}
			p.devs[unit] = dp
		}
		dp.sets = append(dp.sets, sp)
		sp.dev = dp
	}
	for _, t := range ss.Terms {
		tp := &termPlane{set: sp, t: t, created: now}
		for _, m := range t.Manual {
			if err := p.addManual(tp, m, cfg.NoTunnelHop); err != nil {
				return fmt.Errorf("service set %s rule %s term %s: %w", ss.Name, t.Rule, t.Name, err)
			}
		}
		if t.Dynamic != nil {
			if err := p.addDynamic(tp, dyn); err != nil {
				return fmt.Errorf("service set %s rule %s term %s: %w", ss.Name, t.Rule, t.Name, err)
			}
		}
		sp.terms = append(sp.terms, tp)
	}
	p.sets = append(p.sets, sp)
	return nil
}

func (p *plane) addManual(tp *termPlane, m ipsec.Manual, noHop bool) error {
	c := tp.set.cfg.SAConfig(tp.t, m, noHop)
	if m.Outbound() {
		key := seqKey(tp.set.cfg.Name, tp.t, m)
		out := c
		if p.seqs != nil {
			out.InitialSeq = p.seqs.start(key)
		}
		sa, err := esp.NewSA(out)
		if err != nil {
			return err
		}
		tp.out = sa
		p.live[key] = sa.Seq
	}
	if !m.Inbound() {
		return nil
	}
	sa, err := esp.NewSA(c)
	if err != nil {
		return err
	}
	if err := p.addInbound(tp, sa, wireOf(c)); err != nil {
		return err
	}
	tp.in = sa
	return nil
}

// wireOf is the wire an inbound SA's packets arrive on.
func wireOf(c esp.Config) wireKey {
	k := wireKey{addr: c.Local}
	if c.UDP != nil {
		k.port = c.UDP.DstPort
	}
	return k
}

// wire returns the wire of a local address and port, creating it.
func (p *plane) wire(k wireKey) *wirePlane {
	w := p.wires[k]
	if w == nil {
		w = &wirePlane{key: k, table: esp.NewTable(), terms: map[uint32]*termPlane{}}
		p.wires[k] = w
	}
	return w
}

// addInbound enters an inbound SA of tp into the table of wire k.
func (p *plane) addInbound(tp *termPlane, sa *esp.SA, k wireKey) error {
	w := p.wire(k)
	if err := w.table.Add(sa); err != nil {
		return fmt.Errorf("local gateway %s: %w", k.addr, err)
	}
	w.terms[sa.SPI()] = tp
	return nil
}

// sameIO reports whether two planes need the same I/O goroutines.
func sameIO(a, b *plane) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.devs) != len(b.devs) || len(a.wires) != len(b.wires) {
		return false
	}
	for k, d := range a.devs {
		if e := b.devs[k]; e == nil || e.dev != d.dev {
			return false
		}
	}
	for k, w := range a.wires {
		if x := b.wires[k]; x == nil || x.ike != w.ike {
			return false
		}
	}
	return true
}

func addTable(t *esp.TableStats, o esp.TableStats) {
	t.BadSPI += o.BadSPI
	t.BadHeaders += o.BadHeaders
	t.LengthErrors += o.LengthErrors
	t.Keepalives += o.Keepalives
	t.NonESP += o.NonESP
}

func (k wireKey) String() string {
	if k.port == 0 {
		return k.addr.String()
	}
	return fmt.Sprintf("%s port %d", k.addr, k.port)
}
