package config

// A private candidate is committed the Junos way: only the session's own
// changes (its candidate against the configuration it started from) are
// merged into the configuration committed meanwhile by others. A statement
// both changed differently is a conflict; the commit fails and "update"
// brings the others' changes into the private candidate.

// conflict is a statement changed both by the session and by a commit of
// someone else since the session's base.
type conflict struct {
	at *Node // the session's statement (or the base's, when the session deleted it)
}

// merge3 returns theirs with the changes from base to mine applied. When
// mineWins is false, a statement changed on both sides differently is a
// conflict and keeps their version; when it is true, the session's
// version is taken. The trees are not modified.
func merge3(base, mine, theirs *Node, mineWins bool) (*Node, []conflict) {
	var cs []conflict
	out := mergeNode(base, mine, theirs, mineWins, &cs)
	if out == nil {
		out = &Node{S: theirs.S}
	}
	return out, cs
}

// mergeNode merges one statement; any of the three may be nil (absent).
// It returns the merged statement, nil when it is deleted.
func mergeNode(b, m, t *Node, mineWins bool, cs *[]conflict) *Node {
	switch {
	case m == nil && t == nil:
		return nil
	case b == nil && m == nil:
		return t.Clone() // they added it
	case b == nil && t == nil:
		return m.Clone() // the session added it
	case b != nil && m == nil: // the session deleted it
		if sameTree(b, t) {
			return nil
		}
		if !mineWins {
			*cs = append(*cs, conflict{at: b})
			return t.Clone()
		}
		return nil
	case b != nil && t == nil: // they deleted it
		if sameTree(b, m) {
			return nil
		}
		if !mineWins {
			*cs = append(*cs, conflict{at: m})
			return nil
		}
		return m.Clone()
	}
	// Present in mine and theirs (added on both sides when b is nil).
	if b == nil {
		b = &Node{S: m.S, Keys: m.Keys}
	}
	out := &Node{S: t.S, Keys: t.Keys}
	out.Value = pick(b.Value, m.Value, t.Value, mineWins, m, cs)
	out.Inactive = pickBool(b.Inactive, m.Inactive, t.Inactive)
	out.Comment = pick(b.Comment, m.Comment, t.Comment, true, m, cs)
	switch {
	case equalStrings(m.Values, b.Values):
		out.Values = append([]string(nil), t.Values...)
	case equalStrings(t.Values, b.Values) || equalStrings(m.Values, t.Values) || mineWins:
		out.Values = append([]string(nil), m.Values...)
	default:
		*cs = append(*cs, conflict{at: m})
		out.Values = append([]string(nil), t.Values...)
	}
	// Kids: theirs in their order, then what only the session has, each
	// inserted at its place.
	done := map[*Node]bool{}
	for _, tk := range t.Kids {
		st := Step{S: tk.S, Keys: tk.Keys}
		mk, bk := m.lookup(st), b.lookup(st)
		if mk != nil {
			done[mk] = true
		}
		if k := mergeNode(bk, mk, tk, mineWins, cs); k != nil {
			k.Parent = out
			out.Kids = append(out.Kids, k)
		}
	}
	for _, mk := range m.Kids {
		if done[mk] {
			continue
		}
		bk := b.lookup(Step{S: mk.S, Keys: mk.Keys})
		if k := mergeNode(bk, mk, nil, mineWins, cs); k != nil {
			k.Parent = out
			out.insertKid(k)
		}
	}
	return out
}

// pick merges a value: the side that changed it wins; both changed it
// differently is a conflict.
func pick(b, m, t string, mineWins bool, at *Node, cs *[]conflict) string {
	switch {
	case m == b:
		return t
	case t == b || m == t || mineWins:
		return m
	}
	*cs = append(*cs, conflict{at: at})
	return t
}

func pickBool(b, m, t bool) bool {
	if m != b {
		return m
	}
	return t
}

// ConflictError is a private commit refused because others committed
// changes to the same statements since the session began: it lists them,
// and the user runs "update" to take the others' changes.
type ConflictError struct {
	Conflicts []*CommitError
}

func (e *ConflictError) Error() string {
	var s string
	for _, c := range e.Conflicts {
		s += c.Format() + "\n"
	}
	return s + "error: configuration database modified"
}

// Unwrap lets errors.Is(err, ErrModified) hold.
func (e *ConflictError) Unwrap() error { return ErrModified }

// mergePrivate returns the configuration a private commit commits: the
// session's changes merged into the committed configuration. Called with
// mu held.
func (s *Session) mergePrivate() (*Node, error) {
	db := s.db
	if !sameTree(db.shared, db.active) {
		return nil, ErrSharedModified
	}
	if s.base == db.active {
		return s.cand, nil // nobody committed meanwhile
	}
	merged, cs := merge3(s.base, s.cand, db.active, false)
	if len(cs) > 0 {
		ce := &ConflictError{}
		for _, c := range cs {
			e := errorAt(c.at, "statement changed by another commit; use 'update' to merge it")
			ce.Conflicts = append(ce.Conflicts, e)
		}
		return nil, ce
	}
	return merged, nil
}

// Update brings the configuration committed since a private session began
// into its candidate, keeping the session's own changes (they win where
// both changed a statement). It does nothing in a shared or exclusive
// session, whose candidate follows every commit.
func (s *Session) Update() error {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if s.mode != Private {
		return nil
	}
	s.cand, _ = merge3(s.base, s.cand, db.active, true)
	s.base = db.active
	return nil
}
