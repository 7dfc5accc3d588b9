package chassis

import (
	"errors"
	"testing"
	"time"
)

func TestParseLayout(t *testing.T) {
	tests := map[string]struct {
		yaml    string
		wantErr bool
		names   []string // interfaces that must exist
	}{
		"empty is default mx480": {yaml: "", names: []string{"ge-1/0/0", "ge-1/0/1", "ms-1/2/0", "so-0/0/0", "sp-1/2/0"}},
		"e2 r1":                  {yaml: "{model: mx960, fpcs: {1: {pics: {0: 10x1ge}}, 4: {type: ms-mpc}}}", names: []string{"ms-4/0/0", "ms-4/3/0", "ge-1/0/9"}},
		"e2 r2":                  {yaml: "{model: mx480, fpcs: {1: {type: mpc, pics: {0: ms-mic, 2: 10x1ge}}}}", names: []string{"ms-1/0/0", "ge-1/2/0"}},
		"mx104 builtin":          {yaml: "{model: mx104, fpcs: {1: {pics: {0: ms-mic}}}}", names: []string{"xe-2/0/3", "ms-1/0/0"}},
		"unknown model":          {yaml: "model: mx2020", wantErr: true},
		"unknown key":            {yaml: "modle: mx480", wantErr: true},
		"slot out of range":      {yaml: "{model: mx240, fpcs: {3: {}}}", wantErr: true},
		"ms-mic on odd pic":      {yaml: "{fpcs: {1: {pics: {1: ms-mic}}}}", wantErr: true},
		"mixed mic":              {yaml: "{fpcs: {1: {pics: {0: 10x1ge, 1: 2x10ge}}}}", wantErr: true},
		"pics on ms-mpc":         {yaml: "{fpcs: {1: {type: ms-mpc, pics: {0: 10x1ge}}}}", wantErr: true},
		"builtin slot":           {yaml: "{model: mx104, fpcs: {2: {}}}", wantErr: true},
		"mpc on mx104":           {yaml: "{model: mx104, fpcs: {0: {type: mpc}}}", wantErr: true},
		"sp on port pic":         {yaml: "{fpcs: {1: {pics: {0: {type: 10x1ge, adaptive-services: true}}}}}", wantErr: true},
		"builtin pic on mpc":     {yaml: "{fpcs: {1: {pics: {0: 4x10ge}}}}", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			l, err := ParseLayout([]byte(tc.yaml))
			if tc.wantErr {
				if !errors.Is(err, ErrLayout) {
					t.Fatalf("ParseLayout(%q) = %v, want an ErrLayout", tc.yaml, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLayout(%q): %v", tc.yaml, err)
			}
			c, err := New("r", l)
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]bool{}
			for _, n := range c.hardwareNames() {
				have[n] = true
			}
			for _, n := range tc.names {
				if !have[n] {
					t.Errorf("%s missing from %v", n, c.hardwareNames())
				}
			}
		})
	}
}

func TestUptime(t *testing.T) {
	for d, want := range map[int64]string{
		35:     "35 seconds",
		3661:   "1 hour, 1 minute, 1 second",
		86400:  "1 day, 0 hours, 0 minutes, 0 seconds",
		190598: "2 days, 4 hours, 56 minutes, 38 seconds",
	} {
		if got := uptime(secs(d)); got != want {
			t.Errorf("uptime(%ds) = %q, want %q", d, got, want)
		}
	}
}

func FuzzParseLayout(f *testing.F) {
	for _, s := range []string{"", "model: mx960", "{fpcs: {1: {pics: {0: 10x1ge, 2: ms-mic}}, 4: {type: ms-mpc}}}",
		"{model: mx104, fpcs: {1: {pics: {0: {type: ms-mic, adaptive-services: true}}}}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLayout([]byte(s))
		if err != nil {
			return
		}
		if _, err := New("r", l); err != nil {
			t.Fatalf("ParseLayout accepted %q but New fails: %v", s, err)
		}
	})
}

func FuzzSplitName(f *testing.F) {
	for _, s := range []string{"ge-1/0/0", "ge-1/0/0.0", "lo0.16384", ".", "x.", "a.+1", "ms-1/2/0.-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, u, ok := splitName(s)
		if !ok {
			return
		}
		if u < -1 || (u == -1 && p != s) || p == "" {
			t.Fatalf("splitName(%q) = %q, %d", s, p, u)
		}
	})
}

func secs(n int64) time.Duration { return time.Duration(n) * time.Second }
