package shell

import (
	"sort"
	"strings"
)

// A line is walked token by token against the cursors of the mode's
// grammar. At each token the cursor's Choices are matched:
//
//	exact keyword or suggested value  -> that choice
//	unique keyword prefix             -> that keyword ("sh" -> "show")
//	several keyword prefixes          -> "'x' is ambiguous." (caret after x)
//	a placeholder                     -> the token is a value
//	nothing                           -> Choices.NoMatch (caret under x)
//
// An unquoted "|" where the command may end and be piped switches to the
// pipe grammar; every later "|" starts another pipe command.

// parsed is a walked line.
type parsed struct {
	words []Word
	cur   Cursor   // after the last command word
	pipe  *pipeCur // the pipe grammar state, nil without pipes
	last  Cursor   // the cursor after the last token (cur or pipe)
}

// walk accepts toks from start. It stops at the first error.
func walk(start Cursor, toks []Token) (*parsed, error) {
	p := &parsed{cur: start, last: start}
	if len(toks) > 0 {
		p.words = make([]Word, 0, len(toks)+4)
	}
	return walkOn(p, toks)
}

// walkOn goes on walking p with toks.
func walkOn(p *parsed, toks []Token) (*parsed, error) {
	return walkFrom(p, toks, nil)
}

// walkFrom is walkOn; first, when not nil, holds the choices the first
// token is matched against (completion matched it already).
func walkFrom(p *parsed, toks []Token, first *Choices) (*parsed, error) {
	for i, tok := range toks {
		if tok.IsPipe() {
			if err := p.startPipe(tok); err != nil {
				return p, err
			}
			continue
		}
		var ch Choices
		if i == 0 && first != nil {
			ch = *first
		} else {
			ch = matchChoices(p.last, tok.Text)
		}
		c, err := match(ch, tok)
		if err != nil {
			return p, err
		}
		text := tok.Text
		if !c.Placeholder {
			text = c.Word
		}
		next, err := p.last.Accept(text, c)
		if err != nil {
			return p, &CaretError{Pos: tok.Pos, Msg: err.Error()}
		}
		if p.pipe == nil {
			p.words = append(p.words, Word{Text: text, Choice: c, Pos: tok.Pos})
			p.cur = next
		} else {
			p.pipe = next.(*pipeCur)
		}
		p.last = next
	}
	return p, nil
}

// matchChoices returns the choices tok is matched against.
func matchChoices(c Cursor, word string) Choices {
	if m, ok := c.(Matcher); ok {
		return m.MatchChoices(word)
	}
	return c.Choices()
}

// startPipe handles a "|" token.
func (p *parsed) startPipe(tok Token) error {
	ch := p.last.Choices()
	if !ch.Pipe || !ch.Enter {
		return noMatch(ch, tok)
	}
	if p.pipe == nil {
		p.pipe = newPipe(ch.Display)
	} else {
		p.pipe = p.pipe.next()
	}
	p.last = p.pipe
	return nil
}

// complete checks that the walked line may end at column end.
func (p *parsed) complete(end int) error {
	ch := matchChoices(p.last, "")
	if ch.Enter {
		return nil
	}
	return &CaretError{Pos: end, Msg: missing(ch)}
}

// match finds the choice a token matches.
func match(ch Choices, tok Token) (Choice, error) {
	var prefix []Choice
	var holder *Choice
	for i, c := range ch.List {
		switch {
		case c.Placeholder:
			if holder == nil {
				holder = &ch.List[i]
			}
		case c.Word == tok.Text:
			return c, nil
		case !c.Value && !c.Hidden && !tok.Quoted && strings.HasPrefix(c.Word, tok.Text):
			prefix = append(prefix, c)
		}
	}
	switch {
	case len(prefix) == 1:
		return prefix[0], nil
	case len(prefix) > 1:
		sortChoices(prefix)
		return Choice{}, &CaretError{Pos: tok.End, Msg: "'" + tok.Text + "' is ambiguous.", List: prefix}
	case holder != nil:
		return *holder, nil
	}
	return Choice{}, noMatch(ch, tok)
}

func noMatch(ch Choices, tok Token) error {
	msg := ch.NoMatch
	if msg == "" {
		msg = "syntax error."
	}
	return &CaretError{Pos: tok.Pos, Msg: msg}
}

// missing is the message for a line that ends too early.
func missing(ch Choices) string {
	if ch.Missing != "" {
		return ch.Missing
	}
	for _, c := range ch.List {
		if c.Placeholder {
			return "missing argument."
		}
	}
	if ch.NoMatch != "" {
		return ch.NoMatch
	}
	return "syntax error."
}

// endColumn is the column where a word after the last token would start.
func endColumn(toks []Token) int {
	if len(toks) == 0 {
		return 0
	}
	return toks[len(toks)-1].End + 1
}

// sortChoices orders a listing: placeholders first in their order, then
// the keywords and values by name.
func sortChoices(cs []Choice) {
	less := func(i, j int) bool {
		if cs[i].Placeholder != cs[j].Placeholder {
			return cs[i].Placeholder
		}
		if cs[i].Placeholder {
			return false
		}
		return cs[i].Word < cs[j].Word
	}
	if !sort.SliceIsSorted(cs, less) {
		sort.SliceStable(cs, less)
	}
}

// walkMemo is the last line prefix walked while a line is edited: each
// space of complete-on-space walks the words before the one completed, and
// the line is walked once more when it is run. Cursors are values, so the
// walk of a prefix goes on from where the previous one stopped: a line
// costs its words once, not once per space.
type walkMemo struct {
	mode Mode
	toks []Token // as Tokenize returned them: never changed
	p    *parsed
	// The choices completion matched the word after toks against: the
	// next walk accepts that word with them rather than asking again.
	word    string
	wordCh  Choices
	hasWord bool
}

// matchNext returns the choices word, the word after the walked prefix p,
// is matched against, and keeps them in the memo when p is its prefix.
func (s *Session) matchNext(p *parsed, word string) Choices {
	ch := matchChoices(p.last, word)
	if s.memo.p == p {
		s.memo.word, s.memo.wordCh, s.memo.hasWord = word, ch, true
	}
	return ch
}

// walkLine walks toks in the current mode, from the memo when it holds a
// prefix of them.
func (s *Session) walkLine(toks []Token) (*parsed, error) {
	mode := s.mode()
	m := &s.memo
	if m.mode == mode && m.p != nil && len(m.toks) <= len(toks) && samePrefix(m.toks, toks) {
		// The words are appended in place: the memo's words stay as they
		// are, and the memo is replaced by this walk when it succeeds.
		words := m.p.words
		if cap(words)-len(words) < len(toks)-len(m.toks) {
			if spare := s.spareWords; len(words) == 0 && cap(spare) >= len(toks) {
				words, s.spareWords = spare, nil
			} else {
				words = append(make([]Word, 0, len(toks)+8), words...)
			}
		}
		p := &parsed{words: words, cur: m.p.cur, pipe: m.p.pipe, last: m.p.last}
		rest := toks[len(m.toks):]
		var first *Choices
		if len(rest) > 0 && m.hasWord && rest[0].Text == m.word {
			first = &m.wordCh
		}
		q, err := walkFrom(p, rest, first)
		if err == nil {
			s.memo = walkMemo{mode: mode, toks: toks, p: q}
		}
		return q, err
	}
	p, err := walk(mode.Start(s), toks)
	if err == nil {
		s.memo = walkMemo{mode: mode, toks: toks, p: p}
	}
	return p, err
}

// tokenize is Tokenize for the line being edited and run. Each space of
// complete-on-space reads the line again: the tokens go into one of two
// buffers, the one the memo does not hold.
func (s *Session) tokenize(line string) []Token {
	if !isASCII(line) {
		return Tokenize(line)
	}
	i := 0
	if m := s.memo.toks; cap(m) > 0 && cap(s.tokBuf[0]) > 0 && &m[:1][0] == &s.tokBuf[0][:1][0] {
		i = 1
	}
	toks := tokenizeASCII(s.tokBuf[i], line)
	if cap(toks) <= 1024 { // the tokens of a pasted blob are not kept
		s.tokBuf[i] = toks
	}
	if len(toks) == 0 {
		return nil
	}
	return toks
}

// forget drops the memo: a command ran, and may have changed what the
// next line's words mean.
func (s *Session) forget() { s.memo = walkMemo{} }

func samePrefix(a, b []Token) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
