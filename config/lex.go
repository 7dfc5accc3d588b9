package config

import (
	"fmt"
	"strings"
)

// token is one lexical element of configuration text.
type token struct {
	text    string
	quoted  bool // a "..." string: never a delimiter
	comment bool // a /* ... */ annotation, or # lines of their own
	hash    bool // the annotation is # lines
	line    int
	col     int
}

func (t token) is(s string) bool { return !t.quoted && !t.comment && t.text == s }

// LoadError is an error in loaded text, naming the line and the token.
type LoadError struct {
	Source string // "terminal" or a file name
	Line   int
	Col    int
	Token  string
	Msg    string
}

func (e *LoadError) Error() string {
	if i := strings.LastIndex(e.Msg, " at '"); i > 0 && strings.HasSuffix(e.Msg, "'") {
		e.Msg = e.Msg[:i] // the token is named after the message already
	}
	src := e.Source
	if src == "" {
		src = "terminal"
	}
	if e.Token == "" {
		return fmt.Sprintf("%s:%d:(%d) %s", src, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:(%d) %s: %s", src, e.Line, e.Col, e.Msg, e.Token)
}

// lex splits configuration text into tokens. Words end at blanks and at
// the delimiters { } ; [ ]; "..." strings keep their spaces; /* */ comments
// become annotation tokens; # comments run to the end of the line.
func lex(src string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	adv := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i++
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			adv(1)
		case c == '#':
			// A # line of its own is an annotation, as Junos shows one
			// that starts with '#' (several lines make one); one after a
			// statement on its line (## SECRET-DATA) and the "## Last
			// commit" header are comments only.
			own := col == 1 || strings.TrimLeft(src[strings.LastIndexByte(src[:i], '\n')+1:i], " \t") == ""
			l, cl := line, col
			s := i
			for i < len(src) && src[i] != '\n' {
				adv(1)
			}
			body := strings.TrimRight(src[s:i], " \t\r")
			if !own || strings.HasPrefix(body, "## Last ") {
				continue
			}
			if n := len(toks); n > 0 && toks[n-1].hash && toks[n-1].line == l-1 {
				toks[n-1].text += "\n" + body
				toks[n-1].line = l
				continue
			}
			toks = append(toks, token{text: body, comment: true, hash: true, line: l, col: cl})
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			l, cl := line, col
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, &LoadError{Line: l, Col: cl, Msg: "unterminated comment"}
			}
			body := strings.TrimSpace(src[i+2 : i+2+end])
			adv(end + 4)
			toks = append(toks, token{text: body, comment: true, line: l, col: cl})
		case c == '{' || c == '}' || c == ';' || c == '[' || c == ']':
			toks = append(toks, token{text: string(c), line: line, col: col})
			adv(1)
		case c == '"':
			l, cl := line, col
			var b strings.Builder
			adv(1)
			closed := false
			for i < len(src) {
				if src[i] == '\\' && i+1 < len(src) {
					b.WriteByte(src[i+1])
					adv(2)
					continue
				}
				if src[i] == '"' {
					adv(1)
					closed = true
					break
				}
				b.WriteByte(src[i])
				adv(1)
			}
			if !closed {
				return nil, &LoadError{Line: l, Col: cl, Msg: "unterminated string"}
			}
			toks = append(toks, token{text: b.String(), quoted: true, line: l, col: cl})
		default:
			l, cl := line, col
			s := i
			for i < len(src) && !strings.ContainsRune(" \t\r\n{};[]\"", rune(src[i])) {
				adv(1)
			}
			toks = append(toks, token{text: src[s:i], line: l, col: cl})
		}
	}
	return toks, nil
}

// SplitWords splits one command line into words the way the CLI does:
// blanks separate words, "..." quotes keep spaces (and are removed), and
// [ ] stand alone. It reports an unterminated quote.
func SplitWords(line string) ([]string, error) {
	toks, err := lex(line)
	if err != nil {
		return nil, err
	}
	w := make([]string, 0, len(toks))
	for _, t := range toks {
		if t.comment {
			continue
		}
		w = append(w, t.text)
	}
	return w, nil
}
