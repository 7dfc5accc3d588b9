package schema

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// render describes a subtree, one statement a line, as the CLI sees it.
func render(b *bytes.Buffer, n *Node, depth int) {
	var attrs []string
	add := func(ok bool, s string, args ...any) {
		if ok {
			attrs = append(attrs, fmt.Sprintf(s, args...))
		}
	}
	add(true, "%s", n.Kind)
	add(n.Kind == Leaf || n.Kind == LeafList, "%s %s", n.Type, n.Placeholder())
	add(len(n.Keys) > 0, "keys=%s", strings.Join(n.Keys, ","))
	add(n.RangeHelp() != "", "range=%s", n.RangeHelp())
	add(len(n.Enums) > 0, "enums=%s", strings.Join(n.Enums, "|"))
	add(n.Default != "", "default=%s", n.Default)
	add(n.Choice != "", "choice=%s/%s", n.Choice, n.Case)
	add(n.NoKeyword, "nokeyword")
	add(n.Oneliner, "oneliner")
	add(n.Presence, "presence")
	add(n.Mandatory, "mandatory")
	add(n.Secret, "secret")
	add(len(n.Musts) > 0, "musts=%d", len(n.Musts))
	fmt.Fprintf(b, "%s%s [%s] %q\n", strings.Repeat("  ", depth), n.Name, strings.Join(attrs, "; "), n.Help)
	for _, c := range n.Children {
		render(b, c, depth+1)
	}
}

func TestGoldenNodes(t *testing.T) {
	for _, tt := range []struct{ path, file string }{
		{"system", "system.golden"},
		{"services service-set ipsec-vpn-options", "ipsec-vpn-options.golden"},
		{"services ipsec-vpn ike policy", "ike-policy.golden"},
		{"services ipsec-vpn rule term then manual", "manual-sa.golden"},
	} {
		n := lookup(Root(), tt.path)
		if n == nil {
			t.Fatalf("%s: not in the table", tt.path)
		}
		var b bytes.Buffer
		render(&b, n, 0)
		file := "testdata/" + tt.file
		if *update {
			if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s (go test -run TestGoldenNodes -update):\n%s", tt.path, file, b.String())
		}
	}
}
