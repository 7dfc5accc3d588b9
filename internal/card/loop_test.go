package card

import (
	"context"
	"testing"
	"time"

	"mxlab/internal/leakcheck"
)

type counter struct{ n int }

func TestDoStartStop(t *testing.T) {
	leakcheck.Check(t)
	l := NewLoop[counter]()
	l.Start(context.Background(), func() *counter { return &counter{n: 10} })
	l.Start(context.Background(), func() *counter { t.Error("second Start called init"); return nil })
	var got int
	for range 3 {
		if !l.Do(func(c *counter) { c.n++; got = c.n }) {
			t.Fatal("Do on a running loop failed")
		}
	}
	if got != 13 {
		t.Errorf("n = %d after three increments from 10, want 13", got)
	}
	l.Stop()
	l.Stop()
	if l.Do(func(c *counter) { c.n++ }) {
		t.Error("Do after Stop ran")
	}
}

func TestStopBeforeStart(t *testing.T) {
	leakcheck.Check(t)
	l := NewLoop[counter]()
	l.Stop()
	l.Start(context.Background(), func() *counter { t.Error("Start after Stop called init"); return nil })
	if l.Do(func(*counter) {}) {
		t.Error("Do on a stopped loop ran")
	}
	l.Stop()
}

func TestContextEndsLoop(t *testing.T) {
	leakcheck.Check(t)
	ctx, cancel := context.WithCancel(context.Background())
	l := NewLoop[counter]()
	l.Start(ctx, func() *counter { return &counter{} })
	cancel()
	for l.Do(func(*counter) {}) {
		time.Sleep(time.Millisecond)
	}
	l.Stop()
}

func TestTimer(t *testing.T) {
	leakcheck.Check(t)
	l := NewLoop[counter]()
	l.Start(context.Background(), func() *counter { return &counter{} })
	defer l.Stop()
	fired := make(chan int, 2)
	// The first timer is replaced by the second, which fires once.
	l.Do(func(*counter) {
		l.After(time.Hour, func(c *counter) { c.n += 100; fired <- c.n })
		l.After(time.Millisecond, func(c *counter) { c.n++; fired <- c.n })
	})
	if n := <-fired; n != 1 {
		t.Errorf("timer saw n = %d, want 1 (the replaced timer must not fire)", n)
	}
	// A cancelled timer never fires.
	l.Do(func(*counter) {
		l.After(time.Millisecond, func(c *counter) { fired <- -1 })
		l.CancelTimer()
	})
	time.Sleep(20 * time.Millisecond)
	select {
	case n := <-fired:
		t.Errorf("cancelled timer fired (%d)", n)
	default:
	}
}

func TestTimerPendingAtStop(t *testing.T) {
	leakcheck.Check(t)
	l := NewLoop[counter]()
	l.Start(context.Background(), func() *counter { return &counter{} })
	l.Do(func(*counter) { l.After(time.Hour, func(*counter) {}) })
	l.Stop()
}
