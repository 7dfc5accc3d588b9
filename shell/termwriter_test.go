package shell

import (
	"bytes"
	"strings"
	"syscall"
	"testing"
)

// choked is a terminal that takes a few bytes per write and then says
// EAGAIN, as a non-blocking terminal whose reader is slow.
type choked struct {
	bytes.Buffer
	writes int
}

func (c *choked) Write(p []byte) (int, error) {
	c.writes++
	if len(p) > 5 {
		c.Buffer.Write(p[:5])
		return 5, syscall.EAGAIN
	}
	return c.Buffer.Write(p)
}

// TestTermWriterWhole: held or not, everything written reaches the
// terminal once, in order, with CRLF line ends; held writes go out
// together.
func TestTermWriterWhole(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		c := &choked{}
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
		if c.writes == held {
			t.Errorf("crlf %v: the held writes never went out", crlf)
		}
	}
}
