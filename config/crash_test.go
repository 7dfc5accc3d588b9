package config

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxlab/config/configtest"
	"mxlab/config/schema"
)

// crashEnv makes the test binary a committing process (see
// TestCrashDuringCommit): it commits the 10k-statement configuration with
// a new host name, in a loop, into the store it names.
const crashEnv = "MXLAB_CRASH_STORE"

func init() {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		return
	}
	st, err := NewStore(dir)
	if err != nil {
		os.Exit(3)
	}
	db, err := Open(Options{Store: st})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	s, _, _, _ := db.Begin(Who{User: "crash"}, Shared)
	if len(db.History()) == 0 {
		if err := s.Load(LoadSet, configtest.Big(), "crash", false); err != nil {
			os.Exit(3)
		}
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		s.Set([]string{"system", "host-name", fmt.Sprintf("crash%d", i)})
		if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
}

// TestCrashDuringCommit kills a committing process at random moments, a
// hundred times: each time, the store holds whole configurations only
// (every commit loads and is the 10k configuration), and no temporary
// file of the killed commit is left once the store is opened again.
func TestCrashDuringCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode: a hundred processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	big := configtest.Big()
	kills := 0
	checked := map[uint64]bool{} // commits verified whole
	for kills < 100 {
		cmd := exec.Command(exe, "-test.run", "^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("committer did not start: %q %v", buf, err)
		}
		time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++

		st, err := NewStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".commit-*")); len(left) > 0 {
			t.Fatalf("after kill %d: temporary files left: %v", kills, left)
		}
		hist, err := st.Load()
		if err != nil {
			t.Fatalf("after kill %d: %v", kills, err)
		}
		for _, c := range hist {
			if checked[c.Seq] {
				continue
			}
			checked[c.Seq] = true
			text, err := st.Read(c.Seq)
			if err != nil {
				t.Fatalf("after kill %d: commit %d: %v", kills, c.Seq, err)
			}
			root, err := ParseText(text, schema.Root())
			if err != nil {
				t.Fatalf("after kill %d: commit %d does not parse: %v", kills, c.Seq, err)
			}
			if n := strings.Count(root.SetLines(nil), "\n"); n < strings.Count(big, "\n") {
				t.Fatalf("after kill %d: commit %d has %d statements, a partial configuration", kills, c.Seq, n)
			}
		}
	}
}
