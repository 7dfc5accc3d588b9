package pki

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// The traceoptions flags of [edit security pki traceoptions flag], each
// event of the store belongs to one.
const (
	flagVerify     = "certificate-verification"
	flagCRL        = "online-crl-check"
	flagEnrollment = "enrollment"
	flagAll        = "all"
)

// DefaultTraceFile is the trace file of the PKI when traceoptions name none.
const DefaultTraceFile = "pkid"

// Trace is the PKI traceoptions configuration.
type Trace struct {
	Enabled bool
	File    string   // under /var/log
	Flags   []string // the flags configured
}

// tracer writes PKI events to /var/log/<file> when traceoptions are
// configured. Any goroutine may log.
type tracer struct {
	dir string // the router's /var/log; "" writes nothing
	now func() time.Time

	mu    sync.Mutex
	cfg   Trace
	f     *os.File
	fname string
}

func newTracer(logDir string, now func() time.Time) *tracer { return &tracer{dir: logDir, now: now} }

// configure applies traceoptions: opens, changes or closes the file.
func (t *tracer) configure(cfg Trace) {
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
	t.write("pkid trace file opened")
}

// log writes an event of flag when that flag (or all) is configured.
func (t *tracer) log(flag, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil || !(slices.Contains(t.cfg.Flags, flag) || slices.Contains(t.cfg.Flags, flagAll)) {
		return
	}
	t.write(fmt.Sprintf(format, args...))
}

func (t *tracer) write(msg string) {
	fmt.Fprintf(t.f, "%s pkid: %s\n", t.now().Format("Jan _2 15:04:05"), msg)
}

func (t *tracer) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}
