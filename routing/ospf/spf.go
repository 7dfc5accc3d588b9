package ospf

import (
	"cmp"
	"container/heap"
	"net/netip"
	"slices"
)

// The routing table calculation (RFC 2328 16): Dijkstra over each area's
// router and network LSAs (16.1), the stub networks, the inter-area routes
// from summary LSAs (16.2) and the AS-external and NSSA routes (16.4),
// with every equal-cost next hop kept.

type pathType int

const (
	pathIntra pathType = iota
	pathInter
	pathExt1
	pathExt2
)

func (p pathType) String() string { return [...]string{"Intra", "Inter", "Ext1", "Ext2"}[p] }

// nexthop is a next hop: an interface and, unless the destination is
// attached to it, the neighbor's address.
type nexthop struct {
	ifc *iface
	gw  ID
}

// route is an entry of the OSPF routing table.
type route struct {
	prefix netip.Prefix
	path   pathType
	area   ID
	cost   uint32
	cost2  uint32 // type 2 external metric
	tag    uint32
	origin ID
	lsa    LSAKey // the LSA the route comes from
	hops   []nexthop
}

// rtrRoute is a route to a router (an area border or AS boundary router,
// or any router of an area, as "show ospf route" lists them).
type rtrRoute struct {
	id        ID
	area      ID
	path      pathType
	cost      uint32
	abr, asbr bool
	hops      []nexthop
	options   uint8
}

// table is the result of a calculation.
type table struct {
	nets map[netip.Prefix]*route
	rtrs []*rtrRoute
}

type vkey struct {
	typ LSAType
	id  ID
}

type vertex struct {
	key    vkey
	lsa    *LSA
	dist   uint32
	hops   []nexthop
	done   bool
	direct bool // a network attached to the root
	idx    int
}

type vheap []*vertex

func (h vheap) Len() int { return len(h) }
func (h vheap) Less(i, j int) bool {
	if h[i].dist != h[j].dist {
		return h[i].dist < h[j].dist
	}
	return h[i].key.typ > h[j].key.typ // networks before routers
}
func (h vheap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].idx = i; h[j].idx = j }
func (h *vheap) Push(x any)   { v := x.(*vertex); v.idx = len(*h); *h = append(*h, v) }
func (h *vheap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	v.idx = -1
	return v
}

// spfArea runs Dijkstra on area a and returns the vertices reached.
func (in *Instance) spfArea(a *area) map[vkey]*vertex {
	now := in.now()
	rootE := a.db.get(LSAKey{RouterLSA, in.rid, in.rid})
	if rootE == nil || rootE.age(now) >= MaxAge {
		return nil
	}
	nets := map[ID]*LSA{}
	for k, e := range a.db.m {
		if k.Type == NetworkLSA && e.age(now) < MaxAge {
			if old := nets[k.ID]; old == nil || old.Seq < e.lsa.Seq {
				nets[k.ID] = e.lsa
			}
		}
	}
	routerLSA := func(id ID) *LSA {
		e := a.db.get(LSAKey{RouterLSA, id, id})
		if e == nil || e.age(now) >= MaxAge {
			return nil
		}
		return e.lsa
	}
	seen := map[vkey]*vertex{}
	root := &vertex{key: vkey{RouterLSA, in.rid}, lsa: rootE.lsa}
	seen[root.key] = root
	var h vheap
	heap.Push(&h, root)
	for h.Len() > 0 {
		v := heap.Pop(&h).(*vertex)
		v.done = true
		visit := func(wk vkey, wl *LSA, cost uint32, link *RouterLink) {
			if wl == nil || !linksBack(wl, v) {
				return
			}
			w := seen[wk]
			if w != nil && w.done {
				return
			}
			d := v.dist + cost
			hops := in.nextHops(v, root, wl, wk, link)
			switch {
			case w == nil:
				w = &vertex{key: wk, lsa: wl, dist: d, hops: hops, direct: v == root && wk.typ == NetworkLSA}
				seen[wk] = w
				heap.Push(&h, w)
			case d < w.dist:
				w.dist, w.hops, w.lsa = d, hops, wl
				w.direct = v == root && wk.typ == NetworkLSA
				heap.Fix(&h, w.idx)
			case d == w.dist:
				w.hops = mergeHops(w.hops, hops)
			}
		}
		switch v.key.typ {
		case RouterLSA:
			if v.lsa.Router == nil {
				continue
			}
			for li := range v.lsa.Router.Links {
				lk := &v.lsa.Router.Links[li]
				switch lk.Type {
				case LinkP2P:
					visit(vkey{RouterLSA, lk.ID}, routerLSA(lk.ID), uint32(lk.Metric), lk)
				case LinkTransit:
					visit(vkey{NetworkLSA, lk.ID}, nets[lk.ID], uint32(lk.Metric), lk)
				}
			}
		case NetworkLSA:
			if v.lsa.Network == nil {
				continue
			}
			for _, r := range v.lsa.Network.Routers {
				visit(vkey{RouterLSA, r}, routerLSA(r), 0, nil)
			}
		}
	}
	return seen
}

// linksBack reports whether w's LSA has a link back to v (RFC 2328
// 16.1 (2b)).
func linksBack(w *LSA, v *vertex) bool {
	switch {
	case w.Router != nil:
		for _, l := range w.Router.Links {
			if v.key.typ == RouterLSA && l.Type == LinkP2P && l.ID == v.key.id ||
				v.key.typ == NetworkLSA && l.Type == LinkTransit && l.ID == v.key.id {
				return true
			}
		}
	case w.Network != nil:
		return v.key.typ == RouterLSA && slices.Contains(w.Network.Routers, v.key.id)
	}
	return false
}

// nextHops computes the next hops of w reached from v (RFC 2328 16.1.1).
func (in *Instance) nextHops(v, root *vertex, wl *LSA, wk vkey, link *RouterLink) []nexthop {
	switch {
	case v == root:
		i := in.ifaceFor(link.Data)
		if i == nil {
			return nil
		}
		if wk.typ == NetworkLSA {
			return []nexthop{{ifc: i}}
		}
		for _, n := range i.nbrs {
			if n.id == wk.id && !i.addr.IsValid() {
				// Unnumbered point-to-point: the interface itself.
				return []nexthop{{ifc: i}}
			}
			if n.id == wk.id {
				return []nexthop{{ifc: i, gw: n.addr}}
			}
		}
		return nil
	case v.direct && wk.typ == RouterLSA:
		// A router on a network attached to us: its address there.
		var out []nexthop
		for _, l := range wl.Router.Links {
			if l.Type == LinkTransit && l.ID == v.key.id {
				for _, h := range v.hops {
					out = append(out, nexthop{ifc: h.ifc, gw: l.Data})
				}
				break
			}
		}
		return out
	}
	return v.hops
}

// ifaceFor finds our interface whose address is the link data of one of
// our router LSA's links (its interface index when it is unnumbered).
func (in *Instance) ifaceFor(data ID) *iface {
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			if i.state == ifDown {
				continue
			}
			if i.addrID() == data || !i.addr.IsValid() && i.link.Index != 0 && ID(i.link.Index) == data {
				return i
			}
		}
	}
	return nil
}

func mergeHops(a, b []nexthop) []nexthop {
	out := slices.Clone(a)
	for _, h := range b {
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// prefixOf turns an address and mask into a prefix.
func prefixOf(id, mask ID) (netip.Prefix, bool) {
	bits := maskBits(mask)
	if bits < 0 {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom((id & mask).Addr(), bits), true
}

// calculate computes the routing table from the databases.
func (in *Instance) calculate() *table {
	t := &table{nets: map[netip.Prefix]*route{}}
	trees := map[*area]map[vkey]*vertex{}
	for _, a := range in.areas {
		tree := in.spfArea(a)
		trees[a] = tree
		a.spfRuns++
		in.intraRoutes(t, a, tree)
	}
	abr := in.isABR()
	for _, a := range in.areas {
		if abr && a.id != 0 {
			continue
		}
		in.interRoutes(t, a, trees[a])
	}
	in.externalRoutes(t)
	slices.SortFunc(t.rtrs, func(x, y *rtrRoute) int { return cmp.Or(cmp.Compare(x.id, y.id), cmp.Compare(x.area, y.area)) })
	return t
}

// intraRoutes adds the routers, transit networks and stub networks of an
// area's tree.
func (in *Instance) intraRoutes(t *table, a *area, tree map[vkey]*vertex) {
	a.abrs, a.asbrs = 0, 0
	var vs []*vertex
	for _, v := range tree {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(x, y *vertex) int { return cmp.Or(cmp.Compare(x.dist, y.dist), cmp.Compare(x.key.id, y.key.id)) })
	for _, v := range vs {
		switch v.key.typ {
		case RouterLSA:
			flags := v.lsa.Router.Flags
			if v.key.id != in.rid {
				r := &rtrRoute{id: v.key.id, area: a.id, cost: v.dist, abr: flags&FlagB != 0, asbr: flags&FlagE != 0, hops: v.hops, options: v.lsa.Options}
				t.rtrs = append(t.rtrs, r)
				if r.abr {
					a.abrs++
				}
				if r.asbr {
					a.asbrs++
				}
			}
			for _, l := range v.lsa.Router.Links {
				if l.Type != LinkStub {
					continue
				}
				p, ok := prefixOf(l.ID, l.Data)
				if !ok {
					continue
				}
				hops := v.hops
				if v.key.id == in.rid {
					hops = in.attached(p)
				}
				t.addIntra(&route{prefix: p, path: pathIntra, area: a.id, cost: v.dist + uint32(l.Metric),
					origin: v.key.id, lsa: v.lsa.Key(), hops: hops})
			}
		case NetworkLSA:
			p, ok := prefixOf(v.lsa.ID, v.lsa.Network.Mask)
			if !ok {
				continue
			}
			t.addIntra(&route{prefix: p, path: pathIntra, area: a.id, cost: v.dist, origin: v.lsa.Adv, lsa: v.lsa.Key(), hops: v.hops})
		}
	}
}

// attached returns the interface of a network we are attached to.
func (in *Instance) attached(p netip.Prefix) []nexthop {
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			if i.state != ifDown && i.addr.IsValid() && i.addr.Masked() == p {
				return []nexthop{{ifc: i}}
			}
			if i.state != ifDown && i.addr.IsValid() && p.Bits() == 32 && i.addr.Addr() == p.Addr() {
				return []nexthop{{ifc: i}}
			}
		}
	}
	return nil
}

func (t *table) addIntra(r *route) {
	old := t.nets[r.prefix]
	switch {
	case old == nil || old.path != pathIntra || r.cost < old.cost:
		t.nets[r.prefix] = r
	case r.cost == old.cost:
		old.hops = mergeHops(old.hops, r.hops)
	}
}

// router finds the best route to a router in area a (any area when a is
// nil) that is an ABR or ASBR as wanted.
func (t *table) router(id ID, a *area, abr, asbr bool) *rtrRoute {
	var best *rtrRoute
	for _, r := range t.rtrs {
		if r.id != id || a != nil && r.area != a.id || abr && !r.abr || asbr && !r.asbr {
			continue
		}
		if best == nil || r.cost < best.cost || r.cost == best.cost && r.path < best.path {
			best = r
		}
	}
	return best
}

// interRoutes adds the routes of the summary LSAs of area a (RFC 2328 16.2).
func (in *Instance) interRoutes(t *table, a *area, tree map[vkey]*vertex) {
	now := in.now()
	for _, e := range a.db.sorted() {
		l := e.lsa
		if l.Summary == nil || e.age(now) >= MaxAge || l.Summary.Metric >= LSInfinity || l.Adv == in.rid {
			continue
		}
		br := t.router(l.Adv, a, true, false)
		if br == nil || br.path != pathIntra {
			continue
		}
		cost := br.cost + l.Summary.Metric
		if l.Type == ASBRSummaryLSA {
			old := t.router(l.ID, nil, false, true)
			if old != nil && old.path == pathIntra {
				continue
			}
			t.rtrs = append(t.rtrs, &rtrRoute{id: l.ID, area: a.id, path: pathInter, cost: cost, asbr: true, hops: br.hops})
			continue
		}
		p, ok := prefixOf(l.ID, l.Summary.Mask)
		if !ok {
			continue
		}
		if in.ownRange(p) {
			continue
		}
		old := t.nets[p]
		switch {
		case old != nil && old.path == pathIntra:
		case old == nil || cost < old.cost:
			t.nets[p] = &route{prefix: p, path: pathInter, area: a.id, cost: cost, origin: l.Adv, lsa: l.Key(), hops: br.hops}
		case cost == old.cost:
			old.hops = mergeHops(old.hops, br.hops)
		}
	}
}

// ownRange reports whether p is an area range we advertise.
func (in *Instance) ownRange(p netip.Prefix) bool {
	if !in.isABR() {
		return false
	}
	for _, a := range in.areas {
		for _, r := range a.cfg.Ranges {
			if r.Prefix.Masked() == p && !r.Restrict {
				return true
			}
		}
	}
	return false
}

// externalRoutes adds the routes of AS-external and NSSA LSAs (RFC 2328
// 16.4, RFC 3101 2.5).
func (in *Instance) externalRoutes(t *table) {
	now := in.now()
	consider := func(e *entry, a *area) {
		l := e.lsa
		x := l.External
		if x == nil || e.age(now) >= MaxAge || x.Metric >= LSInfinity || l.Adv == in.rid {
			return
		}
		p, ok := prefixOf(l.ID, x.Mask)
		if !ok {
			return
		}
		asbr := t.router(l.Adv, a, false, true)
		if asbr == nil {
			return
		}
		dist, hops := asbr.cost, asbr.hops
		if x.Forward != 0 {
			fr := t.lookup(x.Forward.Addr())
			if fr == nil || fr.path > pathInter {
				return
			}
			dist, hops = fr.cost, fr.hops
			if len(hops) == 1 && hops[0].gw == 0 {
				hops = []nexthop{{ifc: hops[0].ifc, gw: x.Forward}}
			}
		}
		r := &route{prefix: p, path: pathExt1, cost: dist + x.Metric, tag: x.Tag, origin: l.Adv, lsa: l.Key(), hops: hops}
		if a != nil {
			r.area = a.id
		}
		if x.E2 {
			r.path, r.cost, r.cost2 = pathExt2, dist, x.Metric
		}
		old := t.nets[p]
		switch {
		case old == nil:
			t.nets[p] = r
		case old.path < pathExt1:
		case extBetter(r, old):
			t.nets[p] = r
		case !extBetter(old, r):
			old.hops = mergeHops(old.hops, r.hops)
		}
	}
	for _, e := range in.ext.sorted() {
		consider(e, nil)
	}
	for _, a := range in.areas {
		if !a.cfg.NSSA {
			continue
		}
		for _, e := range a.db.sorted() {
			if e.lsa.Type == NSSALSA {
				consider(e, a)
			}
		}
	}
}

func extBetter(a, b *route) bool {
	if a.path != b.path {
		return a.path < b.path
	}
	if a.path == pathExt2 && a.cost2 != b.cost2 {
		return a.cost2 < b.cost2
	}
	return a.cost < b.cost
}

// lookup finds the longest-match route of the table for an address.
func (t *table) lookup(a netip.Addr) *route {
	var best *route
	for p, r := range t.nets {
		if p.Contains(a) && (best == nil || p.Bits() > best.prefix.Bits()) {
			best = r
		}
	}
	return best
}

// isABR reports whether the router has active interfaces in more than one
// area.
func (in *Instance) isABR() bool {
	n := 0
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			if i.state != ifDown {
				n++
				break
			}
		}
	}
	return n > 1
}
