package ospf

import (
	"testing"
)

// TestElectDR runs the election of RFC 2328 9.4 on a LAN where we are
// 192.0.2.1 at 10.0.0.1.
func TestElectDR(t *testing.T) {
	type nb struct {
		id, addr string
		pri      uint8
		dr, bdr  string // declared
	}
	tests := []struct {
		name    string
		selfPri int
		nbrs    []nb
		dr, bdr string
	}{
		{"two fresh routers: the higher ID is DR", 128, []nb{{"192.0.2.2", "10.0.0.2", 128, "", ""}}, "10.0.0.2", "10.0.0.1"},
		{"priority wins over router ID", 200, []nb{{"192.0.2.2", "10.0.0.2", 128, "", ""}}, "10.0.0.1", "10.0.0.2"},
		{"a declared DR stays (no preemption)", 255, []nb{{"192.0.2.2", "10.0.0.2", 1, "10.0.0.2", ""}}, "10.0.0.2", "10.0.0.1"},
		{"priority 0 is never elected", 0, []nb{{"192.0.2.2", "10.0.0.2", 1, "", ""}, {"192.0.2.3", "10.0.0.3", 1, "", ""}},
			"10.0.0.3", "10.0.0.2"},
		{"an ineligible neighbor", 128, []nb{{"192.0.2.9", "10.0.0.9", 0, "", ""}}, "10.0.0.1", ""},
		{"a declared BDR is kept as BDR", 128, []nb{{"192.0.2.2", "10.0.0.2", 128, "10.0.0.3", "10.0.0.2"},
			{"192.0.2.3", "10.0.0.3", 128, "10.0.0.3", "10.0.0.2"}}, "10.0.0.3", "10.0.0.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ic := fast("ge-0/0/0.0")
			ic.Priority = tc.selfPri
			in, _ := testInstance(t, ic)
			i := in.areas[0].ifaces[0]
			i.state = ifWaiting
			for _, n := range tc.nbrs {
				x := &nbr{ifc: i, id: id(n.id), addr: id(n.addr), pri: n.pri, state: nbr2Way}
				if n.dr != "" {
					x.dr = id(n.dr)
				}
				if n.bdr != "" {
					x.bdr = id(n.bdr)
				}
				i.nbrs = append(i.nbrs, x)
			}
			in.electDR(i)
			want := func(s string) ID {
				if s == "" {
					return 0
				}
				return id(s)
			}
			if i.dr != want(tc.dr) || i.bdr != want(tc.bdr) {
				t.Errorf("DR %s BDR %s, want %s %s", i.dr, i.bdr, tc.dr, tc.bdr)
			}
		})
	}
}

// TestNeighborFSM runs events of RFC 2328 10.3 on a neighbor of a
// point-to-point interface (always adjacent) and of a LAN where neither
// router is DR or BDR (never adjacent).
func TestNeighborFSM(t *testing.T) {
	tests := []struct {
		p2p  bool
		from nbrState
		ev   nbrEv
		want nbrState
		gone bool
	}{
		{true, nbrInit, ev2Way, nbrExStart, false},
		{false, nbrInit, ev2Way, nbr2Way, false},
		{true, nbrFull, ev1Way, nbrInit, false},
		{true, nbrExchange, evSeqMismatch, nbrExStart, false},
		{true, nbrLoading, evBadLSReq, nbrExStart, false},
		{true, nbrFull, evSeqMismatch, nbrExStart, false},
		{true, nbrInit, evSeqMismatch, nbrInit, false},
		{false, nbrFull, evAdjOK, nbr2Way, false},
		{false, nbr2Way, evAdjOK, nbr2Way, false},
		{true, nbrFull, evKill, nbrDown, true},
		{true, nbrExStart, evInactivity, nbrDown, true},
		{true, nbrExchange, evExchangeDone, nbrFull, false},
		{true, nbrLoading, evLoadingDone, nbrFull, false},
	}
	for _, tc := range tests {
		ic := fast("ge-0/0/0.0")
		ic.P2P = tc.p2p
		in, _ := testInstance(t, ic)
		i := in.areas[0].ifaces[0]
		if !tc.p2p {
			i.state, i.dr, i.bdr = ifDROther, id("10.0.0.7"), id("10.0.0.8")
		}
		n := &nbr{ifc: i, id: id("192.0.2.2"), addr: id("10.0.0.2"), pri: 1, state: tc.from}
		i.nbrs = []*nbr{n}
		in.nbrEvent(n, tc.ev)
		if n.state != tc.want || (len(i.nbrs) == 0) != tc.gone {
			t.Errorf("p2p=%v %s + %s: %s (gone %v), want %s (gone %v)", tc.p2p, tc.from, evNames[tc.ev], n.state,
				len(i.nbrs) == 0, tc.want, tc.gone)
		}
	}
}
