package ospf

import (
	"net/netip"
	"testing"
	"time"
)

// gridInstance is an instance whose area holds the router LSAs of a w×h
// grid of routers joined by point-to-point links (each with a stub link
// for its subnet and one for its loopback); we are the router at (0,0).
func gridInstance(tb testing.TB, w, h int) *Instance {
	rid := func(x, y int) ID { return ID(0x0a000000|uint32(x)<<8|uint32(y)) + 1<<16 }
	// The link between two routers: data addresses from 172.16/12.
	linkAddr := func(a, b ID, first bool) ID {
		if a > b {
			a, b = b, a
			first = !first
		}
		v := ID(0xac100000) + ID((uint32(a)*31+uint32(b))&0x3ffff)<<2
		if first {
			return v + 1
		}
		return v + 2
	}
	in := newInstance("", nil, nil, func() time.Time { return simStart }, nil)
	a := &area{id: 0, db: newLSDB()}
	in.areas = []*area{a}
	in.rid = rid(0, 0)
	nbrsOf := func(x, y int) [][2]int {
		var out [][2]int
		for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			if nx, ny := x+d[0], y+d[1]; nx >= 0 && ny >= 0 && nx < w && ny < h {
				out = append(out, [2]int{nx, ny})
			}
		}
		return out
	}
	for x := range w {
		for y := range h {
			me := rid(x, y)
			rb := &RouterBody{}
			for _, nb := range nbrsOf(x, y) {
				other := rid(nb[0], nb[1])
				data := linkAddr(me, other, true)
				rb.Links = append(rb.Links, RouterLink{ID: other, Data: data, Type: LinkP2P, Metric: uint16(1 + (x+y)%3)},
					RouterLink{ID: data &^ 3, Data: 0xfffffffc, Type: LinkStub, Metric: 1})
				if x == 0 && y == 0 {
					i := &iface{name: "ge-0/0/0.0", area: a, state: ifP2P, addr: netip.PrefixFrom(data.Addr(), 30), cfg: IfConfig{P2P: true}}
					i.nbrs = []*nbr{{ifc: i, id: other, addr: linkAddr(me, other, false), state: nbrFull}}
					a.ifaces = append(a.ifaces, i)
				}
			}
			rb.Links = append(rb.Links, RouterLink{ID: me, Data: 0xffffffff, Type: LinkStub})
			l := &LSA{LSAHeader: LSAHeader{Options: 0x22, Type: RouterLSA, ID: me, Adv: me, Seq: InitialSeq}, Router: rb}
			l.encode()
			a.db.install(l, simStart, x == 0 && y == 0)
		}
	}
	return in
}

// BenchmarkSPF1000 is a full routing table calculation of an area of
// 1,000 router LSAs (a 25×40 grid: 3,870 links, ECMP everywhere).
func BenchmarkSPF1000(b *testing.B) {
	in := gridInstance(b, 25, 40)
	if n := len(in.areas[0].db.m); n != 1000 {
		b.Fatalf("%d LSAs", n)
	}
	t := in.calculate()
	if len(t.nets) < 1000 {
		b.Fatalf("%d routes", len(t.nets))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		in.calculate()
	}
}

// TestGridSPF checks the grid's routes against a plain Bellman-Ford:
// every loopback is reached at the cost of the cheapest path (a link costs
// 1+(x+y)%3 from the router (x,y) it leaves).
func TestGridSPF(t *testing.T) {
	const w, h = 6, 5
	in := gridInstance(t, w, h)
	tab := in.calculate()
	dist := map[[2]int]uint32{{0, 0}: 0}
	for range w * h {
		for x := range w {
			for y := range h {
				d, ok := dist[[2]int{x, y}]
				if !ok {
					continue
				}
				for _, n := range [][2]int{{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}} {
					if n[0] < 0 || n[1] < 0 || n[0] >= w || n[1] >= h {
						continue
					}
					c := d + uint32(1+(x+y)%3)
					if old, ok := dist[n]; !ok || c < old {
						dist[n] = c
					}
				}
			}
		}
	}
	for p, want := range dist {
		lo := netip.PrefixFrom((ID(0x0a000000|uint32(p[0])<<8|uint32(p[1])) + 1<<16).Addr(), 32)
		r := tab.nets[lo]
		if p == [2]int{0, 0} {
			continue
		}
		if r == nil || len(r.hops) == 0 || r.cost != want {
			t.Errorf("route to %v: %+v, want cost %d", p, r, want)
		}
	}
	links := 2*w*h - w - h
	if len(tab.nets) != w*h+links {
		t.Errorf("%d routes, want %d loopbacks and %d links", len(tab.nets), w*h, links)
	}
}
