package card

import (
	"context"
	"sync"
	"time"
)

// Loop is the goroutine that owns a state of type S. The zero Loop is not
// usable; NewLoop makes one.
type Loop[S any] struct {
	ops  chan func(*S) // never closed; run receives until it ends
	done chan struct{} // closed when run ends, or by Stop when never started

	mu      sync.Mutex // guards started, cancel
	started bool
	cancel  context.CancelFunc
	end     sync.Once

	// timer and fire are touched only by run's goroutine.
	timer *time.Timer
	fire  func(*S)
}

// NewLoop returns a stopped Loop; Start runs it.
func NewLoop[S any]() *Loop[S] {
	return &Loop[S]{ops: make(chan func(*S)), done: make(chan struct{})}
}

// Start runs the loop's goroutine over the state init returns, until ctx
// ends or Stop. It does nothing (and does not call init) when the loop has
// already been started or stopped.
func (l *Loop[S]) Start(ctx context.Context, init func() *S) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		return
	}
	l.started = true
	ctx, l.cancel = context.WithCancel(ctx)
	go l.run(ctx, init())
}

// Stop ends the loop's goroutine and waits for it. It is safe to call more
// than once, and before Start (a later Start then does nothing).
func (l *Loop[S]) Stop() {
	l.mu.Lock()
	cancel := l.cancel
	l.started = true
	l.mu.Unlock()
	if cancel == nil {
		l.end.Do(func() { close(l.done) })
		return
	}
	cancel()
	<-l.done
}

// Do runs f on the loop's goroutine and waits for it. It returns false,
// without running f, once the loop has ended; before Start it waits.
func (l *Loop[S]) Do(f func(*S)) bool {
	finished := make(chan struct{})
	select {
	case l.ops <- func(s *S) { f(s); close(finished) }:
		<-finished
		return true
	case <-l.done:
		return false
	}
}

// After arranges for f to run on the loop's goroutine once d has passed,
// replacing the timer set before, if any. It must be called from the
// loop's goroutine (from a function run by Do or by a timer).
func (l *Loop[S]) After(d time.Duration, f func(*S)) {
	l.CancelTimer()
	l.timer, l.fire = time.NewTimer(d), f
}

// CancelTimer stops the pending timer, if any. It must be called from the
// loop's goroutine.
func (l *Loop[S]) CancelTimer() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer, l.fire = nil, nil
	}
}

// run owns the state s until ctx ends.
func (l *Loop[S]) run(ctx context.Context, s *S) {
	defer l.end.Do(func() { close(l.done) })
	for {
		var timerC <-chan time.Time
		if l.timer != nil {
			timerC = l.timer.C
		}
		select {
		case <-ctx.Done():
			l.CancelTimer()
			return
		case f := <-l.ops:
			f(s)
		case <-timerC:
			fire := l.fire
			l.timer, l.fire = nil, nil
			fire(s)
		}
	}
}
