package config

import (
	"context"
	goflag "flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = goflag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// newSession returns a shared configuration session on an in-memory DB
// with a fixed clock.
func newSession(t testing.TB) (*DB, *Session) {
	t.Helper()
	clock := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	db, err := Open(Options{Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	s, _, _, err := db.Begin(Who{User: "lab", Terminal: "pts/0", PID: 1}, Shared)
	if err != nil {
		t.Fatal(err)
	}
	return db, s
}

func words(t testing.TB, line string) []string {
	t.Helper()
	w, err := SplitWords(line)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// mustSet applies set lines (without the "set" word).
func mustSet(t testing.TB, s *Session, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if err := s.Set(words(t, l)); err != nil {
			t.Fatalf("set %s: %v", l, err)
		}
	}
}

func TestSetShow(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s,
		"system host-name R1",
		"interfaces ge-1/0/0 description \"LAN side\"",
		"interfaces ge-1/0/0 unit 0 family inet address 172.16.0.1/16",
		"interfaces ms-4/0/0 unit 1 family inet",
		"interfaces ms-4/0/0 unit 1 service-domain inside",
		"routing-options static route 192.168.0.0/16 next-hop ms-4/0/0.1",
		"services service-set ss1 next-hop-service inside-service-interface ms-4/0/0.1",
		"services service-set ss1 ipsec-vpn-options local-gateway 10.0.1.1",
		"services ipsec-vpn rule r1 match-direction input",
	)
	got, err := s.Show(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "set-show.golden", got)
	set, err := s.Show(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "set-show-set.golden", set)
}

func TestSetErrors(t *testing.T) {
	_, s := newSession(t)
	tests := []struct {
		line string
		tok  int
		msg  string
	}{
		{"system", 1, "missing argument."},
		{"systemx host-name a", 0, "syntax error."},
		{"interfaces", 1, "missing argument."},
		{"services service-set ss1 ipsec-vpn-options anti-replay-window-size 10", 5, "value 10 is not within range (64..4096) at '10'"},
		{"services ipsec-vpn rule r1 match-direction sideways", 5, "syntax error."},
		{"services ipsec-vpn rule r1 term t1 then manual direction bidirectional spi", 11, "missing argument."},
	}
	for _, tc := range tests {
		err := s.Set(words(t, tc.line))
		ie, ok := err.(*InputError)
		if !ok {
			t.Errorf("set %s: got %v, want InputError", tc.line, err)
			continue
		}
		if ie.Tok != tc.tok || !strings.HasPrefix(ie.Msg, strings.TrimSuffix(tc.msg, " at '10'")) {
			t.Errorf("set %s: got (%d, %q), want (%d, %q)", tc.line, ie.Tok, ie.Msg, tc.tok, tc.msg)
		}
	}
	if s.Dirty() {
		t.Errorf("failed set commands changed the candidate:\n%s", s.Candidate().Text())
	}
}

func TestAmbiguous(t *testing.T) {
	_, s := newSession(t)
	err := s.Set(words(t, "services ipsec-vpn rule r1 term t1 then c"))
	ie, ok := err.(*InputError)
	if !ok || !ie.Ambiguous() {
		t.Fatalf("got %v, want an ambiguity", err)
	}
	if ie.Msg != "'c' is ambiguous." {
		t.Errorf("msg %q", ie.Msg)
	}
	// Unique prefixes work anywhere.
	mustSet(t, s, "serv ipsec-vpn rule r1 te t1 th rem 10.0.1.2")
	if got, _ := s.Show(words(t, "services ipsec-vpn rule r1 term t1 then"), true); got != "set services ipsec-vpn rule r1 term t1 then remote-gateway 10.0.1.2\n" {
		t.Errorf("got %q", got)
	}
}

func TestChoiceReplacesCase(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s, "routing-options static route 10.0.0.0/8 next-hop 10.0.1.2")
	mustSet(t, s, "routing-options static route 10.0.0.0/8 discard")
	got, _ := s.Show(words(t, "routing-options"), true)
	if got != "set routing-options static route 10.0.0.0/8 discard\n" {
		t.Errorf("got %q", got)
	}
}

func TestDelete(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s,
		"routing-options static route 10.0.0.0/8 next-hop 10.0.1.2",
		"routing-options static route 10.0.0.0/8 next-hop 10.0.1.6",
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30",
		"interfaces ge-1/0/0 disable",
	)
	for _, l := range []string{
		"routing-options static route 10.0.0.0/8 next-hop 10.0.1.2",
		"interfaces ge-1/0/0 disable",
	} {
		if err := s.Delete(words(t, l)); err != nil {
			t.Fatalf("delete %s: %v", l, err)
		}
	}
	got, _ := s.Show(nil, true)
	want := "set interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30\nset routing-options static route 10.0.0.0/8 next-hop 10.0.1.6\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := s.Delete(words(t, "interfaces ge-1/0/1")); err != ErrNotFound {
		t.Errorf("deleting an absent statement: %v", err)
	}
	if err := s.Delete(words(t, "interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30")); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Show(nil, true)
	want = "set interfaces ge-1/0/0 unit 0 family inet\nset routing-options static route 10.0.0.0/8 next-hop 10.0.1.6\n"
	if got != want { // family inet is a statement of its own; unit 0 stays with it
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := s.Delete(words(t, "routing-options static route 10.0.0.0/8")); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Show(words(t, "routing-options"), true); got != "" {
		t.Errorf("empty containers were kept: %q", got)
	}
}

func TestEditLevel(t *testing.T) {
	_, s := newSession(t)
	if err := s.Edit(words(t, "services service-set ss1")); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Level(), " "); got != "services service-set ss1" {
		t.Errorf("level %q", got)
	}
	mustSet(t, s, "ipsec-vpn-options local-gateway 10.0.1.1")
	s.Up(1)
	if got := strings.Join(s.Level(), " "); got != "services" {
		t.Errorf("after up: level %q", got)
	}
	s.Top()
	got, _ := s.Show(words(t, "services"), false)
	want := "service-set ss1 {\n    ipsec-vpn-options {\n        local-gateway 10.0.1.1;\n    }\n}\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestActivateAnnotate(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s, "interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30", "system host-name R1")
	if err := s.SetActive(words(t, "interfaces ge-1/0/0"), false); err != nil {
		t.Fatal(err)
	}
	if err := s.Annotate(words(t, "system"), "lab router"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Show(nil, false)
	golden(t, "inactive.golden", got)
	set, _ := s.Show(nil, true)
	golden(t, "inactive-set.golden", set)
}

func TestCompare(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s,
		"system host-name old",
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.12.1/24",
		"protocols ospf area 0.0.0.2 interface ge-1/0/0.0",
	)
	if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s,
		"system host-name device",
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.50.1/24",
		"interfaces ge-1/0/1 unit 0 family inet address 10.0.13.1/24",
		"routing-options static route 0.0.0.0/0 next-hop 10.0.12.2",
	)
	if err := s.Delete(words(t, "interfaces ge-1/0/0 unit 0 family inet address 10.0.12.1/24")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetActive(words(t, "protocols ospf"), false); err != nil {
		t.Fatal(err)
	}
	got, err := s.Compare(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden", got)
}

func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"e2-r1.set", "e2-r2.set", "e3-pe.set", "e4.set"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(examplesDir, name))
			if err != nil {
				t.Skip(err)
			}
			_, s := newSession(t)
			if err := s.Load(LoadSet, string(src), name, false); err != nil {
				t.Fatal(err)
			}
			text := s.Candidate().Text()
			_, s2 := newSession(t)
			if err := s2.Load(LoadOverride, text, "terminal", false); err != nil {
				t.Fatalf("reloading the rendered text: %v\n%s", err, text)
			}
			if again := s2.Candidate().Text(); again != text {
				t.Errorf("render → load → render differs:\n%s\n---\n%s", text, again)
			}
			set := s.Candidate().SetLines(nil)
			_, s3 := newSession(t)
			if err := s3.Load(LoadSet, set, "terminal", false); err != nil {
				t.Fatal(err)
			}
			if again := s3.Candidate().Text(); again != text {
				t.Errorf("display set → load set → render differs")
			}
			for i := 0; i < 5; i++ { // deterministic rendering
				if s.Candidate().Text() != text {
					t.Fatal("rendering is not deterministic")
				}
			}
		})
	}
}

// TestCompareRemovalOrder: a removed statement is reported at its place
// in schema order, not after the sections of later statements.
func TestCompareRemovalOrder(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s, "system host-name R1", "interfaces ge-1/0/0 description a")
	if _, err := s.Commit(context.Background(), CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(words(t, "system")); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, "interfaces ge-1/0/0 description b")
	got, _ := s.Compare(0, nil)
	want := "[edit]\n-  system {\n-      host-name R1;\n-  }\n[edit interfaces ge-1/0/0]\n-    description a;\n+    description b;\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
