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
