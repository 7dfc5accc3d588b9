package services

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"mxlab/services/ipsec"
)

// levels orders the traceoptions levels.
var levels = []string{"error", "warning", "notice", "info", "verbose", "all"}

// tracer writes key-management events to the traceoptions file (I9).
type tracer struct {
	dir string
	now func() time.Time

	mu    sync.Mutex
	cfg   ipsec.Trace
	f     *os.File
	fname string
}

func newTracer(stateDir string, now func() time.Time) *tracer {
	d := ""
	if stateDir != "" {
		d = filepath.Join(stateDir, "var", "log")
	}
	return &tracer{dir: d, now: now}
}

func (t *tracer) configure(cfg ipsec.Trace) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = cfg
	if t.f != nil && (!cfg.Enabled || cfg.File != t.fname) {
		t.f.Close()
		t.f = nil
	}
	if !cfg.Enabled || t.dir == "" || t.f != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(t.dir, cfg.File), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	t.f, t.fname = f, cfg.File
	t.write("trace file opened")
}

// log writes msg when the configured level lets it through. Any
// goroutine may call it.
func (t *tracer) log(level, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return
	}
	allowAll := slices.Contains(t.cfg.Flags, "all") || t.cfg.Level == "all"
	if !allowAll && slices.Index(levels, level) > slices.Index(levels, t.cfg.Level) {
		return
	}
	t.write(msg)
}

// flagged writes msg, an event of the traceoptions flag flag: always when
// that flag (or flag all) is configured, else when the level lets it
// through.
func (t *tracer) flagged(flag, level, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return
	}
	if slices.Contains(t.cfg.Flags, flag) || slices.Contains(t.cfg.Flags, "all") || t.cfg.Level == "all" ||
		slices.Index(levels, level) <= slices.Index(levels, t.cfg.Level) {
		t.write(msg)
	}
}

func (t *tracer) write(msg string) {
	fmt.Fprintf(t.f, "%s %s\n", t.now().Format("Jan _2 15:04:05"), msg)
}

func (t *tracer) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}
