package config

import (
	"errors"
	"strings"

	"mxlab/config/schema"
)

// parsed is the result of parsing curly-brace text: a fresh tree and the
// statements tagged `replace:`.
type parsed struct {
	root    *Node
	replace map[*Node]bool
}

type textParser struct {
	toks    []token
	pos     int
	src     string
	replace map[*Node]bool
}

// ParseText parses Junos curly-brace configuration text into a new tree
// rooted at a node of schema at (schema.Root() for a whole configuration).
func ParseText(src string, at *schema.Node) (*Node, error) {
	p, err := parseText(src, "terminal", at)
	if err != nil {
		return nil, err
	}
	return p.root, nil
}

func parseText(text, source string, at *schema.Node) (*parsed, error) {
	toks, err := lex(text)
	if err != nil {
		var le *LoadError
		if errors.As(err, &le) {
			le.Source = source
		}
		return nil, err
	}
	tp := &textParser{toks: toks, src: source, replace: map[*Node]bool{}}
	root := &Node{S: at}
	if err := tp.block(root, false); err != nil {
		return nil, err
	}
	return &parsed{root: root, replace: tp.replace}, nil
}

func (tp *textParser) errAt(t token, msg string) error {
	return &LoadError{Source: tp.src, Line: t.line, Col: t.col, Token: t.text, Msg: msg}
}

func (tp *textParser) eofErr(msg string) error {
	t := token{line: 1, col: 1}
	if n := len(tp.toks); n > 0 {
		t = tp.toks[n-1]
	}
	return &LoadError{Source: tp.src, Line: t.line, Col: t.col, Msg: msg}
}

// block parses statements into parent until "}" (nested) or the end.
func (tp *textParser) block(parent *Node, nested bool) error {
	var comment string
	for tp.pos < len(tp.toks) {
		t := tp.toks[tp.pos]
		switch {
		case t.comment:
			comment = t.text
			tp.pos++
			continue
		case t.is("}"):
			if !nested {
				return tp.errAt(t, "syntax error")
			}
			tp.pos++
			return nil
		case t.is(";"):
			tp.pos++
			continue
		}
		if err := tp.statement(parent, comment); err != nil {
			return err
		}
		comment = ""
	}
	if nested {
		return tp.eofErr("syntax error, expecting '}'")
	}
	return nil
}

// statement parses one statement: tags, words, then ";" or a "{ }" block.
func (tp *textParser) statement(parent *Node, comment string) error {
	inactive, replace := false, false
	for tp.pos < len(tp.toks) {
		t := tp.toks[tp.pos]
		if t.is("inactive:") {
			inactive = true
		} else if t.is("replace:") {
			replace = true
		} else if !t.is("protect:") {
			break
		}
		tp.pos++
	}
	start := tp.pos
	var words []string
	for tp.pos < len(tp.toks) {
		t := tp.toks[tp.pos]
		if t.comment || t.is("{") || t.is(";") || t.is("}") {
			break
		}
		words = append(words, t.text)
		tp.pos++
	}
	if tp.pos >= len(tp.toks) {
		return tp.eofErr("syntax error, expecting ';' or '{'")
	}
	end := tp.toks[tp.pos]
	if len(words) == 0 {
		return tp.errAt(end, "syntax error")
	}
	path, err := Resolve(parent.S, words, true)
	if err != nil {
		return tp.wordErr(start, words, err)
	}
	x := parent.Set(path)
	stmt := parent.Walk(path[:statementLen(path)])
	stmt.Inactive = stmt.Inactive || inactive
	if comment != "" {
		stmt.Comment = comment
	}
	if replace {
		tp.replace[stmt] = true
	}
	if end.is("{") {
		if k := x.S.Kind; k != schema.Container && k != schema.List {
			return tp.errAt(end, "syntax error")
		}
		tp.pos++
		return tp.block(x, true)
	}
	if end.is(";") {
		tp.pos++
		return nil
	}
	return tp.errAt(end, "syntax error, expecting ';'")
}

// statementLen returns how many steps of a path read from one line of
// curly-brace text name the statement itself: one, or two behind a
// flattened container (family inet).
func statementLen(p Path) int {
	if len(p) > 1 && flattened(p[0].S) {
		return 2
	}
	return 1
}

// flattened reports whether container s is shown merged into each of its
// statements (family inet {, family inet6 {).
func flattened(s *schema.Node) bool {
	return s.Kind == schema.Container && s.Homogeneous && !s.Presence
}

// wordErr converts a resolver error into a LoadError naming the word.
func (tp *textParser) wordErr(start int, words []string, err error) error {
	var ie *InputError
	if !errors.As(err, &ie) {
		return err
	}
	i := ie.Tok
	if i >= len(words) {
		i = len(words) - 1
	}
	msg := strings.TrimSuffix(ie.Msg, ".")
	return tp.errAt(tp.toks[start+i], msg)
}

// merge copies the statements of src into dst (load merge): leaves take
// src's values, leaf-lists get src's values added, tags and annotations
// are copied. Statements in replace replace the matching dst subtree.
func merge(dst, src *Node, replace map[*Node]bool) {
	for _, k := range src.Kids {
		st := Step{S: k.S, Keys: k.Keys}
		d := dst.ensure(st)
		if replace[k] {
			d.Kids, d.Values, d.idx = nil, nil, nil
		}
		switch k.S.Kind {
		case schema.Leaf:
			d.Value = k.Value
		case schema.LeafList:
			for _, v := range k.Values {
				if !containsString(d.Values, v) {
					d.Values = append(d.Values, v)
				}
			}
		}
		if k.Inactive {
			d.Inactive = true
		}
		if k.Comment != "" {
			d.Comment = k.Comment
		}
		merge(d, k, replace)
	}
}
