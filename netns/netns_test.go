package netns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testPrefix names the namespaces of this test process.
var testPrefix = fmt.Sprintf("mxt%d-", os.Getpid())

// needRoot skips tests that create namespaces when this process cannot.
func needRoot(t *testing.T) {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("skipping: %v", err)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: iproute2's ip command is not installed")
	}
	t.Cleanup(func() { checkNoLeftovers(t) })
}

// checkNoLeftovers fails when a namespace of this process, or a link named
// like one of its ports, outlives the test.
func checkNoLeftovers(t *testing.T) {
	ents, _ := os.ReadDir(RunDir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), testPrefix) {
			t.Errorf("namespace %s left behind", e.Name())
		}
	}
	out, err := exec.Command("ip", "-o", "link").CombinedOutput()
	if err != nil {
		t.Fatalf("ip link: %v: %s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "ge-0_0_") || strings.Contains(l, "vtest") {
			t.Errorf("link left behind in the host: %s", l)
		}
	}
}

func newNS(t *testing.T, name string) *Handle {
	t.Helper()
	h, err := Create(testPrefix + name)
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	t.Cleanup(func() {
		if err := h.Delete(); err != nil {
			t.Errorf("Delete(%s): %v", name, err)
		}
	})
	return h
}

func ipOut(t *testing.T, h *Handle, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", h.Name()}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip -n %s %v: %v: %s", h.Name(), args, err, out)
	}
	return string(out)
}

func TestCreateDelete(t *testing.T) {
	needRoot(t)
	h, err := Create(testPrefix + "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(testPrefix + "a"); !errors.Is(err, ErrExists) {
		t.Errorf("second Create error = %v; want ErrExists", err)
	}
	out, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil || !strings.Contains(string(out), testPrefix+"a") {
		t.Errorf("ip netns list = %q, %v; want %sa", out, err, testPrefix)
	}
	if got := ipOut(t, h, "-o", "link", "show", "lo"); !strings.Contains(got, "UP") {
		t.Errorf("loopback not up: %s", got)
	}
	if err := h.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(RunDir, testPrefix+"a")); !os.IsNotExist(err) {
		t.Errorf("namespace file still there: %v", err)
	}
}

func TestCleanupAfterCrash(t *testing.T) {
	needRoot(t)
	for _, n := range []string{"crash1", "crash2"} {
		h, err := Create(testPrefix + n)
		if err != nil {
			t.Fatal(err)
		}
		h.Close() // the process "dies" without deleting it
	}
	got, err := Cleanup(testPrefix + "crash")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{testPrefix + "crash1", testPrefix + "crash2"}
	if !slices.Equal(got, want) {
		t.Errorf("Cleanup = %v; want %v", got, want)
	}
	if _, err := Cleanup(""); !errors.Is(err, ErrBadName) {
		t.Errorf("Cleanup(\"\") error = %v; want ErrBadName", err)
	}
}

func TestConnectAndDo(t *testing.T) {
	needRoot(t)
	a, b := newNS(t, "ca"), newNS(t, "cb")
	if err := Connect(a, "vtest0", b, "vtest1"); err != nil {
		t.Fatal(err)
	}
	mustAddr := func(h *Handle, l, p string) {
		if err := h.AddrAdd(l, netip.MustParsePrefix(p)); err != nil {
			t.Fatal(err)
		}
	}
	mustAddr(a, "vtest0", "192.0.2.1/24")
	mustAddr(b, "vtest1", "192.0.2.2/24")
	if err := b.RouteAdd(netip.MustParsePrefix("198.51.100.0/24"), netip.MustParseAddr("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	if got := ipOut(t, b, "route"); !strings.Contains(got, "198.51.100.0/24 via 192.0.2.1") {
		t.Errorf("routes of b = %q", got)
	}
	// A socket opened inside Do keeps its namespace: the address exists
	// only in a, and the datagram crosses the veth to a socket of b.
	var ca, cb net.PacketConn
	if err := Do(a, func() (err error) { ca, err = net.ListenPacket("udp4", "192.0.2.1:0"); return }); err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	if err := Do(b, func() (err error) { cb, err = net.ListenPacket("udp4", "192.0.2.2:4000"); return }); err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	if _, err := ca.WriteTo([]byte("hi"), &net.UDPAddr{IP: net.IPv4(192, 0, 2, 2), Port: 4000}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, from, err := cb.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "hi" || !strings.HasPrefix(from.String(), "192.0.2.1:") {
		t.Errorf("ReadFrom = %q from %v, %v", buf[:n], from, err)
	}
	if l, err := net.ListenPacket("udp4", "192.0.2.1:0"); err == nil {
		l.Close()
		t.Error("the test's own namespace has 192.0.2.1: Do did not restore the thread")
	}
}

func TestLinkStats(t *testing.T) {
	needRoot(t)
	a, b := newNS(t, "sa"), newNS(t, "sb")
	if err := Connect(a, "vtest0", b, "vtest1"); err != nil {
		t.Fatal(err)
	}
	before, err := a.Stats("vtest0")
	if err != nil {
		t.Fatal(err)
	}
	ipOut(t, a, "neigh", "add", "192.0.2.9", "lladdr", "02:00:00:00:00:09", "dev", "vtest0")
	ipOut(t, a, "addr", "add", "192.0.2.1/24", "dev", "vtest0")
	exec.Command("ip", "netns", "exec", a.Name(), "true").Run()
	var c net.PacketConn
	if err := Do(a, func() (err error) { c, err = net.ListenPacket("udp4", "192.0.2.1:0"); return }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 {
		c.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(192, 0, 2, 9), Port: 9})
	}
	after, err := a.Stats("vtest0")
	if err != nil {
		t.Fatal(err)
	}
	if after.TxPackets < before.TxPackets+3 || after.TxBytes <= before.TxBytes {
		t.Errorf("stats before %+v after %+v: want 3 more packets sent", before, after)
	}
}
