package ikev1

// A Machine driven over real UDP sockets in a network namespace, with an
// ESP data path of its own (package esp) to send pings through the
// negotiated SAs: what the engine of a PIC does, reduced to a test.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"mxlab/netns"
	"mxlab/services/ipsec/esp"
)

type live struct {
	t     testing.TB
	m     *Machine
	socks map[netip.AddrPort]*net.UDPConn
	in    chan datagram
	ops   chan func()
	esp   chan datagram
	stop  context.CancelFunc
	wg    sync.WaitGroup

	mu        sync.Mutex
	installed map[uint32]ChildSA
	removed   []uint32
	logs      []string
}

// startLive runs a machine on UDP 500 and 4500 of the local addresses
// in namespace h.
func startLive(t testing.TB, h *netns.Handle, local netip.Addr, cfg Config, more ...netip.Addr) *live {
	t.Helper()
	l := &live{t: t, socks: map[netip.AddrPort]*net.UDPConn{}, in: make(chan datagram, 1024),
		ops: make(chan func()), esp: make(chan datagram, 64), installed: map[uint32]ChildSA{}}
	l.m = NewMachine(Options{Host: l, Log: func(level, msg string) {
		l.mu.Lock()
		l.logs = append(l.logs, time.Now().Format("15:04:05.000 ")+level+": "+msg)
		l.mu.Unlock()
	}})
	err := netns.Do(h, func() error {
		for _, a := range append([]netip.Addr{local}, more...) {
			for _, p := range []uint16{PortIKE, PortNATT} {
				ap := netip.AddrPortFrom(a, p)
				c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(ap))
				if err != nil {
					return err
				}
				l.socks[ap] = c
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.stop = cancel
	for ap, c := range l.socks {
		l.wg.Add(1)
		go l.read(ap, c)
	}
	l.wg.Add(1)
	go l.run(ctx)
	t.Cleanup(l.close)
	l.do(func() { l.m.Configure(time.Now(), cfg) })
	return l
}

func (l *live) close() {
	l.stop()
	for _, c := range l.socks {
		c.Close()
	}
	l.wg.Wait()
}

// read passes IKE messages to the machine and ESP to l.esp.
func (l *live) read(to netip.AddrPort, c *net.UDPConn) {
	defer l.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		b := append([]byte(nil), buf[:n]...)
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if to.Port() == PortNATT {
			switch {
			case n == 1 && b[0] == 0xff:
				continue // NAT keepalive
			case n >= 4 && binary.BigEndian.Uint32(b) == 0:
				b = b[4:]
			default:
				select {
				case l.esp <- datagram{from, to, b}:
				default:
				}
				continue
			}
		}
		l.in <- datagram{from, to, b}
	}
}

// run owns the machine.
func (l *live) run(ctx context.Context) {
	defer l.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if next := l.m.Next(); !next.IsZero() {
			timer.Reset(max(0, time.Until(next)))
		} else {
			timer.Reset(time.Hour)
		}
		select {
		case <-ctx.Done():
			return
		case d := <-l.in:
			l.m.Receive(time.Now(), d.to, d.from, d.msg)
		case f := <-l.ops:
			f()
		case <-timer.C:
			l.m.Tick(time.Now())
		}
	}
}

// do runs f on the machine's goroutine.
func (l *live) do(f func()) {
	done := make(chan struct{})
	l.ops <- func() { f(); close(done) }
	<-done
}

func (l *live) Send(local, remote netip.AddrPort, msg []byte) {
	c := l.socks[local]
	if c == nil {
		l.t.Errorf("send from %v: no socket", local)
		return
	}
	if local.Port() == PortNATT && !(len(msg) == 1 && msg[0] == 0xff) {
		msg = append([]byte{0, 0, 0, 0}, msg...)
	}
	c.WriteToUDPAddrPort(msg, remote)
}

func (l *live) Install(c *ChildSA) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.installed[c.InSPI] = *c
	return nil
}

func (l *live) Remove(tunnel string, inSPI uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.installed, inSPI)
	l.removed = append(l.removed, inSPI)
}

// children returns the installed pairs.
func (l *live) children() []ChildSA {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ChildSA
	for _, c := range l.installed {
		out = append(out, c)
	}
	return out
}

func (l *live) log() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := ""
	for _, x := range l.logs {
		s += x + "\n"
	}
	return s
}

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// ping sends an ICMP echo from src to dst through the pair c (ESP in UDP
// from port 4500) and waits for the echo reply through it.
func (l *live) ping(c ChildSA, src, dst netip.Addr, seq uint16) error {
	enc, _ := c.Encryption.ESP()
	auth, _ := c.Integrity.ESP()
	if c.Integrity == 0 {
		auth = esp.NoAuthentication
	}
	out, err := esp.NewSA(esp.Config{SPI: c.OutSPI, Encryption: enc, EncryptionKey: c.OutEncKey,
		Authentication: auth, AuthenticationKey: c.OutAuthKey, Local: c.Local, Remote: c.Remote,
		UDP: &esp.UDPEncap{SrcPort: c.LocalPort, DstPort: c.RemotePort}})
	if err != nil {
		return err
	}
	in, err := esp.NewSA(esp.Config{SPI: c.InSPI, Encryption: enc, EncryptionKey: c.InEncKey,
		Authentication: auth, AuthenticationKey: c.InAuthKey, Local: c.Remote, Remote: c.Local,
		UDP: &esp.UDPEncap{DstPort: c.LocalPort}})
	if err != nil {
		return err
	}
	for range 3 { // the first packets may race the peer's install
		pkt, err := out.Encapsulate(nil, icmpEcho(src, dst, 8, seq))
		if err != nil {
			return err
		}
		l.socks[netip.AddrPortFrom(c.Local, c.LocalPort)].WriteToUDPAddrPort(pkt[esp.UDPPayloadOffset:], netip.AddrPortFrom(c.Remote, c.RemotePort))
		deadline := time.After(time.Second)
		for {
			select {
			case d := <-l.esp:
				inner, err := in.Decapsulate(nil, wrapUDP(d.from, d.to, d.msg))
				if errors.Is(err, esp.ErrBadSPI) {
					continue
				}
				if err != nil {
					return fmt.Errorf("decapsulating the reply: %w", err)
				}
				if len(inner) < 28 || inner[9] != 1 || inner[20] != 0 ||
					netip.AddrFrom4([4]byte(inner[12:16])) != dst || netip.AddrFrom4([4]byte(inner[16:20])) != src {
					return fmt.Errorf("not an echo reply from %v: %x", dst, inner)
				}
				return nil
			case <-deadline:
			}
			break
		}
	}
	return fmt.Errorf("no echo reply through SPIs %08x/%08x", c.InSPI, c.OutSPI)
}

// icmpEcho returns an IPv4 ICMP echo (typ 8) or reply (0).
func icmpEcho(src, dst netip.Addr, typ uint8, seq uint16) []byte {
	p := make([]byte, 20+8+32)
	p[0], p[8], p[9] = 0x45, 64, 1
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	copy(p[12:16], src.AsSlice())
	copy(p[16:20], dst.AsSlice())
	binary.BigEndian.PutUint16(p[10:], ipChecksum(p[:20]))
	ic := p[20:]
	ic[0] = typ
	binary.BigEndian.PutUint16(ic[4:], 0x1234)
	binary.BigEndian.PutUint16(ic[6:], seq)
	for i := range ic[8:] {
		ic[8+i] = byte(i)
	}
	binary.BigEndian.PutUint16(ic[2:], ipChecksum(ic))
	return p
}

// wrapUDP returns the IPv4 and UDP headers of a datagram around payload.
func wrapUDP(from, to netip.AddrPort, payload []byte) []byte {
	p := make([]byte, 28+len(payload))
	p[0], p[8], p[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	copy(p[12:16], from.Addr().AsSlice())
	copy(p[16:20], to.Addr().AsSlice())
	binary.BigEndian.PutUint16(p[10:], ipChecksum(p[:20]))
	binary.BigEndian.PutUint16(p[20:], from.Port())
	binary.BigEndian.PutUint16(p[22:], to.Port())
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(payload)))
	copy(p[28:], payload)
	return p
}

func ipChecksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
