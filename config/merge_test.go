package config

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func privateSession(t *testing.T, db *DB, user string) *Session {
	t.Helper()
	s, _, _, err := db.Begin(Who{User: user, Terminal: "pts/" + user, PID: len(user)}, Private)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPrivateCommitsOnlyItsChanges: two private sessions change different
// statements; the second commit keeps what the first committed (no lost
// update).
func TestPrivateCommitsOnlyItsChanges(t *testing.T) {
	db, shared := newSession(t)
	mustSet(t, shared, "system host-name r1", "interfaces ge-1/0/0 description base")
	if _, err := shared.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	a, b := privateSession(t, db, "alice"), privateSession(t, db, "bob")
	mustSet(t, a, "interfaces ge-1/0/1 description alice")
	mustSet(t, b, "interfaces ge-1/0/2 description bob")
	mustSet(t, b, "system host-name r2")
	for _, s := range []*Session{a, b} {
		if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
			t.Fatalf("%s: %v", s.who.User, err)
		}
	}
	got := db.Active().Text()
	for _, want := range []string{"description alice;", "description bob;", "host-name r2;", "description base;"} {
		if !strings.Contains(got, want) {
			t.Errorf("active configuration lacks %q:\n%s", want, got)
		}
	}
	// A deletion by the session is merged too.
	c := privateSession(t, db, "carol")
	if err := c.Delete(words(t, "interfaces ge-1/0/1")); err != nil {
		t.Fatal(err)
	}
	mustSet(t, a, "interfaces ge-1/0/3 description alice-again")
	if _, err := a.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	got = db.Active().Text()
	if strings.Contains(got, "description alice;") || !strings.Contains(got, "alice-again") {
		t.Errorf("after carol's delete:\n%s", got)
	}
}

// TestPrivateConflict: both sessions change the same leaf; the second
// commit is refused with the statement and the Junos error, changes
// nothing, and commits after "update".
func TestPrivateConflict(t *testing.T) {
	db, shared := newSession(t)
	mustSet(t, shared, "system host-name r1")
	if _, err := shared.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	a, b := privateSession(t, db, "alice"), privateSession(t, db, "bob")
	mustSet(t, a, "system host-name from-alice")
	mustSet(t, b, "system host-name from-bob", "interfaces ge-1/0/2 description bob")
	if _, err := a.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	before := db.Active().Text()
	_, err := b.Commit(context.Background(), CommitOptions{})
	want := "[edit system]\n  'host-name from-bob'\n    statement changed by another commit; use 'update' to merge it\nerror: configuration database modified"
	if err == nil || err.Error() != want {
		t.Fatalf("conflicting commit: %v\nwant:\n%s", err, want)
	}
	if !errors.Is(err, ErrModified) {
		t.Error("not ErrModified")
	}
	if db.Active().Text() != before {
		t.Error("a refused commit changed the configuration")
	}
	if err := b.Update(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatalf("after update: %v", err)
	}
	got := db.Active().Text()
	if !strings.Contains(got, "host-name from-bob;") || !strings.Contains(got, "description bob;") {
		t.Errorf("after update and commit:\n%s", got)
	}
}

// TestPrivateSharedModified: a private commit is refused while the shared
// candidate holds uncommitted changes.
func TestPrivateSharedModified(t *testing.T) {
	db, shared := newSession(t)
	p := privateSession(t, db, "alice")
	mustSet(t, p, "system host-name p")
	mustSet(t, shared, "system domain-name example.net")
	if _, err := p.Commit(context.Background(), CommitOptions{}); !errors.Is(err, ErrSharedModified) {
		t.Fatalf("got %v", err)
	}
}
