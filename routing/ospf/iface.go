package ospf

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// ifState is the state of an interface (RFC 2328 9.1).
type ifState int

const (
	ifDown ifState = iota
	ifLoopback
	ifWaiting
	ifP2P
	ifDROther
	ifBackup
	ifDR
)

// String is the state as "show ospf interface" prints it.
func (s ifState) String() string {
	return [...]string{"Down", "Loopback", "Waiting", "PtToPt", "DRother", "BDR", "DR"}[s]
}

// iface is an OSPF interface of an area.
type iface struct {
	cfg       IfConfig
	area      *area
	name      string // logical interface
	link      Link
	addr      netip.Prefix // primary address; invalid when unnumbered
	loop      bool         // lo0: a host route, no hellos
	state     ifState
	dr, bdr   ID // interface addresses of the DR and BDR
	drID      ID // router IDs of the DR and BDR
	bdrID     ID
	nbrs      []*nbr
	cost      uint16
	hello     time.Time // next hello
	waitEnd   time.Time
	acks      []LSAHeader // delayed acknowledgments
	joined    int         // ifindex whose groups were joined
	cryptoSeq uint32
	triggered time.Time // last hello sent early, for a new neighbor
}

func (i *iface) p2p() bool { return i.cfg.P2P }

func (i *iface) passive() bool { return i.cfg.Passive || i.loop }

func (i *iface) addrID() ID {
	if i.addr.IsValid() {
		return IDOf(i.addr.Addr())
	}
	return 0
}

func (i *iface) mask() ID {
	if i.p2p() || !i.addr.IsValid() {
		return 0
	}
	return maskOf(i.addr.Bits())
}

func (i *iface) deadInterval() uint32 {
	if i.cfg.Dead != 0 {
		return i.cfg.Dead
	}
	return 4 * uint32(i.helloInterval())
}

func (i *iface) helloInterval() uint16 { return cmp.Or(i.cfg.Hello, DefaultHello) }

func (i *iface) rxmt() time.Duration {
	return time.Duration(cmp.Or(i.cfg.Rxmt, DefaultRxmt)) * time.Second
}

// typeName is the interface type of the detail display.
func (i *iface) typeName() string {
	if i.p2p() {
		return "P2P"
	}
	return "LAN"
}

// up brings the interface up (InterfaceUp, RFC 2328 9.3).
func (in *Instance) ifUp(i *iface, now time.Time) {
	switch {
	case i.loop:
		i.state = ifDR
		i.dr, i.drID = i.addrID(), in.rid
	case i.p2p():
		i.state = ifP2P
	case i.passive():
		i.state = ifDROther
	case i.cfg.Priority == 0:
		i.state = ifDROther
	default:
		i.state = ifWaiting
		i.waitEnd = now.Add(time.Duration(i.deadInterval()) * time.Second)
	}
	in.trace("state", "interface %s state changed from Down to %s", i.name, i.state)
	in.sendHello(i, now)
	in.dirty()
}

// ifDownEvent takes the interface down: every neighbor goes away.
func (in *Instance) ifDownEvent(i *iface) {
	if i.state == ifDown {
		return
	}
	for _, n := range slices.Clone(i.nbrs) {
		in.nbrEvent(n, evKill)
	}
	old := i.state
	i.state = ifDown
	i.dr, i.bdr, i.drID, i.bdrID = 0, 0, 0, 0
	i.acks = nil
	i.joined = 0
	in.trace("state", "interface %s state changed from %s to Down", i.name, old)
	in.dirty()
}

// electDR runs the designated router election (RFC 2328 9.4).
func (in *Instance) electDR(i *iface) {
	if i.p2p() || i.passive() || i.state == ifDown {
		return
	}
	type cand struct {
		id, addr ID
		pri      int
		dr, bdr  ID // declared
	}
	self := cand{id: in.rid, addr: i.addrID(), pri: i.cfg.Priority, dr: i.dr, bdr: i.bdr}
	oldDR, oldBDR := i.dr, i.bdr
	var cands []cand
	for _, n := range i.nbrs {
		if n.state >= nbr2Way && n.pri > 0 {
			cands = append(cands, cand{id: n.id, addr: n.addr, pri: int(n.pri), dr: n.dr, bdr: n.bdr})
		}
	}
	better := func(a, b cand) bool { return a.pri > b.pri || a.pri == b.pri && a.id > b.id }
	elect := func(self cand) (dr, bdr cand) {
		all := slices.Clone(cands)
		if self.pri > 0 {
			all = append(all, self)
		}
		var best, bestDecl cand
		for _, c := range all {
			if c.dr == c.addr {
				continue
			}
			if c.bdr == c.addr {
				if bestDecl.id == 0 || better(c, bestDecl) {
					bestDecl = c
				}
			} else if best.id == 0 || better(c, best) {
				best = c
			}
		}
		bdr = best
		if bestDecl.id != 0 {
			bdr = bestDecl
		}
		for _, c := range all {
			if c.dr == c.addr && (dr.id == 0 || better(c, dr)) {
				dr = c
			}
		}
		if dr.id == 0 {
			dr = bdr
		}
		return dr, bdr
	}
	dr, bdr := elect(self)
	isDR, isBDR := dr.addr == self.addr, bdr.addr == self.addr
	wasDR, wasBDR := self.dr == self.addr, self.bdr == self.addr
	if isDR != wasDR || isBDR != wasBDR {
		// (4): our role changed: declare it and elect again.
		self.dr, self.bdr = 0, 0
		if isDR {
			self.dr = self.addr
		}
		if isBDR {
			self.bdr = self.addr
		}
		dr, bdr = elect(self)
		isDR, isBDR = dr.addr == self.addr, bdr.addr == self.addr
	}
	if dr.addr == bdr.addr && dr.id != 0 {
		// Nobody declared a DR and the new BDR became DR too (first
		// elections): the BDR is the best of the others.
		bdr = cand{}
		for _, c := range append(slices.Clone(cands), self) {
			if c.pri > 0 && c.addr != dr.addr && c.dr != c.addr && (bdr.id == 0 || better(c, bdr)) {
				bdr = c
			}
		}
		isBDR = bdr.addr == self.addr && bdr.id != 0
	}
	i.dr, i.drID, i.bdr, i.bdrID = dr.addr, dr.id, bdr.addr, bdr.id
	old := i.state
	switch {
	case isDR:
		i.state = ifDR
	case isBDR:
		i.state = ifBackup
	default:
		i.state = ifDROther
	}
	if old != i.state {
		in.trace("state", "interface %s state changed from %s to %s", i.name, old, i.state)
	}
	if oldDR != i.dr || oldBDR != i.bdr {
		for _, n := range i.nbrs {
			if n.state >= nbr2Way {
				in.adjOK(n)
			}
		}
		in.dirty()
	}
}

// sendHello sends a hello out of i (RFC 2328 9.5).
func (in *Instance) sendHello(i *iface, now time.Time) {
	if i.state == ifDown || i.passive() {
		return
	}
	h := &Hello{Mask: i.mask(), Interval: i.helloInterval(), Options: i.area.options(), Priority: uint8(i.cfg.Priority),
		Dead: i.deadInterval(), DR: i.dr, BDR: i.bdr}
	if i.p2p() {
		h.Priority = uint8(i.cfg.Priority)
	}
	for _, n := range i.nbrs {
		if n.state >= nbrInit {
			h.Neighbors = append(h.Neighbors, n.id)
		}
	}
	in.send(i, AllSPFRouters.Addr(), &Packet{Type: TypeHello, Hello: h})
	i.hello = now.Add(time.Duration(i.helloInterval()) * time.Second)
}

// receiveHello handles a hello from src on i (RFC 2328 10.5).
func (in *Instance) receiveHello(i *iface, src ID, p *Packet, now time.Time) {
	h := p.Hello
	if !i.p2p() && h.Mask != i.mask() {
		in.stats.errMask++
		in.trace("error", "hello from %s on %s: netmask mismatch", src, i.name)
		return
	}
	if h.Interval != i.helloInterval() || h.Dead != i.deadInterval() {
		in.stats.errTimers++
		in.trace("error", "hello from %s on %s: hello/dead interval mismatch", src, i.name)
		return
	}
	if (h.Options&OptE != 0) != (i.area.options()&OptE != 0) || (h.Options&OptNP != 0) != i.area.cfg.NSSA {
		in.stats.errOptions++
		in.trace("error", "hello from %s on %s: area type (options 0x%x) mismatch", src, i.name, h.Options)
		return
	}
	n := i.findNbr(p.RouterID, src)
	if n == nil {
		n = &nbr{ifc: i, id: p.RouterID, addr: src, created: now}
		i.nbrs = append(i.nbrs, n)
		// Answer a new neighbor at once rather than a hello interval later.
		if now.Sub(i.triggered) > time.Second {
			i.triggered = now
			defer in.sendHello(i, now)
		}
	}
	n.id, n.addr, n.options = p.RouterID, src, h.Options
	oldPri, oldDR, oldBDR := n.pri, n.dr, n.bdr
	n.pri, n.dr, n.bdr = h.Priority, h.DR, h.BDR
	in.nbrHello(n, now)
	if slices.Contains(h.Neighbors, in.rid) {
		in.nbrEvent(n, ev2Way)
	} else {
		in.nbrEvent(n, ev1Way)
		return
	}
	if i.p2p() {
		return
	}
	if i.state == ifWaiting && (n.dr == n.addr && n.bdr == 0 || n.bdr == n.addr) {
		in.electDR(i)
		return
	}
	if oldPri != n.pri || (oldDR == n.addr) != (n.dr == n.addr) || (oldBDR == n.addr) != (n.bdr == n.addr) {
		if i.state >= ifDROther {
			in.electDR(i)
		}
	}
}

// findNbr finds the neighbor a packet comes from: by router ID on
// point-to-point links, by address on broadcast ones.
func (i *iface) findNbr(rid, src ID) *nbr {
	for _, n := range i.nbrs {
		if i.p2p() && n.id == rid || !i.p2p() && n.addr == src {
			return n
		}
	}
	return nil
}

func (i *iface) dropNbr(n *nbr) {
	i.nbrs = slices.DeleteFunc(i.nbrs, func(x *nbr) bool { return x == n })
}

// speed is the bandwidth of an interface in bits per second, from its
// name (the cost is the reference bandwidth divided by it).
func speed(ifl string) uint64 {
	switch {
	case strings.HasPrefix(ifl, "ge-"):
		return 1_000_000_000
	case strings.HasPrefix(ifl, "xe-"):
		return 10_000_000_000
	case strings.HasPrefix(ifl, "et-"):
		return 100_000_000_000
	case strings.HasPrefix(ifl, "so-"):
		return 2_488_320_000
	}
	return 1_000_000_000
}

// ifCost is the metric of an interface: configured, or the reference
// bandwidth divided by the interface's speed, at least 1; lo0 costs 0.
func ifCost(c IfConfig, ifl string, refbw uint64, loop bool) uint16 {
	if c.Metric != 0 {
		return c.Metric
	}
	if loop {
		return 0
	}
	refbw = cmp.Or(refbw, DefaultRefBandwidth)
	v := refbw / speed(ifl)
	return uint16(min(max(v, 1), 65535))
}
