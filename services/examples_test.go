package services

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxlab/config"
)

// exampleSession loads an example configuration of the spec into a DB with
// the service-set rules.
func exampleSession(t *testing.T, name string) (*config.DB, *config.Session) {
	t.Helper()
	clock := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	db, err := config.Open(config.Options{Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	db.AddValidator(Validate)
	s, _, _, err := db.Begin(config.Who{User: "lab", Terminal: "pts/0", PID: 1}, config.Shared)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(config.LoadSet, string(src), name, false); err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return db, s
}

// TestExamplesCommit loads, commits and renders the configurations of the
// spec's examples E1–E4.
func TestExamplesCommit(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join("testdata", "examples", "*.set"))
	if len(names) < 8 {
		t.Fatalf("found %d example configurations", len(names))
	}
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			db, s := exampleSession(t, name)
			if _, err := s.Commit(context.Background(), config.CommitOptions{}); err != nil {
				t.Fatalf("commit:\n%v", err)
			}
			golden(t, filepath.Join("examples", strings.TrimSuffix(name, ".set")+".conf"), []byte(db.Active().Text()))
		})
	}
}

// TestMutations breaks each seed rule of the spec in turn: the commit must
// fail with the Junos error, and the active configuration must not change.
func TestMutations(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "examples", "mutations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, " | ")
		if len(fields) != 6 {
			t.Fatalf("bad line %q", line)
		}
		n++
		rule, base, cmds := fields[0], fields[1], fields[2]
		want := fields[3] + "\n  " + fields[4] + "\n    " + strings.TrimSuffix(fields[5], " (mxlab wording)")
		t.Run(rule+"/"+base, func(t *testing.T) {
			db, s := exampleSession(t, base)
			if _, err := s.Commit(context.Background(), config.CommitOptions{}); err != nil {
				t.Fatalf("base does not commit: %v", err)
			}
			before := db.Active().Text()
			for _, c := range strings.Split(cmds, " ; ") {
				w, err := config.SplitWords(c)
				if err != nil {
					t.Fatal(err)
				}
				switch w[0] {
				case "set":
					err = s.Set(w[1:])
				case "delete":
					err = s.Delete(w[1:])
				}
				if err != nil {
					t.Fatalf("%s: %v", c, err)
				}
			}
			_, err := s.Commit(context.Background(), config.CommitOptions{})
			if err == nil {
				t.Fatalf("commit succeeded after %s", cmds)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("commit error:\n%v\nwant it to contain:\n%s", err, want)
			}
			if !strings.HasSuffix(err.Error(), "error: configuration check-out failed") {
				t.Errorf("no check-out failed line:\n%v", err)
			}
			if db.Active().Text() != before {
				t.Error("a failed commit changed the active configuration")
			}
		})
	}
	if n < 8 {
		t.Errorf("only %d mutations", n)
	}
}
