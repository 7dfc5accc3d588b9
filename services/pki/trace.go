package pki

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"mxlab/internal/tracefile"
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
	mu   sync.Mutex
	cfg  Trace
	file *tracefile.File
}

func newTracer(logDir string, now func() time.Time) *tracer {
	return &tracer{file: tracefile.New(logDir, "pkid: ", now)}
}

// configure applies traceoptions: opens, changes or closes the file.
func (t *tracer) configure(cfg Trace) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = cfg
	name := ""
	if cfg.Enabled {
		name = cfg.File
	}
	t.file.Set(name, "pkid trace file opened")
}

// log writes an event of flag when that flag (or all) is configured.
func (t *tracer) log(flag, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.file.Open() || !(slices.Contains(t.cfg.Flags, flag) || slices.Contains(t.cfg.Flags, flagAll)) {
		return
	}
	t.file.Write(fmt.Sprintf(format, args...))
}

func (t *tracer) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.file.Close()
}
