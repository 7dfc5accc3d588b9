package yanggen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const extModule = `module junos-common-ddl-extensions {
  namespace "http://example.net/ext"; prefix junos;
  extension must { argument "stmt-algebra"; }
  extension must-message { argument "message-string"; }
  extension posix-pattern { argument "value"; }
  extension pattern-message { argument "value"; }
  extension cli-feature { argument "feature"; }
}`

const rootSrc = `module junos-conf-root {
  namespace "http://example.net/root"; prefix jc;
  import junos-common-ddl-extensions { prefix junos; }
  container configuration {
    leaf rcsid { type string; }
    uses top;
    container zeta {
      uses apply-advanced;
      leaf b { type union { type uint32 { range "1 .. 10"; } type string { pattern "<.*>|$.*"; } } }
      choice c { case one { leaf x { type empty; } } case two { leaf y { type string {
        junos:posix-pattern "!^a"; junos:pattern-message "Must not start with a"; } } } }
      list l {
        key "k1 k2"; ordered-by user; max-elements 4;
        junos:cli-feature "nokeyword";
        junos:must "(\".. b\")"; junos:must-message "b must be set";
        junos:must "(\".. x\")";
        leaf k1 { type string { length "1 .. 8"; } }
        leaf k2 { type enumeration { enum "in"; enum "out"; } }
      }
      leaf gone { status obsolete; type string; }
      leaf a { type int16; default "3"; }
    }
  }
  grouping top { container alpha { presence "p"; leaf v { type string; } } }
  grouping apply-advanced { leaf-list apply-groups { type string; } }
}`

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{"ext.yang": extModule, "root.yang": rootSrc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := Generate(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	src := string(out)
	for _, want := range []string{
		`{Name: "alpha", Kind: Container, Presence: true, Children: []*Node{`,
		`{Name: "b", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{1, 10}}},`,
		`{Name: "x", Kind: Leaf, Type: Empty, Choice: "c", Case: "one"},`,
		`{Name: "y", Kind: Leaf, Type: String, Pattern: "^a", NotMatch: true, PatternMsg: "Must not start with a", Choice: "c", Case: "two"},`,
		`{Name: "l", Kind: List, Keys: []string{"k1", "k2"}, Ordered: true, NoKeyword: true, MaxElems: 4, Musts: []Must{{"(\".. b\")", "b must be set"}, {"(\".. x\")", ""}}, Children: []*Node{`,
		`{Name: "k1", Kind: Leaf, Type: String, MinLen: 1, MaxLen: 8},`,
		`{Name: "a", Kind: Leaf, Type: Int, Bits: 16, Default: "3"},`,
		"string|uint32 (1 leaves): uint32",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated source lacks %s\n%s", want, src)
		}
	}
	for _, absent := range []string{"rcsid", "apply-groups", "gone"} {
		if strings.Contains(src, `"`+absent+`"`) {
			t.Errorf("generated source holds %q", absent)
		}
	}
	order := []string{`"alpha"`, `"zeta"`, `"b"`, `"x"`, `"y"`, `"l"`, `"a"`}
	last := -1
	for _, name := range order {
		i := strings.Index(src, name)
		if i < last {
			t.Errorf("%s out of source order", name)
		}
		last = i
	}
}
