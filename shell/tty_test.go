package shell_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"mxlab/shell"
)

// ttySession is a shell running on the slave side of a pty; the test
// types on the master side and reads what the terminal shows.
type ttySession struct {
	t      *testing.T
	master *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan error
	read   chan struct{}
}

// startTTY runs a shell on a new pty. rows and cols 0 leave the pty
// without a window size.
func startTTY(t *testing.T, rows, cols uint16, termType string) *ttySession {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	if rows > 0 {
		if err := pty.Setsize(master, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
			t.Fatal(err)
		}
	}
	opts := testOptions("lab", "r1", t.TempDir())
	opts.In, opts.Out, opts.TTY, opts.Term = tty, tty, true, termType
	ts := &ttySession{t: t, master: master, done: make(chan error, 1), read: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		ts.done <- shell.New(opts).Run(ctx)
	}()
	go func() {
		defer close(ts.read)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			ts.mu.Lock()
			ts.out.Write(buf[:n])
			ts.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ts.done:
		case <-time.After(5 * time.Second):
			t.Error("shell did not stop")
		}
		tty.Close()
		master.Close()
		<-ts.read
	})
	return ts
}

func (ts *ttySession) write(s string) {
	ts.t.Helper()
	if _, err := ts.master.Write([]byte(s)); err != nil {
		ts.t.Fatal(err)
	}
}

func (ts *ttySession) output() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.out.String()
}

// waitFor waits until the output holds want count times.
func (ts *ttySession) waitFor(want string, count int) {
	ts.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(ts.output(), want) < count {
		if time.Now().After(deadline) {
			ts.t.Fatalf("timed out waiting for %q x%d; output:\n%q", want, count, ts.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quit ends the session and waits for the shell to return.
func (ts *ttySession) quit() {
	ts.t.Helper()
	ts.write("quit\r")
	ts.waitFor("> quit\r\n", 1)
	select {
	case err := <-ts.done:
		if err != nil {
			ts.t.Fatal(err)
		}
		ts.done <- nil
	case <-time.After(10 * time.Second):
		ts.t.Fatalf("shell did not quit; output:\n%q", ts.output())
	}
}

// golden compares got with testdata/tty/name.golden, rewritten by -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "tty", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\ngot:\n%q\nwant:\n%q", name, path, got, want)
	}
}

func noEscapes(t *testing.T, out string) {
	t.Helper()
	if i := strings.IndexByte(out, 0x1b); i >= 0 {
		t.Errorf("escape sequence at %d: %q", i, out[max(0, i-20):min(len(out), i+20)])
	}
}

func TestTTYEditing(t *testing.T) {
	tests := []struct {
		name  string
		keys  []string // written one after the other, each after the previous echo
		waits []string // what to wait for after each write
	}{
		{"tab", []string{"sh\t", "ch\t", "al\t", "\r"},
			[]string{"show ", "chassis ", "alarms ", "No alarms"}},
		{"question", []string{"show ch?", "\x15", "show chassis ?", "al\r"},
			[]string{"r1> show ch", "\b", "hardware", "No alarms"}},
		{"ctrl-c", []string{"show chas", "\x03", "show chassis alarms\r", "show test-slow\r", "\x03"},
			[]string{"show chas", "^C", "No alarms", "waiting", "interrupted"}},
		{"space", []string{"sh ch al\r", "set cli complete-on-space off\r", "sh ch al\r"},
			[]string{"No alarms", "Disabling", "No alarms"}},
		{"ambiguous", []string{"show s\t", "\x15", "how\x01s\x05 ve brief\r"},
			[]string{"ambiguous", "\b", "Hostname"}},
		{"history", []string{"show chassis alarms\r", "\x10\r"},
			[]string{"No alarms", "No alarms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startTTY(t, 24, 80, "vt100")
			ts.waitFor("lab@r1> ", 1)
			for i, k := range tt.keys {
				n := strings.Count(ts.output(), tt.waits[i])
				ts.write(k)
				ts.waitFor(tt.waits[i], n+1)
			}
			ts.quit()
			out := ts.output()
			noEscapes(t, out)
			golden(t, "editing-"+tt.name, out)
		})
	}
}

func TestTTYPasteBlock(t *testing.T) {
	ts := startTTY(t, 24, 80, "vt100")
	ts.waitFor("lab@r1> ", 1)
	var b strings.Builder
	b.WriteString("configure\r")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&b, "set s%d\r", i)
	}
	b.WriteString("show | no-more\rexit\r")
	ts.write(b.String()) // one write: the whole block
	ts.waitFor("Exiting configuration mode", 1)
	ts.quit()
	out := ts.output()
	noEscapes(t, out)
	// Every line echoed after its own prompt, in order.
	last := 0
	for i := 1; i <= 200; i++ {
		echo := fmt.Sprintf("lab@r1# set s%d\r\n", i)
		j := strings.Index(out[last:], echo)
		if j < 0 {
			t.Fatalf("line %d not echoed in order after offset %d", i, last)
		}
		last += j + len(echo)
	}
	// The configuration holds the 200 statements in order.
	for i := 1; i <= 200; i++ {
		stmt := fmt.Sprintf("s%d;\r\n", i)
		j := strings.Index(out[last:], stmt)
		if j < 0 {
			t.Fatalf("statement %d missing or out of order", i)
		}
		last += j + len(stmt)
	}
}

func TestTTYPager(t *testing.T) {
	ts := startTTY(t, 10, 80, "vt100")
	ts.waitFor("lab@r1> ", 1)
	ts.write("show test-lines count 30\r")
	ts.waitFor("---(more 30%)---", 1)
	ts.write(" ")
	ts.waitFor("---(more 60%)---", 1)
	ts.write("\r")
	ts.waitFor("---(more 63%)---", 1)
	ts.write("q")
	ts.waitFor("lab@r1> ", 2)
	ts.write("show test-lines count 30 | no-more\r")
	ts.waitFor("line 30\r\n", 1)
	ts.quit()
	out := ts.output()
	if strings.Count(out, "line 19\r\n") != 2 || strings.Count(out, "line 20\r\n") != 1 {
		t.Errorf("pager showed the wrong lines:\n%q", out)
	}
	noEscapes(t, out)
}

func TestTTYNoWindowSize(t *testing.T) {
	ts := startTTY(t, 0, 0, "vt100")
	ts.waitFor("lab@r1> ", 1)
	ts.write("show cli\r")
	ts.waitFor("CLI screen-width set to 80\r\n", 1)
	ts.quit()
	if !strings.Contains(ts.output(), "CLI screen-length set to 24\r\n") {
		t.Errorf("no 80x24 fallback:\n%q", ts.output())
	}
}

func TestTTYDumb(t *testing.T) {
	ts := startTTY(t, 24, 80, "dumb")
	ts.waitFor("lab@r1> ", 1)
	ts.write("sh ch al\n")
	ts.waitFor("No alarms currently active", 1)
	ts.write("show ?\n")
	ts.waitFor("Possible completions:", 1)
	// The terminal echoes what is typed at once: quit only once the
	// prompt is back, so that its echo follows the prompt.
	ts.waitFor("lab@r1> ", 3)
	ts.quit()
	out := ts.output()
	noEscapes(t, out)
	if strings.Contains(out, "\b") {
		t.Errorf("backspaces in dumb mode:\n%q", out)
	}
}

// TestTTYQuestionBurst: a burst of '?' keys gets every listing and prompt
// at once, without waiting for another key.
func TestTTYQuestionBurst(t *testing.T) {
	ts := startTTY(t, 24, 80, "xterm")
	ts.waitFor("lab@r1> ", 1)
	ts.write(strings.Repeat("?", 200))
	ts.waitFor("lab@r1> ", 201)
	ts.quit()
}

// BenchmarkPasteLongLine pastes one line (words and spaces, as a pasted
// blob) of 80,000 characters and of 1 MB into the line editor and waits
// for the error it gets: the editor's cost grows with the line's length,
// not its square.
func BenchmarkPasteLongLine(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"80000", 80000}, {"1MiB", 1 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			pasteLongLine(b, strings.Repeat("abcdefg ", size.n/8))
		})
	}
}

func pasteLongLine(b *testing.B, line string) {
	end := []byte("lab@r1> quit")
	for i := 0; i < b.N; i++ {
		master, tty, err := pty.Open()
		if err != nil {
			b.Skipf("no pty: %v", err)
		}
		pty.Setsize(master, &pty.Winsize{Rows: 24, Cols: 80})
		opts := testOptions("lab", "r1", b.TempDir())
		opts.In, opts.Out, opts.TTY, opts.Term = tty, tty, true, "xterm"
		done := make(chan error, 1)
		go func() { done <- shell.New(opts).Run(context.Background()) }()
		var out bytes.Buffer
		read := make(chan struct{})
		go func() {
			defer close(read)
			buf := make([]byte, 64<<10)
			for {
				n, err := master.Read(buf)
				out.Write(buf[:n])
				if err != nil || bytes.Contains(out.Bytes()[max(0, out.Len()-n-len(end)):], end) {
					return
				}
			}
		}()
		io.WriteString(master, line+"\rquit\r")
		<-read
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		tty.Close()
		master.Close()
	}
}

// TestTTYPasteEchoesAsTyped: a block pasted at once shows the same bytes
// as the same keys typed one at a time (completion on space, '?',
// ambiguities, errors, output), only in fewer writes.
func TestTTYPasteEchoesAsTyped(t *testing.T) {
	block := "sh cha ala\rshow ch?\rsh int\rsh s\rshow nothing here\rshow test-lines 3\rsh ver?\x15"
	// The last key, ^U, erases "show ver".
	last := "show ver" + strings.Repeat("\b", 8) + strings.Repeat(" ", 8) + strings.Repeat("\b", 8)
	pasted := startTTY(t, 24, 80, "xterm")
	pasted.waitFor("lab@r1> ", 1)
	pasted.write(block)
	pasted.waitFor(last, 1)

	typed := startTTY(t, 24, 80, "xterm")
	typed.waitFor("lab@r1> ", 1)
	for i := range len(block) {
		before := len(typed.output())
		typed.write(block[i : i+1])
		// The echo of the key (or what it brings) shows before the next.
		deadline := time.Now().Add(5 * time.Second)
		for len(typed.output()) == before && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	typed.waitFor(last, 1)
	if p, k := pasted.output(), typed.output(); p != k {
		t.Errorf("pasted:\n%q\ntyped:\n%q", p, k)
	}
}
