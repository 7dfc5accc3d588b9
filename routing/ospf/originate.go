package ospf

import (
	"cmp"
	"net/netip"
	"slices"
	"time"
)

// Origination: originateAll computes every LSA the router should
// advertise now (router and network LSAs, summaries as an ABR, externals
// from the export policies, NSSA defaults and translations) and compares
// them with the database: new or changed ones get the next sequence number
// and are flooded (at most once per MinLSInterval), ours that are no
// longer wanted are flushed (premature aging).

// extRoute is a route the export policies accepted.
type extRoute struct {
	prefix netip.Prefix
	metric uint32
	e2     bool
	tag    uint32
}

type wantLSA struct {
	a *area // nil for AS scope
	l *LSA
}

// wantKey names a wanted LSA: the same key may be wanted in several areas.
type wantKey struct {
	a *area
	k LSAKey
}

func (in *Instance) originateAll() {
	if in.rid == 0 {
		return
	}
	now := in.now()
	want := map[wantKey]wantLSA{}
	put := func(a *area, l *LSA) {
		l.Adv = in.rid
		if l.Type.asScope() {
			a = nil
		}
		want[wantKey{a, l.Key()}] = wantLSA{a, l}
	}
	for _, a := range in.areas {
		if !a.active() {
			continue
		}
		put(a, in.routerLSA(a))
		for _, l := range in.networkLSAs(a) {
			put(a, l)
		}
	}
	if in.rt != nil {
		for _, w := range in.summaries() {
			put(w.a, w.l)
		}
	}
	for _, w := range in.externals() {
		put(w.a, w.l)
	}
	next := time.Time{}
	keys := make([]wantKey, 0, len(want))
	for wk := range want {
		keys = append(keys, wk)
	}
	slices.SortFunc(keys, func(x, y wantKey) int {
		return cmp.Or(cmp.Compare(areaID(x.a), areaID(y.a)), cmp.Compare(x.k.Type, y.k.Type), cmp.Compare(x.k.ID, y.k.ID))
	})
	for _, wk := range keys {
		w := want[wk]
		k := wk.k
		a := w.a
		if a == nil {
			a = in.anyArea()
			if a == nil {
				continue
			}
		}
		cur := in.lookup(a, k)
		refresh := uint16(in.refreshSeconds())
		if cur != nil && cur.age(now) < refresh && cur.age(now) < MaxAge && sameContent(cur.lsa, w.l) {
			continue
		}
		if cur != nil && cur.ours && now.Sub(cur.installed) < MinLSInterval {
			at := cur.installed.Add(MinLSInterval)
			if next.IsZero() || at.Before(next) {
				next = at
			}
			continue
		}
		l := w.l
		l.Seq = InitialSeq
		if cur != nil {
			l.Seq = cur.lsa.Seq + 1
			if cur.lsa.Seq == MaxSeq {
				continue // RFC 2328 12.1.6: flush first; not reached in practice
			}
		}
		l.encode()
		in.install(a, l, now, true).sent = now
		in.flood(a, l, nil, nil)
		in.trace("lsa-analysis", "originated %s seq 0x%08x", k, uint32(l.Seq))
	}
	in.flushUnwanted(want, now)
	if !next.IsZero() && (in.origAt.IsZero() || next.Before(in.origAt)) {
		in.origAt = next
	}
}

// flushUnwanted prematurely ages our LSAs that are no longer wanted.
func (in *Instance) flushUnwanted(want map[wantKey]wantLSA, now time.Time) {
	flush := func(a *area, d *lsdb) {
		wa := a
		if d == in.ext {
			wa = nil
		}
		for _, e := range d.sorted() {
			k := e.lsa.Key()
			if _, ok := want[wantKey{wa, k}]; ok || !in.selfOriginated(k) || e.age(now) >= MaxAge {
				continue
			}
			c := *e.lsa
			c.Age = MaxAge
			c.Raw = withAge(e.lsa.Raw, MaxAge)
			in.install(a, &c, now, true)
			in.flood(a, &c, nil, nil)
			in.trace("lsa-analysis", "flushed %s", k)
		}
	}
	for _, a := range in.areas {
		flush(a, a.db)
	}
	if a := in.anyArea(); a != nil {
		flush(a, in.ext)
	}
}

// areaID orders areas, the AS scope (nil) last.
func areaID(a *area) int64 {
	if a == nil {
		return 1 << 32
	}
	return int64(a.id)
}

func (in *Instance) anyArea() *area {
	if len(in.areas) == 0 {
		return nil
	}
	return in.areas[0]
}

func (a *area) active() bool {
	for _, i := range a.ifaces {
		if i.state != ifDown {
			return true
		}
	}
	return false
}

// sameContent compares what we would advertise with what we advertise.
func sameContent(cur, l *LSA) bool {
	if cur.Options != l.Options {
		return false
	}
	c := *l
	c.Seq = cur.Seq
	c.encode()
	return string(c.Raw[lsaHeaderLen:]) == string(cur.Raw[lsaHeaderLen:])
}

// routerLSA builds our router LSA for an area (RFC 2328 12.4.1).
func (in *Instance) routerLSA(a *area) *LSA {
	rb := &RouterBody{}
	if in.isABR() {
		rb.Flags |= FlagB
	}
	if in.isASBR() && !a.cfg.Stub {
		rb.Flags |= FlagE
	}
	if a.cfg.NSSA && a.translator {
		rb.Flags |= FlagNt
	}
	transit := func(c uint16) uint16 {
		if in.cfg.Overload {
			return 0xffff
		}
		return c
	}
	stub := func(i *iface) {
		if i.addr.IsValid() {
			p := i.addr.Masked()
			rb.Links = append(rb.Links, RouterLink{ID: IDOf(p.Addr()), Data: maskOf(p.Bits()), Type: LinkStub, Metric: i.cost})
		}
	}
	for _, i := range a.ifaces {
		switch {
		case i.state == ifDown:
		case i.loop:
			if i.addr.IsValid() {
				rb.Links = append(rb.Links, RouterLink{ID: i.addrID(), Data: 0xffffffff, Type: LinkStub, Metric: i.cost})
			}
		case i.passive():
			stub(i)
		case i.p2p():
			for _, n := range i.nbrs {
				if n.state == nbrFull {
					data := i.addrID()
					if data == 0 {
						data = ID(i.link.Index)
					}
					rb.Links = append(rb.Links, RouterLink{ID: n.id, Data: data, Type: LinkP2P, Metric: transit(i.cost)})
				}
			}
			stub(i)
		case i.state == ifWaiting:
			stub(i)
		default:
			if in.fullWithDR(i) {
				rb.Links = append(rb.Links, RouterLink{ID: i.dr, Data: i.addrID(), Type: LinkTransit, Metric: transit(i.cost)})
			} else {
				stub(i)
			}
		}
	}
	return &LSA{LSAHeader: LSAHeader{Options: a.lsaOptions(), Type: RouterLSA, ID: in.rid}, Router: rb}
}

// fullWithDR reports whether the network of i is transit: we are the DR
// with a full neighbor, or full with the DR.
func (in *Instance) fullWithDR(i *iface) bool {
	for _, n := range i.nbrs {
		if n.state == nbrFull && (i.state == ifDR || n.addr == i.dr) {
			return true
		}
	}
	return false
}

// networkLSAs builds the network LSAs of the networks we are DR of (RFC
// 2328 12.4.2).
func (in *Instance) networkLSAs(a *area) []*LSA {
	var out []*LSA
	for _, i := range a.ifaces {
		if i.state != ifDR || i.p2p() || i.passive() {
			continue
		}
		rs := []ID{in.rid}
		for _, n := range i.nbrs {
			if n.state == nbrFull {
				rs = append(rs, n.id)
			}
		}
		if len(rs) == 1 {
			continue
		}
		out = append(out, &LSA{LSAHeader: LSAHeader{Options: a.lsaOptions(), Type: NetworkLSA, ID: i.addrID()},
			Network: &NetworkBody{Mask: i.mask(), Routers: rs}})
	}
	return out
}

// isASBR reports whether we originate externals.
func (in *Instance) isASBR() bool {
	if len(in.exported) > 0 {
		return true
	}
	for _, a := range in.areas {
		if a.cfg.NSSA && a.translator && in.isABR() {
			return true
		}
	}
	return false
}

// summaries builds the summary LSAs of an ABR (RFC 2328 12.4.3) and the
// defaults it sends into stub areas and NSSAs.
func (in *Instance) summaries() []wantLSA {
	if !in.isABR() {
		return nil
	}
	var out []wantLSA
	prefixes := make([]netip.Prefix, 0, len(in.rt.nets))
	for p := range in.rt.nets {
		prefixes = append(prefixes, p)
	}
	slices.SortFunc(prefixes, comparePrefix)
	for _, x := range in.areas {
		if !x.active() {
			continue
		}
		ids := idAllocator{}
		sum := func(p netip.Prefix, cost uint32) {
			if cost >= LSInfinity {
				return
			}
			out = append(out, wantLSA{x, &LSA{LSAHeader: LSAHeader{Options: x.lsaOptions(), Type: SummaryLSA, ID: ids.id(p)},
				Summary: &SummaryBody{Mask: maskOf(p.Bits()), Metric: cost}}})
		}
		if !(x.stubby() && x.cfg.NoSummaries) {
			ranges := map[*Range]uint32{}
			for _, p := range prefixes {
				r := in.rt.nets[p]
				if r.area == x.id || r.path > pathInter || r.path == pathInter && (x.id == 0 || r.area != 0) {
					continue
				}
				if r.path == pathIntra {
					if rg := in.rangeOf(r.area, p); rg != nil {
						if c, ok := ranges[rg]; !ok || r.cost > c {
							ranges[rg] = r.cost
						}
						continue
					}
				}
				sum(p, r.cost)
			}
			for rg, c := range ranges {
				if !rg.Restrict {
					sum(rg.Prefix.Masked(), cmp.Or(rg.Override, c))
				}
			}
			if !x.stubby() {
				for _, r := range in.rt.rtrs {
					if !r.asbr || r.area == x.id || r.path == pathInter && x.id == 0 {
						continue
					}
					out = append(out, wantLSA{x, &LSA{LSAHeader: LSAHeader{Options: x.lsaOptions(), Type: ASBRSummaryLSA, ID: r.id},
						Summary: &SummaryBody{Metric: r.cost}}})
				}
			}
		}
		switch {
		case x.cfg.Stub && x.cfg.DefaultMetric > 0:
			sum(netip.PrefixFrom(netip.IPv4Unspecified(), 0), x.cfg.DefaultMetric)
		case x.cfg.NSSA && x.cfg.NSSADefault != nil && x.cfg.NoSummaries && !x.cfg.NSSADefault.Type7:
			sum(netip.PrefixFrom(netip.IPv4Unspecified(), 0), cmp.Or(x.cfg.NSSADefault.Metric, 1))
		}
	}
	return dedupe(out)
}

// dedupe keeps one LSA per area and key (the lowest metric).
func dedupe(ws []wantLSA) []wantLSA {
	type k struct {
		a *area
		k LSAKey
	}
	seen := map[k]int{}
	var out []wantLSA
	for _, w := range ws {
		key := k{w.a, LSAKey{w.l.Type, w.l.ID, 0}}
		if j, ok := seen[key]; ok {
			if w.l.Summary != nil && out[j].l.Summary != nil && w.l.Summary.Metric < out[j].l.Summary.Metric {
				out[j] = w
			}
			continue
		}
		seen[key] = len(out)
		out = append(out, w)
	}
	return out
}

// rangeOf returns the area-range of area id that covers p.
func (in *Instance) rangeOf(id ID, p netip.Prefix) *Range {
	for _, a := range in.areas {
		if a.id != id {
			continue
		}
		for i := range a.cfg.Ranges {
			r := &a.cfg.Ranges[i]
			if r.Prefix.Bits() <= p.Bits() && r.Prefix.Contains(p.Addr()) && !(r.Exact && r.Prefix.Masked() != p) {
				return r
			}
		}
	}
	return nil
}

// idAllocator gives link-state IDs to prefixes: the network address, or
// with the host bits set when another mask already took it (RFC 2328 E).
type idAllocator map[ID]int

func (ids idAllocator) id(p netip.Prefix) ID {
	id := IDOf(p.Masked().Addr())
	if bits, ok := ids[id]; ok && bits != p.Bits() {
		return id | ^maskOf(p.Bits())
	}
	ids[id] = p.Bits()
	return id
}

// externals builds the AS-external LSAs of the exported routes, the NSSA
// LSAs for the NSSAs we are in, the NSSA default and the translations of
// NSSA LSAs (RFC 3101).
func (in *Instance) externals() []wantLSA {
	var out []wantLSA
	normal := false
	for _, a := range in.areas {
		if a.active() && !a.stubby() {
			normal = true
		}
	}
	ids := idAllocator{}
	own := map[netip.Prefix]bool{}
	for _, r := range in.exported {
		own[r.prefix] = true
		if normal {
			out = append(out, wantLSA{nil, &LSA{LSAHeader: LSAHeader{Options: OptDC | OptE, Type: ExternalLSA, ID: ids.id(r.prefix)},
				External: &ExternalBody{Mask: maskOf(r.prefix.Bits()), E2: r.e2, Metric: r.metric, Tag: r.tag}}})
		}
	}
	abr := in.isABR()
	for _, a := range in.areas {
		if !a.cfg.NSSA || !a.active() {
			continue
		}
		fwd := in.nssaForward(a)
		opts := uint8(OptDC | OptNP)
		if abr {
			opts = OptDC
		}
		ids7 := idAllocator{}
		for _, r := range in.exported {
			out = append(out, wantLSA{a, &LSA{LSAHeader: LSAHeader{Options: opts, Type: NSSALSA, ID: ids7.id(r.prefix)},
				External: &ExternalBody{Mask: maskOf(r.prefix.Bits()), E2: r.e2, Metric: r.metric, Tag: r.tag, Forward: fwd}}})
		}
		if d := a.cfg.NSSADefault; d != nil && abr && (!a.cfg.NoSummaries || d.Type7) {
			out = append(out, wantLSA{a, &LSA{LSAHeader: LSAHeader{Options: OptDC, Type: NSSALSA, ID: 0},
				External: &ExternalBody{Mask: 0, E2: d.MetricType == 2, Metric: cmp.Or(d.Metric, 1)}}})
		}
		if abr && normal && a.translator {
			out = append(out, in.translate(a, own, ids)...)
		}
	}
	return out
}

// nssaForward is the forwarding address of our NSSA LSAs: an address of
// one of our interfaces in the area (RFC 3101 2.3).
func (in *Instance) nssaForward(a *area) ID {
	var best ID
	for _, i := range a.ifaces {
		if i.state != ifDown && i.addr.IsValid() {
			if i.loop {
				return i.addrID()
			}
			if best == 0 {
				best = i.addrID()
			}
		}
	}
	return best
}

// translate turns the NSSA LSAs of area a with the P bit into AS-external
// LSAs (RFC 3101 3.2), summarised by the NSSA area ranges.
func (in *Instance) translate(a *area, own map[netip.Prefix]bool, ids idAllocator) []wantLSA {
	var out []wantLSA
	now := in.now()
	done := map[netip.Prefix]bool{}
	for _, e := range a.db.sorted() {
		l := e.lsa
		x := l.External
		if l.Type != NSSALSA || x == nil || l.Adv == in.rid || l.Options&OptNP == 0 || x.Forward == 0 || e.age(now) >= MaxAge {
			continue
		}
		p, ok := prefixOf(l.ID, x.Mask)
		if !ok || p.Bits() == 0 || own[p] {
			continue
		}
		if r := in.rt.nets[p]; r == nil || r.lsa != l.Key() {
			continue
		}
		for _, rg := range a.cfg.NSSARanges {
			if rg.Prefix.Bits() <= p.Bits() && rg.Prefix.Contains(p.Addr()) {
				p, x = rg.Prefix.Masked(), &ExternalBody{E2: x.E2, Metric: cmp.Or(rg.Override, x.Metric), Tag: x.Tag}
				if rg.Restrict {
					p = netip.Prefix{}
				}
				break
			}
		}
		if !p.IsValid() || done[p] {
			continue
		}
		done[p] = true
		out = append(out, wantLSA{nil, &LSA{LSAHeader: LSAHeader{Options: OptDC | OptE, Type: ExternalLSA, ID: ids.id(p)},
			External: &ExternalBody{Mask: maskOf(p.Bits()), E2: x.E2, Metric: x.Metric, Forward: x.Forward, Tag: x.Tag}}})
	}
	return out
}

// electTranslator decides whether we translate an NSSA's LSAs: the
// reachable border router with the highest router ID does (RFC 3101 3.1).
func (in *Instance) electTranslator(a *area) bool {
	if !a.cfg.NSSA || !in.isABR() {
		return false
	}
	for _, r := range in.rt.rtrs {
		if r.area == a.id && r.abr && r.path == pathIntra && r.id > in.rid {
			return false
		}
	}
	return true
}

func comparePrefix(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}
