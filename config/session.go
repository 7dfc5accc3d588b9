package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"mxlab/config/schema"
)

// Mode is the kind of configuration session.
type Mode int

const (
	Shared    Mode = iota // configure
	Private               // configure private
	Exclusive             // configure exclusive
)

// Who describes the user of a session, for "Users currently editing" and
// lock messages.
type Who struct {
	User     string
	Terminal string // "pts/0"
	PID      int
	Since    time.Time
}

func (w Who) String() string {
	return fmt.Sprintf("%s terminal %s (pid %d) on since %s", w.User, w.Terminal, w.PID,
		w.Since.UTC().Format("2006-01-02 15:04:05 MST"))
}

// Session is one user in configuration mode: a candidate (the shared one,
// or a private copy) and an edit level.
type Session struct {
	db   *DB
	who  Who
	mode Mode
	cand *Node // db.shared unless private
	// base is the committed configuration a private candidate started
	// from (at Begin, commit or update): its changes are cand against base.
	base  *Node
	level Path
	seen  time.Time // last activity (Touch), under db.mu
	// walked is the last resolution of each kind (needValue false, true):
	// the words of a line being typed are resolved again at every word,
	// and go on from there.
	walked [2]walkMemo
	values valueMemo
}

// Errors returned by Begin.
var (
	ErrLocked         = errors.New("configuration database locked")
	ErrModified       = errors.New("configuration database modified")
	ErrSharedModified = errors.New("shared configuration database modified")
)

// LockError says who holds the exclusive lock, and for how long that
// session has been idle.
type LockError struct {
	Holder Who
	Idle   time.Duration
}

func (e *LockError) Error() string {
	i := int64(max(e.Idle, 0) / time.Second)
	return fmt.Sprintf("configuration database locked by:\n  %s, idle %02d:%02d:%02d\n      exclusive [edit]",
		e.Holder, i/3600, i/60%60, i%60)
}

// lockError describes the exclusive session ex. Called with mu held.
func (db *DB) lockError(ex *Session) *LockError {
	return &LockError{Holder: ex.who, Idle: db.now().Sub(ex.seen)}
}

// Touch records activity in the session (a command typed), from which the
// idle time of the lock message counts.
func (s *Session) Touch() {
	s.db.mu.Lock()
	s.seen = s.db.now()
	s.db.mu.Unlock()
}

func (e *LockError) Unwrap() error { return ErrLocked }

// Begin enters configuration mode. It returns the lines Junos prints
// before "Entering configuration mode" (warnings) and after it (the users
// currently editing), or an error when the mode cannot be entered.
func (db *DB) Begin(who Who, mode Mode) (s *Session, before, after []string, err error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.exclusive != nil {
		return nil, nil, nil, db.lockError(db.exclusive)
	}
	dirty := !sameTree(db.shared, db.active)
	var others []string
	for o := range db.sessions {
		line := "  " + o.who.String()
		if o.mode == Exclusive {
			line += "\n      exclusive"
		}
		others = append(others, line+"\n      [edit]")
	}
	if len(others) > 0 {
		after = append(after, "Users currently editing the configuration:")
		after = append(after, others...)
	}
	switch mode {
	case Exclusive:
		if dirty {
			return nil, nil, after, ErrModified
		}
	case Private:
		if dirty {
			return nil, nil, nil, ErrSharedModified
		}
	}
	if mode != Shared {
		before = append(before, "warning: uncommitted changes will be discarded on exit")
	}
	if mode == Shared && dirty {
		after = append(after, "The configuration has been changed but not committed")
	}
	s = &Session{db: db, who: who, mode: mode, cand: db.shared, seen: db.now()}
	if mode == Private {
		s.cand, s.base = db.active.Clone(), db.active
	}
	if mode == Exclusive {
		db.exclusive = s
	}
	db.sessions[s] = struct{}{}
	return s, before, after, nil
}

// Close leaves configuration mode. Private and exclusive sessions discard
// their uncommitted changes.
func (s *Session) Close() {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if _, ok := db.sessions[s]; !ok {
		return
	}
	delete(db.sessions, s)
	if db.exclusive == s {
		db.exclusive = nil
		db.shared = db.active.Clone()
	}
}

// Mode returns the session's kind.
func (s *Session) Mode() Mode { return s.mode }

// Dirty reports whether the session's candidate differs from the active
// configuration.
func (s *Session) Dirty() bool {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return !sameTree(s.cand, s.db.active)
}

// Level returns the words of the edit level ("" at the top).
func (s *Session) Level() []string {
	return s.level.Words()
}

// levelSchema returns the schema node of the edit level.
func (s *Session) levelSchema() *schema.Node {
	if len(s.level) == 0 {
		return schema.Root()
	}
	return s.level[len(s.level)-1].S
}

// resolve parses words relative to the edit level.
func (s *Session) resolve(words []string, needValue bool) (Path, error) {
	return Resolve(s.levelSchema(), words, needValue)
}

// resolveView is resolve for a caller that only looks at the path: it is
// the session's own and is overwritten by the next resolveView.
func (s *Session) resolveView(words []string, needValue bool) (Path, error) {
	r := &resolver{words: words, needValue: needValue, vals: &s.values}
	return r.walkOn(s.levelSchema(), s.memoFor(needValue))
}

func (s *Session) memoFor(needValue bool) *walkMemo {
	if needValue {
		return &s.walked[1]
	}
	return &s.walked[0]
}

// full returns the path from the root: edit level + p.
func (s *Session) full(p Path) Path {
	out := make(Path, 0, len(s.level)+len(p))
	return append(append(out, s.level...), p...)
}

// Edit moves the edit level into the container or list entry named by words.
func (s *Session) Edit(words []string) error {
	p, err := s.resolve(words, false)
	if err != nil {
		return err
	}
	if len(p) == 0 {
		return missingArg(0)
	}
	last := p[len(p)-1]
	switch {
	case last.S.Kind == schema.Container:
	case last.S.Kind == schema.List && last.Keys != nil:
	default:
		return &InputError{Tok: last.Tok, Msg: "syntax error."}
	}
	s.level = s.full(p)
	return nil
}

// Up moves the edit level up n statements; it reports false when already
// at the top.
func (s *Session) Up(n int) bool {
	if len(s.level) == 0 {
		return false
	}
	for i := 0; i < n && len(s.level) > 0; i++ {
		s.level = s.level[:len(s.level)-1]
		// A flattened container is not a level of its own.
		for len(s.level) > 0 && flattened(s.level[len(s.level)-1].S) {
			s.level = s.level[:len(s.level)-1]
		}
	}
	return true
}

// Top moves the edit level to the top.
func (s *Session) Top() { s.level = nil }

// Set runs a set command.
func (s *Session) Set(words []string) error {
	p, err := s.resolveView(words, true) // full copies it
	if err != nil {
		return err
	}
	if len(p) == 0 {
		return missingArg(0)
	}
	if err := checkSetTarget(p); err != nil {
		return err
	}
	return s.write(func() error {
		s.cand.Set(s.full(p))
		return nil
	})
}

// checkSetTarget refuses set commands that name a whole list without an
// entry.
func checkSetTarget(p Path) error {
	last := p[len(p)-1]
	if last.S.Kind == schema.List && last.Keys == nil {
		return missingArg(last.Tok + 1)
	}
	if last.S.Kind == schema.Container && !canStandAlone(last.S) {
		return missingArg(last.Tok + 1)
	}
	return nil
}

// canStandAlone reports whether a container is a statement of its own:
// presence containers, empty ones, and the case of a choice
// (service-package extension-provider).
func canStandAlone(s *schema.Node) bool {
	return s.Presence || len(s.Children) == 0 || s.Choice != ""
}

// write runs f, which changes the session's candidate, under the database
// lock, when the session may write.
func (s *Session) write(f func() error) error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	return f()
}

// writable reports whether the session may change the candidate. Called
// with mu held.

func (s *Session) writable() error {
	if ex := s.db.exclusive; ex != nil && ex != s && s.mode != Private {
		return s.db.lockError(ex)
	}
	return nil
}

// Delete runs a delete command. It returns ErrNotFound when the statement
// does not exist (Junos: "warning: statement not found").
func (s *Session) Delete(words []string) error {
	p, err := s.resolve(words, false)
	if err != nil {
		return err
	}
	return s.write(func() error { return s.cand.Delete(s.full(p)) })
}

// SetActive runs activate (active true) or deactivate.
func (s *Session) SetActive(words []string, active bool) error {
	return s.modify(words, func(x *Node) { x.Inactive = !active })
}

// Annotate sets (or, with "", removes) the comment of a statement at the
// edit level.
func (s *Session) Annotate(words []string, comment string) error {
	return s.modify(words, func(x *Node) { x.Comment = strings.TrimSpace(comment) })
}

// modify applies f to the existing statement named by words.
func (s *Session) modify(words []string, f func(x *Node)) error {
	p, err := s.resolve(words, false)
	if err != nil {
		return err
	}
	if len(p) == 0 {
		return missingArg(0)
	}
	return s.write(func() error {
		x := s.cand.Walk(s.full(p))
		if x == nil || x == s.cand {
			return ErrNotFound
		}
		f(x)
		return nil
	})
}

// Candidate returns a copy of the session's candidate.
func (s *Session) Candidate() *Node {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.cand.Clone()
}

// View calls f with the node at the edit level extended by words (nil
// when it does not exist) and the resolved path. f must not keep the node.
func (s *Session) View(words []string, f func(x *Node, p Path)) error {
	p, err := s.resolve(words, false)
	if err != nil {
		return err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	f(s.cand.Walk(s.full(p)), s.full(p))
	return nil
}

// Show renders the candidate at the edit level extended by words, in
// curly-brace form (set: as set commands, with full paths).
func (s *Session) Show(words []string, set bool) (string, error) {
	var out string
	err := s.View(words, func(x *Node, p Path) {
		if x == nil {
			return
		}
		out = renderAt(x, p, set)
	})
	return out, err
}

// renderAt renders the statement x reached by path p: the statements in
// it for a container or entry, the statement itself for a leaf.
func renderAt(x *Node, p Path, set bool) string {
	leafy := x.S.Kind == schema.Leaf || x.S.Kind == schema.LeafList
	if set {
		if leafy {
			var b strings.Builder
			setLines(&b, x, PathWords(x.Parent))
			return b.String()
		}
		return x.SetLines(PathWords(x))
	}
	if leafy {
		return x.Statement()
	}
	return x.Text()
}

// Viewer returns a read-only session on the committed configuration, for
// operational commands (show configuration): it supports Show, Choices,
// Check and Compare, and takes no part in locking.
func (db *DB) Viewer() *Session {
	db.mu.Lock()
	defer db.mu.Unlock()
	return &Session{db: db, mode: Private, cand: db.active}
}
