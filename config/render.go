package config

import (
	"strings"

	"mxlab/config/schema"
)

const indentUnit = "    "

// Text renders the statements below n in Junos curly-brace form, as
// `show` prints them.
func (n *Node) Text() string {
	var b strings.Builder
	for _, k := range n.Kids {
		renderNode(&b, k, 0)
	}
	return b.String()
}

// Statement renders n itself (with its subtree) at depth 0.
func (n *Node) Statement() string {
	var b strings.Builder
	renderNode(&b, n, 0)
	return b.String()
}

func renderNode(b *strings.Builder, x *Node, depth int) {
	renderPrefixed(b, x, depth, nil)
}

// renderPrefixed renders x with the words of flattened ancestors in front.
func renderPrefixed(b *strings.Builder, x *Node, depth int, prefix []string) {
	if flattened(x.S) && !x.Inactive && x.Comment == "" && len(x.Kids) > 0 {
		for _, k := range x.Kids {
			renderPrefixed(b, k, depth, append(prefix, x.S.Name))
		}
		return
	}
	ind := strings.Repeat(indentUnit, depth)
	if x.Comment != "" {
		renderComment(b, ind, x.Comment)
	}
	b.WriteString(ind)
	if x.Inactive {
		b.WriteString("inactive: ")
	}
	head := append(append([]string(nil), prefix...), headWords(x)...)
	b.WriteString(strings.Join(head, " "))
	if len(x.Kids) == 0 {
		b.WriteString(";")
		if secretLine(x) {
			b.WriteString(" ## SECRET-DATA")
		}
		b.WriteString("\n")
		return
	}
	if onOneLine(x) {
		secret := false
		for _, k := range x.Kids {
			b.WriteString(" ")
			if k.Inactive {
				b.WriteString("inactive: ")
			}
			b.WriteString(strings.Join(headWords(k), " "))
			secret = secret || secretLine(k)
		}
		b.WriteString(";")
		if secret {
			b.WriteString(" ## SECRET-DATA")
		}
		b.WriteString("\n")
		return
	}
	b.WriteString(" {\n")
	for _, k := range x.Kids {
		renderNode(b, k, depth+1)
	}
	b.WriteString(ind)
	b.WriteString("}\n")
}

// renderComment writes an annotation: as # lines when each of its lines
// is one, otherwise between /* and */.
func renderComment(b *strings.Builder, ind, c string) {
	if hashLines(c) {
		for _, l := range strings.Split(c, "\n") {
			b.WriteString(ind + l + "\n")
		}
		return
	}
	b.WriteString(ind + "/* " + c + " */\n")
}

func hashLines(c string) bool {
	for l := range strings.SplitSeq(c, "\n") {
		if !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// onOneLine reports whether x is shown on one line (cli oneliner hints):
// all its statements are leaves without annotations; oneliner-plus only
// when it has a single one.
func onOneLine(x *Node) bool {
	if !x.S.Oneliner {
		return false
	}
	if x.S.OnePlus && len(x.Kids) > 1 {
		return false
	}
	for _, k := range x.Kids {
		if k.Comment != "" || (k.S.Kind != schema.Leaf && k.S.Kind != schema.LeafList) {
			return false
		}
	}
	return true
}

func secretLine(x *Node) bool { return x.S.Secret && x.S.Kind == schema.Leaf }

// headWords renders the words that name x in curly-brace form (quoted).
func headWords(x *Node) []string {
	s := x.S
	var w []string
	switch s.Kind {
	case schema.List:
		if !s.NoKeyword {
			w = append(w, s.Name)
		}
		for _, k := range keyWords(s, x.Keys) {
			w = append(w, quote(k))
		}
	case schema.Leaf:
		if !s.NoKeyword {
			w = append(w, s.Name)
		}
		if s.Type != schema.Empty {
			w = append(w, quoteValue(s, x.Value))
		}
	case schema.LeafList:
		w = append(w, s.Name)
		if len(x.Values) == 1 {
			w = append(w, quoteValue(s, x.Values[0]))
		} else {
			w = append(w, "[")
			for _, v := range x.Values {
				w = append(w, quoteValue(s, v))
			}
			w = append(w, "]")
		}
	default:
		w = append(w, s.Name)
	}
	return w
}

func quoteValue(s *schema.Node, v string) string {
	if s.Secret {
		return `"` + escape(v) + `"`
	}
	return quote(v)
}

// quote returns v as a Junos word: in double quotes when it is empty or
// holds spaces or characters that delimit statements.
func quote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n;{}[]\"'#()\\") {
		return v
	}
	return `"` + escape(v) + `"`
}

func escape(v string) string {
	if !strings.ContainsAny(v, `"\`) {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return r.Replace(v)
}

// SetLines renders the statements below n as `set` commands (| display
// set), with `deactivate` lines for inactive statements. prefix holds the
// words of n's own path (nil at the root, or for | display set relative).
func (n *Node) SetLines(prefix []string) string {
	var b strings.Builder
	for _, k := range n.Kids {
		setLines(&b, k, prefix)
	}
	return b.String()
}

func setLines(b *strings.Builder, x *Node, prefix []string) {
	head := headWords(x)
	path := append(append([]string(nil), prefix...), head...)
	switch {
	case x.S.Kind == schema.LeafList:
		base := append(append([]string(nil), prefix...), x.S.Name)
		for _, v := range x.Values {
			b.WriteString("set " + strings.Join(base, " ") + " " + quoteValue(x.S, v) + "\n")
		}
	case len(x.Kids) == 0:
		b.WriteString("set " + strings.Join(path, " ") + "\n")
	default:
		for _, k := range x.Kids {
			setLines(b, k, path)
		}
	}
	if x.Inactive {
		dp := path
		if x.S.Kind == schema.Leaf || x.S.Kind == schema.LeafList {
			dp = append(append([]string(nil), prefix...), x.S.Name)
			if x.S.NoKeyword {
				dp = path
			}
		}
		b.WriteString("deactivate " + strings.Join(dp, " ") + "\n")
	}
}

// PathWords returns the words naming x from the root (quoted where
// needed), as used in `set` lines.
func PathWords(x *Node) []string {
	var chain []*Node
	for y := x; y != nil && y.Parent != nil; y = y.Parent {
		chain = append(chain, y)
	}
	var w []string
	for i := len(chain) - 1; i >= 0; i-- {
		w = append(w, headWords(chain[i])...)
	}
	return w
}
