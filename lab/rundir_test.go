package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestEnsureRunRoot(t *testing.T) {
	base := t.TempDir()
	fresh := filepath.Join(base, "a", "mxlab")
	if err := EnsureRunRoot(fresh); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("made %v %v, want mode 0700", fi.Mode(), err)
	}
	if err := EnsureRunRoot(fresh); err != nil {
		t.Fatalf("again: %v", err)
	}

	open := filepath.Join(base, "open")
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o755)
	link := filepath.Join(base, "link")
	os.Symlink(fresh, link)
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	cases := []struct{ dir, want string }{
		{open, "has mode 0755, open to other users: make it 0700 (chmod 700 " + open + "), or choose another with MXLAB_RUN_DIR=DIR"},
		{link, "is not a directory (L"},
		{file, "is not a directory"},
	}
	if os.Geteuid() == 0 {
		other := filepath.Join(base, "other")
		os.Mkdir(other, 0o700)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ dir, want string }{other, "belongs to user 65534, not to you (user 0): remove it"})
	} else {
		t.Log("not root: the directory of another user is not tried")
	}
	for _, c := range cases {
		err := EnsureRunRoot(c.dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.dir, err, c.want)
		}
	}
}

// A lab that would run out of open files is refused before anything is
// made, with the figures and what to do.
func TestCheckFiles(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skip(err)
	}
	lim := old
	lim.Cur = 256
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
	var b strings.Builder
	b.WriteString("name: big\ntopology:\n  nodes:\n")
	for i := range 40 {
		fmt.Fprintf(&b, "    r%d: {kind: mx}\n", i)
	}
	topo, err := Parse([]byte(b.String()), "/lab", FilesOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = checkFiles(topo, nil)
	if err == nil || !strings.Contains(err.Error(), "lab big needs about 392 open files (40 nodes) and this process may open") ||
		!strings.Contains(err.Error(), "(ulimit -n 256, hard limit") {
		t.Fatalf("got %v", err)
	}
	small, err := Parse([]byte("name: s\ntopology:\n  nodes:\n    r1: {kind: mx}\n"), "/lab", FilesOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkFiles(small, nil); err != nil {
		t.Fatalf("one router: %v", err)
	}
}

// Hosts hold no file once set up.
func TestFilesNeededHosts(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: hosts\ntopology:\n  nodes:\n    r1: {kind: mx}\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "    h%d: {kind: linux}\n", i)
	}
	topo, err := Parse([]byte(b.String()), "/lab", FilesOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := FilesNeeded(topo), filesBase+filesPerRouter; got != want {
		t.Errorf("FilesNeeded = %d, want %d", got, want)
	}
}
