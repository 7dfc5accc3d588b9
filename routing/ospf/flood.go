package ospf

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

func compareKey(a, b LSAKey) int {
	return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Adv, b.Adv))
}

// Flooding (RFC 2328 13): an update is checked LSA by LSA against the
// database; a newer instance is installed, flooded out of the interfaces
// whose neighbors need it (each of which puts it on its retransmission
// list until acknowledged) and acknowledged; an older one is answered with
// the database's copy.

// lookup finds an LSA: AS-scope types in the AS database, others in the
// area's.
func (in *Instance) lookup(a *area, k LSAKey) *entry {
	if k.Type.asScope() {
		return in.ext.get(k)
	}
	return a.db.get(k)
}

func (in *Instance) dbOf(a *area, t LSAType) *lsdb {
	if t.asScope() {
		return in.ext
	}
	return a.db
}

// receiveLSU handles a link-state update from n.
func (in *Instance) receiveLSU(n *nbr, p *Packet, now time.Time) {
	in.stats.lsuRecv++
	in.stats.badLSA += uint64(p.BadLSAs)
	if n.state < nbrExchange {
		return
	}
	i := n.ifc
	a := i.area
	for _, l := range p.LSU {
		in.stats.lsaRecv++
		k := l.Key()
		if !l.Type.known() || l.Type.asScope() && a.stubby() || l.Type == NSSALSA && !a.cfg.NSSA {
			in.stats.badLSA++
			continue
		}
		cur := in.lookup(a, k)
		if l.Age >= MaxAge && cur == nil && !in.anyExchanging() {
			in.directAck(n, l.LSAHeader)
			continue
		}
		var ch LSAHeader
		if cur != nil {
			ch = cur.header(now)
		}
		c := 1
		if cur != nil {
			c = compareLSA(l.LSAHeader, ch)
		}
		switch {
		case c > 0:
			if cur != nil && !cur.ours && now.Sub(cur.installed) < MinLSArrival {
				in.stats.lsaTooSoon++
				continue
			}
			if in.selfOriginated(k) {
				// RFC 2328 13.4: a newer instance of our own LSA (from
				// before a restart): take its sequence number, then
				// originate again or flush it.
				in.install(a, l, now, false)
				flooded := in.flood(a, l, i, n)
				in.ackIfNeeded(n, l.LSAHeader, flooded)
				in.dirty() // originateAll follows its sequence number or flushes it
				continue
			}
			flooded := in.flood(a, l, i, n)
			in.install(a, l, now, false)
			in.ackIfNeeded(n, l.LSAHeader, flooded)
		case n.reqHdr != nil && hasKey(n.reqHdr, k):
			in.nbrEvent(n, evBadLSReq)
			return
		case c == 0:
			if _, ok := n.rxmt[k]; ok {
				delete(n.rxmt, k) // implied acknowledgment
				if i.state == ifBackup && n.addr == i.dr {
					i.acks = append(i.acks, l.LSAHeader)
				}
			} else {
				in.directAck(n, l.LSAHeader)
			}
		default:
			if ch.Age >= MaxAge && ch.Seq == MaxSeq {
				continue
			}
			if n.lastLSU == nil {
				n.lastLSU = map[LSAKey]time.Time{}
			}
			if now.Sub(n.lastLSU[k]) >= MinLSArrival {
				n.lastLSU[k] = now
				in.sendLSU(i, n.addr.Addr(), []*LSA{in.aged(cur, now)})
			}
		}
		in.requestDone(n, k)
	}
	in.checkLoading(n)
}

func hasKey(m map[LSAKey]LSAHeader, k LSAKey) bool { _, ok := m[k]; return ok }

// requestDone removes k from n's request list (the LSA arrived) and asks
// for the rest when the previous request is all answered.
func (in *Instance) requestDone(n *nbr, k LSAKey) {
	if _, ok := n.reqHdr[k]; ok {
		in.dropRequest(n, k)
	}
}

func (in *Instance) checkLoading(n *nbr) {
	if n.state == nbrLoading && len(n.requests) == 0 {
		in.nbrEvent(n, evLoadingDone)
	} else if (n.state == nbrLoading || n.state == nbrExchange) && len(n.requests) > 0 {
		in.sendLSR(n, in.now())
	}
}

func (in *Instance) anyExchanging() bool {
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			for _, n := range i.nbrs {
				if n.state == nbrExchange || n.state == nbrLoading {
					return true
				}
			}
		}
	}
	return false
}

// selfOriginated reports whether an LSA is ours: advertised by our router
// ID, or a network LSA for one of our interface addresses.
func (in *Instance) selfOriginated(k LSAKey) bool {
	if k.Adv == in.rid {
		return true
	}
	if k.Type == NetworkLSA {
		for _, a := range in.areas {
			for _, i := range a.ifaces {
				if i.addrID() == k.ID && i.addrID() != 0 {
					return true
				}
			}
		}
	}
	return false
}

// install puts an LSA in its database, takes the old instance off every
// retransmission list (RFC 2328 13 (5c)) and schedules a routing calculation when its content
// changed.
func (in *Instance) install(a *area, l *LSA, now time.Time, ours bool) *entry {
	k := l.Key()
	for _, ar := range in.areas {
		if !k.Type.asScope() && ar != a {
			continue
		}
		for _, i := range ar.ifaces {
			for _, n := range i.nbrs {
				// The old instance leaves the lists; the new one, which
				// flooding may have put there already, stays.
				if x, ok := n.rxmt[k]; ok && x != l {
					delete(n.rxmt, k)
				}
			}
		}
	}
	e, changed := in.dbOf(a, l.Type).install(l, now, ours)
	if changed {
		in.spfLater()
	}
	return e
}

// flood sends l out of the interfaces that need it; from is the interface
// and sender it came from (nil when we originate it). It reports whether l
// went back out of the receiving interface.
func (in *Instance) flood(a *area, l *LSA, from *iface, sender *nbr) bool {
	back := false
	now := in.now()
	for _, ar := range in.areas {
		if l.Type.asScope() && ar.stubby() || !l.Type.asScope() && ar != a {
			continue
		}
		for _, i := range ar.ifaces {
			if in.floodOut(i, l, from, sender, now) && i == from {
				back = true
			}
		}
	}
	return back
}

func (in *Instance) floodOut(i *iface, l *LSA, from *iface, sender *nbr, now time.Time) bool {
	if i.state == ifDown || i.passive() {
		return false
	}
	k := l.Key()
	added := false
	for _, n := range i.nbrs {
		if n.state < nbrExchange {
			continue
		}
		if n.state != nbrFull {
			if h, ok := n.reqHdr[k]; ok {
				c := compareLSA(l.LSAHeader, h)
				if c < 0 {
					continue
				}
				in.dropRequest(n, k)
				if c == 0 {
					continue
				}
			}
		}
		if n == sender {
			continue
		}
		in.addRxmt(n, l)
		added = true
	}
	if !added {
		return false
	}
	if i == from && sender != nil && (sender.addr == i.dr || sender.addr == i.bdr) {
		return false
	}
	if i == from && i.state == ifBackup {
		return false
	}
	dst := AllSPFRouters
	if !i.p2p() && i.state != ifDR && i.state != ifBackup {
		dst = AllDRouters
	}
	in.sendLSU(i, dst.Addr(), []*LSA{l})
	in.stats.lsaFlooded++
	return true
}

func (in *Instance) addRxmt(n *nbr, l *LSA) {
	if n.rxmt == nil {
		n.rxmt = map[LSAKey]*LSA{}
		n.rxmtAt = in.now()
	}
	if len(n.rxmt) == 0 {
		n.rxmtAt = in.now()
	}
	n.rxmt[l.Key()] = l
}

// aged returns the LSA of an entry with its current age in its bytes.
func (in *Instance) aged(e *entry, now time.Time) *LSA {
	age := e.age(now)
	if age == e.lsa.Age {
		return e.lsa
	}
	c := *e.lsa
	c.Age = age
	c.Raw = withAge(e.lsa.Raw, age)
	return &c
}

// sendLSU sends LSAs in as few updates as the MTU allows, their ages
// increased by the transit delay.
func (in *Instance) sendLSU(i *iface, dst netip.Addr, ls []*LSA) {
	room := in.maxHeaders(i, 4) * lsaHeaderLen
	var batch []*LSA
	size := 0
	flush := func() {
		if len(batch) > 0 {
			in.send(i, dst, &Packet{Type: TypeLSU, LSU: batch})
			in.stats.lsuSent++
			batch, size = nil, 0
		}
	}
	for _, l := range ls {
		age := min(int(l.Age)+InfTransDelay, MaxAge)
		if l.Age >= MaxAge {
			age = MaxAge
		}
		c := *l
		c.Age = uint16(age)
		c.Raw = withAge(l.Raw, c.Age)
		if size+len(c.Raw) > room && len(batch) > 0 {
			flush()
		}
		batch = append(batch, &c)
		size += len(c.Raw)
	}
	flush()
}

// ackIfNeeded queues a delayed acknowledgment unless flooding back out of
// the receiving interface acknowledged it (RFC 2328 13.5).
func (in *Instance) ackIfNeeded(n *nbr, h LSAHeader, flooded bool) {
	i := n.ifc
	if flooded {
		return
	}
	if i.state == ifBackup && n.addr != i.dr {
		return
	}
	i.acks = append(i.acks, h)
}

func (in *Instance) directAck(n *nbr, h LSAHeader) {
	in.send(n.ifc, n.addr.Addr(), &Packet{Type: TypeLSAck, Ack: []LSAHeader{h}})
	in.stats.ackSent++
}

// flushAcks sends the delayed acknowledgments of every interface.
func (in *Instance) flushAcks() {
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			if len(i.acks) == 0 || i.state == ifDown {
				i.acks = nil
				continue
			}
			dst := AllSPFRouters
			if !i.p2p() && i.state != ifDR && i.state != ifBackup {
				dst = AllDRouters
			}
			per := in.maxHeaders(i, 0)
			for len(i.acks) > 0 {
				k := min(per, len(i.acks))
				in.send(i, dst.Addr(), &Packet{Type: TypeLSAck, Ack: i.acks[:k]})
				in.stats.ackSent++
				i.acks = i.acks[k:]
			}
			i.acks = nil
		}
	}
}

// receiveAck takes acknowledged LSAs off the retransmission list (RFC
// 2328 13.7).
func (in *Instance) receiveAck(n *nbr, p *Packet) {
	in.stats.ackRecv++
	if n.state < nbrExchange {
		return
	}
	for _, h := range p.Ack {
		k := h.Key()
		l, ok := n.rxmt[k]
		if !ok {
			continue
		}
		if compareLSA(h, l.LSAHeader) == 0 || h.Seq == l.Seq && h.Checksum == l.Checksum {
			delete(n.rxmt, k)
		}
	}
}

// retransmit sends the retransmission list again, directly to n.
func (in *Instance) retransmit(n *nbr, now time.Time) {
	ls := make([]*LSA, 0, len(n.rxmt))
	keys := make([]LSAKey, 0, len(n.rxmt))
	for k := range n.rxmt {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKey)
	for _, k := range keys {
		l := n.rxmt[k]
		a := n.ifc.area
		if e := in.lookup(a, k); e != nil && e.lsa == l {
			ls = append(ls, in.aged(e, now))
		} else {
			ls = append(ls, l)
		}
	}
	in.stats.lsaRxmt += uint64(len(ls))
	in.sendLSU(n.ifc, n.addr.Addr(), ls)
	n.rxmtAt = now
}
