package ike

import (
	"context"
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/mspic"
)

// fakeProto records what the engine asks of a protocol.
type fakeProto struct {
	h     Host
	mu    sync.Mutex
	calls []string
}

func (p *fakeProto) rec(s string) { p.mu.Lock(); p.calls = append(p.calls, s); p.mu.Unlock() }

func (p *fakeProto) Configure(ts []*Tunnel) { p.rec("configure " + itoa(len(ts))) }
func (p *fakeProto) Receive(l, r netip.AddrPort, msg []byte) {
	p.rec("receive " + r.String())
}
func (p *fakeProto) Initiate(t *Tunnel) { p.rec("initiate " + t.Term.Name) }
func (p *fakeProto) DeleteIKE(peer netip.Addr, notify bool) {
	p.rec("delete-ike " + peer.String() + map[bool]string{true: " notify", false: ""}[notify])
}
func (p *fakeProto) DeleteChildren(match func(*Tunnel) bool, notify bool) {
	p.rec("delete-children" + map[bool]string{true: " notify", false: ""}[notify])
}
func (p *fakeProto) Status() ([]SAStatus, Drops) { return nil, Drops{Malformed: 1} }

func (p *fakeProto) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.calls
	p.calls = nil
	return c
}

func itoa(n int) string { return string(rune('0' + n)) }

type fakeCard struct {
	mu        sync.Mutex
	installed []mspic.DynamicSA
	removed   []uint32
}

func (c *fakeCard) InstallSA(d mspic.DynamicSA) error {
	c.mu.Lock()
	c.installed = append(c.installed, d)
	c.mu.Unlock()
	return nil
}

func (c *fakeCard) RemoveSA(set string, spi uint32) error {
	c.mu.Lock()
	c.removed = append(c.removed, spi)
	c.mu.Unlock()
	return nil
}

type fakeNet struct{ sent chan []byte }

func (n fakeNet) OpenSender() (Sender, error) { return n, nil }
func (n fakeNet) SendBatch(pkts [][]byte) (int, error) {
	for _, p := range pkts {
		n.sent <- p
	}
	return len(pkts), nil
}
func (fakeNet) Close() error { return nil }

func tunnel(name, establish string, version int) *Tunnel {
	return &Tunnel{Set: &ipsec.ServiceSet{Name: "ss"}, Term: &ipsec.Term{Rule: "r", Name: name, Index: int(name[1] - '0')},
		Local: netip.MustParseAddr("10.0.1.1"), Remote: netip.MustParseAddr("10.0.1.2"),
		IKE: &ipsec.IKEPolicy{Version: version}, Establish: establish}
}

func newTestKMD(t *testing.T) (*KMD, *fakeProto, *fakeCard, fakeNet) {
	p := &fakeProto{}
	c := &fakeCard{}
	n := fakeNet{sent: make(chan []byte, 16)}
	k := New(Options{Name: "ms-4/0/0", Card: c, Net: n,
		Protocols: map[int]func(Host) Protocol{2: func(h Host) Protocol { p.h = h; return p }}})
	k.Start(context.Background())
	t.Cleanup(k.Stop)
	return k, p, c, n
}

func TestEngine(t *testing.T) {
	k, p, _, _ := newTestKMD(t)
	cfg := Config{Tunnels: []*Tunnel{tunnel("t1", "immediately", 2), tunnel("t2", "on-traffic", 2),
		tunnel("t3", "responder-only", 2), tunnel("t4", "immediately", 1)}}
	must(t, k.Configure(cfg))
	if got := p.take(); !slices.Equal(got, []string{"configure 3"}) {
		t.Fatalf("offline configure: %q", got)
	}
	must(t, k.SetOnline(true))
	if got := p.take(); !slices.Equal(got, []string{"delete-children notify", "initiate t1"}) {
		t.Fatalf("online: %q", got)
	}
	// Traffic: on-traffic and immediately initiate, responder-only not.
	for _, term := range []int{1, 2, 3} {
		k.Acquire("ss", term)
	}
	k.Acquire("other", 1)
	settle(t, k)
	if got := p.take(); !slices.Equal(got, []string{"initiate t1", "initiate t2"}) {
		t.Fatalf("acquire: %q", got)
	}
	must(t, k.ClearIKE(netip.MustParseAddr("10.0.1.2")))
	if got := p.take(); !slices.Equal(got, []string{"delete-ike 10.0.1.2 notify", "initiate t1"}) {
		t.Fatalf("clear ike: %q", got)
	}
	must(t, k.ClearIPsec("other"))
	if got := p.take(); !slices.Equal(got, []string{"delete-children notify"}) {
		t.Fatalf("clear ipsec of another set: %q", got)
	}
	// Messages are dispatched by version; short ones and unknown
	// versions are counted.
	v2 := make([]byte, 28)
	v2[17] = 0x20
	v1 := make([]byte, 28)
	v1[17] = 0x10
	from := netip.MustParseAddrPort("10.0.1.2:500")
	k.IKE(netip.MustParseAddrPort("10.0.1.1:500"), from, v2)
	k.IKE(netip.MustParseAddrPort("10.0.1.1:500"), from, v1)
	k.IKE(netip.MustParseAddrPort("10.0.1.1:500"), from, []byte{1, 2, 3})
	settle(t, k)
	_, d, err := k.Status()
	must(t, err)
	if got := p.take(); !slices.Equal(got, []string{"receive 10.0.1.2:500"}) || d.BadVersion != 1 || d.Malformed != 2 {
		t.Fatalf("dispatch: %q, drops %+v", got, d)
	}
	// Offline: nothing is received, initiated or sent.
	must(t, k.SetOnline(false))
	k.IKE(netip.MustParseAddrPort("10.0.1.1:500"), from, v2)
	k.Acquire("ss", 1)
	settle(t, k)
	must(t, k.Configure(cfg))
	if got := p.take(); !slices.Equal(got, []string{"configure 3"}) {
		t.Fatalf("offline: %q", got)
	}
}

func TestEngineRestart(t *testing.T) {
	for _, c := range []struct {
		name           string
		ike, ipsec     bool
		want           []string
		installedAfter int
	}{
		{"default", false, false, []string{"delete-children notify", "initiate t1", "initiate t2"}, 0},
		{"clear-ike-sas", true, false, []string{"delete-children", "delete-ike invalid IP notify", "initiate t1", "initiate t2"}, 0},
		{"clear-ipsec-sas", false, true, []string{"delete-children notify", "initiate t1"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, p, _, _ := newTestKMD(t)
			cfg := Config{Tunnels: []*Tunnel{tunnel("t1", "immediately", 2), tunnel("t2", "on-traffic", 2)},
				ClearIKEOnRestart: c.ike, ClearIPsecOnRestart: c.ipsec}
			must(t, k.Configure(cfg))
			must(t, k.SetOnline(true))
			// t2 had a child when the PIC went down.
			must(t, k.do(func(e *engine) error {
				return e.Install(&Child{Tunnel: cfg.Tunnels[1], InSPI: 70000, OutSPI: 70001})
			}))
			must(t, k.SetOnline(false))
			p.take()
			must(t, k.SetOnline(true))
			if got := p.take(); !slices.Equal(got, c.want) {
				t.Fatalf("back online: %q, want %q", got, c.want)
			}
		})
	}
}

func TestEngineHost(t *testing.T) {
	k, p, card, n := newTestKMD(t)
	must(t, k.Configure(Config{Tunnels: []*Tunnel{tunnel("t1", "on-traffic", 2)}}))
	must(t, k.SetOnline(true))
	fired := make(chan bool, 2)
	must(t, k.do(func(e *engine) error {
		tu := tunnel("t1", "on-traffic", 2)
		c := &Child{Tunnel: tu, InSPI: 70000, OutSPI: 70001, Local: netip.MustParseAddrPort("10.0.1.1:4500")}
		if err := p.h.Install(c); err != nil {
			return err
		}
		p.h.Remove(c)
		p.h.Remove(c) // twice: once only
		p.h.AfterFunc(10*time.Millisecond, func() { fired <- true })
		stopped := p.h.AfterFunc(10*time.Millisecond, func() { fired <- false })
		stopped.Stop()
		p.h.Send(netip.MustParseAddrPort("10.0.1.1:4500"), netip.MustParseAddrPort("10.0.1.2:4500"), []byte{1, 2, 3, 4, 5})
		p.h.Send(netip.MustParseAddrPort("10.0.1.1:4500"), netip.MustParseAddrPort("10.0.1.2:4500"), []byte{0xff})
		return nil
	}))
	if !<-fired {
		t.Fatal("a stopped timer fired")
	}
	select {
	case <-fired:
		t.Fatal("a stopped timer fired")
	case <-time.After(50 * time.Millisecond):
	}
	if len(card.installed) != 1 || card.installed[0].Local.Port() != 4500 || !slices.Equal(card.removed, []uint32{70000}) {
		t.Fatalf("card: %+v %v", card.installed, card.removed)
	}
	ike, ka := <-n.sent, <-n.sent
	if len(ike) != 20+8+4+5 || binary.BigEndian.Uint32(ike[28:]) != 0 || len(ka) != 29 || ka[28] != 0xff {
		t.Fatalf("sent % x and % x", ike, ka)
	}
}

// TestUDPPacket checks the headers and checksums of a built datagram.
func TestUDPPacket(t *testing.T) {
	p := udpPacket(netip.MustParseAddrPort("192.0.2.1:500"), netip.MustParseAddrPort("192.0.2.2:500"), []byte("hello"), 7)
	if len(p) != 33 || p[0] != 0x45 || p[9] != 17 || binary.BigEndian.Uint16(p[2:]) != 33 || binary.BigEndian.Uint16(p[24:]) != 13 {
		t.Fatalf("% x", p)
	}
	if fold(sum(0, p[:20])) != 0xffff {
		t.Fatal("IP checksum")
	}
	c := sum(0, p[12:20]) + 17 + 13
	if fold(sum(c, p[20:])) != 0xffff {
		t.Fatal("UDP checksum")
	}
}

// settle waits until the engine has handled the messages and acquires
// given to it.
func settle(t *testing.T, k *KMD) {
	for len(k.in) > 0 || len(k.acq) > 0 {
		time.Sleep(time.Millisecond)
	}
	must(t, k.do(func(*engine) error { return nil })) // what was taken is done
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEngineGateway(t *testing.T) {
	k, p, _, _ := newTestKMD(t)
	tu := tunnel("t1", "immediately", 2)
	tu.Set.GWInterface = "ge-1/0/1.0"
	must(t, k.Configure(Config{Tunnels: []*Tunnel{tu}}))
	must(t, k.SetOnline(true))
	p.take()
	must(t, k.SetGateway("ge-1/0/1.0", false))
	k.Acquire("ss", 1)
	settle(t, k)
	if got := p.take(); !slices.Equal(got, []string{"delete-children"}) {
		t.Fatalf("gateway down: %q", got)
	}
	must(t, k.SetGateway("ge-1/0/1.0", true))
	if got := p.take(); !slices.Equal(got, []string{"initiate t1"}) {
		t.Fatalf("gateway up: %q", got)
	}
}
