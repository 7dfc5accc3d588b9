package config

import (
	"fmt"
	"slices"
	"strings"

	"mxlab/config/schema"
)

// target resolves the identifier after "to", "before" or "after": the
// words name a sibling of the statement at path from (same list), e.g.
// "unit 1" or "ge-1/0/1". tok0 is the index of the first of those words
// in the command, for error carets.
func target(from Path, words []string, tok0 int) (Step, error) {
	last := from[len(from)-1]
	parent := last.S.Parent
	p, err := Resolve(parent, words, false)
	if err != nil {
		if ie, ok := err.(*InputError); ok {
			ie.Tok += tok0
		}
		return Step{}, err
	}
	if len(p) != 1 || p[0].S != last.S || (last.S.Kind == schema.List && p[0].Keys == nil) {
		return Step{}, &InputError{Tok: tok0, Msg: "syntax error."}
	}
	return p[0], nil
}

// splitAt splits words at the first keyword kw (outside the path), returning
// the words before and after; ok is false when kw is absent.
func splitAt(words []string, kws ...string) (before []string, kw string, after []string, ok bool) {
	for i, w := range words {
		for _, k := range kws {
			if w == k && i > 0 {
				return words[:i], k, words[i+1:], true
			}
		}
	}
	return words, "", nil, false
}

// Copy runs "copy FROM to TO": a copy of the statement FROM named TO.
func (s *Session) Copy(words []string) error { return s.copyOrRename(words, false) }

// Rename runs "rename FROM to TO".
func (s *Session) Rename(words []string) error { return s.copyOrRename(words, true) }

func (s *Session) copyOrRename(words []string, rename bool) error {
	from, _, to, err := s.siblingArgs(words, nil, "to")
	if err != nil {
		return err
	}
	return s.write(func() error {
		src := s.cand.Walk(s.full(from))
		if src == nil || src == s.cand {
			return ErrNotFound
		}
		parent := src.Parent
		if parent.lookup(to) != nil && src.S.Kind == schema.List {
			return fmt.Errorf("%s already exists", joinWords(stepWords(to)))
		}
		dup := src.Clone()
		dup.Keys = append([]string(nil), to.Keys...)
		if src.S.Kind == schema.Leaf {
			dup.Value = to.Value
		}
		if rename {
			parent.removeKid(src)
		} else if src.S.Kind != schema.List {
			parent.removeKid(src) // a leaf copied onto itself replaces its value
		}
		dup.Parent = parent
		parent.insertKid(dup)
		return nil
	})
}

// Insert runs "insert PATH before|after ID" in an ordered-by-user list.
func (s *Session) Insert(words []string) error {
	orderedList := func(p Path) error {
		if last := p[len(p)-1]; last.S.Kind != schema.List || !last.S.Ordered {
			return &InputError{Tok: last.Tok, Msg: "syntax error."}
		}
		return nil
	}
	p, where, ref, err := s.siblingArgs(words, orderedList, "before", "after")
	if err != nil {
		return err
	}
	return s.write(func() error {
		full := s.full(p)
		x := s.cand.Walk(full)
		var parent *Node
		if x != nil {
			parent = x.Parent
		} else if parent = s.cand.Walk(full[:len(full)-1]); parent == nil {
			return ErrNotFound
		}
		anchor := parent.lookup(ref)
		if anchor == nil {
			return ErrNotFound
		}
		if x == nil {
			x = parent.Set(Path{p[len(p)-1]})
		}
		if x != anchor {
			parent.moveKid(x, anchor, where == "after")
		}
		return nil
	})
}

// siblingArgs parses the words of copy, rename and insert: "PATH KW ID",
// KW one of kws, ID naming a sibling of the statement at PATH. check, when
// not nil, vets PATH before ID is read.
func (s *Session) siblingArgs(words []string, check func(Path) error, kws ...string) (Path, string, Step, error) {
	pathW, kw, idW, ok := splitAt(words, kws...)
	if !ok {
		q := make([]string, len(kws))
		for i, k := range kws {
			q[i] = "'" + k + "'"
		}
		return nil, "", Step{}, &InputError{Tok: len(words), Msg: "syntax error, expecting " + strings.Join(q, " or ") + "."}
	}
	p, err := s.resolve(pathW, false)
	if err != nil {
		return nil, "", Step{}, err
	}
	if len(p) == 0 {
		return nil, "", Step{}, missingArg(0)
	}
	if check != nil {
		if err := check(p); err != nil {
			return nil, "", Step{}, err
		}
	}
	if len(idW) == 0 {
		return nil, "", Step{}, missingArg(len(words))
	}
	id, err := target(p, idW, len(pathW)+1)
	if err != nil {
		return nil, "", Step{}, err
	}
	return p, kw, id, nil
}

// moveKid moves the child x of n next to its child anchor: before it, or
// after it when after is set.
func (n *Node) moveKid(x, anchor *Node, after bool) {
	n.removeKid(x)
	for i, k := range n.Kids {
		if k == anchor {
			if after {
				i++
			}
			n.Kids = slices.Insert(n.Kids, i, x)
			n.idx = nil
			return
		}
	}
}

func joinWords(w []string) string {
	out := ""
	for i, x := range w {
		if i > 0 {
			out += " "
		}
		out += quote(x)
	}
	return out
}
