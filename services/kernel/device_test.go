package kernel

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"mxlab/netns"
)

type unitDevice interface {
	ReadBatch(bufs [][]byte, sizes []int) (int, error)
	Write(p []byte) (int, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

func sum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// echo is an ICMP echo request from src to dst.
func echo(src, dst string) []byte {
	p := make([]byte, 28)
	p[0], p[3], p[8], p[9] = 0x45, 28, 64, 1
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(p[12:], s[:])
	copy(p[16:], d[:])
	binary.BigEndian.PutUint16(p[10:], sum(p[:20]))
	p[20] = 8
	p[25] = 7 // id
	binary.BigEndian.PutUint16(p[22:], sum(p[20:]))
	return p
}

// TestDevices checks both kinds of unit device in a namespace: what the
// kernel routes into the unit is read, what is written enters the router.
func TestDevices(t *testing.T) {
	h, do := testNS(t, "mxkern")
	if err := h.AddrAdd("lo", netip.MustParsePrefix("10.9.0.1/32")); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]func() (unitDevice, error){
		"tun":  func() (unitDevice, error) { return OpenTUN(do, "ms-4_0_0.1", 9178) },
		"veth": func() (unitDevice, error) { return OpenVeth(do, "ms-4_0_0.1", 9178) },
	}
	for kind, open := range kinds {
		t.Run(kind, func(t *testing.T) {
			d, err := open()
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			ip := func(args ...string) {
				if out, err := exec.Command("ip", append([]string{"-n", h.Name()}, args...)...).CombinedOutput(); err != nil {
					t.Fatalf("ip %v: %v\n%s", args, err, out)
				}
			}
			ip("route", "replace", "10.8.0.0/24", "dev", "ms-4_0_0.1")
			// Written: an echo request to the router, whose reply the
			// kernel routes back into the unit.
			if _, err := d.Write(echo("10.8.0.5", "10.9.0.1")); err != nil {
				t.Fatal(err)
			}
			d.SetReadDeadline(time.Now().Add(2 * time.Second))
			bufs, sizes := [][]byte{make([]byte, 2048)}, []int{0}
			for {
				n, err := d.ReadBatch(bufs, sizes)
				if err != nil {
					t.Fatalf("no reply read from the unit: %v", err)
				}
				p := bufs[0][:sizes[0]]
				if n == 1 && len(p) >= 28 && p[9] == 1 && p[20] == 0 {
					if got := netip.AddrFrom4([4]byte(p[16:20])); got != netip.MustParseAddr("10.8.0.5") {
						t.Fatalf("echo reply to %v", got)
					}
					break
				}
			}
			// A deadline ends a blocked read.
			d.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if _, err := d.ReadBatch(bufs, sizes); err == nil {
				t.Error("read returned with nothing to read")
			}
		})
	}
}

// segment4 is an IPv4 TCP segment of the flow 10.7.0.1:1000 -> 10.8.0.5:2000.
func segment4(seq uint32, id uint16, ttl uint8, data []byte) []byte {
	p := make([]byte, 40+len(data))
	p[0], p[6], p[8], p[9] = 0x45, 0x40, ttl, 6
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	binary.BigEndian.PutUint16(p[4:], id)
	copy(p[12:], []byte{10, 7, 0, 1, 10, 8, 0, 5})
	binary.BigEndian.PutUint16(p[10:], sum(p[:20]))
	binary.BigEndian.PutUint16(p[20:], 1000)
	binary.BigEndian.PutUint16(p[22:], 2000)
	binary.BigEndian.PutUint32(p[24:], seq)
	binary.BigEndian.PutUint32(p[28:], 1)
	p[32], p[33] = 5<<4, 0x10 // ACK
	binary.BigEndian.PutUint16(p[34:], 1000)
	copy(p[40:], data)
	ph := append(append([]byte(nil), p[12:20]...), 0, 6, byte((len(p)-20)>>8), byte(len(p)-20))
	binary.BigEndian.PutUint16(p[36:], sum(append(ph, p[20:]...)))
	return p
}

// TestTUNOffload writes the segments of a TCP flow into a TUN device with
// offloads on; the router forwards them back into the device as one
// super-packet (one packet received by the device), and reading gives the
// segments back as they were but for the TTL.
func TestTUNOffload(t *testing.T) {
	h, do := testNS(t, "mxtso")
	d, err := OpenTUN(do, "ms-4_0_0.1", 9178)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if !d.offload {
		t.Skip("skipping: the kernel refuses TUNSETOFFLOAD")
	}
	for _, args := range [][]string{
		{"route", "replace", "10.8.0.0/24", "dev", "ms-4_0_0.1"},
		{"route", "replace", "10.7.0.0/24", "dev", "ms-4_0_0.1"},
		{"netns", "exec", h.Name(), "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
			"net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.ms-4_0_0/1.rp_filter=0", "net.ipv4.conf.ms-4_0_0/1.send_redirects=0"},
	} {
		if args[0] != "netns" {
			args = append([]string{"-n", h.Name()}, args...)
		}
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	var in [][]byte
	for i := range 4 {
		data := bytes.Repeat([]byte{byte(i + 1)}, 1200)
		in = append(in, segment4(5000+uint32(i)*1200, 300+uint16(i), 64, data))
	}
	rx := func() uint64 {
		var n uint64
		do(func() error {
			l, err := netlink.LinkByName("ms-4_0_0.1")
			if err == nil {
				n = l.Attrs().Statistics.RxPackets
			}
			return err
		})
		return n
	}
	before := rx()
	if n, err := d.WriteBatch(in); n != len(in) || err != nil {
		t.Fatalf("WriteBatch: %d, %v", n, err)
	}
	if got := rx() - before; got != 1 {
		t.Errorf("the device received %d packets, want one super-packet", got)
	}
	d.SetReadDeadline(time.Now().Add(2 * time.Second))
	bufs, sizes := make([][]byte, 8), make([]int, 8)
	for i := range bufs {
		bufs[i] = make([]byte, 2048)
	}
	var got [][]byte
	for len(got) < len(in) {
		n, err := d.ReadBatch(bufs, sizes)
		if err != nil {
			t.Fatalf("read %d of %d segments: %v", len(got), len(in), err)
		}
		for i := range n {
			if p := bufs[i][:sizes[i]]; len(p) > 20 && p[9] == 6 {
				got = append(got, append([]byte(nil), p...))
			}
		}
	}
	for i, p := range in {
		want := append([]byte(nil), p...)
		want[8]--
		binary.BigEndian.PutUint16(want[10:], 0)
		binary.BigEndian.PutUint16(want[10:], sum(want[:20]))
		if !bytes.Equal(got[i], want) {
			t.Errorf("segment %d:\n got % x\nwant % x", i, got[i][:40], want[:40])
		}
	}
}

// TestESPSocket receives on both kinds of ESP socket, and checks that
// Close ends a blocked read.
func TestESPSocket(t *testing.T) {
	_, do := testNS(t, "mxesp")
	lo := netip.MustParseAddr("127.0.0.1")
	kinds := map[string]func() (*Socket, error){
		"raw": func() (*Socket, error) { return OpenESP(do, lo) },
		"udp": func() (*Socket, error) { return OpenUDP(do, lo, 4500) },
	}
	for kind, open := range kinds {
		t.Run(kind, func(t *testing.T) {
			s, err := open()
			if err != nil {
				t.Fatal(err)
			}
			payload := []byte{0, 0, 0x3e, 0x80, 0, 0, 0, 1} // SPI 16000, seq 1
			err = do(func() error {
				typ, proto, port := unix.SOCK_RAW, unix.IPPROTO_ESP, 0
				if s.Port != 0 {
					typ, proto, port = unix.SOCK_DGRAM, unix.IPPROTO_UDP, int(s.Port)
				}
				fd, err := unix.Socket(unix.AF_INET, typ, proto)
				if err != nil {
					return err
				}
				defer unix.Close(fd)
				return unix.Sendto(fd, payload, 0, &unix.SockaddrInet4{Addr: lo.As4(), Port: port})
			})
			if err != nil {
				t.Fatal(err)
			}
			bufs, sizes := [][]byte{make([]byte, 100), make([]byte, 100)}, []int{0, 0}
			n, err := s.ReadBatch(bufs, sizes)
			if err != nil || n != 1 || !bytes.HasSuffix(bufs[0][:sizes[0]], payload) {
				t.Fatalf("read %d (%v): % x", n, err, bufs[0][:sizes[0]])
			}
			done := make(chan error)
			go func() { _, err := s.ReadBatch(bufs, sizes); done <- err }()
			s.Close()
			if err := <-done; err == nil {
				t.Error("a blocked read returned no error after Close")
			}
			if _, err := s.ReadBatch(bufs, sizes); err == nil {
				t.Error("a read after Close returned no error")
			}
		})
	}
}

// testNS creates a namespace for the test (removed when it ends) and
// returns it with a DoFunc into it; without the rights to, the test is
// skipped.
func testNS(t *testing.T, prefix string) (*netns.Handle, DoFunc) {
	t.Helper()
	if err := netns.Available(); err != nil {
		t.Skipf("skipping: needs network namespaces: %v", err)
	}
	h, err := netns.Create(fmt.Sprintf("%s%d", prefix, os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Delete() })
	return h, func(fn func() error) error { return netns.Do(h, fn) }
}
