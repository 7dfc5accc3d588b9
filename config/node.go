package config

import "mxlab/config/schema"

// Node is one statement of a configuration tree.
//
// A container or a list entry has Kids; a leaf has Value; a leaf-list has
// Values. A list entry carries its key values in Keys (in schema key order).
// The root of a tree has S == schema.Root() and no parent.
type Node struct {
	S        *schema.Node
	Parent   *Node
	Keys     []string // key values of a list entry
	Value    string   // leaf value ("" for an empty/flag leaf)
	Values   []string // leaf-list values, in order
	Kids     []*Node  // children in display order
	Inactive bool     // deactivated: shown as "inactive:", ignored by commit
	Comment  string   // annotation, shown as /* Comment */ above the statement

	// idx indexes Kids by statement and keys once there are many of them
	// (thousands of static routes). Code that changes Kids other than
	// through insertKid and removeKid sets it to nil.
	idx map[kidKey]*Node
}

// kidKey names a child statement: its schema node and, for a list entry,
// its keys.
type kidKey struct {
	s    *schema.Node
	keys string
}

func keyOf(s *schema.Node, keys []string) kidKey {
	if len(keys) == 1 {
		return kidKey{s, keys[0]}
	}
	k := ""
	for i, v := range keys {
		if i > 0 {
			k += "\x00"
		}
		k += v
	}
	return kidKey{s, k}
}

// indexMin is the number of children from which lookups use an index.
const indexMin = 32

func (n *Node) index() map[kidKey]*Node {
	if n.idx == nil && len(n.Kids) >= indexMin {
		n.idx = make(map[kidKey]*Node, len(n.Kids))
		for _, k := range n.Kids {
			kk := keyOf(k.S, k.Keys)
			if _, dup := n.idx[kk]; !dup {
				n.idx[kk] = k
			}
		}
	}
	return n.idx
}

// Name is the statement keyword.
func (n *Node) Name() string { return n.S.Name }

// Find returns the child statements with schema s (all entries, for a list).
func (n *Node) Find(s *schema.Node) []*Node {
	var out []*Node
	for _, k := range n.Kids {
		if k.S == s {
			out = append(out, k)
		}
	}
	return out
}

// Kid returns the first child statement with keyword name, or nil.
func (n *Node) Kid(name string) *Node {
	for _, k := range n.Kids {
		if k.S.Name == name {
			return k
		}
	}
	return nil
}

// Entry returns the list entry of list s with the given keys, or nil.
func (n *Node) Entry(s *schema.Node, keys []string) *Node {
	for _, k := range n.Kids {
		if k.S == s && equalStrings(k.Keys, keys) {
			return k
		}
	}
	return nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
