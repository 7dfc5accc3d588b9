package lab

import (
	"errors"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestLoadLine3(t *testing.T) {
	topo, err := Load("testdata/line3/line3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if topo.Name != "line3" || len(topo.Nodes) != 5 || len(topo.Links) != 4 {
		t.Fatalf("got %s with %d nodes, %d links", topo.Name, len(topo.Nodes), len(topo.Links))
	}
	var names []string
	for _, n := range topo.Nodes {
		names = append(names, n.Name)
	}
	if got := strings.Join(names, " "); got != "h1 h2 r1 r2 r3" {
		t.Errorf("nodes in order %q", got)
	}
	r2 := topo.Node("r2")
	if r2.Kind != KindRouter || !strings.Contains(r2.Config, "set system host-name r2") || r2.Layout.BootDelay.Milliseconds() != 50 {
		t.Errorf("r2 = %+v", r2)
	}
	h1 := topo.Node("h1")
	if want := netip.MustParsePrefix("172.16.1.10/24"); len(h1.Interfaces["eth1"]) != 1 || h1.Interfaces["eth1"][0] != want {
		t.Errorf("h1 interfaces %v", h1.Interfaces)
	}
	if h1.Gateway != netip.MustParseAddr("172.16.1.1") {
		t.Errorf("h1 gateway %v", h1.Gateway)
	}
	if l := topo.Links[1]; l.A != (Endpoint{"r1", "ge-1/0/1"}) || l.B != (Endpoint{"r2", "ge-1/0/0"}) {
		t.Errorf("link 2 = %v", l)
	}
	if r, h := topo.Count(); r != 3 || h != 2 {
		t.Errorf("Count = %d, %d", r, h)
	}
	if got := topo.Namespace("r1"); got != "line3-r1" {
		t.Errorf("Namespace = %q", got)
	}
}

func TestParse(t *testing.T) {
	read := FilesOf(map[string]string{
		"r1.conf": "set system host-name r1\n",
		"c.yaml":  "model: mx960\nboot-delay: 10ms\n",
		"bad.yml": "model: mx9999\n",
	})
	const hosts = `
    h1:
      kind: linux
      interfaces:
        eth1: [10.1.0.10/24, 10.2.0.10/24]
      gateway: 10.1.0.1
`
	tests := []struct {
		name, yaml string
		err        string // "" for success
	}{
		{"minimal", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n", ""},
		{"model", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, model: mx960}\n", ""},
		{"chassis and config", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, chassis: c.yaml, config: r1.conf}\n", ""},
		{"host with list", "name: a\ntopology:\n  nodes:" + hosts + "    r1: {kind: mx}\n  links:\n    - endpoints: [r1:ge-1/0/0, h1:eth1]\n", ""},
		{"self link", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n  links:\n    - endpoints: [r1:ge-1/0/0, r1:ge-1/0/1]\n", ""},
		{"no name", "topology:\n  nodes:\n    r1: {kind: mx}\n", "lab name missing"},
		{"bad name", "name: a/b\ntopology:\n  nodes:\n    r1: {kind: mx}\n", "only letters"},
		{"no nodes", "name: a\n", "no nodes"},
		{"unknown key", "name: a\nfoo: 1\n", "field foo not found"},
		{"no kind", "name: a\ntopology:\n  nodes:\n    r1: {}\n", "kind missing"},
		{"bad kind", "name: a\ntopology:\n  nodes:\n    r1: {kind: vr-vmx}\n", `unknown kind "vr-vmx"`},
		{"both layouts", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, model: mx960, chassis: c.yaml}\n", "both given"},
		{"bad model", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, model: mx9999}\n", "mx9999"},
		{"bad layout file", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, chassis: bad.yml}\n", "bad.yml"},
		{"missing config", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, config: nope.conf}\n", "nope.conf"},
		{"router interfaces", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, interfaces: {eth1: 10.0.0.1/24}}\n", "for linux nodes"},
		{"host config", "name: a\ntopology:\n  nodes:\n    h1: {kind: linux, config: r1.conf}\n", "for mx nodes"},
		{"files", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, files: {/var/tmp/ca.crt: pki/ca.crt}}\n", ""},
		{"file outside /var", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx, files: {/etc/ca.crt: ca.crt}}\n", "must be under /var or /config"},
		{"host files", "name: a\ntopology:\n  nodes:\n    h1: {kind: linux, files: {/var/tmp/x: x}}\n", "for mx nodes"},
		{"bad address", "name: a\ntopology:\n  nodes:\n    h1: {kind: linux, interfaces: {eth1: 10.0.0.1}}\n", "is not a prefix"},
		{"bad gateway", "name: a\ntopology:\n  nodes:\n    h1: {kind: linux, gateway: x}\n", "gateway"},
		{"long host ifname", "name: a\ntopology:\n  nodes:\n    h1: {kind: linux, interfaces: {eth0123456789012: 10.0.0.1/24}}\n", "1-15 characters"},
		{"unlinked host interface", "name: a\ntopology:\n  nodes:\n    h1: {kind: linux, interfaces: {eth1: 10.0.0.1/24}}\n", "in no link"},
		{"one endpoint", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n  links:\n    - endpoints: [r1:ge-1/0/0]\n", "two endpoints"},
		{"no colon", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n  links:\n    - endpoints: [r1, r1:ge-1/0/0]\n", "not node:interface"},
		{"unknown node", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n  links:\n    - endpoints: [r9:ge-1/0/0, r1:ge-1/0/0]\n", "no node r9"},
		{"not a port", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n  links:\n    - endpoints: [r1:fxp0, r1:ge-1/0/0]\n", "not a port"},
		{"unit", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n  links:\n    - endpoints: [r1:ge-1/0/0.0, r1:ge-1/0/1]\n", "logical interface"},
		{"twice", "name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n    r2: {kind: mx}\n  links:\n    - endpoints: [r1:ge-1/0/0, r2:ge-1/0/0]\n    - endpoints: [r1:ge-1/0/0, r2:ge-1/0/1]\n", "in two links"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "/lab", read)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.err != "" && err == nil:
				t.Fatalf("no error, want %q", tc.err)
			case tc.err != "" && !strings.Contains(err.Error(), tc.err):
				t.Fatalf("error %q, want %q", err, tc.err)
			}
		})
	}
}

func TestParseErrorsWrapErrTopology(t *testing.T) {
	_, err := Parse([]byte("name: a\ntopology:\n  nodes:\n    r1: {kind: x}\n"), "/", FilesOf(nil))
	if !errors.Is(err, ErrTopology) {
		t.Fatalf("%v does not wrap ErrTopology", err)
	}
}

func TestParseStateDir(t *testing.T) {
	topo, err := Parse([]byte("name: a\ntopology:\n  nodes:\n    r1: {kind: mx, state-dir: st/r1}\n"), "/labs/a", FilesOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := topo.Node("r1").StateDir; got != "/labs/a/st/r1" {
		t.Errorf("StateDir = %q", got)
	}
}

// Paths in a topology file: absolute ones as given, relative ones (with
// "..") from the file's directory.
func TestParsePaths(t *testing.T) {
	var read []string
	rec := func(p string) ([]byte, error) { read = append(read, p); return []byte("x"), nil }
	topo, err := Parse([]byte(`name: a
topology:
  nodes:
    r1: {kind: mx, config: /etc/labs/r1.conf, state-dir: /var/lib/r1, files: {/var/tmp/a: ../common/a}}
    r2: {kind: mx, config: ../common/r2.conf, state-dir: ./st/../st/r2}
`), "/labs/a", rec)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/etc/labs/r1.conf", "/labs/common/r2.conf"}; !slices.Equal(read, want) {
		t.Errorf("read %q, want %q", read, want)
	}
	r1, r2 := topo.Node("r1"), topo.Node("r2")
	if r1.StateDir != "/var/lib/r1" || r2.StateDir != "/labs/a/st/r2" {
		t.Errorf("state dirs %q %q", r1.StateDir, r2.StateDir)
	}
	if got := r1.Files["/var/tmp/a"]; got != "/labs/common/a" {
		t.Errorf("file from %q", got)
	}
}

func FuzzParse(f *testing.F) {
	data, err := os.ReadFile("testdata/line3/line3.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("name: a\ntopology:\n  nodes:\n    r1: {kind: mx}\n  links:\n    - endpoints: [r1:ge-1/0/0, r1:ge-1/0/1]\n")
	read := FilesOf(map[string]string{"small.yaml": "boot-delay: 1ms\n", "r1.conf": "x", "r2.conf": "x", "r3.conf": "x"})
	f.Fuzz(func(t *testing.T, s string) {
		topo, err := Parse([]byte(s), "/lab", read)
		if err != nil {
			return
		}
		if topo.Name == "" || len(topo.Nodes) == 0 {
			t.Fatalf("accepted a lab without a name or nodes: %+v", topo)
		}
		for _, l := range topo.Links {
			for _, e := range []Endpoint{l.A, l.B} {
				if topo.Node(e.Node) == nil {
					t.Fatalf("link to unknown node %s", e)
				}
			}
		}
	})
}
