package shell

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"mxlab/shell/cmdtree"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"", nil},
		{"show version", []string{"show", "version"}},
		{"  sh   ver  ", []string{"sh", "ver"}},
		{`set a "b c" d`, []string{"set", "a", "b c", "d"}},
		{`match "a\"b"`, []string{"match", `a"b`}},
		{"show version|match x", []string{"show", "version", "|", "match", "x"}},
		{`match "a|b"`, []string{"match", "a|b"}},
		{`say "open`, []string{"say", "open"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range Tokenize(tt.line) {
			got = append(got, tok.Text)
		}
		if strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestTokenColumns(t *testing.T) {
	toks := Tokenize(`set "a b" c`)
	want := [][2]int{{0, 3}, {4, 9}, {10, 11}}
	for i, tok := range toks {
		if tok.Pos != want[i][0] || tok.End != want[i][1] {
			t.Errorf("token %d at %d..%d, want %v", i, tok.Pos, tok.End, want[i])
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"a": "a", "a b": `"a b"`, "": `""`, `x"y`: `"x\"y"`} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
		if toks := Tokenize(Quote(in)); len(toks) != 1 || toks[0].Text != in {
			t.Errorf("Quote(%q) does not tokenize back", in)
		}
	}
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a\nb\n", []string{"a", "b"}},
		{"a\rb\r", []string{"a", "b"}},
		{"a\r\nb\r\n", []string{"a", "b"}},
		{"a\r\n\r\nb", []string{"a", "", "b"}},
		{"a\n\nb\n", []string{"a", "", "b"}},
		{"a\r\rb", []string{"a", "", "b"}},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 64} {
			lr := &lineReader{r: &chunked{s: tt.in, n: chunk}}
			var got []string
			for {
				l, err := lr.readLine()
				if err != nil {
					break
				}
				got = append(got, l)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("%q in chunks of %d: %q, want %q", tt.in, chunk, got, tt.want)
			}
		}
	}
}

// chunked reads s n bytes at a time.
type chunked struct {
	s string
	n int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[n:]
	return n, nil
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		in   string
		want []key
	}{
		{"ab\r", []key{'a', 'b', keyEnter}},
		{"a\r\nb\n", []key{'a', keyEnter, 'b', keyEnter}},
		{"\x1b[A\x1b[B\x1b[C\x1b[D", []key{keyUp, keyDown, keyRight, keyLeft}},
		{"\x1b[3~\x1bOH\x1b[4~\x1bb\x1bf", []key{keyDelete, keyHome, keyEnd, keyMetaB, keyMetaF}},
		{"é?\t", []key{'é', '?', keyTab}},
	}
	for _, tt := range tests {
		ch := make(chan []byte, len(tt.in))
		for i := 0; i < len(tt.in); i++ {
			ch <- []byte{tt.in[i]}
		}
		close(ch)
		kr := &keyReader{ch: ch}
		var got []key
		for {
			k, err := kr.readKey(context.Background())
			if err != nil {
				break
			}
			got = append(got, k)
		}
		if len(got) != len(tt.want) {
			t.Errorf("%q: keys %v, want %v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: keys %v, want %v", tt.in, got, tt.want)
				break
			}
		}
	}
}

func TestUptimeFormats(t *testing.T) {
	tests := []struct {
		d         time.Duration
		since, up string
	}{
		{0, "00:00:00", "0 sec,"},
		{27 * time.Second, "00:00:27", "27 secs,"},
		{89 * time.Second, "00:01:29", "1 min,"},
		{90 * time.Second, "00:01:30", "2 mins,"},
		{11*time.Hour + 3*time.Minute + 5*time.Second, "11:03:05", "11:03,"},
		{(209*24+23)*time.Hour + 14*time.Minute, "29w6d 23:14", "209 days, 23:14,"},
		{15*24*time.Hour + 5*time.Minute, "2w1d 00:05", "15 days, 5 mins,"},
		{2 * 24 * time.Hour, "2d 00:00", "2 days, 30 secs,"},
		{3 * time.Hour, "03:00:00", " 3 hrs,"},
		{(2*24+5)*time.Hour + 20*time.Second, "2d 05:00", "2 days,  5 hrs,"},
	}
	for _, tt := range tests {
		if got := since(tt.d); got != tt.since {
			t.Errorf("since(%v) = %q, want %q", tt.d, got, tt.since)
		}
		if got := upFor(tt.d); got != tt.up {
			t.Errorf("upFor(%v) = %q, want %q", tt.d, got, tt.up)
		}
	}
}

func TestListRow(t *testing.T) {
	tests := []struct {
		c    Choice
		want string
	}{
		{Choice{Word: "<[Enter]>", Help: "Execute this command"}, "  <[Enter]>            Execute this command\n"},
		{Choice{Word: "policy-commit-status", Help: "Show"}, "  policy-commit-status  Show\n"},
		{Choice{Word: "access", Help: "Network access configuration", Mark: ">"}, "> access               Network access configuration\n"},
		{Choice{Word: "multi-chassis", Mark: ">"}, "> multi-chassis\n"},
	}
	for _, tt := range tests {
		if got := listRow(tt.c); got != tt.want {
			t.Errorf("listRow(%v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

// deepRegistry builds a tree of the given depth and fan-out, a command
// with parameters at every leaf.
func deepRegistry(depth, fan int) (*cmdtree.Registry, []string) {
	r := cmdtree.New()
	RegisterBuiltins(r)
	var path []string
	var add func(prefix []string, d int)
	add = func(prefix []string, d int) {
		for i := 0; i < fan; i++ {
			p := append(append([]string(nil), prefix...), "node"+string(rune('a'+i))+"-level")
			if d == depth {
				r.Register(p, "leaf", []cmdtree.Param{
					{Name: "detail", Help: "Detail"},
					{Name: "name", Value: "<name>", Help: "Name", Positional: true,
						Values: func(any) []string { return []string{"x1", "x2", "x3"} }},
				}, cmdtree.Func(func(*cmdtree.Env) error { return nil }))
				if path == nil {
					path = p
				}
				continue
			}
			add(p, d+1)
		}
	}
	add([]string{"show"}, 1)
	return r, path
}

func benchSession(b *testing.B) (*Session, string) {
	r, path := deepRegistry(6, 4)
	s := New(Options{Registry: r, Out: io.Discard}).s
	s.modes = []Mode{s.op}
	b.ReportAllocs()
	return s, strings.Join(path, " ")
}

// BenchmarkComplete measures '?' and Tab at depth 7 of a tree of 4^6
// commands.
func BenchmarkComplete(b *testing.B) {
	s, line := benchSession(b)
	b.Run("question", func(b *testing.B) {
		for b.Loop() {
			_ = s.help(line + " ")
		}
	})
	b.Run("tab", func(b *testing.B) {
		for b.Loop() {
			_, _ = s.complete(line+" x", true)
		}
	})
	b.Run("abbreviated", func(b *testing.B) {
		abbr := strings.ReplaceAll(line, "-level", "-l")
		for b.Loop() {
			_ = s.help(abbr + " ")
		}
	})
}
