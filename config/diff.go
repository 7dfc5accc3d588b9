package config

import (
	"strings"

	"mxlab/config/schema"
)

// Compare renders the differences from old to new in the Junos
// `show | compare` format: an [edit ...] header per hierarchy with direct
// changes, then "+"/"-" lines, and "!" lines for inactive changes. It
// returns "" when nothing changed. old and new are the nodes of the same
// hierarchy (usually the roots).
func Compare(old, new *Node) string {
	var b strings.Builder
	d := differ{b: &b}
	header := EditPath(new)
	for i, w := range header {
		header[i] = quote(w)
	}
	d.section(old, new, header, countLevels(new))
	return b.String()
}

type differ struct {
	b    *strings.Builder
	last string // the header printed last
}

func countLevels(x *Node) int {
	n := 0
	for y := x; y != nil && y.Parent != nil; y = y.Parent {
		n++
	}
	return n
}

// change is one line group of a section.
type change struct {
	sign byte
	x    *Node
	pfx  []string // words of flattened containers in front
	mark string   // "inactive: " / "active: " for '!' lines
}

// section walks the statements of o and n in order. Direct changes are
// printed under the [edit ...] header of this level (printed again when a
// nested section came in between); statements present on both sides are
// compared in sections of their own. A removed statement comes at its
// place in schema order, after the added entries of its own list.
func (d *differ) section(o, n *Node, header []string, levels int) {
	d.walk(o, n, nil, header, levels)
}

// removedBefore emits the statements of o absent from n that come before
// statement s in schema order (all that remain, when s is nil).
func (d *differ) removedBefore(o, n *Node, next *int, s *Node, pfx, header []string, levels int) {
	for ; *next < len(o.Kids); *next++ {
		ok := o.Kids[*next]
		if n.lookup(Step{S: ok.S, Keys: ok.Keys}) != nil {
			continue
		}
		if s != nil && schemaIndex(ok.S) >= schemaIndex(s.S) {
			return
		}
		d.emit(change{sign: '-', x: ok, pfx: pfx}, header, levels)
	}
}

// walk handles the kids of n (and flattened containers, in the same
// section, with their keyword in front).
func (d *differ) walk(o, n *Node, pfx, header []string, levels int) {
	next := 0
	defer d.removedBefore(o, n, &next, nil, pfx, header, levels)
	for _, nk := range n.Kids {
		d.removedBefore(o, n, &next, nk, pfx, header, levels)
		ok := o.lookup(Step{S: nk.S, Keys: nk.Keys})
		if ok == nil {
			d.emit(change{sign: '+', x: nk, pfx: pfx}, header, levels)
			continue
		}
		if nk.Inactive != ok.Inactive {
			mark := "active: "
			if nk.Inactive {
				mark = "inactive: "
			}
			d.emit(change{sign: '!', x: nk, pfx: pfx, mark: mark}, header, levels)
		}
		switch nk.S.Kind {
		case schema.Leaf, schema.LeafList:
			if ok.Value != nk.Value || !equalStrings(ok.Values, nk.Values) || ok.Comment != nk.Comment {
				d.emit(change{sign: '-', x: ok, pfx: pfx}, header, levels)
				d.emit(change{sign: '+', x: nk, pfx: pfx}, header, levels)
			}
			continue
		}
		if ok.Comment != nk.Comment {
			d.emit(change{sign: '-', x: ok, pfx: pfx, mark: "comment"}, header, levels)
			d.emit(change{sign: '+', x: nk, pfx: pfx, mark: "comment"}, header, levels)
		}
		if sameTree(ok, nk) {
			continue
		}
		if flattened(nk.S) {
			d.walk(ok, nk, append(append([]string(nil), pfx...), nk.S.Name), header, levels)
			continue
		}
		sub := append(append(append([]string(nil), header...), pfx...), headWords(nk)...)
		d.section(ok, nk, sub, levels+len(pfx)+1)
	}
}

// emit prints a change, preceded by its header when needed.
func (d *differ) emit(c change, header []string, levels int) {
	var hb strings.Builder
	hb.WriteString("[edit")
	for _, w := range header {
		hb.WriteString(" " + w)
	}
	hb.WriteString("]\n")
	if h := hb.String(); h != d.last {
		d.b.WriteString(h)
		d.last = h
	}
	d.write(c, levels)
}

// write prints one change at the indentation of its section.
func (d *differ) write(c change, levels int) {
	pad := strings.Repeat(" ", 2+levels)
	if c.sign == '!' {
		head := strings.Join(append(append([]string(nil), c.pfx...), headWords(c.x)...), " ")
		tail := ";"
		if len(c.x.Kids) > 0 {
			tail = " { ... }"
		}
		d.b.WriteString("!" + pad + c.mark + head + tail + "\n")
		return
	}
	if c.mark == "comment" {
		if c.x.Comment != "" {
			d.b.WriteString(string(c.sign) + pad + "/* " + c.x.Comment + " */\n")
		}
		return
	}
	var sb strings.Builder
	renderPrefixed(&sb, c.x, 0, c.pfx)
	text := strings.TrimSuffix(sb.String(), "\n")
	for _, l := range strings.Split(text, "\n") {
		d.b.WriteString(string(c.sign) + pad + l + "\n")
	}
}

// sameTree reports whether two subtrees hold the same statements.
func sameTree(a, b *Node) bool {
	if a.S != b.S || a.Value != b.Value || a.Inactive != b.Inactive || a.Comment != b.Comment ||
		!equalStrings(a.Keys, b.Keys) || !equalStrings(a.Values, b.Values) || len(a.Kids) != len(b.Kids) {
		return false
	}
	for i := range a.Kids {
		if !sameTree(a.Kids[i], b.Kids[i]) {
			return false
		}
	}
	return true
}
