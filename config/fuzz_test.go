package config

import (
	"strings"
	"testing"
)

// FuzzParseText feeds random curly-brace text to the loader: no panic, a
// failed load changes nothing, and what loads renders to text that loads
// back to the same rendering.
func FuzzParseText(f *testing.F) {
	f.Add("system { host-name R1; }")
	f.Add("interfaces { ge-1/0/0 { unit 0 { family inet { address 10.0.0.1/24; } } } }")
	f.Add("services { service-set ss1 { ipsec-vpn-options { local-gateway 10.0.1.1; anti-replay-window-size 128; } } }")
	f.Add("/* note */ inactive: system { host-name \"a b\"; }")
	f.Add("routing-options { static { route 0.0.0.0/0 next-hop [ 10.0.0.1 10.0.0.2 ]; } }")
	f.Add("interfaces { replace: ge-1/0/0 { disable; } }")
	f.Add("/*#note*/\nsystem { host-name x; }")
	f.Add("# first\n# second\nsystem { host-name x; } ## trailing\n")
	f.Fuzz(func(t *testing.T, text string) {
		_, s := newSession(t)
		mustSet(t, s, "system host-name keep")
		before := s.Candidate().Text()
		if err := s.Load(LoadMerge, text, "terminal", false); err != nil {
			if s.Candidate().Text() != before {
				t.Fatalf("failed load changed the candidate")
			}
			return
		}
		out := s.Candidate().Text()
		_, s2 := newSession(t)
		if err := s2.Load(LoadOverride, out, "terminal", false); err != nil {
			t.Fatalf("rendered text does not load: %v\n%s", err, out)
		}
		if again := s2.Candidate().Text(); again != out {
			t.Fatalf("render → load → render differs:\n%s\n---\n%s", out, again)
		}
	})
}

// FuzzSetLine feeds random set lines: no panic, errors change nothing.
func FuzzSetLine(f *testing.F) {
	for _, l := range []string{
		"set system host-name R1",
		"set interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24",
		"set services ipsec-vpn rule r1 term t1 then manual direction bidirectional spi 300",
		"set services service-set ss1 ipsec-vpn-options anti-replay-window-size 10",
		"delete interfaces ge-1/0/0",
		"set routing-options static route 10.0.0.0/8 next-hop [ 1.1.1.1 2.2.2.2 ]",
		"deactivate system",
		"edit services",
	} {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		_, s := newSession(t)
		before := s.Candidate().Text()
		if err := s.Load(LoadSet, line, "terminal", false); err != nil {
			if s.Candidate().Text() != before {
				t.Fatal("failed load set changed the candidate")
			}
			return
		}
		out := s.Candidate().SetLines(nil)
		_, s2 := newSession(t)
		if err := s2.Load(LoadSet, out, "terminal", false); err != nil && !strings.Contains(err.Error(), "statement not found") {
			t.Fatalf("display set output does not load: %v\n%s", err, out)
		}
	})
}
