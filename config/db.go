package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// MaxRollback is the highest rollback number Junos keeps (rollback 0..49).
const MaxRollback = 49

// Owner is a subsystem that applies committed configuration (chassis,
// forwarding plane, services). Prepare allocates everything that may fail
// and may refuse the change; the returned Pending is then applied (which
// cannot fail) or aborted. old and new are the active statements only
// (inactive ones removed); they must not be modified.
type Owner interface {
	Prepare(ctx context.Context, old, new *Node) (Pending, error)
}

// Pending is a prepared change of one Owner.
type Pending interface {
	Apply()
	Abort()
}

// Validator is a commit check beyond the schema: it returns the errors (and
// warnings) found in the active statements of a candidate.
type Validator func(root *Node) []*CommitError

// Commit is one entry of the commit history.
type Commit struct {
	Seq     uint64
	Time    time.Time
	User    string
	Via     string // "cli", "netconf", "other"
	Comment string
	Confirm int // minutes, for commit confirmed
}

// DB is the configuration database of one router: the active
// configuration, the rollback history, the shared candidate and the
// configuration sessions. It is safe for concurrent use; commits are
// serialised.
type DB struct {
	mu         sync.Mutex
	store      *Store // nil: memory only
	active     *Node
	shared     *Node
	history    []entry // [0] is the active configuration
	owners     []Owner
	validators []Validator
	musts      *mustChecker // parsed junos:must expressions, kept across commits
	sessions   map[*Session]struct{}
	exclusive  *Session
	confirm    *confirmState
	now        func() time.Time
	notify     func(msg string)
	log        func(who Who, tag, msg string)
	seq        uint64
	// confirmUnit is the length of one "commit confirmed" minute.
	confirmUnit time.Duration
}

// entry is a history entry: metadata and the configuration it committed
// (loaded from the store on demand when text is empty).
type entry struct {
	Commit
	tree *Node
}

// Options configure a DB.
type Options struct {
	Store *Store           // persistence; nil keeps everything in memory
	Now   func() time.Time // clock; time.Now by default
	// Notify receives broadcast messages for all sessions (the automatic
	// rollback of an unconfirmed commit).
	Notify func(msg string)
	// Log receives the commit events for the system log: the session's
	// user and process, the Junos event tag (UI_COMMIT, ...) and its text.
	Log func(who Who, tag, msg string)
}

// Open returns a DB holding the last committed configuration of the store
// (or an empty one).
func Open(opts Options) (*DB, error) {
	db := &DB{store: opts.Store, now: opts.Now, notify: opts.Notify, log: opts.Log, sessions: map[*Session]struct{}{},
		musts: newMustChecker(), confirmUnit: confirmUnit()}
	if db.now == nil {
		db.now = time.Now
	}
	if db.notify == nil {
		db.notify = func(string) {}
	}
	if db.log == nil {
		db.log = func(Who, string, string) {}
	}
	db.active = NewRoot()
	if db.store != nil {
		hist, err := db.store.Load()
		if err != nil {
			return nil, err
		}
		for _, c := range hist {
			db.history = append(db.history, entry{Commit: c})
			if c.Seq > db.seq {
				db.seq = c.Seq
			}
		}
		if len(db.history) > 0 {
			t, err := db.tree(0)
			if err != nil {
				return nil, fmt.Errorf("loading the active configuration: %w", err)
			}
			db.active = t
		}
	}
	db.shared = db.active.Clone()
	return db, nil
}

// AddOwner registers a subsystem that applies committed configuration.
// Owners prepare in registration order and abort in reverse order.
func (db *DB) AddOwner(o Owner) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.owners = append(db.owners, o)
}

// AddValidator registers a commit check.
func (db *DB) AddValidator(v Validator) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.validators = append(db.validators, v)
}

// Active returns a copy of the committed configuration.
func (db *DB) Active() *Node {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.active.Clone()
}

// ActiveView calls f with the committed configuration, which f must not
// modify or keep.
func (db *DB) ActiveView(f func(root *Node)) {
	db.mu.Lock()
	defer db.mu.Unlock()
	f(db.active)
}

// History returns the commit history, newest first (index = rollback number).
func (db *DB) History() []Commit {
	db.mu.Lock()
	defer db.mu.Unlock()
	out := make([]Commit, len(db.history))
	for i, e := range db.history {
		out[i] = e.Commit
	}
	return out
}

// ConfirmPending reports whether a commit confirmed awaits confirmation,
// and when it will be rolled back.
func (db *DB) ConfirmPending() (time.Time, bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.confirm == nil {
		return time.Time{}, false
	}
	return db.confirm.deadline, true
}

// ConfirmMinutes returns the minutes left, rounded up, before a pending
// commit confirmed is rolled back; ok is false when none is pending.
func (db *DB) ConfirmMinutes() (minutes int, ok bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.confirm == nil {
		return 0, false
	}
	left := db.confirm.deadline.Sub(db.now())
	return int((left + db.confirmUnit - 1) / db.confirmUnit), true
}

// ConfirmUnitEnv names the environment variable that sets the length of a
// "commit confirmed" minute (a Go duration such as "1s"), so that tests can
// watch an automatic rollback without waiting for minutes.
const ConfirmUnitEnv = "MXLAB_CONFIRM_UNIT"

func confirmUnit() time.Duration {
	if d, err := time.ParseDuration(os.Getenv(ConfirmUnitEnv)); err == nil && d > 0 {
		return d
	}
	return time.Minute
}

// tree returns the configuration of history entry i. Called with mu held.
func (db *DB) tree(i int) (*Node, error) {
	if i == 0 && len(db.history) == 0 {
		return db.active, nil
	}
	if i < 0 || i >= len(db.history) {
		return nil, ErrNoRollback
	}
	e := &db.history[i]
	if e.tree != nil {
		return e.tree, nil
	}
	if db.store == nil {
		return nil, ErrNoRollback
	}
	text, err := db.store.Read(e.Seq)
	if err != nil {
		return nil, err
	}
	t, err := ParseText(text, NewRoot().S)
	if err != nil {
		return nil, err
	}
	if i == 0 {
		e.tree = t
	}
	return t, nil
}

// ErrNoRollback is returned for a rollback number with no configuration.
var ErrNoRollback = errors.New("rollback file not found")

// Effective returns a copy of the committed configuration without its
// inactive statements: what the subsystems run.
func (db *DB) Effective() *Node {
	db.mu.Lock()
	defer db.mu.Unlock()
	return effective(db.active)
}
