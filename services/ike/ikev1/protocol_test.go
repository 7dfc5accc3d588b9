package ikev1

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// fakeEngine runs protocols the way the key-management engine does: one
// goroutine (the test's), timers from AfterFunc on a fake clock, and a
// network between the hosts.
type fakeEngine struct {
	t      *testing.T
	now    time.Time
	timers []*fakeTimer
	hosts  map[netip.Addr]*fakeHost
	queue  []datagram
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

type fakeHost struct {
	e         *fakeEngine
	addr      netip.Addr
	p         ike.Protocol
	installed map[uint32]*ike.Child
	removed   int
	logs      []string
}

func (h *fakeHost) Send(local, remote netip.AddrPort, msg []byte) {
	h.e.queue = append(h.e.queue, datagram{local, remote, msg})
}

func (h *fakeHost) Install(c *ike.Child) error {
	h.installed[c.InSPI] = c
	return nil
}

func (h *fakeHost) Remove(c *ike.Child) {
	if h.installed[c.InSPI] != c {
		h.e.t.Errorf("removing a child that is not installed: %d", c.InSPI)
	}
	delete(h.installed, c.InSPI)
	h.removed++
}

func (h *fakeHost) AfterFunc(d time.Duration, f func()) ike.Timer {
	t := &fakeTimer{at: h.e.now.Add(d), f: f}
	h.e.timers = append(h.e.timers, t)
	return t
}

func (h *fakeHost) Logf(format string, args ...any) {
	h.logs = append(h.logs, fmt.Sprintf(format, args...))
}

func (h *fakeHost) Now() time.Time { return h.e.now }

func (e *fakeEngine) host(addr string) *fakeHost {
	h := &fakeHost{e: e, addr: netip.MustParseAddr(addr), installed: map[uint32]*ike.Child{}}
	h.p = New(h)
	e.hosts[h.addr] = h
	return h
}

// run delivers messages and fires timers for d of fake time.
func (e *fakeEngine) run(d time.Duration) {
	until := e.now.Add(d)
	for range 100000 {
		for len(e.queue) > 0 {
			m := e.queue[0]
			e.queue = e.queue[1:]
			if h := e.hosts[m.to.Addr()]; h != nil {
				h.p.Receive(m.to, m.from, m.msg)
			}
		}
		e.timers = slices.DeleteFunc(e.timers, func(t *fakeTimer) bool { return t.stopped })
		if len(e.timers) == 0 {
			e.now = until
			return
		}
		slices.SortStableFunc(e.timers, func(a, b *fakeTimer) int { return a.at.Compare(b.at) })
		t := e.timers[0]
		if t.at.After(until) {
			e.now = until
			return
		}
		e.timers = e.timers[1:]
		if t.at.After(e.now) {
			e.now = t.at
		}
		t.stopped = true
		t.f()
	}
	e.t.Fatal("timer storm")
}

func engineTunnel(local, remote, lts, rts, establish string, psk string) *ike.Tunnel {
	set := &ipsec.ServiceSet{Name: "ss1"}
	term := &ipsec.Term{Rule: "r1", Name: "t1"}
	return &ike.Tunnel{Set: set, Term: term,
		Local: netip.MustParseAddr(local), Remote: netip.MustParseAddr(remote),
		IKE: &ipsec.IKEPolicy{Name: "ike1", Version: 1, Mode: "main", PSK: []byte(psk),
			Proposals: []*ipsec.IKEProposal{{Name: "p", AuthMethod: "pre-shared-keys", Group: suite.Group19,
				Hash: suite.SHA256, Encryption: suite.AES256CBC, Lifetime: 20 * time.Minute}}},
		IPsec: &ipsec.IPsecPolicy{Name: "ipsec1", PFS: suite.Group19, Proposals: []*ipsec.IPsecProposal{
			{Name: "q", Protocol: "esp", Authentication: esp.HMACSHA2_256, Encryption: esp.AES256CBC, Lifetime: 10 * time.Minute}}},
		NATT: true, Establish: establish,
		LocalTS: netip.MustParsePrefix(lts), RemoteTS: netip.MustParsePrefix(rts)}
}

func TestProtocol(t *testing.T) {
	e := &fakeEngine{t: t, now: time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC), hosts: map[netip.Addr]*fakeHost{}}
	h1, h2 := e.host("10.0.1.1"), e.host("10.0.1.2")
	t1 := engineTunnel("10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", "immediately", "juniper123")
	t2 := engineTunnel("10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", "responder-only", "juniper123")
	cert := engineTunnel("10.0.1.2", "10.0.1.3", "192.168.0.0/16", "10.0.0.0/8", "immediately", "")
	h2.p.Configure([]*ike.Tunnel{t2, cert})
	h1.p.Configure([]*ike.Tunnel{t1})
	if !strings.Contains(strings.Join(h2.logs, "\n"), "no IKE proposal IKEv1 can negotiate") {
		t.Errorf("a tunnel without a pre-shared key is not reported: %q", h2.logs)
	}
	e.run(time.Second)
	if len(h1.installed) != 1 || len(h2.installed) != 1 {
		t.Fatalf("children %d %d\n%s\n%s", len(h1.installed), len(h2.installed), strings.Join(h1.logs, "\n"), strings.Join(h2.logs, "\n"))
	}
	for _, c := range h1.installed {
		d := h2.installed[c.OutSPI]
		if d == nil || d.OutSPI != c.InSPI || !bytes.Equal(c.OutKeys.Encryption, d.InKeys.Encryption) ||
			!bytes.Equal(c.InKeys.Integrity, d.OutKeys.Integrity) {
			t.Fatalf("children do not match: %+v %+v", c, d)
		}
		if c.Tunnel != t1 || c.Integrity != esp.HMACSHA2_256 || c.Encryption != esp.AES256CBC || c.PFS != suite.Group19 ||
			c.Local != netip.MustParseAddrPort("10.0.1.1:0") || c.Lifetime != 10*time.Minute {
			t.Errorf("child %+v", c)
		}
	}
	sas, drops := h1.p.Status()
	if len(sas) != 1 || drops != (ike.Drops{}) {
		t.Fatalf("status %+v %+v", sas, drops)
	}
	if s := sas[0]; s.Version != 1 || s.Exchange != "Main" || s.Role != "Initiator" || !s.Matured || s.Tunnel != t1 ||
		s.Encryption != suite.AES256CBC || s.Hash != suite.SHA256 || s.Group != suite.Group19 || s.Children != 1 ||
		s.AuthMethod != "Pre-shared-keys" || s.Integrity != suite.HMACSHA256_128 {
		t.Errorf("status %+v", s)
	}
	if sas, _ := h2.p.Status(); len(sas) != 1 || sas[0].Role != "Responder" || sas[0].Tunnel != t2 {
		t.Errorf("responder status %+v", sas)
	}
	// An hour on the engine's timers: rekeys, never a gap.
	for range 60 {
		e.run(time.Minute)
		if len(h1.installed) == 0 || len(h2.installed) == 0 {
			t.Fatalf("no SAs at %v", e.now)
		}
	}
	if sas, _ := h1.p.Status(); len(sas) != 1 || sas[0].Stats.ChildRekeys == 0 && h1.removed < 5 {
		t.Errorf("after an hour: %+v, %d removed", sas, h1.removed)
	}
	// clear ... ipsec security-associations: new children at once
	// (immediately) with notification to the peer.
	before := h2.removed
	h1.p.DeleteChildren(func(t *ike.Tunnel) bool { return t.Term.Name == "t1" }, true)
	e.run(time.Second)
	if len(h1.installed) != 1 || len(h2.installed) != 1 || h2.removed == before {
		t.Errorf("after clearing children: %d %d installed", len(h1.installed), len(h2.installed))
	}
	// clear ... ike security-associations.
	h1.p.DeleteIKE(netip.Addr{}, true)
	e.run(time.Second)
	if a, _ := h1.p.Status(); len(a) != 0 {
		t.Errorf("IKE SAs after DeleteIKE: %+v", a)
	}
	if b, _ := h2.p.Status(); len(b) != 0 {
		t.Errorf("the peer kept its IKE SA: %+v", b)
	}
	// A commit that removes the tunnel removes its children; with no
	// phase-1 SA left to carry a delete, the peer keeps its side until it
	// expires.
	h1.p.Configure(nil)
	e.run(time.Second)
	if len(h1.installed) != 0 || len(h2.installed) != 1 {
		t.Errorf("children left: %d %d", len(h1.installed), len(h2.installed))
	}
	// on-traffic: nothing until Initiate.
	t1.Establish = "on-traffic"
	h1.p.Configure([]*ike.Tunnel{t1})
	e.run(time.Minute)
	if len(h1.installed) != 0 {
		t.Fatal("on-traffic tunnel negotiated without traffic")
	}
	h1.p.Initiate(t1)
	e.run(time.Second)
	if len(h1.installed) != 1 {
		t.Fatal("Initiate did not negotiate")
	}
	// Its INITIAL-CONTACT made the peer drop the stale child.
	if len(h2.installed) != 1 {
		t.Errorf("the peer has %d children", len(h2.installed))
	}
}
