package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mxlab/config/schema"
	"mxlab/config/secret"
)

// Constraint evaluation on the statement shapes of the resolved Junos YANG
// tree (treePath); the tests skip when the reference checkout is absent.

// treeMust is a constraint of the YANG tree and the statement it is on.
type treeMust struct {
	s    *schema.Node
	expr string
}

// loadTreeSchema builds a schema from the resolved YANG tree text (names,
// kinds, keys, keyword-less statements, constraints), enough to evaluate
// its constraints on real statement shapes.
func loadTreeSchema(t *testing.T) (*schema.Node, []treeMust) {
	t.Helper()
	data, err := os.ReadFile(treePath)
	if err != nil {
		t.Skipf("YANG tree not available (%v); the reference checkout ../shared is needed for this test", err)
	}
	root := ctr("")
	var musts []treeMust
	var stack []*schema.Node
	mount := root
	for _, line := range strings.Split(string(data), "\n") {
		if h, ok := strings.CutPrefix(line, "## [edit "); ok {
			words := strings.Fields(strings.TrimSuffix(h, "]"))
			mount, stack = root, stack[:0]
			for _, w := range words[:len(words)-1] {
				c := findChild(mount, w)
				if c == nil {
					c = &schema.Node{Name: w, Kind: schema.Container, Parent: mount}
					mount.Children = append(mount.Children, c)
				}
				mount = c
			}
			continue
		}
		trim := strings.TrimLeft(line, " ")
		if trim == "" {
			continue
		}
		if m, ok := strings.CutPrefix(trim, "! must "); ok {
			expr, msg, _ := strings.Cut(m, "  => ")
			top := stack[len(stack)-1]
			top.Musts = append(top.Musts, schema.Must{Expr: expr, Msg: strings.Trim(msg, `"`)})
			musts = append(musts, treeMust{top, expr})
			continue
		}
		depth := (len(line) - len(trim)) / 2
		name, rest, _ := strings.Cut(trim, "  [")
		attrs, _, _ := strings.Cut(rest, "]  -- ") // patterns may hold ']'
		attrs = strings.TrimSuffix(attrs, "]")
		n := &schema.Node{Name: name, Kind: schema.Leaf, Type: schema.String, NoKeyword: strings.Contains(attrs, "nokeyword")}
		switch {
		case strings.HasPrefix(attrs, "container"):
			n.Kind, n.Type = schema.Container, schema.None
		case strings.HasPrefix(attrs, "list"):
			n.Kind, n.Type = schema.List, schema.None
			k, _, _ := strings.Cut(strings.TrimPrefix(attrs, "list key="), ";")
			n.Keys = strings.Fields(k)
		case strings.HasPrefix(attrs, "leaf-list"):
			n.Kind = schema.LeafList
		case strings.HasPrefix(attrs, "empty"):
			n.Type = schema.Empty
		}
		stack = stack[:depth]
		n.Parent = mount
		if depth > 0 {
			n.Parent = stack[depth-1]
		}
		n.Parent.Children = append(n.Parent.Children, n)
		stack = append(stack, n)
	}
	return root, musts
}

// findChild looks a child up without building the schema's index, which
// would go stale while the tree is being built.
func findChild(s *schema.Node, name string) *schema.Node {
	for _, c := range s.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestTreeIPsecPathsResolve checks the relative paths of the IPsec
// constraints against the statements of the tree: the ".." rules of the
// evaluator must land where each path's first keyword exists.
func TestTreeIPsecPathsResolve(t *testing.T) {
	_, musts := loadTreeSchema(t)
	checked := 0
	for _, m := range musts {
		p := strings.Join(m.s.Path(), " ")
		if !strings.HasPrefix(p, "services ipsec-vpn") && !strings.HasPrefix(p, "services service-set ipsec-vpn") {
			continue
		}
		e, err := parseMust(m.expr)
		if err != nil {
			t.Fatal(err)
		}
		for _, pe := range pathsOf(e) {
			if pe.words[0] != "." && pe.words[0] != ".." {
				continue
			}
			s, skip := m.s, m.s.Kind == schema.LeafList && usesValue(pe.words)
			i := 0
			for ; i < len(pe.words) && (pe.words[i] == "." || pe.words[i] == ".."); i++ {
				if pe.words[i] == ".." && !skip {
					s = s.Parent
				} else if pe.words[i] == ".." {
					skip = false
				}
			}
			checked++
			if i < len(pe.words) && findChild(s, pe.words[i]) == nil {
				t.Errorf("[edit %s] must %s: %q is not a statement of %q", p, pe, pe.words[i], s.Name)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d relative paths, want the ~25 of the IPsec hierarchies", checked)
	}
}

func pathsOf(e mustExpr) []pathExpr {
	switch x := e.(type) {
	case notExpr:
		return pathsOf(x.x)
	case andExpr:
		return append(pathsOf(x.l), pathsOf(x.r)...)
	case orExpr:
		return append(pathsOf(x.l), pathsOf(x.r)...)
	case pathExpr:
		return []pathExpr{x}
	}
	return nil
}

// loadExample builds the example configuration file on the tree schema;
// statements of the schema overlay (version, system) are left out.
func loadExample(t *testing.T, sch *schema.Node, file string) *Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, file))
	if err != nil {
		t.Fatal(err)
	}
	root := &Node{S: sch}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		applyCommand(t, root, line)
	}
	return root
}

// applyCommand applies a "set" or "delete" line.
func applyCommand(t *testing.T, root *Node, line string) {
	t.Helper()
	words := splitWords(line)
	if len(words) < 2 || words[1] == "version" || words[1] == "system" {
		return // statements of the schema overlay
	}
	switch words[0] {
	case "set":
		tset(t, root, strings.TrimPrefix(line, "set "))
	case "delete":
		// Build the named statement alone, then find its twin in root.
		probe := &Node{S: root.S}
		tset(t, probe, strings.TrimPrefix(line, "delete "))
		target := root
		for p := probe; len(p.Kids) == 1 && target != nil; p = p.Kids[0] {
			target = findKid(target, p.Kids[0].S, p.Kids[0].Keys)
		}
		if target == nil || target == root {
			t.Fatalf("%s: no such statement", line)
		}
		for i, k := range target.Parent.Kids {
			if k == target {
				target.Parent.Kids = append(target.Parent.Kids[:i], target.Parent.Kids[i+1:]...)
				break
			}
		}
	default:
		t.Fatalf("%s: not a set or delete command", line)
	}
}

// TestExamplesPassMusts loads the example configurations on the tree
// schema: every statement must exist there, every constraint must hold and
// every $9$ secret must decode.
func TestExamplesPassMusts(t *testing.T) {
	sch, _ := loadTreeSchema(t)
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.set"))
	if err != nil || len(files) < 8 {
		t.Fatalf("example files: %v, %v", files, err)
	}
	for _, f := range files {
		root := loadExample(t, sch, filepath.Base(f))
		for _, e := range checkMusts(root) {
			t.Errorf("%s:\n%s", f, e.Format())
		}
		data, _ := os.ReadFile(f)
		for _, w := range splitWords(strings.ReplaceAll(string(data), "\n", " ")) {
			if strings.HasPrefix(w, secret.Prefix) && !secret.IsEncoded(w) {
				t.Errorf("%s: %q is not a valid $9$ secret", f, w)
			}
		}
	}
}

// TestExampleMutationsFromYANG applies the mutations whose message is a
// YANG constraint and expects exactly that error among the results.
func TestExampleMutationsFromYANG(t *testing.T) {
	sch, _ := loadTreeSchema(t)
	data, err := os.ReadFile(filepath.Join(examplesDir, "mutations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, " | ")
		if len(f) != 6 {
			t.Fatalf("mutations.txt: %q has %d fields, want 6", line, len(f))
		}
		if strings.HasSuffix(f[5], "(mxlab wording)") {
			continue
		}
		n++
		root := loadExample(t, sch, f[1])
		for _, c := range strings.Split(f[2], " ; ") {
			applyCommand(t, root, c)
		}
		want := f[3] + "\n  " + f[4] + "\n    " + f[5]
		var got []string
		for _, e := range checkMusts(root) {
			got = append(got, e.Format())
		}
		if !slices.Contains(got, want) {
			t.Errorf("%s on %s: %s\ngot  %q\nwant %q", f[0], f[1], f[2], got, want)
		}
	}
	if n < 5 {
		t.Errorf("%d YANG mutations checked, want at least 5", n)
	}
}

// examplesDir holds the configurations of the spec's examples, with the
// IPsec checks that live in services.
const examplesDir = "../services/testdata/examples"
