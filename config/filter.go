package config

import (
	"strings"

	"mxlab/config/schema"
	"mxlab/internal/junosxml"
)

// Filter returns a copy of root holding only what a subtree filter (the
// children of a <configuration> element, as NETCONF get-configuration and
// get-config carry it) selects: an element without children selects the
// whole statement; a list entry is selected by the key elements that carry
// text, and its other child elements select within it. Unknown elements
// select nothing.
func Filter(root *Node, f *junosxml.Elem) *Node {
	out := &Node{S: root.S}
	filterInto(out, root, f)
	return out
}

func filterInto(dst, src *Node, f *junosxml.Elem) {
	for _, fe := range f.Kids {
		sc := src.S.Child(fe.Name)
		if sc == nil {
			continue
		}
		keys, sub := splitFilter(sc, fe)
		for _, k := range src.Kids {
			if k.S != sc || !keysMatch(sc, k, keys) {
				continue
			}
			if alreadyIn(dst, k) {
				continue
			}
			if len(sub.Kids) == 0 {
				dst.addCopy(k)
				continue
			}
			if sc.Kind != schema.Container && sc.Kind != schema.List {
				continue
			}
			x := &Node{S: k.S, Parent: dst, Keys: k.Keys, Inactive: k.Inactive, Comment: k.Comment}
			filterInto(x, k, sub)
			if len(x.Kids) > 0 || sc.Kind == schema.List {
				dst.Kids = append(dst.Kids, x)
			}
		}
	}
}

// splitFilter separates the key selectors of a list filter (key elements
// with text) from the rest.
func splitFilter(sc *schema.Node, fe *junosxml.Elem) (map[string]string, *junosxml.Elem) {
	keys := map[string]string{}
	sub := &junosxml.Elem{Name: fe.Name}
	for _, k := range fe.Kids {
		if sc.Kind == schema.List && isKeyElem(sc, k.Name) {
			if t := strings.TrimSpace(k.Text); t != "" {
				keys[k.Name] = t
			}
			continue
		}
		sub.Kids = append(sub.Kids, k)
	}
	return keys, sub
}

func keysMatch(sc *schema.Node, n *Node, keys map[string]string) bool {
	for i, name := range sc.Keys {
		if v, ok := keys[name]; ok && (i >= len(n.Keys) || n.Keys[i] != v) {
			return false
		}
	}
	return true
}

func alreadyIn(dst, k *Node) bool {
	for _, d := range dst.Kids {
		if d.S == k.S && equalStrings(d.Keys, k.Keys) {
			return true
		}
	}
	return false
}

// addCopy appends a deep copy of k to n.
func (n *Node) addCopy(k *Node) {
	c := k.Clone()
	c.Parent = n
	n.Kids = append(n.Kids, c)
}
