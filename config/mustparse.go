package config

import (
	"fmt"
	"strings"
)

// The junos:must constraint language, and its parser.
//
// An expression is
//
//	e := e '||' e | e '&&' e | '!' e | '(' e ')' | ['any'|'all'|'unique'] "path"
//
// ('!' binds tightest, then '&&', then '||'). A path is a list of words
// naming a statement: relative to the constrained statement when it starts
// with "." (the statement itself) or ".." (one level up per ".."),
// absolute from the configuration root otherwise. A word after a leaf or
// leaf-list keyword is a value the statement must hold; a word after a list
// keyword (or in place of a keyword-less list) is an entry key. Words may use
// $$ (the constrained statement's value, or its key for a list entry),
// $$-IFL and $$-IFD (that value as a logical / physical interface; in a path
// $$-IFL stands for "IFD unit N"), ${name} (the key of the enclosing list
// entry called name), $$={v} (the literal v) and <glob> (any entry or value
// matching the glob). A path is true when the statement exists; any is the
// same; all is true when every entry matched by the last wildcard has the
// rest of the path; unique is true when no statement other than the
// constrained one matches. Inactive statements count as absent.

// mustExpr is a parsed junos:must expression.
type mustExpr interface {
	eval(c *mustCtx) bool
	String() string
}

type notExpr struct{ x mustExpr }
type andExpr struct{ l, r mustExpr }
type orExpr struct{ l, r mustExpr }

// pathExpr tests a statement path; quant is "", "any", "all" or "unique".
type pathExpr struct {
	quant string
	words []string
}

func (e notExpr) String() string { return "!(" + e.x.String() + ")" }
func (e andExpr) String() string { return "(" + e.l.String() + " && " + e.r.String() + ")" }
func (e orExpr) String() string  { return "(" + e.l.String() + " || " + e.r.String() + ")" }

func (e pathExpr) String() string {
	s := `"` + strings.Join(e.words, " ") + `"`
	if e.quant != "" {
		s = e.quant + " " + s
	}
	return s
}

// mustParser is a recursive-descent parser over the expression text.
type mustParser struct {
	src string
	pos int
}

// parseMust parses a junos:must expression.
func parseMust(expr string) (mustExpr, error) {
	p := &mustParser{src: expr}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q", p.src[p.pos:])
	}
	return e, nil
}

func (p *mustParser) errorf(format string, args ...any) error {
	return fmt.Errorf("must expression %q at offset %d: %s", p.src, p.pos, fmt.Sprintf(format, args...))
}

func (p *mustParser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

// accept consumes tok when it comes next.
func (p *mustParser) accept(tok string) bool {
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *mustParser) or() (mustExpr, error) {
	l, err := p.and()
	for err == nil && p.accept("||") {
		var r mustExpr
		if r, err = p.and(); err == nil {
			l = orExpr{l, r}
		}
	}
	return l, err
}

func (p *mustParser) and() (mustExpr, error) {
	l, err := p.unary()
	for err == nil && p.accept("&&") {
		var r mustExpr
		if r, err = p.unary(); err == nil {
			l = andExpr{l, r}
		}
	}
	return l, err
}

func (p *mustParser) unary() (mustExpr, error) {
	switch {
	case p.accept("!"):
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notExpr{x}, nil
	case p.accept("("):
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.errorf("missing )")
		}
		return x, nil
	}
	quant := ""
	for _, q := range []string{"any", "all", "unique"} {
		if p.accept(q) {
			quant = q
			break
		}
	}
	return p.path(quant)
}

func (p *mustParser) path(quant string) (mustExpr, error) {
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '"' {
		if p.pos >= len(p.src) {
			return nil, p.errorf("unexpected end")
		}
		return nil, p.errorf("expected a quoted path, found %q", p.src[p.pos:])
	}
	end := strings.IndexByte(p.src[p.pos+1:], '"')
	if end < 0 {
		return nil, p.errorf("unterminated path")
	}
	words := strings.Fields(p.src[p.pos+1 : p.pos+1+end])
	p.pos += end + 2
	if len(words) == 0 {
		return nil, p.errorf("empty path")
	}
	return pathExpr{quant: quant, words: words}, nil
}
