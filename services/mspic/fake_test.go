package mspic

import (
	"errors"
	"net/netip"
	"os"
	"sync"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// fakeDevice is a Device fed and read through channels.
type fakeDevice struct {
	in  chan []byte // what the kernel routes into the unit
	out chan []byte // what the PIC writes into the router

	mu       sync.Mutex
	deadline chan struct{} // closed when a read deadline passes
}

func newFakeDevice() *fakeDevice {
	return &fakeDevice{in: make(chan []byte, 64), out: make(chan []byte, 64), deadline: make(chan struct{})}
}

func (d *fakeDevice) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	d.mu.Lock()
	dl := d.deadline
	d.mu.Unlock()
	select {
	case p := <-d.in:
		sizes[0] = copy(bufs[0], p)
		return 1, nil
	case <-dl:
		return 0, os.ErrDeadlineExceeded
	}
}

func (d *fakeDevice) WriteBatch(pkts [][]byte) (int, error) {
	for _, p := range pkts {
		select {
		case d.out <- append([]byte(nil), p...):
		default:
		}
	}
	return len(pkts), nil
}

func (d *fakeDevice) SetReadDeadline(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t.IsZero() {
		d.deadline = make(chan struct{})
	} else {
		close(d.deadline)
	}
	return nil
}

// fakeNet joins the cards of a test: what one sends reaches the ESP
// sockets bound to the destination address.
type fakeNet struct {
	mu    sync.Mutex
	socks map[netip.Addr][]*fakeSock
	sent  chan []byte // a copy of everything sent, when not nil
	// failESP and failSend make the sockets fail to open (fault
	// injection).
	failESP, failSend error
}

func newFakeNet() *fakeNet { return &fakeNet{socks: map[netip.Addr][]*fakeSock{}} }

type fakeSock struct {
	n    *fakeNet
	addr netip.Addr
	in   chan []byte
	once sync.Once
	done chan struct{}
}

func (n *fakeNet) OpenESP(local netip.Addr) (Receiver, error) {
	s := &fakeSock{n: n, addr: local, in: make(chan []byte, 64), done: make(chan struct{})}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failESP != nil {
		return nil, n.failESP
	}
	n.socks[local] = append(n.socks[local], s)
	return s, nil
}

func (n *fakeNet) fail(esp, send error) {
	n.mu.Lock()
	n.failESP, n.failSend = esp, send
	n.mu.Unlock()
}

func (n *fakeNet) OpenUDP(netip.Addr, uint16) (Receiver, error) {
	return nil, errors.New("no UDP in the fake network")
}

func (n *fakeNet) OpenSender([]netip.AddrPort) (Sender, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failSend != nil {
		return nil, n.failSend
	}
	return fakeSender{n}, nil
}

func (s *fakeSock) ReadBatch(bufs [][]byte, sizes []int) (int, error) {
	select {
	case p := <-s.in:
		sizes[0] = copy(bufs[0], p)
		return 1, nil
	case <-s.done:
		return 0, os.ErrClosed
	}
}

func (s *fakeSock) Close() error {
	s.once.Do(func() {
		close(s.done)
		s.n.mu.Lock()
		defer s.n.mu.Unlock()
		l := s.n.socks[s.addr]
		for i, x := range l {
			if x == s {
				s.n.socks[s.addr] = append(l[:i:i], l[i+1:]...)
				break
			}
		}
	})
	return nil
}

type fakeSender struct{ n *fakeNet }

func (f fakeSender) SendBatch(pkts [][]byte) (int, error) {
	for _, p := range pkts {
		dst := netip.AddrFrom4([4]byte(p[16:20]))
		f.n.mu.Lock()
		for _, s := range f.n.socks[dst] {
			if p[9] == 50 {
				select {
				case s.in <- append([]byte(nil), p...):
				default:
				}
			}
		}
		sent := f.n.sent
		f.n.mu.Unlock()
		if sent != nil {
			select {
			case sent <- append([]byte(nil), p...):
			default:
			}
		}
	}
	return len(pkts), nil
}

func (fakeSender) Close() error { return nil }

// testSet is a next-hop service set with a bidirectional manual SA
// (hmac-sha1-96, aes-128-cbc) protecting src -> dst.
func testSet(name, unit, local, remote, src, dst string) *ipsec.ServiceSet {
	return &ipsec.ServiceSet{
		Name: name, Style: ipsec.NextHop, Inside: unit, LocalGateway: netip.MustParseAddr(local),
		Terms: []*ipsec.Term{{
			Rule: "r", Name: "t", MatchDirection: "input", Index: 1,
			Source: netip.MustParsePrefix(src), Destination: netip.MustParsePrefix(dst),
			RemoteGateway: netip.MustParseAddr(remote),
			Manual: []ipsec.Manual{{Direction: "bidirectional", Protocol: "esp", SPI: 16000,
				Auth: esp.HMACSHA1_96, AuthKey: []byte("ipsec-sha1-key-20-ch"),
				Encryption: esp.AES128CBC, EncKey: []byte("aes128-key-16-ch")}},
		}},
	}
}

// icmpPacket is an IPv4 ICMP echo request.
func icmpPacket(src, dst string, ttl byte) []byte {
	p := make([]byte, 28)
	p[0], p[2], p[3], p[8], p[9] = 0x45, 0, 28, ttl, 1
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(p[12:], s[:])
	copy(p[16:], d[:])
	sum := uint32(0)
	for i := 0; i < 20; i += 2 {
		sum += uint32(p[i])<<8 | uint32(p[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	c := ^uint16(sum)
	p[10], p[11] = byte(c>>8), byte(c)
	p[20] = 8
	p[22], p[23] = 0xf7, 0xff // checksum of an all-zero echo request
	return p
}

type (
	ServiceSetT = ipsec.ServiceSet
	TermT       = ipsec.Term
	StyleT      = ipsec.Style
)

const (
	NextHopT   = ipsec.NextHop
	InterfaceT = ipsec.Interface
)
