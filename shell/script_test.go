package shell_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"mxlab/shell"
)

var update = flag.Bool("update", false, "rewrite golden files and the expected output of transcript scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"mxlab": mxlabMain})
}

// TestScript runs the transcripts of testdata/script: each feeds a session
// on stdin (plain mode) or runs "-c" commands and compares the output.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
	})
}

// mxlabMain is the small command the scripts run: a shell over the
// builtins and the test commands of testcmds_test.go.
//
//	mxlab [-c "cmd; cmd"] [-user U] [-host H] [-state DIR] [-now RFC3339] [-booted RFC3339]
func mxlabMain() {
	fs := flag.NewFlagSet("mxlab", flag.ExitOnError)
	cmds := fs.String("c", "", "run commands and exit")
	user := fs.String("user", "lab", "login user")
	host := fs.String("host", "mxlab", "host-name")
	state := fs.String("state", "", "state directory")
	now := fs.String("now", "", "fixed clock (RFC 3339)")
	booted := fs.String("booted", "", "boot time (RFC 3339)")
	_ = fs.Parse(os.Args[1:])
	opts := testOptions(*user, *host, *state)
	if *now != "" {
		t := mustTime(*now)
		opts.Now = func() time.Time { return t }
	}
	if *booted != "" {
		opts.Booted = mustTime(*booted)
	}
	opts.In, opts.Out = os.Stdin, os.Stdout
	sh := shell.New(opts)
	if *cmds != "" {
		if sh.RunCommands(context.Background(), *cmds) {
			os.Exit(1)
		}
		return
	}
	if err := sh.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "mxlab:", err)
		os.Exit(1)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mxlab:", err)
		os.Exit(2)
	}
	return t
}
