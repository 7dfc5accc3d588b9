package schema

import (
	"strings"
	"testing"
)

func TestOverlayPathsExist(t *testing.T) {
	if _, missing := build(junosRoot); len(missing) > 0 {
		t.Errorf("overlay paths naming no statement: %q", missing)
	}
}

func TestRootShape(t *testing.T) {
	r := Root()
	if r != Root() {
		t.Fatal("Root returns a different table on the second call")
	}
	var names []string
	for _, c := range r.Children {
		names = append(names, c.Name)
	}
	got := strings.Join(names, " ")
	want := "version system chassis services security interfaces routing-options protocols policy-options access routing-instances"
	if !strings.HasPrefix(got, want) {
		t.Errorf("top-level order:\n got %s\nwant %s ...", got, want)
	}
	for _, skip := range []string{"groups", "apply-groups", "rcsid"} {
		if r.Child(skip) != nil {
			t.Errorf("meta statement %q is in the table", skip)
		}
	}
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, c := range n.Children {
			if c.Parent != n {
				t.Fatalf("%s: Parent not linked", strings.Join(c.Path(), " "))
			}
			if n.Child(c.Name) != c {
				t.Fatalf("%s: Child does not find it", strings.Join(c.Path(), " "))
			}
			walk(c)
		}
	}
	walk(r)
}

func TestOverlayFacts(t *testing.T) {
	r := Root()
	at := func(path string) *Node {
		t.Helper()
		n := lookup(r, path)
		if n == nil {
			t.Fatalf("%s: not in the table", path)
		}
		return n
	}
	for _, m := range mandatory {
		if !at(m.path).Mandatory {
			t.Errorf("%s: not mandatory", m.path)
		}
	}
	for _, d := range defaults {
		if got := at(d.path).Default; got != d.value {
			t.Errorf("%s: default %q, want %q", d.path, got, d.value)
		}
	}
	secrets := []string{
		"services ipsec-vpn ike policy pre-shared-key ascii-text",
		"services ipsec-vpn ike policy pre-shared-key hexadecimal",
		"services ipsec-vpn rule term then manual direction authentication key ascii-text",
		"services ipsec-vpn rule term then manual direction encryption key hexadecimal",
		"access profile client ike pre-shared-key ascii-text",
		"system root-authentication encrypted-password",
		"system login user authentication encrypted-password",
		"security pki ca-profile revocation-check crl url password",
		"protocols ospf area interface authentication md5 key",
	}
	for _, p := range secrets {
		if !at(p).Secret {
			t.Errorf("%s: not secret", p)
		}
	}
	if n := at("interfaces interface"); !n.NoKeyword || n.Kind != List {
		t.Errorf("interfaces interface: a list without keyword expected, got %+v", n.Kind)
	}
	if n := at("policy-options policy-statement term from route-filter"); len(n.Keys) != 3 {
		t.Errorf("route-filter keys %q, want three", n.Keys)
	}
	if !at("system root-authentication plain-text-password").Prompt {
		t.Error("plain-text-password does not prompt")
	}
	if got := len(helpTexts); got < 200 {
		t.Errorf("%d help texts, want at least 200", got)
	}
	seen := map[string]bool{}
	for _, h := range helpTexts {
		if seen[h.path] {
			t.Errorf("help of %q given twice", h.path)
		}
		seen[h.path] = true
		if h.value == "" || strings.HasSuffix(h.value, ".") {
			t.Errorf("help of %q: %q is empty or ends with a period", h.path, h.value)
		}
	}
}

// BenchmarkRoot measures what the first Root call of a process costs: a
// fresh builder over the generated table.
func BenchmarkRoot(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var bl builder
		if bl.get() == nil {
			b.Fatal("no root")
		}
	}
}
