package shell_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxlab/shell"
)

// TestFileCopy copies within the router's files and from the host, and
// keeps the hidden tree out of reach.
func TestFileCopy(t *testing.T) {
	state, host := t.TempDir(), t.TempDir()
	for _, d := range []string{"var/tmp", "var/home/lab", "pki/key-pair"} {
		os.MkdirAll(filepath.Join(state, d), 0o755)
	}
	os.WriteFile(filepath.Join(state, "pki/key-pair/k.key"), []byte("secret"), 0o600)
	os.WriteFile(filepath.Join(state, "var/tmp/a.txt"), []byte("router file\n"), 0o644)
	hostFile := filepath.Join(host, "ca.crt")
	os.WriteFile(hostFile, []byte("host file\n"), 0o644)
	os.Symlink(filepath.Join(state, "pki"), filepath.Join(host, "link"))

	run := func(hostFiles bool, cmds string) string {
		opts := testOptions("lab", "r1", state)
		opts.Hidden = []string{"/pki"}
		opts.HostFiles = hostFiles
		var out bytes.Buffer
		opts.Out = &out
		shell.New(opts).RunCommands(context.Background(), cmds)
		return out.String()
	}
	read := func(p string) string {
		b, _ := os.ReadFile(filepath.Join(state, p))
		return string(b)
	}

	out := run(true, "file copy /var/tmp/a.txt /var/tmp/b.txt; file copy "+hostFile+" /var/tmp/; file copy /var/tmp/a.txt /var/home/lab/; file copy a.txt /var/tmp/c.txt")
	if strings.Contains(out, "error") {
		t.Fatalf("copies failed:\n%s", out)
	}
	if read("var/tmp/b.txt") != "router file\n" || read("var/tmp/ca.crt") != "host file\n" || read("var/tmp/c.txt") != "router file\n" {
		t.Errorf("copied files: %q %q", read("var/tmp/b.txt"), read("var/tmp/ca.crt"))
	}
	for _, tt := range []struct {
		host bool
		cmds string
		want string
	}{
		// Without host files, an absolute path is the router's.
		{false, "file copy " + hostFile + " /var/tmp/x", "error: could not resolve file: " + hostFile},
		{true, "file copy /var/tmp/nosuch /var/tmp/x", "error: could not resolve file: /var/tmp/nosuch"},
		{true, "file copy /pki/key-pair/k.key /var/tmp/k", "error: could not resolve file: /pki/key-pair/k.key"},
		{true, "file copy /var/tmp/a.txt /pki/key-pair/k.key", "error: could not resolve file: /pki/key-pair/k.key"},
		{true, "file copy /var/tmp /var/tmp/x", "error: could not resolve file: /var/tmp"},
		{true, "file copy scp://host/x /var/tmp/", "error: file copy from or to a URL is not available"},
		{true, "file show /pki/key-pair/k.key", "error: could not resolve file: /pki/key-pair/k.key"},
		{true, "file copy " + filepath.Join(state, "pki/key-pair/k.key") + " /var/tmp/k", "error: could not resolve file: " + filepath.Join(state, "pki/key-pair/k.key")},
		{true, "file copy " + filepath.Join(host, "link") + " /var/tmp/k", "error: could not resolve file: " + filepath.Join(host, "link")},
		{true, "file list /pki", "error: could not resolve file: /pki"},
		{true, "show cli | save /pki/x", "could not resolve file: /pki/x"},
	} {
		if out := run(tt.host, tt.cmds); !strings.Contains(out, tt.want) {
			t.Errorf("%s:\n%s\nwant %q", tt.cmds, out, tt.want)
		}
	}
	if out := run(true, "file list /"); strings.Contains(out, "pki") {
		t.Errorf("file list / shows the hidden tree:\n%s", out)
	}
	if read("pki/key-pair/k.key") != "secret" {
		t.Error("the hidden file changed")
	}
}
