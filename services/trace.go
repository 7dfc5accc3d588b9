package services

import (
	"path/filepath"
	"slices"
	"sync"
	"time"

	"mxlab/internal/tracefile"
	"mxlab/services/ipsec"
)

// levels orders the traceoptions levels.
var levels = []string{"error", "warning", "notice", "info", "verbose", "all"}

// tracer writes key-management events to the traceoptions file (I9).
// Any goroutine may log.
type tracer struct {
	mu   sync.Mutex
	cfg  ipsec.Trace
	file *tracefile.File
}

func newTracer(stateDir string, now func() time.Time) *tracer {
	d := ""
	if stateDir != "" {
		d = filepath.Join(stateDir, "var", "log")
	}
	return &tracer{file: tracefile.New(d, "", now)}
}

func (t *tracer) configure(cfg ipsec.Trace) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = cfg
	name := ""
	if cfg.Enabled {
		name = cfg.File
	}
	t.file.Set(name, "trace file opened")
}

// log writes msg when the configured level lets it through. Any
// goroutine may call it.
func (t *tracer) log(level, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.file.Open() {
		return
	}
	allowAll := slices.Contains(t.cfg.Flags, "all") || t.cfg.Level == "all"
	if !allowAll && slices.Index(levels, level) > slices.Index(levels, t.cfg.Level) {
		return
	}
	t.file.Write(msg)
}

// flagged writes msg, an event of the traceoptions flag flag: always when
// that flag (or flag all) is configured, else when the level lets it
// through.
func (t *tracer) flagged(flag, level, msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if slices.Contains(t.cfg.Flags, flag) || slices.Contains(t.cfg.Flags, "all") || t.cfg.Level == "all" ||
		slices.Index(levels, level) <= slices.Index(levels, t.cfg.Level) {
		t.file.Write(msg)
	}
}

func (t *tracer) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.file.Close()
}
