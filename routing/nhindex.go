package routing

import (
	"net/netip"
	"sync"

	"mxlab/netns"
)

// Next-hop types of the forwarding table, as Junos abbreviates them.
const (
	nhReject    = "rjct" // reject: drop and answer with ICMP unreachable
	nhDiscard   = "dscd" // discard: drop silently
	nhMultiDisc = "mdsc" // multicast discard
	nhMulticast = "mcst"
	nhBroadcast = "bcst"
	nhReceive   = "recv" // the subnet's network address, received by the RE
	nhLocal     = "locl" // an address of the router
	nhResolve   = "rslv" // a connected subnet: resolve by ARP
	nhUnicast   = "ucst"
)

// permanentIndexes are the next-hop indexes of the permanent entries of the
// default table, which Junos creates first, at boot.
var permanentIndexes = map[string]int{nhMulticast: 31, nhBroadcast: 32, nhDiscard: 34, nhMultiDisc: 35, nhReject: 36}

// firstIndex is the first next-hop index given out after the permanent ones
// (a freshly booted MX numbers its interfaces' next hops from the 500s on).
const firstIndex = 573

// nhKey names a next hop: its type, the table, and the address and
// interface it is about ("" and invalid where they do not apply).
type nhKey struct {
	table int
	typ   string
	addr  netip.Addr
	ifl   string
}

// nhIndexes numbers next hops the way Junos does: in the order they are
// created, each keeping its number for good. Interface next hops are
// numbered at commit, neighbours when the forwarding table first shows
// them. Any goroutine may call it.
type nhIndexes struct {
	mu   sync.Mutex
	next int
	m    map[nhKey]int
}

// index returns the number of k, giving it the next one if it has none.
func (x *nhIndexes) index(k nhKey) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.indexLocked(k)
}

func (x *nhIndexes) indexLocked(k nhKey) int {
	if x.m == nil {
		x.m = map[nhKey]int{}
		x.next = firstIndex
	}
	if k.table == netns.MainTable && k.ifl == "" && !k.addr.IsValid() {
		if n, ok := permanentIndexes[k.typ]; ok {
			return n
		}
	}
	if n, ok := x.m[k]; ok {
		return n
	}
	x.m[k] = x.next
	x.next++
	return x.m[k]
}

// number gives the next hops of a new RIB their indexes, in the order a
// router creates them: each table's permanent next hops, then per
// interface address its broadcast, network, local and subnet next hops,
// then the next hops of the static routes.
func (x *nhIndexes) number(rib *RIB, cfg Config) {
	x.mu.Lock()
	defer x.mu.Unlock()
	tableOf := map[string]int{}
	for _, t := range rib.Tables {
		for _, ifl := range t.Interfaces {
			tableOf[ifl] = t.ID
		}
		for _, typ := range []string{nhDiscard, nhMultiDisc, nhReject, nhMulticast, nhBroadcast} {
			x.indexLocked(nhKey{table: t.ID, typ: typ})
		}
	}
	for _, a := range cfg.Interfaces {
		if !a.Up || !a.Prefix.Addr().Is4() {
			continue
		}
		for _, k := range addressKeys(tableOf[a.Name], a) {
			x.indexLocked(k)
		}
	}
	for _, t := range rib.Tables {
		for _, d := range t.Dests {
			for _, r := range d.Routes {
				if r.Protocol != Static || r.Kind != netns.Unicast || r.Hidden {
					continue
				}
				for _, h := range r.Hops {
					x.indexLocked(hopKey(t.ID, h))
				}
			}
		}
	}
}

// addressKeys are the next hops an interface address makes.
func addressKeys(table int, a IfAddr) []nhKey {
	p := a.Prefix
	local := nhKey{table: table, typ: nhLocal, addr: p.Addr()}
	if p.Bits() >= 31 {
		if p.Bits() == 32 {
			return []nhKey{local}
		}
		return []nhKey{local, {table: table, typ: nhResolve, addr: p.Masked().Addr(), ifl: a.Name}}
	}
	return []nhKey{
		{table: table, typ: nhBroadcast, addr: broadcast(p), ifl: a.Name},
		{table: table, typ: nhReceive, addr: p.Masked().Addr(), ifl: a.Name},
		local,
		{table: table, typ: nhResolve, addr: p.Masked().Addr(), ifl: a.Name},
	}
}

// hopKey is the unicast next hop of a route's hop: the gateway, or the
// interface of a point-to-point next hop. A neighbour the router learns by
// ARP is the same next hop as a gateway with its address.
func hopKey(table int, h Hop) nhKey {
	return nhKey{table: table, typ: nhUnicast, addr: h.Gateway, ifl: h.Interface}
}

// broadcast is the subnet broadcast address of p.
func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
