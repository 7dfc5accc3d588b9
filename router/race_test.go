package router

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"mxlab/chassis"
	"mxlab/config"
	"mxlab/netns"
)

// TestCommitsDuringChassisEvents commits a thousand times while PIC and
// FPC offline/online events reprogram the forwarding plane: in the end
// the kernel holds exactly the committed configuration (a chassis event
// never reprograms from an older one).
func TestCommitsDuringChassisEvents(t *testing.T) {
	if err := netns.Available(); err != nil {
		t.Skipf("skipping: needs network namespaces: %v", err)
	}
	iterations := 1000
	if testing.Short() {
		iterations = 100
	}
	h, err := netns.Create(fmt.Sprintf("mxrace%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Delete() })
	peer, err := netns.Create(fmt.Sprintf("mxracep%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Delete() })
	for _, p := range []string{"ge-1_0_0", "ge-2_0_0"} {
		if err := netns.Connect(h, p, peer, "p"+p[3:4]); err != nil {
			t.Fatal(err)
		}
		if err := peer.LinkSetUp("p"+p[3:4], true); err != nil {
			t.Fatal(err)
		}
	}
	lay, err := chassis.ParseLayout([]byte("boot-delay: -1ns\nfpcs:\n  1:\n    type: mpc\n    pics:\n      0: 10x1ge\n  2:\n    type: mpc\n    pics:\n      0: 10x1ge\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{Name: "race", Layout: lay, StateDir: t.TempDir(), Netns: h})
	if err != nil {
		t.Fatal(err)
	}
	base := "set interfaces ge-1/0/0 unit 0 family inet address 10.1.0.1/24\nset interfaces ge-2/0/0 unit 0 family inet address 10.2.0.1/24\n"
	if err := r.Start(context.Background(), base); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the hardware comes and goes
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			if i%5 == 4 {
				r.Chassis.FPCOnline(1, i%10 == 4)
			} else {
				r.Chassis.PICOnline(2, 0, i%2 == 0)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	s, _, _, err := r.DB.Begin(config.Who{User: "lab", Terminal: "pts/1", PID: 1}, config.Private)
	if err != nil {
		t.Fatal(err)
	}
	var want netip.Prefix
	for i := range iterations {
		old := want
		want = netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", 100+i/250, i%250))
		lines := fmt.Sprintf("set routing-options static route %s next-hop 10.2.0.2\n", want)
		if old.IsValid() {
			lines = fmt.Sprintf("delete routing-options static route %s\n", old) + lines
		}
		if err := s.Load(config.LoadSet, lines, "race", false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Commit(context.Background(), config.CommitOptions{}); err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
	}
	s.Close()
	cancel()
	wg.Wait()
	r.Chassis.FPCOnline(1, true)
	r.Chassis.PICOnline(2, 0, true)

	// The events still queued settle; the kernel then holds the last
	// committed route through ge-2/0/0, and nothing else static.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := staticKernelRoutes(t, r)
		if slices.Equal(got, []netip.Prefix{want}) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kernel static routes %v, committed %v", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// staticKernelRoutes lists the kernel's routes of inet.0 through a
// gateway (the static routes of the test).
func staticKernelRoutes(t *testing.T, r *Router) []netip.Prefix {
	krs, err := r.Netns.KernelRoutes(netns.MainTable)
	if err != nil {
		t.Fatal(err)
	}
	var out []netip.Prefix
	for _, kr := range krs {
		if kr.Gateway.IsValid() {
			out = append(out, kr.Prefix)
		}
	}
	return out
}
