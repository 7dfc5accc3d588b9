package netns

import (
	"net/netip"
	"os"
	"strings"
	"testing"
)

// openFiles counts the descriptors of this process.
func openFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	return len(ents)
}

// A released handle holds no descriptor, and every request opens what it
// needs again: links, addresses, routes, Do, and a veth to or from it.
func TestRelease(t *testing.T) {
	needRoot(t)
	a, b := newNS(t, "ra"), newNS(t, "rb")
	a.Release()
	b.Release()
	before := openFiles(t)
	if err := Connect(a, "vtest0", b, "vtest1"); err != nil {
		t.Fatal(err)
	}
	if got := openFiles(t) - before; got != 4 {
		t.Errorf("after Connect the two handles hold %d more files, want 4 (a namespace and a netlink socket each)", got)
	}
	a.Release()
	b.Release()
	if got := openFiles(t) - before; got != 0 {
		t.Errorf("after Release the two handles hold %d more files, want 0", got)
	}
	if err := b.AddrAdd("vtest1", netip.MustParsePrefix("192.0.2.2/24")); err != nil {
		t.Fatal(err)
	}
	b.Release()
	if err := b.RouteAdd(netip.MustParsePrefix("198.51.100.0/24"), netip.MustParseAddr("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	b.Release()
	if got := ipOut(t, b, "route"); !strings.Contains(got, "198.51.100.0/24 via 192.0.2.1") {
		t.Errorf("routes of b = %q", got)
	}
	if err := b.Sysctl("net/ipv4/ip_forward", "1"); err != nil {
		t.Fatal(err)
	}
	b.Release()
	li, err := b.Link("vtest1")
	if err != nil || !li.AdminUp {
		t.Errorf("Link(vtest1) = %+v, %v", li, err)
	}
	b.Release()
	if got := openFiles(t) - before; got != 0 {
		t.Errorf("after the requests and Release the handles hold %d more files, want 0", got)
	}
}

// A Router's handle keeps its socket: Release does nothing to it, and a
// closed handle opens nothing again.
func TestReleasePinnedAndClosed(t *testing.T) {
	needRoot(t)
	h := newNS(t, "rp")
	r, err := NewRouter(h)
	if err != nil {
		t.Fatal(err)
	}
	before := openFiles(t)
	h.Release()
	if got := before - openFiles(t); got != 0 {
		t.Errorf("Release of a router's handle closed %d files", got)
	}
	if _, err := r.Handle().Links(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(h.Name())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.Links(); err == nil || !strings.Contains(err.Error(), "handle closed") {
		t.Errorf("Links of a closed handle: %v", err)
	}
}

// The cost of reading the links of a namespace whose handle is kept open,
// and of one released after each read (a lab's hosts, read by its web
// page).
func BenchmarkLinks(b *testing.B) {
	if err := Available(); err != nil {
		b.Skipf("skipping: %v", err)
	}
	h, err := Create(testPrefix + "bl")
	if err != nil {
		b.Fatal(err)
	}
	defer h.Delete()
	for _, release := range []bool{false, true} {
		name := "open"
		if release {
			name = "released"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := h.Links(); err != nil {
					b.Fatal(err)
				}
				if release {
					h.Release()
				}
			}
		})
	}
}
