package config

import (
	"errors"
	"strings"

	"mxlab/config/schema"
)

// LoadMode is the mode of a load command.
type LoadMode int

const (
	LoadMerge    LoadMode = iota // load merge: add to the candidate
	LoadOverride                 // load override: replace the whole candidate
	LoadReplace                  // load replace: like merge, replace: tags replace
	LoadUpdate                   // load update: like override
	LoadSet                      // load set: a list of configuration commands
)

// ParseLoadMode maps a keyword to a LoadMode.
func ParseLoadMode(s string) (LoadMode, bool) {
	switch s {
	case "merge":
		return LoadMerge, true
	case "override":
		return LoadOverride, true
	case "replace":
		return LoadReplace, true
	case "update":
		return LoadUpdate, true
	case "set":
		return LoadSet, true
	}
	return 0, false
}

// Load loads text into the session's candidate. relative loads at the edit
// level instead of the top. A failed load changes nothing.
func (s *Session) Load(mode LoadMode, text, source string, relative bool) error {
	return s.write(func() error {
		var level Path
		if relative {
			level = s.level
		}
		t, err := applyLoad(s.cand, level, mode, text, source)
		if err != nil {
			return err
		}
		s.replaceCandidate(t)
		return nil
	})
}

// applyLoad returns a copy of cand with text loaded at level.
func applyLoad(cand *Node, level Path, mode LoadMode, text, source string) (*Node, error) {
	t := cand.Clone()
	if mode == LoadSet {
		if err := loadSetLines(t, level, text, source); err != nil {
			return nil, err
		}
		return t, nil
	}
	at := t
	atSchema := t.S
	if len(level) > 0 {
		at = t.Set(level)
		atSchema = at.S
	}
	p, err := parseText(text, source, atSchema)
	if err != nil {
		return nil, err
	}
	switch mode {
	case LoadOverride, LoadUpdate:
		at.Kids, at.idx = nil, nil
		merge(at, p.root, nil)
	case LoadReplace:
		merge(at, p.root, p.replace)
	default:
		merge(at, p.root, nil)
	}
	if at != t {
		at.prune()
	}
	return t, nil
}

// loadSetLines applies configuration-mode commands (set, delete, activate,
// deactivate, edit, up, top), one per line, to t.
func loadSetLines(t *Node, level Path, text, source string) error {
	cur := append(Path(nil), level...)
	words := make([]string, 0, 32)
	for i, line := range strings.Split(text, "\n") {
		words = words[:0]
		if plainLine(line) {
			words = appendFields(words, line)
		} else {
			toks, err := lex(line)
			if err != nil {
				return &LoadError{Source: source, Line: i + 1, Col: 1, Msg: "syntax error", Token: strings.TrimSpace(line)}
			}
			for _, tk := range toks {
				if !tk.comment {
					words = append(words, tk.text)
				}
			}
		}
		if len(words) == 0 {
			continue
		}
		next, err := setLine(t, cur, words)
		if err != nil {
			return setLineError(err, line, i+1, source)
		}
		cur = next
	}
	return nil
}

// setLineError names the line, column and word of a failed command.
func setLineError(err error, line string, n int, source string) error {
	toks, _ := lex(line)
	var words []token
	for _, tk := range toks {
		if !tk.comment {
			words = append(words, tk)
		}
	}
	if len(words) == 0 {
		return &LoadError{Source: source, Line: n, Col: 1, Msg: err.Error()}
	}
	tok := len(words) - 1
	msg := strings.TrimSuffix(err.Error(), ".")
	var ie *InputError
	if errors.As(err, &ie) && ie.Tok+1 < len(words) {
		tok = ie.Tok + 1
	}
	if errors.Is(err, ErrNotFound) {
		msg = "statement not found"
		tok = 0
	}
	return &LoadError{Source: source, Line: n, Col: words[tok].col, Token: words[tok].text, Msg: msg}
}

// plainLine reports whether a line has only blank-separated words: no
// quotes, brackets, braces, semicolons or comments, so that splitting it
// needs no lexer.
func plainLine(line string) bool {
	return !strings.ContainsAny(line, "\"{}[];#'\\") && !strings.Contains(line, "/*")
}

// appendFields appends the blank-separated words of line to words.
func appendFields(words []string, line string) []string {
	start := -1
	for i := 0; i < len(line); i++ {
		if c := line[i]; c == ' ' || c == '\t' || c == '\r' {
			if start >= 0 {
				words = append(words, line[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, line[start:])
	}
	return words
}

// setLine applies one command at edit level cur and returns the new level.
// Errors carry the word index relative to words[1:].
func setLine(t *Node, cur Path, words []string) (Path, error) {
	at := schema.Root()
	if len(cur) > 0 {
		at = cur[len(cur)-1].S
	}
	args := words[1:]
	full := func(p Path) Path { return append(append(make(Path, 0, len(cur)+len(p)), cur...), p...) }
	switch words[0] {
	case "set":
		p, err := Resolve(at, args, true)
		if err != nil {
			return cur, err
		}
		if len(p) == 0 {
			return cur, missingArg(0)
		}
		if err := checkSetTarget(p); err != nil {
			return cur, err
		}
		t.Set(full(p))
	case "delete":
		p, err := Resolve(at, args, false)
		if err != nil {
			return cur, err
		}
		if err := t.Delete(full(p)); err != nil && len(p) > 0 {
			return cur, err
		}
	case "activate", "deactivate":
		p, err := Resolve(at, args, false)
		if err != nil {
			return cur, err
		}
		x := t.Walk(full(p))
		if x == nil || x == t {
			return cur, ErrNotFound
		}
		x.Inactive = words[0] == "deactivate"
	case "edit":
		p, err := Resolve(at, args, false)
		if err != nil {
			return cur, err
		}
		return full(p), nil
	case "top":
		return nil, nil
	case "up":
		if len(cur) > 0 {
			return cur[:len(cur)-1], nil
		}
	default:
		return cur, &InputError{Tok: -1, Msg: "syntax error, expecting <command>"}
	}
	return cur, nil
}
