package ospf

import (
	"net/netip"
	"testing"
	"time"
)

// TestUnnumberedTunnel: two routers joined by unnumbered point-to-point
// units (the inside units of an IPsec tunnel in the E1 example) whose
// link, like the tunnel hop, lets no unicast packet sent with TTL 1
// through. The adjacency forms (every packet goes to AllSPFRouters) and
// each loopback is routed with the unit as next hop, no gateway.
func TestUnnumberedTunnel(t *testing.T) {
	s := newSim(t)
	s.h.source = map[string]netip.Addr{"r2": netip.MustParseAddr("10.0.0.2"), "r3": netip.MustParseAddr("10.0.0.3")}
	for _, n := range []string{"r2", "r3"} {
		s.h.link(n, "ms-1/2/0.1", "", "tunnel")
		s.ifs[n] = append(s.ifs[n], IfState{Name: "ms-1/2/0.1", Up: true})
		s.loopback(n, "10.0.0."+n[1:]+"/32")
	}
	s.h.noUnicast = true
	for _, n := range []string{"r2", "r3"} {
		s.start(n, Config{RouterID: id("10.0.0." + n[1:]), Areas: []AreaConfig{{ID: 0, Interfaces: []IfConfig{
			{Name: "ms-1/2/0.1", P2P: true, Priority: DefaultPriority}, {Name: "lo0.0", Passive: true}}}}}, nil)
	}
	s.run(20 * time.Second)
	if s.h.unicast != 0 {
		t.Errorf("%d unicast packets on the point-to-point link", s.h.unicast)
	}
	for _, n := range []string{"r2", "r3"} {
		var states []string
		for _, a := range s.ins[n].areas {
			for _, i := range a.ifaces {
				for _, nb := range i.nbrs {
					states = append(states, nb.state.String())
				}
			}
		}
		if len(states) != 1 || states[0] != "Full" {
			t.Fatalf("%s: neighbors %v", n, states)
		}
	}
	peer := map[string]string{"r2": "10.0.0.3/32", "r3": "10.0.0.2/32"}
	for n, p := range peer {
		var found bool
		for _, rt := range s.ribs[n].routes[""] {
			if rt.Prefix != netip.MustParsePrefix(p) {
				continue
			}
			found = true
			if len(rt.Hops) != 1 || rt.Hops[0].Interface != "ms-1/2/0.1" || rt.Hops[0].Gateway.IsValid() {
				t.Errorf("%s: route to %s through %+v, want the interface ms-1/2/0.1 alone", n, p, rt.Hops)
			}
		}
		if !found {
			t.Errorf("%s: no route to %s: %v", n, p, s.ribs[n].get(""))
		}
	}
}
