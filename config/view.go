package config

// SharedCandidate returns a copy of the shared candidate configuration:
// what "configure" edits (and "configure exclusive" while it holds the
// lock).
func (db *DB) SharedCandidate() *Node {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.shared.Clone()
}

// SharedDirty reports whether the shared candidate has uncommitted
// changes.
func (db *DB) SharedDirty() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return !sameTree(db.shared, db.active)
}

// Rollback returns a copy of rollback n (0 is the active configuration).
func (db *DB) Rollback(n int) (*Node, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	t, err := db.tree(n)
	if err != nil {
		return nil, err
	}
	return t.Clone(), nil
}
