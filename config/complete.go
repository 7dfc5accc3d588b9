package config

import (
	"sort"
	"strings"
	"sync"

	"mxlab/config/schema"
)

// Choice is one possible next word, for '?' help and completion.
type Choice struct {
	Word  string // keyword, existing name, or "<placeholder>"
	Help  string
	Mark  byte // '>' statements below, '+' several values, ' ' otherwise
	Value bool // a free value (placeholder) or an existing name, not a keyword
}

// Choices returns the words that may follow words at the edit level
// (statement keywords, value placeholders, names already configured).
// When words do not resolve, it returns the error at the bad word.
func (s *Session) Choices(words []string) ([]Choice, error) {
	return s.choices(words, nil)
}

// ChoicesMatching is Choices for accepting the word that follows words:
// of the names already configured it returns only word itself, when it
// exists, so that a line costs the same whatever the number of entries
// (typing 10,000 static routes must not list the routes 10,000 times).
func (s *Session) ChoicesMatching(words []string, word string) ([]Choice, error) {
	return s.choices(words, &word)
}

// choices lists what may follow words; of the configured names only
// *match when match is not nil.
func (s *Session) choices(words []string, match *string) ([]Choice, error) {
	r := &resolver{words: words, needValue: true, vals: &s.values}
	p, err := r.walkOn(s.levelSchema(), s.memoFor(true))
	// p is the memo's until the next walk.
	if err != nil {
		if ie, ok := err.(*InputError); !ok || ie.Msg != "missing argument." {
			return nil, err
		}
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	data := s.cand.Walk(s.level)
	for _, st := range p {
		if data == nil {
			break
		}
		if st.S.Kind == schema.Container || st.S.Kind == schema.List {
			data = data.lookup(st)
		}
	}
	return choicesFor(r.want, data, match), nil
}

// choicesFor lists the choices of w; with only set, the existing names are
// limited to *only.
func choicesFor(w expect, data *Node, only *string) []Choice {
	switch {
	case w.val != nil:
		return valueChoices(w.val, nil)
	case w.key != nil:
		return valueChoices(w.key, entryNames(data, w.key.Parent, only))
	case w.at != nil:
		return statementChoices(w.at, data, only)
	}
	return nil
}

// entryNames returns the first keys of the entries of list s in data (of
// the one named *only, when only is set).
func entryNames(data *Node, s *schema.Node, only *string) []string {
	if data == nil || s == nil {
		return nil
	}
	if only != nil {
		if len(s.Keys) == 1 && data.lookup(Step{S: s, Keys: []string{*only}}) != nil {
			return []string{*only}
		}
		if len(s.Keys) == 1 {
			return nil
		}
	}
	entries := data.Find(s)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if len(e.Keys) > 0 && (only == nil || e.Keys[0] == *only) {
			names = append(names, e.Keys[0])
		}
	}
	return names
}

// valueChoices offers the placeholder of leaf s (or its enumeration) and
// existing names.
func valueChoices(s *schema.Node, names []string) []Choice {
	var out []Choice
	if s.Type == schema.Enum {
		for _, e := range s.Enums {
			out = append(out, Choice{Word: e, Mark: ' '})
		}
		return out
	}
	help := s.Help
	if rh := s.RangeHelp(); rh != "" {
		help = strings.TrimSpace(help + " " + rh)
	}
	out = make([]Choice, 0, len(names)+1)
	out = append(out, Choice{Word: s.Placeholder(), Help: help, Mark: ' ', Value: true})
	sort.Strings(names)
	for _, n := range names {
		out = append(out, Choice{Word: n, Mark: ' ', Value: true})
	}
	return out
}

// statementChoices lists the statements of container (or list) s; names of
// a nokeyword list's existing entries are offered too.
func statementChoices(s *schema.Node, data *Node, only *string) []Choice {
	if only != nil && !hasNames(s, data, only) {
		return keywordChoices(s)
	}
	var out []Choice
	for _, c := range s.Children {
		if c.IsKey() || c.Deprecated {
			continue
		}
		if c.NoKeyword {
			var names []string
			if c.Kind == schema.List {
				names = entryNames(data, c, only)
			}
			out = append(out, valueChoices(c, names)...)
			continue
		}
		out = append(out, Choice{Word: c.Name, Help: c.Help, Mark: mark(c)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := strings.HasPrefix(out[i].Word, "<"), strings.HasPrefix(out[j].Word, "<")
		if pi != pj {
			return pi
		}
		if pi || out[i].Value || out[j].Value {
			return false
		}
		return out[i].Word < out[j].Word
	})
	return out
}

// hasNames reports whether a nokeyword list of s has an entry named *only.
func hasNames(s *schema.Node, data *Node, only *string) bool {
	for _, c := range s.Children {
		if c.NoKeyword && c.Kind == schema.List && len(entryNames(data, c, only)) > 0 {
			return true
		}
	}
	return false
}

// keywords caches the choices of each schema node without configured
// names: they depend on the schema only, and accepting a word needs them
// for every word of every line.
var keywords sync.Map // *schema.Node -> []Choice

// keywordChoices returns the statements of s with no names; the slice is
// shared and must not be modified.
func keywordChoices(s *schema.Node) []Choice {
	if v, ok := keywords.Load(s); ok {
		return v.([]Choice)
	}
	out := statementChoices(s, nil, nil)
	keywords.Store(s, out)
	return out
}

func mark(c *schema.Node) byte {
	switch c.Kind {
	case schema.Container, schema.List:
		if c.Kind == schema.Container && len(c.Children) == 0 {
			return ' '
		}
		return '>'
	case schema.LeafList:
		return '+'
	}
	return ' '
}

// Check reports whether words, at the edit level, name a complete
// statement: for set (forSet), with its value; otherwise a statement that
// delete, show, edit... may act on. It returns the resolver's error.
func (s *Session) Check(words []string, forSet bool) error {
	p, err := s.resolveView(words, forSet)
	if err != nil {
		return err
	}
	if forSet {
		if len(p) == 0 {
			return missingArg(0)
		}
		return checkSetTarget(p)
	}
	return nil
}

// Kind of statement words name at the edit level: a container or list
// entry (true) or a leaf.
func (s *Session) IsContainer(words []string) bool {
	p, err := s.resolveView(words, false)
	if err != nil || len(p) == 0 {
		return err == nil
	}
	last := p[len(p)-1]
	return last.S.Kind == schema.Container || (last.S.Kind == schema.List && last.Keys != nil)
}

// PromptStatement reports whether words name a statement the CLI answers
// by prompting for a password (plain-text-password), and returns the
// words of the statement that holds it (the authentication container),
// where the hash goes as encrypted-password.
func (s *Session) PromptStatement(words []string) ([]string, bool) {
	p, err := s.resolveView(words, false)
	if err != nil || len(p) == 0 || !p[len(p)-1].S.Prompt {
		return nil, false
	}
	return words[:len(words)-1], true
}
