package cfgmode_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxlab/config"
	"mxlab/router"
)

// fuzzSeeds are sessions in both modes: configuration changes, commits,
// rollbacks, loads, pipes, '?' and errors.
var fuzzSeeds = []string{
	"show version\nshow configuration | display set\n",
	"configure\nset system host-name F1\ncommit\n",
	"configure\nset interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24\nshow | compare\ncommit check\ncommit\nrollback 1\ncommit\n",
	"configure private\nset system domain-name x\nexit\nno\ncommit comment \"a b\"\nexit\n",
	"configure exclusive\nedit interfaces ge-1/0/0 unit 1\nset description d\nup 2\ntop\nexit\nyes\n",
	"configure\nload set terminal\nset routing-options static route 10.0.0.0/8 next-hop 10.0.0.2\n\x04\ncommit and-quit\n",
	"configure\nload merge terminal\nsystem { host-name L; }\n\x04\nshow | display xml\nshow | display json\n",
	"configure\ndeactivate system\nactivate system\nannotate system \"c\"\ncopy interfaces ge-1/0/0 to interfaces ge-1/0/1\nrename interfaces ge-1/0/1 to interfaces ge-1/0/2\n",
	"configure\nset policy-options policy-statement P term a then accept\nset policy-options policy-statement P term b then reject\ninsert policy-options policy-statement P term b before term a\n",
	"sh conf | di s | m host | count\nshow version | last 2 | except JUNOS\nshow | bogus\n?\nshow ?\n",
	"configure\nset ?\nset interfaces ?\nrollback ?\nrun show system commit\nstatus\nexit configuration-mode\n",
	"configure\ncommit confirmed 5\ncommit\nrollback 49\nrollback 50\ndelete\ndelete system\ncommit\n",
	"configure\nset services service-set s ipsec-vpn-rules r\ncommit\ndelete services\n",
}

// FuzzSessionLines feeds random lines to a CLI session of a new router, in
// operational mode and, when configure is set, in configuration mode: no
// panic, no hang, and the committed configuration stays valid and loads
// again from the state directory.
func FuzzSessionLines(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(i%2 == 0, s)
	}
	f.Fuzz(func(t *testing.T, configure bool, input string) {
		if configure {
			input = "configure\n" + input
		}
		dir := t.TempDir()
		r := newRouter(t, dir)
		runSession(t, r, input)
		checkCommitted(t, r, dir)
	})
}

// runSession runs one plain-mode session reading input, and fails when it
// does not end.
func runSession(t *testing.T, r *router.Router, input string) {
	sh, closeShell := r.NewShell(router.ShellOptions{In: strings.NewReader(input), Out: io.Discard, User: "fuzz"})
	defer closeShell()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		sh.Run(ctx)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cancel()
		<-done
		t.Fatalf("the session did not end on input %q", input)
	}
}

// checkCommitted checks that the active configuration passes commit check
// and that the state directory loads it back.
func checkCommitted(t *testing.T, r *router.Router, dir string) {
	if _, err := r.DB.Viewer().CommitCheck(); err != nil {
		t.Fatalf("the active configuration fails commit check: %v", err)
	}
	store, err := config.NewStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := config.Open(config.Options{Store: store})
	if err != nil {
		t.Fatalf("the committed configuration does not load: %v", err)
	}
	defer db.Close()
	if got, want := db.Active().Text(), r.DB.Active().Text(); got != want {
		t.Fatalf("the state directory holds:\n%s\nthe router runs:\n%s", got, want)
	}
}
