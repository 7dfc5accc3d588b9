package syslog

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixed() time.Time { return time.Date(2026, 12, 6, 4, 12, 22, 0, time.UTC) }

func TestEventLine(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir, Host: func() string { return "R1" }, Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	l.Event(Mgd(4242), "UI_COMMIT", "User '%s' requested '%s' operation (comment: %s)", "lab", "commit", "none")
	l.Event(Mib2d, "SNMP_TRAP_LINK_DOWN", "ifName %s", "ge-1/0/0\nDec  6 forged line")
	l.Close()
	got, _ := os.ReadFile(filepath.Join(dir, "messages"))
	want := "Dec  6 04:12:22  R1 mgd[4242]: UI_COMMIT: User 'lab' requested 'commit' operation (comment: none)\n" +
		"Dec  6 04:12:22  R1 mib2d[1867]: SNMP_TRAP_LINK_DOWN: ifName ge-1/0/0?Dec  6 forged line\n"
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "messages")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(Options{Dir: dir, Now: fixed, Size: 200, Files: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		l.Event(Chassisd, "TEST", "line %02d", i)
	}
	l.Close()
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "messages*"))
	if len(names) != 4 {
		t.Fatalf("files %v, want messages and 3 archives", names)
	}
	cur, _ := os.ReadFile(filepath.Join(dir, "messages"))
	if len(cur) > 200 || !strings.Contains(string(cur), "line 39") {
		t.Errorf("current file %q", cur)
	}
	f, _ := os.Open(filepath.Join(dir, "messages.0.gz"))
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := io.ReadAll(zr)
	if !strings.Contains(string(old), "TEST: line") || strings.Contains(string(old), "line 39") {
		t.Errorf("archive %q", old)
	}
}

func TestNilLog(t *testing.T) {
	var l *Log
	l.Event(Kmd, "X", "y")
	if l.Close() != nil || l.Err() != nil {
		t.Fatal("nil log")
	}
}

func TestSubscribe(t *testing.T) {
	l, err := Open(Options{Dir: t.TempDir(), Host: func() string { return "R1" }, Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Event(Mgd(1), "UI_LOGIN_EVENT", "before")
	var got []Entry
	stop := l.Subscribe(func(e Entry) { got = append(got, e) })
	l.Event(Mgd(4242), "UI_COMMIT", "User '%s' requested 'commit' operation\n(comment: none)", "lab")
	l.Event(Kmd, "KMD_PM_SA_ESTABLISHED", "up")
	stop()
	l.Event(Kmd, "KMD_PM_SA_ESTABLISHED", "after")
	want := []Entry{
		{Time: fixed(), Process: Mgd(4242), Tag: "UI_COMMIT", Msg: "User 'lab' requested 'commit' operation?(comment: none)"},
		{Time: fixed(), Process: Kmd, Tag: "KMD_PM_SA_ESTABLISHED", Msg: "up"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries %+v, want %+v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	var nilLog *Log
	nilLog.Subscribe(func(Entry) { t.Error("nil log called a subscriber") })()
}
