package config

import (
	"fmt"

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
	fromW, _, toW, ok := splitAt(words, "to")
	if !ok {
		return &InputError{Tok: len(words), Msg: "syntax error, expecting 'to'."}
	}
	from, err := s.resolve(fromW, false)
	if err != nil {
		return err
	}
	if len(from) == 0 {
		return missingArg(0)
	}
	if len(toW) == 0 {
		return missingArg(len(words))
	}
	to, err := target(from, toW, len(fromW)+1)
	if err != nil {
		return err
	}
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
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
	db.changed = db.now()
	return nil
}

// Insert runs "insert PATH before|after ID" in an ordered-by-user list.
func (s *Session) Insert(words []string) error {
	pathW, where, idW, ok := splitAt(words, "before", "after")
	if !ok {
		return &InputError{Tok: len(words), Msg: "syntax error, expecting 'before' or 'after'."}
	}
	p, err := s.resolve(pathW, false)
	if err != nil {
		return err
	}
	if len(p) == 0 {
		return missingArg(0)
	}
	last := p[len(p)-1]
	if last.S.Kind != schema.List || !last.S.Ordered {
		return &InputError{Tok: last.Tok, Msg: "syntax error."}
	}
	if len(idW) == 0 {
		return missingArg(len(words))
	}
	ref, err := target(p, idW, len(pathW)+1)
	if err != nil {
		return err
	}
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	full := s.full(p)
	x := s.cand.Walk(full)
	parentPath := full[:len(full)-1]
	var parent *Node
	if x != nil {
		parent = x.Parent
	} else if parent = s.cand.Walk(parentPath); parent == nil {
		return ErrNotFound
	}
	anchor := parent.lookup(ref)
	if anchor == nil {
		return ErrNotFound
	}
	if x == nil {
		x = parent.Set(Path{last})
	}
	if x == anchor {
		return nil
	}
	parent.removeKid(x)
	for i, k := range parent.Kids {
		if k == anchor {
			if where == "after" {
				i++
			}
			parent.Kids = append(parent.Kids, nil)
			copy(parent.Kids[i+1:], parent.Kids[i:])
			parent.Kids[i] = x
			parent.idx = nil
			break
		}
	}
	db.changed = db.now()
	return nil
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
