package config

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// recorder is an Owner that records what it prepares and may refuse.
type recorder struct {
	refuse  error
	applied int
	aborted int
}

func (r *recorder) Prepare(_ context.Context, _, _ *Node) (Pending, error) {
	if r.refuse != nil {
		return nil, r.refuse
	}
	return r, nil
}
func (r *recorder) Apply() { r.applied++ }
func (r *recorder) Abort() { r.aborted++ }

func TestCommitTransaction(t *testing.T) {
	db, s := newSession(t)
	ok, bad := &recorder{}, &recorder{refuse: errors.New("no PIC")}
	db.AddOwner(ok)
	db.AddOwner(bad)
	mustSet(t, s, "system host-name R1")
	if _, err := s.Commit(context.Background(), CommitOptions{}); err == nil {
		t.Fatal("commit succeeded although an owner refused")
	}
	if ok.applied != 0 || ok.aborted != 1 {
		t.Errorf("first owner: applied %d aborted %d, want 0 1", ok.applied, ok.aborted)
	}
	if got := db.Active().Text(); got != "" {
		t.Errorf("a failed commit changed the active configuration:\n%s", got)
	}
	if !s.Dirty() {
		t.Error("a failed commit lost the candidate")
	}
	bad.refuse = nil
	if _, err := s.Commit(context.Background(), CommitOptions{Comment: "first"}); err != nil {
		t.Fatal(err)
	}
	if ok.applied != 1 || bad.applied != 1 {
		t.Errorf("applied %d %d, want 1 1", ok.applied, bad.applied)
	}
	h := db.History()
	if len(h) != 1 || h[0].Comment != "first" || h[0].User != "lab" || h[0].Via != "cli" {
		t.Errorf("history %+v", h)
	}
}

func TestCommitMustError(t *testing.T) {
	db, s := newSession(t)
	mustSet(t, s,
		"services service-set ss1 ipsec-vpn-rules r1",
		"services ipsec-vpn rule r1 match-direction input",
	)
	_, err := s.CommitCheck()
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("commit check: %v, want a CheckError", err)
	}
	want := "[edit services service-set ss1]\n  'ipsec-vpn-rules r1'\n    Local gateway must be configured with IPSec rules\nerror: configuration check-out failed"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	if _, err := s.Commit(context.Background(), CommitOptions{}); err == nil {
		t.Error("commit succeeded")
	}
	if db.Active().Text() != "" {
		t.Error("failed commit changed the active configuration")
	}
}

func TestRollbackAndPersistence(t *testing.T) {
	dir := t.TempDir()
	st, err := NewStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	s, _, _, err := db.Begin(Who{User: "lab"}, Shared)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 55; i++ {
		mustSet(t, s, "system host-name r"+itoa(i))
		if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(db.History()); n != 50 {
		t.Errorf("history holds %d commits, want 50", n)
	}
	if err := s.Rollback(3); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Show(words(t, "system host-name"), false); got != "host-name r52;\n" {
		t.Errorf("rollback 3 loaded %q", got)
	}
	if err := s.Rollback(50); !errors.Is(err, ErrNoRollback) {
		t.Errorf("rollback 50: %v", err)
	}
	s.Close()
	db.Close()
	// A restart comes back with the last commit and its history.
	st2, _ := NewStore(dir)
	db2, err := Open(Options{Store: st2})
	if err != nil {
		t.Fatal(err)
	}
	if got := db2.Active().Text(); got != "system {\n    host-name r55;\n}\n" {
		t.Errorf("after restart: %q", got)
	}
	if n := len(db2.History()); n != 50 {
		t.Errorf("after restart: %d commits", n)
	}
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/10)) + string(rune('0'+i%10)))
}

func TestCommitConfirmedRollsBack(t *testing.T) {
	var notified []string
	done := make(chan struct{}, 1)
	db, err := Open(Options{Notify: func(m string) { notified = append(notified, m); done <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, _, _, _ := db.Begin(Who{User: "lab"}, Shared)
	mustSet(t, s, "system host-name before")
	if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "system host-name after")
	if _, err := s.Commit(context.Background(), CommitOptions{Confirm: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := db.ConfirmPending(); !ok {
		t.Fatal("no confirmation pending")
	}
	db.mu.Lock()
	db.confirm.timer.Reset(time.Millisecond) // expire now
	db.mu.Unlock()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no automatic rollback")
	}
	if got, _ := db.Active().Leaf("system", "host-name"); got != "before" {
		t.Errorf("after automatic rollback host-name is %q", got)
	}
	h := db.History()
	if h[0].User != "root" || h[0].Via != "other" {
		t.Errorf("rollback commit logged as %+v", h[0])
	}
	if len(notified) != 1 || notified[0] != "Commit was not confirmed; automatic rollback complete." {
		t.Errorf("notified %q", notified)
	}
}

func TestCommitConfirmedConfirmed(t *testing.T) {
	db, s := newSession(t)
	defer db.Close()
	mustSet(t, s, "system host-name a")
	s.Commit(context.Background(), CommitOptions{Confirm: 5})
	if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := db.ConfirmPending(); ok {
		t.Error("a plain commit did not confirm")
	}
}

func TestLoadModes(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s, "system host-name R1", "interfaces ge-1/0/0 description old")
	merge := "interfaces {\n    ge-1/0/0 {\n        unit 0 {\n            family inet {\n                address 10.0.0.1/24;\n            }\n        }\n    }\n}\n"
	if err := s.Load(LoadMerge, merge, "terminal", false); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Show(nil, true)
	want := "set system host-name R1\nset interfaces ge-1/0/0 description old\nset interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24\n"
	if got != want {
		t.Errorf("merge:\n%s\nwant\n%s", got, want)
	}
	repl := "interfaces {\n    replace: ge-1/0/0 {\n        mtu 1500;\n    }\n}\n"
	if err := s.Load(LoadReplace, repl, "terminal", false); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Show(nil, true)
	if want := "set system host-name R1\nset interfaces ge-1/0/0 mtu 1500\n"; got != want {
		t.Errorf("replace:\n%s\nwant\n%s", got, want)
	}
	if err := s.Load(LoadOverride, "system { host-name R2; }", "terminal", false); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Show(nil, true); got != "set system host-name R2\n" {
		t.Errorf("override: %q", got)
	}
}

func TestLoadErrorsChangeNothing(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s, "system host-name R1")
	before := s.Candidate().Text()
	tests := []struct {
		mode       LoadMode
		text, want string
	}{
		{LoadMerge, "system {\n    host-nam R2;\n    bogus 1;\n}\n", "terminal:3:(5) syntax error: bogus"},
		{LoadMerge, "system {\n    host-name R2;\n", "terminal:2:(17) syntax error, expecting '}'"},
		{LoadSet, "set system host-name R2\nset services service-set ss1 ipsec-vpn-options tunnel-mtu 10\n", "terminal:2:(59) value 10 is not within range (256..9192): 10"},
		{LoadSet, "set system host-name R2\nfrobnicate\n", "terminal:2:(1) syntax error, expecting <command>: frobnicate"},
	}
	for _, tc := range tests {
		err := s.Load(tc.mode, tc.text, "terminal", false)
		if err == nil || err.Error() != tc.want {
			t.Errorf("load %q: got %v, want %s", tc.text, err, tc.want)
		}
		if s.Candidate().Text() != before {
			t.Errorf("failed load changed the candidate")
		}
	}
}

func TestCopyRenameInsert(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s,
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24",
		"services ipsec-vpn rule r1 term t1 then remote-gateway 10.0.1.2",
		"services ipsec-vpn rule r1 term t2 then remote-gateway 10.0.1.6",
	)
	if err := s.Copy(words(t, "interfaces ge-1/0/0 to ge-1/0/1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(words(t, "interfaces ge-1/0/1 unit 0 to unit 5")); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(words(t, "services ipsec-vpn rule r1 term t2 before term t1")); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Show(nil, true)
	golden(t, "copy-rename-insert.golden", got)
}

func TestLocks(t *testing.T) {
	db, s := newSession(t)
	mustSet(t, s, "system host-name dirty")
	if _, _, _, err := db.Begin(Who{User: "bob"}, Exclusive); !errors.Is(err, ErrModified) {
		t.Errorf("configure exclusive on a modified database: %v", err)
	}
	if _, _, _, err := db.Begin(Who{User: "bob"}, Private); !errors.Is(err, ErrSharedModified) {
		t.Errorf("configure private on a modified database: %v", err)
	}
	_, _, after, err := db.Begin(Who{User: "bob", Terminal: "pts/1"}, Shared)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) < 2 || after[0] != "Users currently editing the configuration:" || after[len(after)-1] != "The configuration has been changed but not committed" {
		t.Errorf("configure messages %q", after)
	}
	s.Rollback(0)
	ex, before, _, err := db.Begin(Who{User: "carol"}, Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || before[0] != "warning: uncommitted changes will be discarded on exit" {
		t.Errorf("exclusive warning %q", before)
	}
	if err := s.Set(words(t, "system host-name x")); !errors.Is(err, ErrLocked) {
		t.Errorf("set while another session holds the lock: %v", err)
	}
	if _, _, _, err := db.Begin(Who{User: "dave"}, Shared); !errors.Is(err, ErrLocked) {
		t.Errorf("configure while locked: %v", err)
	}
	ex.Close()
	if err := s.Set(words(t, "system host-name x")); err != nil {
		t.Errorf("set after the lock was released: %v", err)
	}
}

func TestChoices(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s, "services service-set ss1 next-hop-service inside-service-interface ms-1/2/0.1")
	ch, err := s.Choices(words(t, "services service-set"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) < 2 || !ch[0].Value || ch[1].Word != "ss1" {
		t.Errorf("choices %+v", ch)
	}
	ch, err = s.Choices(words(t, "services service-set ss1 ipsec-vpn-options anti-replay-window-size"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 1 || !strings.Contains(ch[0].Help, "(64..4096)") {
		t.Errorf("choices %+v", ch)
	}
}

// TestConcurrentCommits commits from several private sessions at once:
// commits are serialised, every one lands in the history, and the active
// configuration is one of the candidates, never a mix.
func TestConcurrentCommits(t *testing.T) {
	db, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 8
	done := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			s, _, _, err := db.Begin(Who{User: "u" + itoa(i)}, Private)
			if err != nil {
				done <- err
				return
			}
			defer s.Close()
			name := "r" + itoa(i)
			if err := s.Set([]string{"system", "host-name", name}); err != nil {
				done <- err
				return
			}
			if err := s.Set([]string{"interfaces", "ge-1/0/0", "description", name}); err != nil {
				done <- err
				return
			}
			// Sessions that changed the same statements conflict: the
			// later ones take the others' commits with update and try
			// again, as a user would.
			for {
				_, err = s.Commit(context.Background(), CommitOptions{})
				if !errors.Is(err, ErrModified) {
					break
				}
				if err := s.Update(); err != nil {
					done <- err
					return
				}
			}
			done <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := len(db.History()); got != n {
		t.Errorf("%d commits in the history, want %d", got, n)
	}
	a := db.Active()
	host, _ := a.Leaf("system", "host-name")
	desc, _ := a.Get("interfaces").Entries("interface")[0].Leaf("description")
	if host != desc {
		t.Errorf("active configuration mixes two commits: host-name %s, description %s", host, desc)
	}
}

// TestLockIdle: the lock message gives the holder's idle time, counted
// from its last activity.
func TestLockIdle(t *testing.T) {
	clock := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	db, err := Open(Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	ex, _, _, err := db.Begin(Who{User: "carol", Terminal: "pts/2", PID: 7, Since: clock}, Exclusive)
	if err != nil {
		t.Fatal(err)
	}
	const msg = "configuration database locked by:\n  carol terminal pts/2 (pid 7) on since 2026-11-28 10:00:00 UTC, idle %s\n      exclusive [edit]"
	clock = clock.Add(time.Hour + 2*time.Minute + 3*time.Second)
	if _, _, _, err := db.Begin(Who{User: "dave"}, Shared); err == nil || err.Error() != fmt.Sprintf(msg, "01:02:03") {
		t.Errorf("got %v", err)
	}
	ex.Touch()
	clock = clock.Add(5 * time.Second)
	if _, _, _, err := db.Begin(Who{User: "dave"}, Private); err == nil || err.Error() != fmt.Sprintf(msg, "00:00:05") {
		t.Errorf("after activity: got %v", err)
	}
}
