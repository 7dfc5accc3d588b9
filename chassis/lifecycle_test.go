package chassis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mxlab/internal/leakcheck"
	"mxlab/pic"
)

// fakeCounters is a forwarding plane with fixed counters.
type fakeCounters map[string]Stats

func (f fakeCounters) Stats(n string) (Stats, bool) { s, ok := f[n]; return s, ok }

// waitFor polls cond for at most two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestFPCOfflineOnline(t *testing.T) {
	leakcheck.Check(t)
	l := Layout{BootDelay: 5 * time.Millisecond}
	c, err := New("r1", l)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	c.Configure(labConfig())
	events := c.Watch(ctx)
	r := testRegistry()
	run := func(cmd string) string {
		t.Helper()
		out, err := runCommand(r, c, cmd)
		if err != nil {
			return "error: " + err.Error()
		}
		return out
	}
	present := func(n string) bool { s, ok := c.Interface(n); return ok && s.Present }
	if !present("ge-1/0/0") || !present("ms-1/2/0") || len(c.Alarms()) != 0 {
		t.Fatalf("at start: ge-1/0/0 %v, ms-1/2/0 %v, alarms %v", present("ge-1/0/0"), present("ms-1/2/0"), c.Alarms())
	}
	if got := run("request chassis fpc slot 1 offline"); got != "Offline initiated, use \"show chassis fpc\" to verify\n" {
		t.Fatalf("offline reply %q", got)
	}
	if present("ge-1/0/0") || present("ms-1/2/0") || present("ge-1/0/0.0") {
		t.Errorf("interfaces of FPC 1 still present after offline")
	}
	if got := run("show interfaces ge-1/0/0"); got != "error: device ge-1/0/0 not found" {
		t.Errorf("show interfaces ge-1/0/0 = %q", got)
	}
	if al := c.Alarms(); len(al) != 1 || al[0].Desc != "FPC 1 offline" || al[0].Class != "Major" {
		t.Errorf("alarms after offline: %v", al)
	}
	if got := run("show chassis fpc 1"); !strings.Contains(got, "  1  Offline") {
		t.Errorf("show chassis fpc 1:\n%s", got)
	}
	seen := map[string]bool{}
	for len(seen) < 2 {
		e := <-events
		if e.State == pic.Offline && e.FPC == 1 {
			for _, n := range e.Interfaces {
				if n == "ge-1/0/0" || n == "ms-1/2/0" {
					seen[n] = true
				}
			}
		}
	}
	if got := run("request chassis fpc slot 1 online"); got != "Online initiated, use \"show chassis fpc\" to verify\n" {
		t.Fatalf("online reply %q", got)
	}
	waitFor(t, "ms-1/2/0 back", func() bool { return present("ms-1/2/0") && present("ge-1/0/0.0") })
	if s, _ := c.Interface("ge-1/0/1"); s.AdminUp || s.LinkUp {
		t.Errorf("ge-1/0/1 lost its disable after online: %+v", s)
	}
	if al := c.Alarms(); len(al) != 0 {
		t.Errorf("alarms after online: %v", al)
	}
}

func TestPICOfflineAndErrors(t *testing.T) {
	leakcheck.Check(t)
	c, _ := newTestChassis(t, "r1", "boot-delay: -1ns")
	if _, err := c.PICOnline(1, 2, false); err != nil {
		t.Fatal(err)
	}
	if al := c.Alarms(); len(al) != 1 || al[0].Desc != "FPC 1 PIC 2 offline" {
		t.Errorf("alarms: %v", al)
	}
	if _, err := c.PICOnline(1, 3, false); !errors.Is(err, ErrEmptySlot) {
		t.Errorf("PIC 1/3: %v, want ErrEmptySlot", err)
	}
	if _, err := c.FPCOnline(4, false); !errors.Is(err, ErrEmptySlot) {
		t.Errorf("FPC 4: %v, want ErrEmptySlot", err)
	}
}

func TestClearStatistics(t *testing.T) {
	c, clk := newTestChassis(t, "r1", "")
	c.Configure(labConfig())
	k := fakeCounters{"ge-1/0/0": {InPackets: 10, OutPackets: 7}, "ge-1/0/0.0": {InPackets: 9}}
	c.SetCounters(k)
	r := testRegistry()
	out, _ := runCommand(r, c, "show interfaces ge-1/0/0.0")
	if !strings.Contains(out, "Input packets : 9\n") {
		t.Fatalf("counters not shown:\n%s", out)
	}
	clk.advance(time.Minute)
	if _, err := runCommand(r, c, "clear interfaces statistics ge-1/0/0"); err != nil {
		t.Fatal(err)
	}
	k["ge-1/0/0"] = Stats{InPackets: 12, OutPackets: 7}
	out, _ = runCommand(r, c, "show interfaces ge-1/0/0 detail")
	for _, want := range []string{"Statistics last cleared: 2026-03-02 09:16:00 UTC", "Input  packets:                    2"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestServicePackageReboots(t *testing.T) {
	c, _ := newTestChassis(t, "r1", "{model: mx960, boot-delay: -1ns, fpcs: {5: {type: ms-dpc}}}")
	events := c.Watch(context.Background())
	c.Configure(Config{FPC: map[int]FPCConfig{5: {PIC: map[int]PICConfig{0: {ServicePackage: "layer-2"}}}}})
	var states []State
	for len(states) < 3 {
		e := <-events
		if e.FPC == 5 && e.PIC == 0 {
			states = append(states, e.State)
		}
	}
	if states[0] != pic.Offline || states[1] != pic.Booting || states[2] != pic.Online {
		t.Errorf("states %v, want Offline, Booting, Online", states)
	}
}

func TestStopIdempotent(t *testing.T) {
	leakcheck.Check(t)
	c, err := New("r1", Layout{Model: "mx960"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := c.Watch(context.Background())
	c.Stop()
	c.Stop()
	if _, ok := <-w; ok {
		t.Error("watch channel open after Stop")
	}
	if _, err := c.FPCOnline(0, false); !errors.Is(err, pic.ErrStopped) {
		t.Errorf("request after Stop: %v", err)
	}
}
