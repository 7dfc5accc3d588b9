package config

import (
	"errors"
	"sort"

	"mxlab/config/schema"
)

// ErrNotFound is returned when a statement named by a command does not exist.
var ErrNotFound = errors.New("statement not found")

// NewRoot returns an empty configuration tree.
func NewRoot() *Node { return &Node{S: schema.Root()} }

// Clone returns a deep copy of the subtree at n (its Parent is nil).
func (n *Node) Clone() *Node {
	c := &Node{S: n.S, Value: n.Value, Inactive: n.Inactive, Comment: n.Comment}
	if n.Keys != nil {
		c.Keys = append([]string(nil), n.Keys...)
	}
	if n.Values != nil {
		c.Values = append([]string(nil), n.Values...)
	}
	if len(n.Kids) > 0 {
		c.Kids = make([]*Node, len(n.Kids))
		for i, k := range n.Kids {
			kc := k.Clone()
			kc.Parent = c
			c.Kids[i] = kc
		}
	}
	return c
}

// lookup finds the existing node for step st under n, or nil.
func (n *Node) lookup(st Step) *Node {
	if idx := n.index(); idx != nil {
		if st.S.Kind == schema.List {
			return idx[keyOf(st.S, st.Keys)]
		}
		return idx[keyOf(st.S, nil)]
	}
	if st.S.Kind == schema.List {
		return n.Entry(st.S, st.Keys)
	}
	for _, k := range n.Kids {
		if k.S == st.S {
			return k
		}
	}
	return nil
}

// Walk returns the node named by path below n, or nil. Leaf steps that are
// not the last are looked up but do not descend.
func (n *Node) Walk(p Path) *Node {
	cur := n
	var last *Node
	for _, st := range p {
		x := cur.lookup(st)
		if x == nil {
			return nil
		}
		last = x
		if st.S.Kind == schema.Container || st.S.Kind == schema.List {
			cur = x
		}
	}
	if last == nil {
		return n
	}
	return last
}

// ensure returns the child for step st under n, creating it in schema order
// (or insertion order for ordered-by-user lists). It removes the statements
// of other cases of the same choice.
func (n *Node) ensure(st Step) *Node {
	if x := n.lookup(st); x != nil {
		return x
	}
	n.clearChoice(st.S)
	x := &Node{S: st.S, Parent: n}
	if st.S.Kind == schema.List {
		x.Keys = append([]string(nil), st.Keys...)
	}
	n.insertKid(x)
	return x
}

// clearChoice removes siblings that belong to another case of s's choice.
func (n *Node) clearChoice(s *schema.Node) {
	if s.Choice == "" {
		return
	}
	kept := n.Kids[:0]
	for _, k := range n.Kids {
		if k.S.Choice == s.Choice && k.S.Case != s.Case {
			continue
		}
		kept = append(kept, k)
	}
	for i := len(kept); i < len(n.Kids); i++ {
		n.Kids[i] = nil
	}
	n.Kids = kept
	n.idx = nil
}

// schemaIndex returns the position of s among its parent's children.
func schemaIndex(s *schema.Node) int {
	if s.Parent == nil {
		return 0
	}
	for i, c := range s.Parent.Children {
		if c == s {
			return i
		}
	}
	return len(s.Parent.Children)
}

// insertKid places x among n's kids: statements in schema order; entries of
// one list after their siblings (ordered-by user) or in key order.
func (n *Node) insertKid(x *Node) {
	xi := schemaIndex(x.S)
	i := sort.Search(len(n.Kids), func(i int) bool {
		k := n.Kids[i]
		ki := schemaIndex(k.S)
		if ki != xi {
			return ki > xi
		}
		if x.S.Kind != schema.List || x.S.Ordered {
			return false
		}
		return compareKeys(k.Keys, x.Keys) > 0
	})
	n.Kids = append(n.Kids, nil)
	copy(n.Kids[i+1:], n.Kids[i:])
	n.Kids[i] = x
	if n.idx != nil {
		n.idx[keyOf(x.S, x.Keys)] = x
	}
}

// removeKid removes x from n's kids.
func (n *Node) removeKid(x *Node) {
	for i, k := range n.Kids {
		if k == x {
			n.Kids = append(n.Kids[:i], n.Kids[i+1:]...)
			if n.idx != nil {
				delete(n.idx, keyOf(x.S, x.Keys))
			}
			return
		}
	}
}

// Set applies a set command: it creates the statements of p below n and
// stores leaf values. Leaf-list values are added unless present.
func (n *Node) Set(p Path) *Node {
	cur := n
	var last *Node
	for _, st := range p {
		x := cur.ensure(st)
		switch st.S.Kind {
		case schema.Leaf:
			if st.HasVal {
				x.Value = st.Value
			}
		case schema.LeafList:
			for _, v := range st.Values {
				if !containsString(x.Values, v) {
					x.Values = append(x.Values, v)
				}
			}
		default:
			cur = x
		}
		last = x
	}
	return last
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Delete removes the statement named by p (one value only, when a leaf-list
// value is given) and prunes containers left empty.
func (n *Node) Delete(p Path) error {
	if len(p) == 0 {
		n.Kids, n.idx = nil, nil
		return nil
	}
	last := p[len(p)-1]
	var targets []*Node
	if last.S.Kind == schema.List && last.Keys == nil {
		parent := n.Walk(p[:len(p)-1])
		if parent == nil {
			return ErrNotFound
		}
		targets = parent.Find(last.S)
	} else if x := n.Walk(p); x != nil {
		targets = []*Node{x}
	}
	if len(targets) == 0 {
		return ErrNotFound
	}
	for _, x := range targets {
		if last.S.Kind == schema.LeafList && last.HasVal {
			if !removeValues(x, last.Values) {
				return ErrNotFound
			}
			if len(x.Values) > 0 {
				continue
			}
		}
		parent := x.Parent
		parent.removeKid(x)
		parent.prune()
	}
	return nil
}

func removeValues(x *Node, vals []string) bool {
	found := false
	for _, v := range vals {
		for i, have := range x.Values {
			if have == v {
				x.Values = append(x.Values[:i], x.Values[i+1:]...)
				found = true
				break
			}
		}
	}
	return found
}

// prune removes n and its empty ancestors when they carry no meaning of
// their own (non-presence containers without statements).
func (n *Node) prune() {
	for x := n; x != nil && x.Parent != nil; x = x.Parent {
		if len(x.Kids) > 0 || x.S.Kind != schema.Container || x.S.Presence || x.Comment != "" || x.Inactive {
			return
		}
		x.Parent.removeKid(x)
	}
}

// Empty reports whether the tree below n holds no statement.
func (n *Node) Empty() bool { return len(n.Kids) == 0 }

// pathTo returns the Path from the root to x.
func pathTo(x *Node) Path {
	var p Path
	for ; x != nil && x.Parent != nil; x = x.Parent {
		st := Step{S: x.S, Keys: x.Keys, Value: x.Value, Values: x.Values, HasVal: true}
		p = append(p, st)
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// EditPath returns the words of the [edit ...] banner for node x.
func EditPath(x *Node) []string {
	var w []string
	for _, st := range pathTo(x) {
		st.HasVal = false
		w = append(w, stepWords(st)...)
	}
	return w
}
