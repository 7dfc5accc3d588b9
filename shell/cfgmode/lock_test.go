package cfgmode_test

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mxlab/router"
)

// session is one CLI session on a router, driven line by line.
type session struct {
	t    *testing.T
	name string
	in   *io.PipeWriter
	out  *syncBuffer
	seen int
	done chan struct{}
}

// syncBuffer is a buffer written by the shell and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newRouter starts a router on state directory dir, with a fixed clock.
func newRouter(t testing.TB, dir string) *router.Router {
	t.Helper()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	r, err := router.New(router.Options{Name: "lab", StateDir: dir, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		r.Stop()
	})
	return r
}

// open starts a session of user on r, on terminal line.
func open(t *testing.T, r *router.Router, user, line string) *session {
	t.Helper()
	pr, pw := io.Pipe()
	s := &session{t: t, name: user + "@" + line, in: pw, out: &syncBuffer{}, done: make(chan struct{})}
	sh, closeShell := r.NewShell(router.ShellOptions{In: pr, Out: s.out, User: user, Line: line})
	go func() {
		defer close(s.done)
		defer closeShell()
		sh.Run(context.Background())
	}()
	t.Cleanup(s.close)
	s.wait()
	return s
}

func (s *session) close() {
	s.in.Close()
	<-s.done
}

var promptEnd = regexp.MustCompile(`[>#] $|\(yes\) $`)

// wait waits for a prompt after the output seen so far and returns the
// new output.
func (s *session) wait() string {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out := s.out.String()
		if len(out) > s.seen && promptEnd.MatchString(out) {
			text := out[s.seen:]
			s.seen = len(out)
			return text
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.t.Fatalf("%s: no prompt; output so far:\n%s", s.name, s.out.String()[s.seen:])
	return ""
}

// do types a line and returns what the session printed up to the next
// prompt, the echo of the line excluded.
func (s *session) do(line string) string {
	s.t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		s.t.Fatal(err)
	}
	out := s.wait()
	return strings.TrimPrefix(out, line+"\n")
}

var pid = regexp.MustCompile(`\(pid [0-9]+\)`)

type step struct {
	who  int // session 0 or 1
	line string
	want string // the output, "(pid N)" for the process id
}

// TestSessionsLock drives two sessions of one router through the
// configure, configure private and configure exclusive rules.
func TestSessionsLock(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"exclusive locks out the others", []step{
			{0, "configure exclusive", "warning: uncommitted changes will be discarded on exit\nEntering configuration mode\n\n[edit]\nalice@mxlab# "},
			{1, "configure", "error: configuration database locked by:\n  alice terminal pts/0 (pid N) on since 2026-03-02 10:00:00 UTC, idle 00:00:00\n      exclusive [edit]\n\nbob@mxlab> "},
			{1, "configure private", "error: configuration database locked by:\n  alice terminal pts/0 (pid N) on since 2026-03-02 10:00:00 UTC, idle 00:00:00\n      exclusive [edit]\n\nbob@mxlab> "},
			{0, "set system host-name X1", "\n[edit]\nalice@mxlab# "},
			{0, "exit", "The configuration has been changed but not committed\nExit with uncommitted changes? [yes,no] (yes) "},
			{0, "yes", "Exiting configuration mode\n\nalice@mxlab> "},
			{1, "configure", "Entering configuration mode\n\n[edit]\nbob@mxlab# "},
			{1, "show | compare", "\n[edit]\nbob@mxlab# "},
		}},
		{"uncommitted shared changes refuse exclusive and private", []step{
			{0, "configure", "Entering configuration mode\n\n[edit]\nalice@mxlab# "},
			{0, "set system host-name S1", "\n[edit]\nalice@mxlab# "},
			{1, "configure exclusive", "Users currently editing the configuration:\n  alice terminal pts/0 (pid N) on since 2026-03-02 10:00:00 UTC\n      [edit]\nerror: configuration database modified\n\nbob@mxlab> "},
			{1, "configure private", "error: shared configuration database modified\n\nbob@mxlab> "},
			{1, "configure", "Entering configuration mode\nUsers currently editing the configuration:\n  alice terminal pts/0 (pid N) on since 2026-03-02 10:00:00 UTC\n      [edit]\nThe configuration has been changed but not committed\n\n[edit]\nbob@mxlab# "},
			{1, "show | compare", "[edit]\n+  system {\n+      host-name S1;\n+  }\n\n[edit]\nbob@mxlab# "},
			{1, "commit", "commit complete\n\n[edit]\nbob@S1# "},
			{0, "show | compare", "\n[edit]\nalice@S1# "},
		}},
		{"private changes stay private", []step{
			{0, "configure private", "warning: uncommitted changes will be discarded on exit\nEntering configuration mode\n\n[edit]\nalice@mxlab# "},
			{0, "set system host-name P1", "\n[edit]\nalice@mxlab# "},
			{1, "configure", "Entering configuration mode\nUsers currently editing the configuration:\n  alice terminal pts/0 (pid N) on since 2026-03-02 10:00:00 UTC\n      [edit]\n\n[edit]\nbob@mxlab# "},
			{1, "show | compare", "\n[edit]\nbob@mxlab# "},
			{0, "commit", "commit complete\n\n[edit]\nalice@P1# "},
			{1, "show system", "host-name P1;\n\n[edit]\nbob@P1# "},
			{1, "show | compare", "\n[edit]\nbob@P1# "},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRouter(t, t.TempDir())
			ss := []*session{open(t, r, "alice", "pts/0"), open(t, r, "bob", "pts/1")}
			for i, st := range tt.steps {
				got := pid.ReplaceAllString(ss[st.who].do(st.line), "(pid N)")
				if got != st.want {
					t.Fatalf("step %d: %s: %q:\ngot:\n%s\nwant:\n%s", i, ss[st.who].name, st.line, got, st.want)
				}
			}
		})
	}
}
