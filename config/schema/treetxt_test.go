package schema

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// yangDir is the Junos YANG the table is generated from. It lives outside
// the repository and is only needed by the cross-checks.
const yangDir = "../../../shared/yang/24.4R1"

// treeNode is one statement of tree.txt, the resolved rendering of the YANG.
type treeNode struct {
	path     string
	line     int
	kind     Kind
	typ      string // YANG type name; "" for containers and lists
	keys     []string
	ranges   string // "1 .. 63"
	length   string
	posix    string
	enums    []string
	def      string
	choice   string // "choice/case"
	cli      []string
	presence bool
	ordered  bool
	maxElems int
	status   string
	musts    int
}

// parseTree reads tree.txt: "## [edit a b c]" sections whose first line is
// statement c under a b, two spaces of indent per level, one line per
// statement ("name  [attrs]  -- help") and "! must ..." lines under it.
func parseTree(t *testing.T) []*treeNode {
	t.Helper()
	f, err := os.Open(yangDir + "/tree.txt")
	if os.IsNotExist(err) {
		t.Skip("skipping: " + yangDir + " is absent (the Junos YANG is not in this repository)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*treeNode
	var base []string
	var stack []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		trim := strings.TrimLeft(line, " ")
		switch {
		case trim == "":
		case strings.HasPrefix(line, "## [edit "):
			words := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "## [edit "), "]"))
			base = words[:len(words)-1]
		case strings.HasPrefix(trim, "! must "):
			out[len(out)-1].musts++
		default:
			depth := (len(line) - len(trim)) / 2
			name, rest, _ := strings.Cut(trim, "  [")
			stack = append(stack[:depth], name)
			n := parseAttrs(t, ln, rest)
			n.path = strings.Join(append(slices.Clone(base), stack...), " ")
			out = append(out, n)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func parseAttrs(t *testing.T, ln int, rest string) *treeNode {
	n := &treeNode{line: ln, kind: Leaf}
	end := strings.Index(rest, "]  -- ")
	if end < 0 {
		end = strings.LastIndex(rest, "]")
	}
	if end < 0 {
		t.Fatalf("tree.txt:%d: no attribute list", ln)
	}
	attrs := strings.Split(rest[:end], "; ")
	switch first := attrs[0]; {
	case first == "container":
		n.kind = Container
	case strings.HasPrefix(first, "list key="):
		n.kind = List
		n.keys = strings.Fields(strings.TrimPrefix(first, "list key="))
	case first == "leaf-list":
		n.kind = LeafList
		attrs = attrs[1:]
		n.parseType(attrs[0])
	default:
		n.parseType(first)
	}
	for _, a := range attrs[1:] {
		k, v, _ := strings.Cut(a, " ")
		switch {
		case a == "presence":
			n.presence = true
		case a == "ordered-by user":
			n.ordered = true
		case k == "max-elements":
			n.maxElems, _ = strconv.Atoi(v)
		case k == "posix":
			n.posix = v
		case k == "default":
			n.def = v
		case k == "status":
			n.status = v
		case k == "choice":
			n.choice = v
		case strings.HasPrefix(a, "cli:"):
			n.cli = strings.Split(strings.TrimPrefix(a, "cli:"), ",")
		}
	}
	return n
}

// parseType reads "uint32 range 1 .. 10", "string length 1 .. 63; posix P"
// (posix comes last), "enumeration {a|b}".
func (n *treeNode) parseType(s string) {
	if e, ok := strings.CutPrefix(s, "enumeration {"); ok {
		n.typ = "enumeration"
		n.enums = strings.Split(strings.TrimSuffix(e, "}"), "|")
		return
	}
	if i := strings.Index(s, " posix "); i >= 0 {
		n.posix = s[i+len(" posix "):]
		s = s[:i]
	}
	if i := strings.Index(s, " range "); i >= 0 {
		n.ranges = s[i+len(" range "):]
		s = s[:i]
	}
	if i := strings.Index(s, " length "); i >= 0 {
		n.length = s[i+len(" length "):]
		s = s[:i]
	}
	n.typ = s
}

// treeTypes maps the YANG type names of tree.txt to the table's types.
var treeTypes = map[string]Type{
	"string": String, "empty": Empty, "enumeration": Enum, "decimal64": Decimal,
	"uint8": Uint, "uint16": Uint, "uint32": Uint, "uint64": Uint,
	"int8": Int, "int16": Int, "int32": Int, "int64": Int,
	"jt:ipaddr": IPAddr, "jt:ipv4addr": IPv4Addr, "jt:ipv6addr": IPv6Addr,
	"jt:ipprefix": IPPrefix, "jt:ipv4prefix": IPv4Prefix, "jt:ipv6prefix": IPv6Prefix,
	"jt:ipprefix-only": IPPrefixOnly, "jt:ipprefix-mandatory": IPPrefixMandatory,
	"jt:ipaddr-or-interface": IPAddrOrInterface, "jt:ipv4addr-or-interface": IPv4AddrOrInterface,
	"jt:interface-name": InterfaceName, "jt:interface-unit": InterfaceUnit,
	"jt:areaid": AreaID, "jt:mac-unicast": MAC, "jt:mac-multicast": MAC, "jt:time": Time,
	"jt:regular-expression": Regex, "jt:unreadable": Unreadable,
	"jt:ipv4prefix-mandatory": IPv4PrefixMandatory, "jt:ipaddr-scoped": IPAddrScoped,
	"jt:interface-device": InterfaceDevice, "jt:interface-wildcard": InterfaceWildcard,
	"jt:mac-addr": MAC, "jt:sysid": SysID, "jt:vlan-range": VLANRange,
	"jt:policy-algebra": PolicyAlgebra, "jt:community": String, "jt:atm-vci": String,
}

// TestTreeTxt checks every statement of tree.txt against the table: kind,
// type and width, ranges, lengths, patterns, enums, defaults, keys, flags,
// choice and the number of constraints.
func TestTreeTxt(t *testing.T) {
	nodes := parseTree(t)
	if len(nodes) < 1000 {
		t.Fatalf("tree.txt: only %d statements parsed", len(nodes))
	}
	root := Root()
	for _, want := range nodes {
		got := lookup(root, want.path)
		if got == nil {
			t.Errorf("tree.txt:%d: %s: not in the table", want.line, want.path)
			continue
		}
		for _, d := range compare(got, want) {
			t.Errorf("tree.txt:%d: %s: %s", want.line, want.path, d)
		}
	}
}

// TestTreeTxtComplete checks the converse: every statement of the table
// under a hierarchy tree.txt renders is in tree.txt.
func TestTreeTxtComplete(t *testing.T) {
	nodes := parseTree(t)
	seen := map[string]bool{}
	for _, n := range nodes {
		seen[n.path] = true
	}
	tops := map[string]bool{}
	for p := range seen {
		tops[strings.Fields(p)[0]] = true
	}
	var walk func(n *Node)
	walk = func(n *Node) {
		p := strings.Join(n.Path(), " ")
		if !seen[p] && tops[n.Path()[0]] && hasTreeAncestor(seen, n) && !overlayOnly(p) {
			t.Errorf("%s: in the table, not in tree.txt", p)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, c := range Root().Children {
		walk(c)
	}
}

// overlayOnly reports whether a statement comes from the overlay, not
// the YANG (see dialOptions).
func overlayOnly(path string) bool {
	return strings.HasPrefix(path, "interfaces interface unit dial-options")
}

// hasTreeAncestor reports whether a proper ancestor of n is a statement of
// tree.txt: the sections do not start at the top level.
func hasTreeAncestor(seen map[string]bool, n *Node) bool {
	for a := n.Parent; a != nil && a.Parent != nil; a = a.Parent {
		if seen[strings.Join(a.Path(), " ")] {
			return true
		}
	}
	return false
}

func compare(got *Node, want *treeNode) []string {
	var d []string
	diff := func(what string, g, w any) {
		if fmt.Sprint(g) != fmt.Sprint(w) {
			d = append(d, fmt.Sprintf("%s = %v, tree.txt has %v", what, g, w))
		}
	}
	diff("kind", got.Kind, want.kind)
	if want.typ != "" {
		wt, ok := treeTypes[want.typ]
		if !ok {
			d = append(d, "unknown tree.txt type "+want.typ)
		}
		if o, over := typeOverrides[strings.Join(got.Path(), " ")]; over {
			wt = o.Type
		} else if strings.HasPrefix(want.typ, "uint") || strings.HasPrefix(want.typ, "int") {
			diff("bits", got.Bits, strings.TrimLeft(want.typ, "uint"))
		}
		diff("type", got.Type, wt)
		if _, over := typeOverrides[strings.Join(got.Path(), " ")]; !over {
			diff("range", rangeString(got.Ranges), want.ranges)
		}
	}
	diff("length", lengthString(got), want.length)
	pat := got.Pattern
	if got.NotMatch {
		pat = "!" + pat
	}
	diff("posix", pat, want.posix)
	diff("enums", got.Enums, want.enums)
	if want.def != "" {
		diff("default", got.Default, want.def)
	}
	diff("keys", got.Keys, want.keys)
	diff("presence", got.Presence, want.presence)
	if got.Kind != LeafList { // tree.txt does not show these for leaf-lists
		diff("ordered", got.Ordered, want.ordered)
		diff("max-elements", got.MaxElems, want.maxElems)
	}
	diff("deprecated", got.Deprecated, want.status == "deprecated")
	choice := ""
	if got.Choice != "" {
		choice = got.Choice + "/" + got.Case
	}
	diff("choice", choice, want.choice)
	diff("cli", cliFlags(got), want.cli)
	diff("musts", len(got.Musts), want.musts)
	return d
}

// rangeString renders ranges as tree.txt does.
func rangeString(rs []Range) string {
	var p []string
	for _, r := range rs {
		p = append(p, fmt.Sprintf("%d .. %d", r.Min, r.Max))
	}
	return strings.Join(p, " | ")
}

func lengthString(n *Node) string {
	if n.MinLen == 0 && n.MaxLen == 0 {
		return ""
	}
	return fmt.Sprintf("%d .. %d", n.MinLen, n.MaxLen)
}

func cliFlags(n *Node) []string {
	var f []string
	if n.NoKeyword {
		f = append(f, "nokeyword")
	}
	if n.Homogeneous {
		f = append(f, "homogeneous")
	}
	switch {
	case n.OnePlus:
		f = append(f, "oneliner-plus")
	case n.Oneliner:
		f = append(f, "oneliner")
	}
	return f
}
