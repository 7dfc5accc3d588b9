package shell

import (
	"context"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"

	"mxlab/shell/cmdtree"
)

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"show version", `set a "b c"`, `x "a\"b`, "a|b||c", `"`, "\t|\"\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if !utf8.ValidString(line) {
			return
		}
		n := utf8.RuneCountInString(line)
		toks := Tokenize(line)
		if isASCII(line) && !reflect.DeepEqual(toks, tokenizeRunes(line)) {
			t.Fatalf("%q: the ASCII reading %v differs from the rune one %v", line, toks, tokenizeRunes(line))
		}
		if open := len(toks) > 0 && toks[len(toks)-1].Open; openQuote(line) != open {
			t.Fatalf("%q: openQuote says %v, the last token's Open %v", line, !open, open)
		}
		prev := 0
		for _, tok := range toks {
			if tok.Pos < prev || tok.End <= tok.Pos || tok.End > n {
				t.Fatalf("%q: token %q at %d..%d after %d", line, tok.Text, tok.Pos, tok.End, prev)
			}
			prev = tok.End
			if back := Tokenize(Quote(tok.Text)); len(back) != 1 || back[0].Text != tok.Text {
				t.Fatalf("%q: Quote(%q) does not tokenize back: %v", line, tok.Text, back)
			}
		}
	})
}

// FuzzLine feeds lines to operational mode: parsing, '?', Tab and
// running must neither panic nor hang.
func FuzzLine(f *testing.F) {
	for _, s := range []string{
		"show version", "sh ver | match J | count", "show interfaces terse ge-0/0/0 | last 2",
		"set cli screen-length 10", "show cli | display xml", "file list /var/../..", "show log ../../x",
		"show version | save ../../../x", "show | ", "configure private", "x\"|", "show system uptime | trim 3",
	} {
		f.Add(s)
	}
	r := cmdtree.New()
	RegisterBuiltins(r)
	r.Register([]string{"show", "interfaces"}, "Show interface information", []cmdtree.Param{
		{Name: "terse", Help: "Display terse output"},
		{Name: "name", Value: "<interface-name>", Positional: true,
			Values: func(any) []string { return []string{"ge-0/0/0"} }},
	}, cmdtree.Func(func(env *cmdtree.Env) error { _, err := io.WriteString(env.Out, "ge-0/0/0 up\n"); return err }))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, line string) {
		s := New(Options{Registry: r, Out: io.Discard, StateDir: dir}).s
		s.modes = []Mode{s.op}
		_ = s.help(line)
		_, _ = s.complete(line, true)
		_, _ = s.complete(line, false)
		s.execute(context.Background(), line)
	})
}
