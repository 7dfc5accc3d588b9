package netns

import "sync"

// Pending is a prepared change of the kernel state. Prepare already made
// every change that could fail; Apply makes it final and cannot fail, Abort
// undoes it. Exactly one of them is called, once.
type Pending interface {
	Apply()
	Abort()
}

// undoLog records how to revert the changes made during a Prepare.
type undoLog struct {
	steps []func() error
}

func (u *undoLog) push(f func() error) { u.steps = append(u.steps, f) }

// run reverts the changes, newest first; it returns the number of steps
// that failed (the kernel may have changed under us).
func (u *undoLog) run() int {
	failed := 0
	for i := len(u.steps) - 1; i >= 0; i-- {
		if u.steps[i]() != nil {
			failed++
		}
	}
	u.steps = nil
	return failed
}

// pending is the Pending of a Router: apply installs the new applied state.
type pending struct {
	once  sync.Once
	undo  *undoLog
	apply func()
	abort func(failed int)
}

func (p *pending) Apply() { p.once.Do(p.apply) }

func (p *pending) Abort() {
	p.once.Do(func() {
		n := p.undo.run()
		if p.abort != nil {
			p.abort(n)
		}
	})
}
