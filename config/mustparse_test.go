package config

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMust(t *testing.T) {
	tests := []struct{ in, want string }{
		{`(".. address")`, `".. address"`},
		{`!".. a"`, `!(".. a")`},
		{`"a" || "b" && "c"`, `("a" || ("b" && "c"))`},
		{`!"a" && "b"`, `(!("a") && "b")`},
		{`((("a")))`, `"a"`},
		{`any ". <*> l2tp"`, `any ". <*> l2tp"`},
		{`all "x $$ key <*> algorithm"`, `all "x $$ key <*> algorithm"`},
		{`unique "a <*> b $$"`, `unique "a <*> b $$"`},
		{`(" .. passive")`, `".. passive"`},
		{`(".. .. direction $$={inbound}")`, `".. .. direction $$={inbound}"`},
	}
	for _, tc := range tests {
		e, err := parseMust(tc.in)
		if err != nil {
			t.Errorf("parseMust(%q): %v", tc.in, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("parseMust(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{``, `(`, `("a"`, `"a`, `""`, `!`, `"a" &&`, `"a" "b"`, `any`, `a`, `("a"))`, `"a" | "b"`} {
		if e, err := parseMust(bad); err == nil {
			t.Errorf("parseMust(%q) = %v, want an error", bad, e)
		}
	}
}

// treePath is the resolved YANG tree of the sibling reference checkout.
var treePath = filepath.Join("..", "..", "shared", "yang", "24.4R1", "tree.txt")

// TestParseMustTree parses every junos:must expression of the YANG tree the
// schema table is generated from.
func TestParseMustTree(t *testing.T) {
	f, err := os.Open(treePath)
	if err != nil {
		t.Skipf("YANG tree not available (%v); the reference checkout ../shared is needed for this test", err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		expr, ok := strings.CutPrefix(line, "! must ")
		if !ok {
			continue
		}
		expr, _, _ = strings.Cut(expr, "  => ")
		n++
		e, err := parseMust(expr)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if again, err := parseMust(e.String()); err != nil || again.String() != e.String() {
			t.Errorf("re-parse of %s = %v, %v", e, again, err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 300 {
		t.Errorf("found %d must expressions in %s, want the ~317 of 24.4R1", n, treePath)
	}
}

func FuzzParseMust(f *testing.F) {
	for _, s := range []string{
		`((!(".. copy-dont-fragment-bit") && !(".. set-dont-fragment-bit")))`,
		`("interfaces $$-IFL family inet address" || "interfaces $$-IFL family inet dhcp")`,
		`(all "security authentication-key-chains key-chain $$ key <*> algorithm")`,
		`(!(any ".. .. interface <st*> ipsec-sa $$"))`,
		`unique "a <*> b"`, `(".. .. direction $$={inbound}")`,
	} {
		f.Add(s)
	}
	sch := testSchema()
	root := &Node{S: sch}
	for _, l := range []string{
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30",
		"services service-set ss1 ipsec-vpn-options local-gateway 10.0.1.1",
		"access profile p1 client a l2tp",
	} {
		tset(f, root, l)
	}
	self := root.Kid("services").Kids[0]
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseMust(s)
		if err != nil {
			return
		}
		again, err := parseMust(e.String())
		if err != nil || again.String() != e.String() {
			t.Fatalf("parseMust(%q).String() = %s does not re-parse: %v", s, e, err)
		}
		// Evaluation must not panic, wherever the paths lead.
		e.eval(&mustCtx{root: root, self: self, value: "ge-1/0/0.0"})
		e.eval(&mustCtx{root: root, self: self, onKey: true, value: "ss1"})
	})
}
