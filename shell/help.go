package shell

import (
	"fmt"
	"strings"
)

// help returns the '?' listing for the text typed before the '?':
// the choices for the word being typed, or for the next word when the
// text ends with a blank; an error in the text comes back with its caret.
func (s *Session) help(before string) string {
	toks := Tokenize(before)
	var part *Token
	if n := len(toks); n > 0 && !endsBlank(before) && !toks[n-1].IsPipe() {
		part, toks = &toks[n-1], toks[:n-1]
	}
	p, err := walk(s.mode().Start(s), toks)
	if err != nil {
		return s.errorText(err)
	}
	ch := p.last.Choices()
	var b strings.Builder
	if part != nil {
		list := withPrefix(ch.List, part.Text, true)
		if len(list) == 0 {
			return "No valid completions\n"
		}
		b.WriteString("Possible completions:\n")
		for _, c := range list {
			b.WriteString(listRow(c))
		}
		return b.String()
	}
	b.WriteString("Possible completions:\n")
	if ch.Enter {
		b.WriteString(listRow(Choice{Word: "<[Enter]>", Help: "Execute this command"}))
	}
	var list []Choice
	for _, c := range ch.List {
		if !c.Hidden {
			list = append(list, c)
		}
	}
	sortChoices(list)
	for _, c := range list {
		b.WriteString(listRow(c))
	}
	if ch.Enter && ch.Pipe {
		b.WriteString(listRow(Choice{Word: "|", Help: "Pipe through a command"}))
	}
	return b.String()
}

// complete completes the word before the cursor: a unique keyword (or,
// with Tab, a suggested value) is written in full followed by a blank; a
// common prefix of several is extended. It returns the new text, or a
// listing to print (the choices, an ambiguity or an error) when it
// cannot complete.
func (s *Session) complete(before string, tab bool) (text, listing string) {
	toks := s.tokenize(before)
	n := len(toks)
	if n == 0 || endsBlank(before) || toks[n-1].IsPipe() || toks[n-1].Quoted {
		if tab {
			return before, s.help(before)
		}
		return before, ""
	}
	part := toks[n-1]
	p, err := s.walkLine(toks[:n-1])
	if err != nil {
		return before, s.errorText(err)
	}
	// Space completes keywords only: the configured names (thousands of
	// routes) need not be listed for it.
	var ch Choices
	if tab {
		ch = p.last.Choices()
	} else {
		ch = s.matchNext(p, part.Text)
	}
	head := runePrefix(before, part.Pos)
	if !tab {
		// The usual answers without building the list: the word is a
		// keyword already, or the prefix of one only.
		var only *Choice
		n := 0
		for i, c := range ch.List {
			if c.Hidden || c.Placeholder || c.Value || !strings.HasPrefix(c.Word, part.Text) {
				continue
			}
			if c.Word == part.Text {
				return head + c.Word + " ", ""
			}
			if n++; n == 1 {
				only = &ch.List[i]
			}
		}
		if n == 1 {
			return head + only.Word + " ", ""
		}
	}
	list := withPrefix(ch.List, part.Text, false)
	if !tab {
		list = keywordsOnly(list)
	}
	for _, c := range list {
		if c.Word == part.Text {
			return head + c.Word + " ", ""
		}
	}
	switch len(list) {
	case 0:
		if hasPlaceholder(ch.List) {
			return before, ""
		}
		return before, s.errorText(noMatch(ch, part))
	case 1:
		return head + list[0].Word + " ", ""
	}
	if lcp := commonPrefix(list); len(lcp) > len(part.Text) {
		return head + lcp, ""
	}
	sortChoices(list)
	return before, s.errorText(&CaretError{Pos: part.End, Msg: "'" + part.Text + "' is ambiguous.", List: list})
}

// withPrefix returns the keywords and values starting with prefix, and
// the placeholders when withHolders.
func withPrefix(cs []Choice, prefix string, withHolders bool) []Choice {
	var out []Choice
	for _, c := range cs {
		if c.Hidden {
			continue
		}
		if c.Placeholder {
			if withHolders {
				out = append(out, c)
			}
			continue
		}
		if strings.HasPrefix(c.Word, prefix) {
			out = append(out, c)
		}
	}
	sortChoices(out)
	return out
}

func keywordsOnly(cs []Choice) []Choice {
	var out []Choice
	for _, c := range cs {
		if !c.Value && !c.Placeholder {
			out = append(out, c)
		}
	}
	return out
}

func hasPlaceholder(cs []Choice) bool {
	for _, c := range cs {
		if c.Placeholder {
			return true
		}
	}
	return false
}

func commonPrefix(cs []Choice) string {
	p := cs[0].Word
	for _, c := range cs[1:] {
		for !strings.HasPrefix(c.Word, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// runePrefix returns the first n runes of s.
func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func endsBlank(s string) bool {
	return s == "" || strings.HasSuffix(s, " ") || strings.HasSuffix(s, "\t")
}

// listRow is one row of a "Possible completions:" listing: the mark
// column, the name padded to column 23, the help.
func listRow(c Choice) string {
	mark := c.Mark
	if mark == "" {
		mark = " "
	}
	if c.Help == "" {
		return mark + " " + c.Word + "\n"
	}
	return fmt.Sprintf("%s %-19s  %s\n", mark, c.Word, c.Help)
}
