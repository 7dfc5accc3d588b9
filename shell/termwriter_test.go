package shell

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// countingWriter counts the writes it takes.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// TestTermWriterWhole: held or not, everything written reaches the
// terminal once, in order, with CRLF line ends; held writes go out
// together.
func TestTermWriterWhole(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		c := &countingWriter{}
		tw := &termWriter{w: c, crlf: crlf}
		tw.Write([]byte("first line\n"))
		tw.hold = true
		for i := range 100 {
			tw.Write([]byte(strings.Repeat("x", i%7) + "\n"))
		}
		held := c.writes
		tw.hold = false
		tw.Write([]byte("last\n"))
		var want strings.Builder
		want.WriteString("first line\n")
		for i := range 100 {
			want.WriteString(strings.Repeat("x", i%7) + "\n")
		}
		want.WriteString("last\n")
		w := want.String()
		if crlf {
			w = strings.ReplaceAll(w, "\n", "\r\n")
		}
		if got := c.String(); got != w {
			t.Errorf("crlf %v: got %q, want %q", crlf, got, w)
		}
		if held != 1 || c.writes != 2 {
			t.Errorf("crlf %v: %d writes before the held ones went out, %d in all; want 1 and 2", crlf, held, c.writes)
		}
	}
}

// TestTermWriterNonblocking: on a terminal whose input is read without
// blocking (the same open file as its output), a megabyte written at once
// while the reader is slow reaches the terminal whole.
func TestTermWriterNonblocking(t *testing.T) {
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer master.Close()
	defer tty.Close()
	old, err := term.MakeRaw(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	defer term.Restore(int(tty.Fd()), old)
	// The output as a console's standard output is: a file made of a
	// descriptor in blocking mode, which Go's poller does not watch.
	ofd, err := unix.Dup(int(tty.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.NewFile(uintptr(ofd), "stdout")
	defer stdout.Close()
	if err := unix.SetNonblock(ofd, true); err != nil { // as the key reader's duplicate does
		t.Fatal(err)
	}
	defer unix.SetNonblock(ofd, false)
	s := &Session{out: &termWriter{w: stdout}}
	restore := s.pollableOutput()
	got := make(chan []byte)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	go func() {
		var b bytes.Buffer
		buf := make([]byte, 4096)
		for b.Len() < len(want) {
			time.Sleep(100 * time.Microsecond) // a slow reader
			n, err := master.Read(buf)
			b.Write(buf[:n])
			if err != nil && err != io.EOF {
				break
			}
		}
		got <- b.Bytes()
	}()
	s.out.hold = true
	if _, err := s.out.Write(want); err != nil {
		t.Fatalf("write: %v", err)
	}
	s.out.hold = false
	if err := s.out.flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	restore()
	select {
	case b := <-got:
		if !bytes.Equal(b, want) {
			t.Errorf("the terminal got %d bytes of %d", len(b), len(want))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the output never arrived whole")
	}
	if s.out.w != stdout {
		t.Error("the output was not put back")
	}
}
