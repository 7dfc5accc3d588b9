package ospf

import (
	"slices"
	"time"
)

// nbrState is the state of a neighbor (RFC 2328 10.1).
type nbrState int

const (
	nbrDown nbrState = iota
	nbrAttempt
	nbrInit
	nbr2Way
	nbrExStart
	nbrExchange
	nbrLoading
	nbrFull
)

func (s nbrState) String() string {
	return [...]string{"Down", "Attempt", "Init", "2Way", "ExStart", "Exchange", "Loading", "Full"}[s]
}

// nbrEv is a neighbor event (RFC 2328 10.2).
type nbrEv int

const (
	ev2Way nbrEv = iota
	ev1Way
	evNegotiationDone
	evExchangeDone
	evLoadingDone
	evAdjOK
	evSeqMismatch
	evBadLSReq
	evKill
	evInactivity
)

var evNames = [...]string{"2WayRcvd", "1WayRcvd", "NegotiationDone", "ExchangeDone", "LoadingDone",
	"AdjOK", "SeqNumberMismatch", "BadLSReq", "KillNbr", "InactivityTimer"}

// nbr is a neighbor on an interface.
type nbr struct {
	ifc      *iface
	id       ID // router ID
	addr     ID // interface address
	pri      uint8
	dr, bdr  ID // as the neighbor declares them
	options  uint8
	state    nbrState
	created  time.Time
	deadline time.Time
	up       time.Time // entered 2Way or better
	full     time.Time // became Full

	master   bool
	ddSeq    uint32
	lastRecv struct { // last DBD received, for duplicate detection
		flags, options uint8
		seq            uint32
		valid          bool
	}
	lastSent   []byte // last DBD sent (retransmitted by the master, repeated by the slave)
	lastSentAt time.Time
	moreSent   bool // the last DBD we sent had the M bit
	summary    []LSAHeader
	requests   []LSAKey
	reqHdr     map[LSAKey]LSAHeader
	lsrSentAt  time.Time
	rxmt       map[LSAKey]*LSA
	rxmtAt     time.Time
	cryptoSeq  uint32
	lastLSU    map[LSAKey]time.Time // when we last sent a database copy back (MinLSArrival)
}

// nbrHello is the HelloReceived event.
func (in *Instance) nbrHello(n *nbr, now time.Time) {
	n.deadline = now.Add(time.Duration(n.ifc.deadInterval()) * time.Second)
	if n.state == nbrDown {
		in.setNbrState(n, nbrInit, "HelloRcvd")
	}
}

// shouldAdjacent reports whether an adjacency should form (RFC 2328 10.4).
func (n *nbr) shouldAdjacent() bool {
	i := n.ifc
	if i.p2p() {
		return true
	}
	return i.state == ifDR || i.state == ifBackup || n.addr == i.dr || n.addr == i.bdr
}

func (in *Instance) setNbrState(n *nbr, s nbrState, why string) {
	old := n.state
	if old == s {
		return
	}
	n.state = s
	now := in.now()
	in.trace("state", "RPD_OSPF_NBRUP: neighbor %s (realm ospf-v2 %s area %s) state changed from %s to %s due to %s",
		n.addr, n.ifc.name, n.ifc.area.id, old, s, why)
	if s >= nbr2Way && old < nbr2Way {
		n.up = now
	}
	if s == nbrFull {
		n.full = now
	}
	if (old == nbrFull) != (s == nbrFull) || (old >= nbr2Way) != (s >= nbr2Way) {
		in.dirty()
		if !n.ifc.p2p() && (old >= nbr2Way) != (s >= nbr2Way) {
			in.electLater(n.ifc)
		}
	}
}

// nbrEvent runs an event on a neighbor's state machine (RFC 2328 10.3).
func (in *Instance) nbrEvent(n *nbr, ev nbrEv) {
	why := evNames[ev]
	switch ev {
	case ev2Way:
		if n.state == nbrInit {
			if n.shouldAdjacent() {
				in.startExchange(n, why)
			} else {
				in.setNbrState(n, nbr2Way, why)
			}
		}
	case ev1Way:
		if n.state >= nbr2Way {
			in.clearLists(n)
			in.setNbrState(n, nbrInit, why)
		}
	case evNegotiationDone:
		if n.state == nbrExStart {
			in.buildSummary(n)
			in.setNbrState(n, nbrExchange, why)
		}
	case evExchangeDone:
		if n.state == nbrExchange {
			if len(n.requests) == 0 {
				in.setNbrState(n, nbrFull, why)
			} else {
				in.setNbrState(n, nbrLoading, why)
				in.sendLSR(n, in.now())
			}
		}
	case evLoadingDone:
		if n.state == nbrLoading {
			in.setNbrState(n, nbrFull, why)
		}
	case evAdjOK:
		switch {
		case n.state == nbr2Way && n.shouldAdjacent():
			in.startExchange(n, why)
		case n.state >= nbrExStart && !n.shouldAdjacent():
			in.clearLists(n)
			in.setNbrState(n, nbr2Way, why)
		}
	case evSeqMismatch, evBadLSReq:
		if n.state >= nbrExchange {
			in.stats.seqMismatch++
			in.clearLists(n)
			in.startExchange(n, why)
		}
	case evKill, evInactivity:
		in.clearLists(n)
		in.setNbrState(n, nbrDown, why)
		n.ifc.dropNbr(n)
		if !n.ifc.p2p() {
			in.electLater(n.ifc)
		}
	}
}

func (in *Instance) adjOK(n *nbr) { in.nbrEvent(n, evAdjOK) }

// electLater runs the DR election once the current packet is handled.
func (in *Instance) electLater(i *iface) {
	if !slices.Contains(in.elect, i) {
		in.elect = append(in.elect, i)
	}
}

func (in *Instance) clearLists(n *nbr) {
	n.summary, n.requests, n.reqHdr, n.rxmt = nil, nil, nil, nil
	n.lastSent, n.lastRecv.valid = nil, false
}

// startExchange enters ExStart: we claim to be master with a new sequence
// number (RFC 2328 10.8).
func (in *Instance) startExchange(n *nbr, why string) {
	in.setNbrState(n, nbrExStart, why)
	if n.ddSeq == 0 {
		n.ddSeq = uint32(in.now().UnixNano()>>20) | 1
	} else {
		n.ddSeq++
	}
	n.master = true
	n.lastRecv.valid = false
	in.sendDBD(n, DBDInit|DBDMore|DBDMS, nil)
}

// buildSummary fills the database summary list (RFC 2328 10.3
// NegotiationDone): every LSA of the area, and the AS-scope ones unless
// the area is a stub or NSSA. MaxAge LSAs go to the retransmission list.
func (in *Instance) buildSummary(n *nbr) {
	now := in.now()
	n.summary = n.summary[:0]
	add := func(d *lsdb) {
		for _, e := range d.sorted() {
			h := e.header(now)
			if h.Age >= MaxAge {
				in.addRxmt(n, e.lsa)
				continue
			}
			n.summary = append(n.summary, h)
		}
	}
	add(n.ifc.area.db)
	if !n.ifc.area.stubby() {
		add(in.ext)
	}
}

// maxDBDHeaders is how many LSA headers fit in one DBD on i.
func (in *Instance) maxHeaders(i *iface, fixed int) int {
	mtu := i.link.MTU
	if mtu <= 0 {
		mtu = 1500
	}
	room := mtu - 20 - headerLen - fixed
	if i.cfg.Auth.Type == AuthCrypto {
		room -= md5Len
	}
	return max(1, room/lsaHeaderLen)
}

// sendDBD sends a database description with the given flags and headers
// and remembers it for retransmission.
func (in *Instance) sendDBD(n *nbr, flags uint8, hs []LSAHeader) {
	mtu := n.ifc.link.MTU
	if mtu <= 0 {
		mtu = 1500
	}
	p := &Packet{Type: TypeDBD, DBD: &DBD{MTU: uint16(mtu), Options: n.ifc.area.options(), Flags: flags, Seq: n.ddSeq, Headers: hs}}
	n.lastSent = in.send(n.ifc, n.addr.Addr(), p)
	n.lastSentAt = in.now()
	n.moreSent = flags&DBDMore != 0
	in.stats.dbdSent++
}

// sendNextDBD sends the next part of the summary list.
func (in *Instance) sendNextDBD(n *nbr) {
	k := min(len(n.summary), in.maxHeaders(n.ifc, 8))
	hs := n.summary[:k]
	n.summary = n.summary[k:]
	var flags uint8
	if len(n.summary) > 0 {
		flags |= DBDMore
	}
	if n.master {
		flags |= DBDMS
	}
	in.sendDBD(n, flags, hs)
}

// receiveDBD handles a database description (RFC 2328 10.6).
func (in *Instance) receiveDBD(n *nbr, p *Packet) {
	d := p.DBD
	in.stats.dbdRecv++
	if mtu := n.ifc.link.MTU; mtu > 0 && int(d.MTU) > mtu {
		in.stats.errMTU++
		in.trace("error", "database description from %s on %s: MTU %d larger than ours (%d)", n.addr, n.ifc.name, d.MTU, mtu)
		return
	}
	dup := n.lastRecv.valid && n.lastRecv.flags == d.Flags && n.lastRecv.options == d.Options && n.lastRecv.seq == d.Seq
	switch n.state {
	case nbrDown, nbrAttempt, nbr2Way:
		return
	case nbrInit:
		in.nbrEvent(n, ev2Way)
		if n.state != nbrExStart {
			return
		}
		fallthrough
	case nbrExStart:
		switch {
		case d.Flags&(DBDInit|DBDMore|DBDMS) == DBDInit|DBDMore|DBDMS && len(d.Headers) == 0 && n.id > in.rid:
			n.master = false
			n.ddSeq = d.Seq
			n.options = d.Options
			in.nbrEvent(n, evNegotiationDone)
		case d.Flags&(DBDInit|DBDMS) == 0 && d.Seq == n.ddSeq && n.id < in.rid:
			n.options = d.Options
			in.nbrEvent(n, evNegotiationDone)
		default:
			return
		}
		in.remember(n, d)
		in.exchange(n, d)
	case nbrExchange:
		if dup {
			if !n.master {
				in.resend(n)
			}
			return
		}
		if (d.Flags&DBDMS != 0) == n.master || d.Flags&DBDInit != 0 || d.Options != n.options {
			in.nbrEvent(n, evSeqMismatch)
			return
		}
		if n.master && d.Seq != n.ddSeq || !n.master && d.Seq != n.ddSeq+1 {
			in.nbrEvent(n, evSeqMismatch)
			return
		}
		in.remember(n, d)
		in.exchange(n, d)
	case nbrLoading, nbrFull:
		if dup {
			if !n.master {
				in.resend(n)
			}
			return
		}
		in.nbrEvent(n, evSeqMismatch)
	}
}

func (in *Instance) remember(n *nbr, d *DBD) {
	n.lastRecv.flags, n.lastRecv.options, n.lastRecv.seq, n.lastRecv.valid = d.Flags, d.Options, d.Seq, true
}

func (in *Instance) resend(n *nbr) {
	if n.lastSent != nil {
		in.sendRaw(n.ifc, n.addr.Addr(), n.lastSent)
		n.lastSentAt = in.now()
	}
}

// exchange takes the headers of an accepted DBD and answers it.
func (in *Instance) exchange(n *nbr, d *DBD) {
	a := n.ifc.area
	for _, h := range d.Headers {
		if !h.Type.known() || h.Type.asScope() && a.stubby() || h.Type == NSSALSA && !a.cfg.NSSA {
			in.nbrEvent(n, evSeqMismatch)
			return
		}
		cur := in.lookup(a, h.Key())
		if cur == nil || compareLSA(h, cur.header(in.now())) > 0 {
			in.addRequest(n, h)
		}
	}
	if n.master {
		n.ddSeq++
		if !n.moreSent && d.Flags&DBDMore == 0 {
			n.lastSent = nil
			in.nbrEvent(n, evExchangeDone)
			return
		}
		in.sendNextDBD(n)
		return
	}
	n.ddSeq = d.Seq
	in.sendNextDBD(n)
	if d.Flags&DBDMore == 0 && !n.moreSent {
		in.nbrEvent(n, evExchangeDone)
	}
}

func (in *Instance) addRequest(n *nbr, h LSAHeader) {
	if n.reqHdr == nil {
		n.reqHdr = map[LSAKey]LSAHeader{}
	}
	k := h.Key()
	if _, ok := n.reqHdr[k]; !ok {
		n.requests = append(n.requests, k)
	}
	n.reqHdr[k] = h
}

func (in *Instance) dropRequest(n *nbr, k LSAKey) {
	if _, ok := n.reqHdr[k]; !ok {
		return
	}
	delete(n.reqHdr, k)
	n.requests = slices.DeleteFunc(n.requests, func(x LSAKey) bool { return x == k })
}

// sendLSR requests the first entries of the request list.
func (in *Instance) sendLSR(n *nbr, now time.Time) {
	if len(n.requests) == 0 {
		return
	}
	k := min(len(n.requests), in.maxHeaders(n.ifc, 0)*lsaHeaderLen/12)
	in.send(n.ifc, n.addr.Addr(), &Packet{Type: TypeLSR, LSR: slices.Clone(n.requests[:k])})
	n.lsrSentAt = now
	in.stats.lsrSent++
}

// receiveLSR answers a link-state request (RFC 2328 10.7).
func (in *Instance) receiveLSR(n *nbr, p *Packet) {
	in.stats.lsrRecv++
	if n.state < nbrExchange {
		return
	}
	var out []*LSA
	for _, k := range p.LSR {
		e := in.lookup(n.ifc.area, k)
		if e == nil {
			in.nbrEvent(n, evBadLSReq)
			return
		}
		out = append(out, e.lsa)
	}
	in.sendLSU(n.ifc, n.addr.Addr(), out)
}

// tickNbr runs a neighbor's timers: inactivity, DBD and LSR
// retransmission, and the retransmission list.
func (in *Instance) tickNbr(n *nbr, now time.Time) {
	if now.After(n.deadline) {
		in.nbrEvent(n, evInactivity)
		return
	}
	rx := n.ifc.rxmt()
	switch {
	case n.state == nbrExStart || n.state == nbrExchange && n.master:
		if n.lastSent != nil && now.Sub(n.lastSentAt) >= rx {
			in.resend(n)
		}
	}
	if (n.state == nbrExchange || n.state == nbrLoading) && len(n.requests) > 0 && now.Sub(n.lsrSentAt) >= rx {
		in.sendLSR(n, now)
	}
	if len(n.rxmt) > 0 && now.Sub(n.rxmtAt) >= rx {
		in.retransmit(n, now)
	}
}
