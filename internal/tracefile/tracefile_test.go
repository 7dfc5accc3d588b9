package tracefile

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFile(t *testing.T) {
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2026, 12, 6, 9, 5, 1, 0, time.UTC) }
	f := New(dir, "pkid: ", now)
	f.Write("dropped: no file")
	f.Set("a", "opened")
	f.Write("one")
	f.Set("b", "opened")
	f.Write("two")
	f.Set("", "")
	f.Write("dropped: closed")
	if f.Open() {
		t.Error("open after Set(\"\")")
	}
	for name, want := range map[string]string{
		"a": "Dec  6 09:05:01 pkid: opened\nDec  6 09:05:01 pkid: one\n",
		"b": "Dec  6 09:05:01 pkid: opened\nDec  6 09:05:01 pkid: two\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
		if fi, _ := os.Stat(filepath.Join(dir, name)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", name, fi.Mode())
		}
	}
	New("", "", now).Set("x", "opened") // no directory: nothing written, no panic
}
