// Package leakcheck is a test helper: it fails a test whose goroutines
// outlive it (a card's run loop not stopped, a watcher not ended).
package leakcheck

import (
	"runtime"
	"testing"
	"time"
)

// Check records the number of goroutines now and, when the test ends,
// fails it if more are still running after waiting up to two seconds for
// them to end; the failure carries every goroutine's stack.
func Check(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutines leaked: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}
