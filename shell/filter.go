package shell

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Pipes are io.Writer filters between the command and the terminal. Each
// stage writes into the next one; Close flushes what a stage holds (a
// partial last line, a count, the last N lines) and must be called in
// chain order, first stage first.

// stage is one filter of the output chain.
type stage interface {
	io.Writer
	Close() error
}

// lineStage cuts its input into lines and hands each one, "\n"
// included, to fn; fin runs at Close.
type lineStage struct {
	buf []byte
	fn  func(line []byte) error
	fin func() error
}

func (l *lineStage) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := l.buf[:i+1]
		if err := l.fn(line); err != nil {
			return len(p), err
		}
		l.buf = l.buf[i+1:]
	}
}

func (l *lineStage) Close() error {
	if len(l.buf) > 0 {
		line := append(l.buf, '\n')
		l.buf = nil
		if err := l.fn(line); err != nil {
			return err
		}
	}
	if l.fin != nil {
		return l.fin()
	}
	return nil
}

// pattern compiles a pipe pattern: POSIX-style, case-insensitive as in
// Junos.
func pattern(s string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("(?i)" + s)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression '%s'", s)
	}
	return re, nil
}

func trimEOL(line []byte) []byte { return bytes.TrimRight(line, "\r\n") }

func matchStage(next io.Writer, re *regexp.Regexp, keep bool) stage {
	return &lineStage{fn: func(line []byte) error {
		if re.Match(trimEOL(line)) == keep {
			_, err := next.Write(line)
			return err
		}
		return nil
	}}
}

func findStage(next io.Writer, re *regexp.Regexp) stage {
	found := false
	return &lineStage{fn: func(line []byte) error {
		if !found && !re.Match(trimEOL(line)) {
			return nil
		}
		found = true
		_, err := next.Write(line)
		return err
	}}
}

func countStage(next io.Writer) stage {
	n := 0
	return &lineStage{
		fn: func([]byte) error { n++; return nil },
		fin: func() error {
			_, err := fmt.Fprintf(next, "Count: %d lines\n", n)
			return err
		},
	}
}

func lastStage(next io.Writer, n int) stage {
	var lines [][]byte
	return &lineStage{
		fn: func(line []byte) error {
			lines = append(lines, append([]byte(nil), line...))
			if len(lines) > n {
				lines = lines[1:]
			}
			return nil
		},
		fin: func() error {
			for _, l := range lines {
				if _, err := next.Write(l); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func trimStage(next io.Writer, cols int) stage {
	return &lineStage{fn: func(line []byte) error {
		rs := []rune(string(trimEOL(line)))
		if cols < len(rs) {
			rs = rs[cols:]
		} else {
			rs = nil
		}
		_, err := io.WriteString(next, string(rs)+"\n")
		return err
	}}
}

// fileStage writes the lines to a file; with tee it also passes them on;
// without it, it reports "Wrote N lines of output to 'FILE'" at Close.
func fileStage(next io.Writer, f io.WriteCloser, name string, tee bool) stage {
	n := 0
	return &lineStage{
		fn: func(line []byte) error {
			n++
			if _, err := f.Write(line); err != nil {
				return err
			}
			if tee {
				_, err := next.Write(line)
				return err
			}
			return nil
		},
		fin: func() error {
			if err := f.Close(); err != nil {
				return fmt.Errorf("could not write file '%s': %w", name, err)
			}
			if tee {
				return nil
			}
			_, err := fmt.Fprintf(next, "Wrote %d line%s of output to '%s'\n", n, plural(n), name)
			return err
		},
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// wrapStage holds the whole output and writes it in Junos XML or JSON
// form, the way Junos shows a command that has no structured output: the
// text inside an <output> element.
type wrapStage struct {
	next    io.Writer
	format  string // "xml" or "json"
	version string
	buf     bytes.Buffer
}

func (w *wrapStage) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *wrapStage) Close() error {
	text := w.buf.String()
	var b strings.Builder
	if w.format == "json" {
		q, _ := json.Marshal(text)
		fmt.Fprintf(&b, "{\n    \"output\" : [\n    {\n        \"data\" : %s\n    }\n    ]\n}\n", q)
	} else {
		fmt.Fprintf(&b, "<rpc-reply xmlns:junos=\"http://xml.juniper.net/junos/%s/junos\">\n", w.version)
		b.WriteString("    <output>\n")
		b.WriteString(xmlText.Replace(text))
		if text != "" && !strings.HasSuffix(text, "\n") {
			b.WriteString("\n")
		}
		b.WriteString("    </output>\n    <cli>\n        <banner></banner>\n    </cli>\n</rpc-reply>\n")
	}
	_, err := io.WriteString(w.next, b.String())
	return err
}

var xmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// atoiDefault parses s, or returns def when s is empty.
func atoiDefault(s string, def int) int {
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return v
}
