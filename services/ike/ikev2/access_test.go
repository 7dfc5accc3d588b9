package ikev2

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike"
)

// TestDynamicPeers: a hub with an access-profile tunnel (remote-gateway
// 0.0.0.0, the allowed pair 10.0.0.0/24 <-> 10.1.0.0/16) answers peers it
// does not know: two within the pair get children of their own, one
// outside is refused with TS_UNACCEPTABLE (logged and counted), and a
// hub without the tunnel answers IKE_SA_INIT with NO_PROPOSAL_CHOSEN.
func TestDynamicPeers(t *testing.T) {
	w := newWorld(t)
	o := testOptions()
	hub := w.addHost("hub", "192.168.255.2", o)
	ht := testTunnel("192.168.255.2", "0.0.0.0", "10.0.0.0/24", "10.1.0.0/16", "juniper123", nil, nil)
	ht.Establish, ht.Profile = "responder-only", "IKE-profile-TEST"
	hub.p.Configure([]*ike.Tunnel{ht})
	spokes := map[string]*host{}
	for i, s := range []struct{ name, addr, lan string }{
		{"a", "192.168.1.1", "10.1.1.0/24"}, {"b", "192.168.2.1", "10.1.2.0/24"}, {"bad", "192.168.3.1", "10.2.3.0/24"},
	} {
		h := w.addHost(s.name, s.addr, o)
		st := testTunnel(s.addr, "192.168.255.2", s.lan, "10.0.0.0/24", "juniper123", nil, nil)
		st.Term.Index = i + 1
		h.p.Configure([]*ike.Tunnel{st})
		h.p.Initiate(st)
		spokes[s.name] = h
	}
	w.run(5 * time.Second)
	got := map[string]bool{}
	for _, c := range hub.children() {
		got[c.Remote.Addr().String()+" "+c.RemoteTS.String()] = true
	}
	if len(got) != 2 || !got["192.168.1.1 10.1.1.0/24"] || !got["192.168.2.1 10.1.2.0/24"] {
		t.Fatalf("hub children %v\n%s", got, w.dump())
	}
	if len(spokes["a"].children()) != 1 || len(spokes["b"].children()) != 1 || len(spokes["bad"].children()) != 0 {
		t.Fatalf("spokes' children: %d %d %d", len(spokes["a"].children()), len(spokes["b"].children()), len(spokes["bad"].children()))
	}
	log := strings.Join(hub.log, "\n")
	if !strings.Contains(log, "are not allowed by access profile IKE-profile-TEST: TS_UNACCEPTABLE sent") {
		t.Errorf("refusal not logged:\n%s", log)
	}
	if _, d := hub.p.Status(); d.ProxyRefused == 0 {
		t.Errorf("refusal not counted: %+v", d)
	}
	// Without the tunnel, a first message gets NO_PROPOSAL_CHOSEN.
	hub.p.Configure(nil)
	w.run(time.Second)
	stray := w.addHost("stray", "192.168.4.1", o)
	st := testTunnel("192.168.4.1", "192.168.255.2", "10.1.4.0/24", "10.0.0.0/24", "juniper123", nil, nil)
	stray.p.Configure([]*ike.Tunnel{st})
	stray.p.Initiate(st)
	var answered bool
	for range 10 {
		w.deliver()
		for _, l := range stray.log {
			answered = answered || strings.Contains(l, "NO_PROPOSAL_CHOSEN")
		}
	}
	if !answered || !strings.Contains(strings.Join(hub.log, "\n"), "no tunnel or access profile accepts that peer") {
		t.Errorf("stray peer not refused:\n%s", w.dump())
	}
}

// TestMaxDynamicPeers: beyond MaxDynamicPeers the hub answers no new
// dynamic peer; those it has keep their children.
func TestMaxDynamicPeers(t *testing.T) {
	w := newWorld(t)
	o := testOptions()
	o.MaxDynamicPeers = 3
	hub := w.addHost("hub", "192.168.255.2", o)
	ht := testTunnel("192.168.255.2", "0.0.0.0", "10.0.0.0/24", "10.1.0.0/16", "juniper123", nil, nil)
	ht.Establish, ht.Profile = "responder-only", "p"
	hub.p.Configure([]*ike.Tunnel{ht})
	up := 0
	var spokes []*host
	for i := range 5 {
		addr := netip.AddrFrom4([4]byte{192, 168, 1, byte(i + 1)}).String()
		h := w.addHost("s"+addr, addr, testOptions())
		st := testTunnel(addr, "192.168.255.2", netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, byte(i), 0}), 24).String(), "10.0.0.0/24", "juniper123", nil, nil)
		h.p.Configure([]*ike.Tunnel{st})
		h.p.Initiate(st)
		spokes = append(spokes, h)
	}
	w.run(3 * time.Second)
	for _, s := range spokes {
		up += len(s.children())
	}
	if _, d := hub.p.Status(); up != 3 || len(hub.children()) != 3 || d.HalfOpen == 0 {
		t.Fatalf("%d spokes up, hub %d children, drops %+v", up, len(hub.children()), d)
	}
}
