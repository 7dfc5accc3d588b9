// Package layouttest compares the layout of mxlab's output with real
// router captures, column for column: a golden file says the output did
// not change, a layout test says it looks like what a router prints.
//
// A line of output is compared with the line of a capture it pairs with
// (the first line of each that starts with the same key): both must have
// the same words (runs of non-blanks), each starting or ending in the
// same column (left- or right-aligned), and the words without digits must
// be the same (column titles, keywords, states), so that only values
// (names, addresses, counters, times) differ.
//
// Two kinds of lines need other rules, chosen by a mark in front of the
// key: a table row that ends in free text (a description) is compared on
// its first N words and where its free text starts ("~N:"); a line of
// text whose values move the words after them ("Logical interface
// ge-0/0/0.0 (Index 74)") is compared by the blanks between its words
// ("=").
package layouttest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// word is a run of non-blanks and the columns it spans.
type word struct {
	text       string
	start, end int // end is exclusive
}

func words(line string) []word {
	var out []word
	for _, m := range regexp.MustCompile(`\S+`).FindAllStringIndex(line, -1) {
		out = append(out, word{line[m[0]:m[1]], m[0], m[1]})
	}
	return out
}

func hasDigit(s string) bool { return strings.IndexFunc(s, unicode.IsDigit) >= 0 }

// Columns reports how line got differs in layout from line capture; nil
// when it has the same words in the same columns.
func Columns(capture, got string) error { return columns(capture, got, -1) }

// columns compares two table rows; when fixed >= 0, the words after the
// first fixed ones are free text, compared by where they start.
func columns(capture, got string, fixed int) error {
	cw, gw := words(capture), words(got)
	n := len(cw)
	if fixed >= 0 {
		if len(cw) <= fixed || len(gw) <= fixed {
			return fmt.Errorf("%d words, the capture has %d; both need more than %d", len(gw), len(cw), fixed)
		}
		if cw[fixed].start != gw[fixed].start {
			return fmt.Errorf("the free text starts at %d; in the capture at %d", gw[fixed].start, cw[fixed].start)
		}
		n = fixed
	} else if len(cw) != len(gw) {
		return fmt.Errorf("%d words, the capture has %d", len(gw), len(cw))
	}
	for i := range n {
		c, g := cw[i], gw[i]
		if c.start != g.start && c.end != g.end {
			return fmt.Errorf("word %d %q spans columns %d-%d; %q in the capture spans %d-%d", i+1, g.text, g.start, g.end, c.text, c.start, c.end)
		}
		if !hasDigit(c.text) && !hasDigit(g.text) && c.text != g.text {
			return fmt.Errorf("word %d is %q; the capture has %q", i+1, g.text, c.text)
		}
	}
	return nil
}

// Flowing reports how a line of text got differs from capture: the same
// indentation, words and blanks between them, values aside.
func Flowing(capture, got string) error {
	cw, gw := words(capture), words(got)
	if len(cw) != len(gw) {
		return fmt.Errorf("%d words, the capture has %d", len(gw), len(cw))
	}
	for i := range cw {
		c, g := cw[i], gw[i]
		if !hasDigit(c.text) && !hasDigit(g.text) && c.text != g.text {
			return fmt.Errorf("word %d is %q; the capture has %q", i+1, g.text, c.text)
		}
		switch {
		case i == 0 && c.start != g.start:
			return fmt.Errorf("indented %d; the capture %d", g.start, c.start)
		case i > 0 && c.start-cw[i-1].end != g.start-gw[i-1].end:
			return fmt.Errorf("%d blanks before word %d %q; the capture has %d", g.start-gw[i-1].end, i+1, g.text, c.start-cw[i-1].end)
		}
	}
	return nil
}

// Compare pairs the lines of output and capture by keys and checks their
// columns. A key is the start of the line (blanks included), or a regular
// expression when it starts with "^".
func Compare(t testing.TB, capture, output string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		mark, fixed := "", -1
		switch {
		case strings.HasPrefix(k, "="):
			mark, k = "=", k[1:]
		case strings.HasPrefix(k, "~"):
			n, rest, _ := strings.Cut(k[1:], ":")
			fixed, _ = strconv.Atoi(n)
			k = rest
		}
		c, okc := find(capture, k)
		g, okg := find(output, k)
		switch {
		case !okc:
			t.Errorf("the capture has no line %q", k)
		case !okg:
			t.Errorf("no line %q in:\n%s", k, output)
		default:
			var err error
			switch mark {
			case "=":
				err = Flowing(c, g)
			default:
				err = columns(c, g, fixed)
			}
			if err != nil {
				t.Errorf("line %q: %v\n  capture: %q\n  mxlab:   %q", k, err, c, g)
			}
		}
	}
}

func find(text, key string) (string, bool) {
	var re *regexp.Regexp
	if strings.HasPrefix(key, "^") {
		re = regexp.MustCompile(key)
	}
	for _, l := range strings.Split(text, "\n") {
		if re != nil && re.MatchString(l) || re == nil && strings.HasPrefix(l, key) {
			return l, true
		}
	}
	return "", false
}
