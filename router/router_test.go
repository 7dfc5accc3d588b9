package router

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mxlab/config"
	"mxlab/routing"
)

func newRouter(t *testing.T, startup string) *Router {
	t.Helper()
	r, err := New(Options{Name: "r1", StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), startup); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// TestStartupConfig: a startup configuration (set lines or curly-brace
// text) is committed and reaches the chassis and the routing table.
func TestStartupConfig(t *testing.T) {
	for name, text := range map[string]string{
		"set": "set system host-name R1\nset interfaces ge-1/0/0 description \"to R2\"\n" +
			"set interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30\n" +
			"set routing-options static route 192.168.0.0/16 discard\n",
		"text": "system { host-name R1; }\ninterfaces { ge-1/0/0 { description \"to R2\"; unit 0 { family inet { address 10.0.1.1/30; } } } }\n" +
			"routing-options { static { route 192.168.0.0/16 discard; } }\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := newRouter(t, text)
			if h := r.Hostname(); h != "R1" {
				t.Errorf("host-name %q", h)
			}
			st, ok := r.Chassis.Interface("ge-1/0/0")
			if !ok || st.Description != "to R2" {
				t.Errorf("chassis interface %+v %v", st, ok)
			}
			cfg := r.Routing.Config()
			if len(cfg.Static) != 1 || !cfg.Static[0].Discard {
				t.Errorf("routing config %+v", cfg.Static)
			}
			h := r.DB.History()
			if len(h) != 2 || h[0].Via != "other" || h[0].Comment != "startup configuration" || h[1].User != "root" {
				t.Errorf("history %+v", h)
			}
		})
	}
}

// TestStartupConfigError: a startup configuration that does not commit
// stops the start with the Junos error.
func TestStartupConfigError(t *testing.T) {
	r, err := New(Options{Name: "r1", StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	err = r.Start(context.Background(), "set services service-set ss1 ipsec-vpn-rules r1\nset services ipsec-vpn rule r1 match-direction input\n")
	if err == nil || !strings.Contains(err.Error(), "Local gateway must be configured with IPSec rules") {
		t.Errorf("got %v", err)
	}
}

// TestRoutingConfig maps static routes, instances and unnumbered units.
func TestRoutingConfig(t *testing.T) {
	r := newRouter(t, "")
	db, err := config.Open(config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _, _, _ := db.Begin(config.Who{User: "lab"}, config.Shared)
	text := `set interfaces ms-1/2/0 unit 1 family inet
set interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30
set routing-options router-id 192.0.2.1
set routing-options static route 192.168.0.0/16 next-hop ms-1/2/0.1
set routing-options static route 10.9.0.0/16 qualified-next-hop 10.0.1.2 preference 7
set routing-options static route 10.8.0.0/16 next-hop 10.0.1.2
set routing-options static route 10.8.0.0/16 preference 9
set routing-instances vr1 instance-type virtual-router
set routing-instances vr1 interface ge-1/0/1.0
`
	if err := s.Load(config.LoadSet, text, "t", false); err != nil {
		t.Fatal(err)
	}
	cfg := routing.ParseConfig(s.Candidate(), r.fwd.linkState)
	if cfg.RouterID != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("router-id %v", cfg.RouterID)
	}
	want := map[string]bool{"ms-1/2/0.1": false, "ge-1/0/0.0": true}
	for _, a := range cfg.Interfaces {
		hasAddr, ok := want[a.Name]
		if !ok || hasAddr != a.Prefix.IsValid() {
			t.Errorf("interface %+v", a)
		}
	}
	byPrefix := map[string]routing.StaticRoute{}
	for _, sr := range cfg.Static {
		byPrefix[sr.Prefix.String()] = sr
	}
	if sr := byPrefix["192.168.0.0/16"]; len(sr.NextHops) != 1 || sr.NextHops[0].Interface != "ms-1/2/0.1" {
		t.Errorf("interface next hop %+v", sr)
	}
	if sr := byPrefix["10.9.0.0/16"]; len(sr.Qualified) != 1 || sr.Qualified[0].Preference != 7 {
		t.Errorf("qualified next hop %+v", sr)
	}
	if sr := byPrefix["10.8.0.0/16"]; sr.Preference != 9 {
		t.Errorf("preference %+v", sr)
	}
	if len(cfg.Instances) != 1 || cfg.Instances[0].Type != "virtual-router" || cfg.Instances[0].Interfaces[0] != "ge-1/0/1.0" {
		t.Errorf("instances %+v", cfg.Instances)
	}
}

func TestLooksLikeSetLines(t *testing.T) {
	for text, want := range map[string]bool{
		"# comment\nset system host-name a\n": true,
		"system { host-name a; }\n":           false,
		"\n\ndelete interfaces\n":             true,
		"":                                    false,
	} {
		if got := looksLikeSetLines(text); got != want {
			t.Errorf("%q: got %v", text, got)
		}
	}
}

// TestStateDirLocked: a second router on the same state directory is
// refused and told who holds it; the lock goes when the first stops.
func TestStateDirLocked(t *testing.T) {
	dir := t.TempDir()
	r1, err := New(Options{Name: "r1", StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(Options{Name: "r1", StateDir: dir})
	want := fmt.Sprintf("router r1: state directory %s: %s is held by process %d", dir, filepath.Join(dir, "lock"), os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("second router: %v\nwant %s", err, want)
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("%v is not ErrLocked", err)
	}
	r1.Stop()
	r2, err := New(Options{Name: "r1", StateDir: dir})
	if err != nil {
		t.Fatalf("after stop: %v", err)
	}
	r2.Stop()
}
