package config

import (
	"context"
	"fmt"
	"time"
)

// CommitOptions are the options of a commit command.
type CommitOptions struct {
	Comment string
	Confirm int    // commit confirmed N (minutes); 0 = not confirmed
	Via     string // "cli" by default
}

// confirmState is a commit confirmed awaiting confirmation.
type confirmState struct {
	seq      uint64
	deadline time.Time
	timer    *time.Timer
}

// effective returns a copy of the tree without inactive statements, which
// commit ignores.
func effective(n *Node) *Node {
	c := &Node{S: n.S, Keys: n.Keys, Value: n.Value, Values: n.Values}
	for _, k := range n.Kids {
		if k.Inactive {
			continue
		}
		kc := effective(k)
		kc.Parent = c
		c.Kids = append(c.Kids, kc)
	}
	return c
}

// check validates a candidate: mandatory statements, junos:must
// constraints and the registered validators. Warnings are returned apart.
// Called with mu held.
func (db *DB) check(cand *Node) (eff *Node, warnings []*CommitError, err error) {
	eff = effective(cand)
	var errs []*CommitError
	reason := ""
	if m := checkMandatory(eff); len(m) > 0 {
		errs = append(errs, m...)
		reason = "missing mandatory statements"
	}
	all := db.musts.check(eff)
	all = append(all, checkSchemaRefs(eff)...)
	for _, v := range db.validators {
		all = append(all, v(eff)...)
	}
	for _, e := range all {
		if e.Warning {
			warnings = append(warnings, e)
		} else {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		// The warnings are printed with the errors, once.
		return nil, nil, &CheckError{Errors: append(errs, warnings...), Reason: reason}
	}
	return eff, warnings, nil
}

// checkMandatory reports statements that must be present in a container
// or entry that is.
func checkMandatory(n *Node) []*CommitError {
	var errs []*CommitError
	var walk func(x *Node)
	walk = func(x *Node) {
		if x.Parent != nil {
			for _, c := range x.S.Children {
				if c.Mandatory && !c.IsKey() && len(x.Find(c)) == 0 {
					errs = append(errs, errorAt(x, fmt.Sprintf("Missing mandatory statement: '%s'", c.Name)))
				}
			}
		}
		for _, k := range x.Kids {
			walk(k)
		}
	}
	walk(n)
	return errs
}

// CommitCheck runs commit check on the session's candidate. A pending commit
// confirmed is confirmed by it. It returns the warnings to print.
func (s *Session) CommitCheck() ([]*CommitError, error) {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	_, warns, err := db.check(s.cand)
	if err == nil {
		db.stopConfirm()
	}
	return warns, err
}

// Commit commits the session's candidate. It returns the warnings to print.
func (s *Session) Commit(ctx context.Context, opts CommitOptions) ([]*CommitError, error) {
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := s.writable(); err != nil {
		return nil, err
	}
	sharedClean := sameTree(db.shared, db.active)
	op := "commit"
	if opts.Confirm > 0 {
		op = "commit confirmed"
	}
	comment := opts.Comment
	if comment == "" {
		comment = "none"
	}
	db.log(s.who, "UI_COMMIT", fmt.Sprintf("User '%s' requested '%s' operation (comment: %s)", s.who.User, op, comment))
	cand := s.cand
	if s.mode == Private {
		merged, err := s.mergePrivate()
		if err != nil {
			db.log(s.who, "UI_COMMIT_NOT_COMPLETED", "commit failed")
			return nil, err
		}
		cand = merged
	}
	warns, err := db.commit(ctx, cand, s.who.User, opts)
	if err != nil {
		db.log(s.who, "UI_COMMIT_NOT_COMPLETED", "commit failed")
		return warns, err
	}
	db.log(s.who, "UI_COMMIT_COMPLETED", "commit complete")
	if opts.Confirm > 0 {
		db.log(s.who, "UI_COMMIT_CONFIRMED_REMINDER", fmt.Sprintf("'commit confirmed' must be confirmed within %d minutes", opts.Confirm))
	}
	if s.mode == Private {
		s.cand, s.base = db.active.Clone(), db.active
		if sharedClean {
			// The shared candidate had no changes of its own: it follows
			// the new active configuration.
			db.setShared(db.active.Clone())
		}
	} else {
		db.setShared(db.active.Clone())
		s.cand = db.shared
	}
	return warns, nil
}

// commit is the transaction: check, prepare every owner, store, apply,
// swap. Called with mu held.
func (db *DB) commit(ctx context.Context, cand *Node, user string, opts CommitOptions) ([]*CommitError, error) {
	eff, warns, err := db.check(cand)
	if err != nil {
		return warns, err
	}
	old := effective(db.active)
	var pend []Pending
	abort := func() {
		for i := len(pend) - 1; i >= 0; i-- {
			pend[i].Abort()
		}
	}
	for _, o := range db.owners {
		p, err := o.Prepare(ctx, old, eff)
		if err != nil {
			abort()
			return warns, err
		}
		pend = append(pend, p)
	}
	newActive := cand.Clone()
	if opts.Via == "" {
		opts.Via = "cli"
	}
	db.seq++
	c := Commit{Seq: db.seq, Time: db.now(), User: user, Via: opts.Via, Comment: opts.Comment, Confirm: opts.Confirm}
	if db.store != nil {
		if err := db.store.Write(c, newActive.Text()); err != nil {
			db.seq--
			abort()
			return warns, fmt.Errorf("commit failed: (%w)", err)
		}
	}
	for _, p := range pend {
		p.Apply()
	}
	db.active = newActive
	db.history = append([]entry{{Commit: c, tree: newActive}}, db.history...)
	if len(db.history) > 1 && db.store != nil {
		db.history[1].tree = nil // read back from the store when needed
	}
	if len(db.history) > MaxRollback+1 {
		db.history = db.history[:MaxRollback+1]
	}
	db.stopConfirm()
	if opts.Confirm > 0 {
		db.startConfirm(c.Seq, time.Duration(opts.Confirm)*db.confirmUnit)
	}
	return warns, nil
}

// stopConfirm confirms a pending commit confirmed. Called with mu held.
func (db *DB) stopConfirm() {
	if db.confirm != nil {
		db.confirm.timer.Stop()
		db.confirm = nil
	}
}

// startConfirm arms the automatic rollback of commit seq. Called with mu held.
func (db *DB) startConfirm(seq uint64, d time.Duration) {
	cs := &confirmState{seq: seq, deadline: db.now().Add(d)}
	cs.timer = time.AfterFunc(d, func() { db.autoRollback(seq) })
	db.confirm = cs
}

// autoRollback restores the configuration before an unconfirmed commit.
func (db *DB) autoRollback(seq uint64) {
	db.mu.Lock()
	if db.confirm == nil || db.confirm.seq != seq {
		db.mu.Unlock()
		return
	}
	db.confirm = nil
	prev, err := db.tree(1)
	if err == nil {
		_, err = db.commit(context.Background(), prev, "root", CommitOptions{Via: "other"})
	}
	if err == nil {
		db.setShared(db.active.Clone())
	}
	db.mu.Unlock()
	if err == nil {
		db.log(Who{User: "root"}, "UI_COMMIT_NOT_CONFIRMED", "Commit was not confirmed; automatic rollback complete")
		db.notify("Commit was not confirmed; automatic rollback complete.")
	}
}

// Close stops the timers of the DB (a pending commit confirmed stays
// unconfirmed, as after a reboot).
func (db *DB) Close() {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.stopConfirm()
}

// Rollback loads rollback n into the session's candidate.
func (s *Session) Rollback(n int) error {
	return s.write(func() error {
		t, err := s.db.tree(n)
		if err != nil {
			return err
		}
		s.replaceCandidate(t.Clone())
		return nil
	})
}

// replaceCandidate swaps the session's candidate. Called with mu held. A
// private candidate replaced (rollback) is taken whole at the next commit:
// its base becomes the committed configuration.
func (s *Session) replaceCandidate(t *Node) {
	if s.mode == Private {
		s.cand, s.base = t, s.db.active
		return
	}
	s.db.setShared(t)
	s.cand = t
}

// setShared makes t the candidate of every session that is not private.
// Called with mu held.
func (db *DB) setShared(t *Node) {
	db.shared = t
	for o := range db.sessions {
		if o.mode != Private {
			o.cand = t
		}
	}
}

// Compare renders the differences between rollback n (the active
// configuration for 0) and the session's candidate, at the edit level
// extended by words.
func (s *Session) Compare(n int, words []string) (string, error) {
	p, err := s.resolve(words, false)
	if err != nil {
		return "", err
	}
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	base := db.active
	if n > 0 {
		if base, err = db.tree(n); err != nil {
			return "", err
		}
	}
	full := s.full(p)
	o, c := base.Walk(full), s.cand.Walk(full)
	if o == nil && c == nil {
		return "", nil
	}
	if o == nil {
		o = &Node{S: c.S, Parent: c.Parent, Keys: c.Keys}
	}
	if c == nil {
		c = &Node{S: o.S, Parent: o.Parent, Keys: o.Keys}
	}
	return Compare(o, c), nil
}
