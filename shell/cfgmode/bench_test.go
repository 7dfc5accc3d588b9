package cfgmode_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"mxlab/config"
	"mxlab/config/configtest"
	"mxlab/router"
)

// terminal is a configuration-mode session in the line editor (the TTY
// path, over pipes) on a router whose shared candidate holds configtest.Big.
type terminal struct {
	in    *io.PipeWriter
	mu    sync.Mutex
	cond  *sync.Cond
	out   bytes.Buffer
	marks int // prompts seen
	done  chan struct{}
}

const editPrompt = "[edit]\r\nlab@mxlab# "

func newTerminal(b *testing.B) *terminal {
	r := newRouter(b, b.TempDir())
	s, _, _, err := r.DB.Begin(config.Who{User: "bench", PID: os.Getpid()}, config.Shared)
	if err != nil {
		b.Fatal(err)
	}
	text := configtest.Big()
	if err := s.Load(config.LoadSet, text, "bench", false); err != nil {
		b.Fatal(err)
	}
	s.Close()
	b.ReportMetric(float64(strings.Count(text, "\n")), "statements")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	t := &terminal{in: inW, done: make(chan struct{})}
	t.cond = sync.NewCond(&t.mu)
	sh, closeShell := r.NewShell(router.ShellOptions{In: inR, Out: outW, TTY: true, Term: "vt100", User: "lab"})
	go func() {
		defer close(t.done)
		defer closeShell()
		sh.Run(context.Background())
		outW.Close()
	}()
	go t.collect(outR)
	b.Cleanup(func() {
		inW.Close()
		<-t.done
	})
	t.send(b, "configure\r", 1)
	return t
}

// collect counts the configuration prompts in the output.
func (t *terminal) collect(r io.Reader) {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		t.mu.Lock()
		t.out.Write(buf[:n])
		if c := bytes.Count(t.out.Bytes(), []byte(editPrompt)); c > 0 {
			t.marks += c
			rest := t.out.Bytes()[bytes.LastIndex(t.out.Bytes(), []byte(editPrompt))+len(editPrompt):]
			t.out.Reset()
			t.out.Write(rest)
		}
		t.cond.Broadcast()
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// send types keys and waits for n more prompts.
func (t *terminal) send(b *testing.B, keys string, n int) {
	t.mu.Lock()
	want := t.marks + n
	t.mu.Unlock()
	if _, err := io.WriteString(t.in, keys); err != nil {
		b.Fatal(err)
	}
	t.mu.Lock()
	for t.marks < want {
		t.cond.Wait()
	}
	t.mu.Unlock()
}

// waitFor waits until the output since the last prompt ends with suffix.
func (t *terminal) waitFor(suffix string) {
	t.mu.Lock()
	for !bytes.HasSuffix(t.out.Bytes(), []byte(suffix)) {
		t.cond.Wait()
	}
	t.mu.Unlock()
}

// BenchmarkCompletion measures one '?' or Tab at the end of a line, on a
// 10,000 statement configuration, from the key to the end of the answer
// (the listing and the reprinted line, or the completed word). The line
// is typed before the timer runs and cleared after it (Ctrl-U, Enter).
func BenchmarkCompletion(b *testing.B) {
	cases := []struct {
		name, line, key string
		echo            string // what a Tab completes; "" for '?'
	}{
		{"question/top", "set ", "?", ""},
		{"question/interfaces", "set interfaces ", "?", ""},
		{"question/interface", "set interfaces ge-3/1/4 ", "?", ""},
		{"question/deep", "set services ipsec-vpn rule r150 term t1 then manual direction bidirectional ", "?", ""},
		{"question/2000-routes", "set routing-options static route ", "?", ""},
		{"question/route", "set routing-options static route 172.20.10.0/24 ", "?", ""},
		{"tab/top", "set routing-opt", "\t", "options "},
		{"tab/interface", "set interfaces ge-3/1/4 unit 0 fam", "\t", "ily "},
		{"tab/deep", "set services ipsec-vpn rule r150 term t1 then manual direction bidirectional encr", "\t", "yption "},
		{"tab/route", "set routing-options static route 172.20.10.0/24 pref", "\t", "erence "},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			t := newTerminal(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				io.WriteString(t.in, c.line)
				t.waitFor(c.line[len(c.line)-4:])
				b.StartTimer()
				if c.echo == "" {
					t.send(b, c.key, 1)
				} else {
					io.WriteString(t.in, c.key)
					t.waitFor(c.echo)
				}
				b.StopTimer()
				t.send(b, "\x15\r", 1)
				b.StartTimer()
			}
		})
	}
}
