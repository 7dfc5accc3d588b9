package pic

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"mxlab/internal/leakcheck"
)

type recorder struct {
	mu sync.Mutex
	ev []Event
}

func (r *recorder) notify(e Event) { r.mu.Lock(); r.ev = append(r.ev, e); r.mu.Unlock() }

func (r *recorder) states() []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []State
	for _, e := range r.ev {
		s = append(s, e.State)
	}
	return s
}

func TestCardStates(t *testing.T) {
	leakcheck.Check(t)
	rec := &recorder{}
	c := New(Spec{FPC: 1, Slot: 0, Kind: Kind{Prefix: "ge", Ports: 2}}, Options{Notify: rec.notify})
	c.Start(context.Background())
	defer c.Stop()
	tests := []struct {
		online bool
		was    State
		ports  int
	}{{false, Online, 0}, {false, Offline, 0}, {true, Offline, 2}, {true, Online, 2}}
	for _, tc := range tests {
		was, err := c.SetOnline(tc.online)
		if err != nil || was != tc.was {
			t.Fatalf("SetOnline(%v) = %v, %v; want %v", tc.online, was, err, tc.was)
		}
		st, _ := c.Status()
		if len(st.Ports) != tc.ports {
			t.Errorf("after SetOnline(%v): %d ports, want %d", tc.online, len(st.Ports), tc.ports)
		}
	}
	want := []State{Offline, Booting, Online}
	if got := rec.states(); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("events %v, want %v", got, want)
	}
}

func TestBootDelayAndStop(t *testing.T) {
	leakcheck.Check(t)
	c := New(Spec{Kind: Kind{Prefix: "ms", Ports: 1, Services: true}}, Options{BootDelay: time.Hour})
	c.Start(context.Background())
	if _, err := c.SetOnline(false); err != nil {
		t.Fatal(err)
	}
	_, _ = c.SetOnline(true)
	if st, _ := c.Status(); st.State != Booting || st.Package != DefaultPackage {
		t.Errorf("state %v package %q, want Booting %q", st.State, st.Package, DefaultPackage)
	}
	c.Stop()
	c.Stop()
	if _, err := c.Status(); !errors.Is(err, ErrStopped) {
		t.Errorf("Status after Stop: %v", err)
	}
}

func TestStopBeforeStart(t *testing.T) {
	c := New(Spec{Kind: Kind{Prefix: "ge", Ports: 1}}, Options{})
	c.Stop()
	if _, err := c.SetOnline(true); !errors.Is(err, ErrStopped) {
		t.Errorf("SetOnline on a stopped card: %v", err)
	}
}

func TestStatsSub(t *testing.T) {
	got := Stats{InBytes: 10, OutBytes: 1}.Sub(Stats{InBytes: 4, OutBytes: 5})
	if got != (Stats{InBytes: 6}) {
		t.Errorf("Sub = %+v", got)
	}
}
