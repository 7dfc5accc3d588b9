package router

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInternalFilesOutOfReach: every CLI command that reads or writes a
// file is refused on the router's own files (its configuration database,
// commit history, keys, host keys, locks), which are not listed either;
// nothing there changes.
func TestInternalFilesOutOfReach(t *testing.T) {
	r := newRouter(t, "set system host-name r1\n")
	// Each internal tree holds a file, as after a while in service.
	files := map[string][]byte{}
	for _, p := range internalPaths {
		f := filepath.Join(r.dir, p, "probe")
		if st, err := os.Stat(filepath.Join(r.dir, p)); err == nil && !st.IsDir() {
			f = filepath.Join(r.dir, p) // a file itself (the lock)
		} else if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			t.Fatal(err)
		} else if err := os.WriteFile(f, []byte("internal\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = data
	}
	if err := os.MkdirAll(filepath.Join(r.dir, "var", "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "var", "tmp", "a.conf"), []byte("system { host-name x; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(cmds string) string { return runCommands(r, cmds) }
	for _, p := range internalPaths {
		target := p + "/probe"
		if p == "/lock" {
			target = p
		}
		for _, cmd := range []string{
			"file show " + target,
			"file list " + p,
			"file copy " + target + " /var/tmp/stolen",
			"file copy /var/tmp/a.conf " + p + "/new",
			"file copy /var/tmp/a.conf " + target,
			"show version | save " + p + "/new",
			"configure; load merge " + target,
			"configure; load override " + target,
			"configure; save " + p + "/new",
			"configure; show | save " + target,
		} {
			out := run(cmd)
			if !strings.Contains(out, "could not resolve file") && !strings.Contains(out, "error:") {
				t.Errorf("%s: not refused:\n%s", cmd, out)
			}
		}
	}
	if out := run("file list /"); func() bool {
		for _, p := range internalPaths {
			if strings.Contains(out, strings.TrimPrefix(p, "/")+"/") {
				return true
			}
		}
		return false
	}() {
		t.Errorf("file list / shows internal trees:\n%s", out)
	}
	for f, data := range files {
		if got, err := os.ReadFile(f); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s changed: %q %v", f, got, err)
		}
	}
	for _, p := range internalPaths {
		if _, err := os.Stat(filepath.Join(r.dir, p, "new")); err == nil {
			t.Errorf("%s/new was written", p)
		}
	}
	if _, err := os.Stat(filepath.Join(r.dir, "var", "tmp", "stolen")); err == nil {
		t.Error("an internal file was copied out")
	}
	if got := r.DB.Active().Text(); strings.Contains(got, "host-name x") {
		t.Errorf("a load changed the configuration:\n%s", got)
	}
}

// runCommands runs CLI commands on r, as a script given to the CLI, and
// returns what they printed.
func runCommands(r *Router, cmds string) string {
	var out bytes.Buffer
	sh, done := r.NewShell(ShellOptions{Out: &out})
	defer done()
	sh.RunCommands(context.Background(), cmds)
	return out.String()
}
