package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output of the transcript scripts")

// nowEnv fixes the clock of the mxlab command run by the transcript
// scripts (RFC 3339), so that commit times and "## Last changed" lines are
// stable.
const nowEnv = "MXLAB_TEST_NOW"

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mxlab": func() { os.Exit(run(uniqueName(os.Args[1:]), testClock())) },
	})
}

// uniqueName gives a router run by a script a name of its own (scripts run
// in parallel, and as root a router's name is its namespace's, which one
// process at a time may hold); the name shows nowhere in the transcripts.
func uniqueName(args []string) []string {
	if len(args) > 0 && args[0] == "lab" {
		return args
	}
	for _, a := range args {
		if a == "--name" || a == "-name" || strings.HasPrefix(a, "--name=") || strings.HasPrefix(a, "-name=") {
			return args
		}
	}
	return append([]string{"--name", fmt.Sprintf("ts%d", os.Getpid())}, args...)
}

// testClock returns the fixed clock of MXLAB_TEST_NOW, or time.Now.
func testClock() func() time.Time {
	v := os.Getenv(nowEnv)
	if v == "" {
		return time.Now
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mxlab: %s: %v\n", nowEnv, err)
		os.Exit(2)
	}
	return func() time.Time { return t }
}

// TestScript runs the transcripts of testdata/script over the real main:
// each feeds a whole CLI session on stdin and compares the output.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv(nowEnv, "2026-03-02T10:00:00Z")
			env.Setenv("XDG_STATE_HOME", filepath.Join(env.WorkDir, "xdg"))
			env.Setenv("TERM", "dumb")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"paced": cmdPaced,
			"e2":    cmdE2,
		},
	})
}

// cmdPaced runs a command with its standard input fed line by line from a
// file, and writes its standard output to another file:
//
//	paced INPUT OUTPUT command args...
//
// An input line "@sleep DURATION" pauses the input instead of sending a
// line, so that timers (commit confirmed) fire between two commands.
func cmdPaced(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: paced INPUT OUTPUT command args...")
	}
	in, out := ts.ReadFile(args[0]), ts.MkAbs(args[1])
	path, err := exec.LookPath(args[2])
	ts.Check(err)
	cmd := exec.Command(path, args[3:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = os.Environ()
	for _, k := range []string{"PATH", nowEnv, "XDG_STATE_HOME", "TERM", "MXLAB_CONFIRM_UNIT"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	f, err := os.Create(out)
	ts.Check(err)
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	stdin, err := cmd.StdinPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	sc := bufio.NewScanner(strings.NewReader(in))
	for sc.Scan() {
		line := sc.Text()
		if d, ok := strings.CutPrefix(line, "@sleep "); ok {
			dur, err := time.ParseDuration(d)
			ts.Check(err)
			time.Sleep(dur)
			continue
		}
		fmt.Fprintln(stdin, line)
		time.Sleep(50 * time.Millisecond)
	}
	stdin.Close()
	err = cmd.Wait()
	if neg != (err != nil) {
		ts.Fatalf("paced: unexpected status: %v", err)
	}
}

// cmdE2 writes the example configuration E2 router 1
// (services/testdata/examples/e2-r1.set) into a file of the work directory.
func cmdE2(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: e2 FILE")
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "services", "testdata", "examples", "e2-r1.set"))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}
