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
	for _, tok := range toks {
		if tok.IsPipe() {
			if err := p.startPipe(tok); err != nil {
				return p, err
			}
			continue
		}
		ch := p.last.Choices()
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
	ch := p.last.Choices()
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
