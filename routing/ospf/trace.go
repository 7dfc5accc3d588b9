package ospf

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// tracer writes traceoptions events to the trace file under the router's
// /var/log. Any goroutine may call it.
type tracer struct {
	dir string
	now func() time.Time

	mu    sync.Mutex
	cfg   Trace
	f     *os.File
	fname string
	size  int64
}

func newTracer(dir string, now func() time.Time) *tracer { return &tracer{dir: dir, now: now} }

func (t *tracer) configure(cfg Trace) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cfg = cfg
	if t.f != nil && cfg.File != t.fname {
		t.f.Close()
		t.f = nil
	}
	if cfg.File == "" || t.dir == "" || t.f != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(t.dir, cfg.File), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	st, _ := f.Stat()
	t.f, t.fname = f, cfg.File
	if st != nil {
		t.size = st.Size()
	}
}

// printf writes an event of the given flag when it is traced.
func (t *tracer) printf(flag, format string, args ...any) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil || !t.wants(flag) {
		return
	}
	line := fmt.Sprintf("%s %s\n", t.now().Format("Jan _2 15:04:05.000000"), fmt.Sprintf(format, args...))
	if t.cfg.Size > 0 && t.size+int64(len(line)) > t.cfg.Size {
		t.rotate()
	}
	n, _ := t.f.WriteString(line)
	t.size += int64(n)
}

func (t *tracer) wants(flag string) bool {
	for _, f := range t.cfg.Flags {
		if f == "all" || f == flag || f == "general" && flag == "state" || f == "normal" && flag == "state" {
			return true
		}
		if f == "packets" && slices.Contains([]string{"hello", "database-description", "lsa-request", "lsa-update", "lsa-ack"}, flag) {
			return true
		}
	}
	return flag == "error" && len(t.cfg.Flags) > 0
}

// rotate renames the file to NAME.0 (and older ones up), as Junos keeps
// "files" trace files.
func (t *tracer) rotate() {
	files := t.cfg.Files
	if files < 2 {
		files = 10
	}
	t.f.Close()
	base := filepath.Join(t.dir, t.fname)
	for i := files - 2; i >= 0; i-- {
		os.Rename(fmt.Sprintf("%s.%d", base, i), fmt.Sprintf("%s.%d", base, i+1))
	}
	os.Rename(base, base+".0")
	f, err := os.OpenFile(base, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.f = nil
		return
	}
	t.f, t.size = f, 0
}

func (t *tracer) close() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}
