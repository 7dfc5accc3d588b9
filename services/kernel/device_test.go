package kernel

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"testing"
	"time"

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
	if err := netns.Available(); err != nil {
		t.Skipf("skipping: needs network namespaces: %v", err)
	}
	h, err := netns.Create(fmt.Sprintf("mxkern%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Delete()
	do := func(fn func() error) error { return netns.Do(h, fn) }
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
