package config

// Get follows keywords of containers (and the first entry of a list named
// by keyword with the key after it is not supported: use Entries).
func (n *Node) Get(names ...string) *Node {
	x := n
	for _, name := range names {
		if x == nil {
			return nil
		}
		x = x.Kid(name)
	}
	return x
}

// Leaf returns the value of leaf name below n ("" when absent) and
// whether it is present.
func (n *Node) Leaf(names ...string) (string, bool) {
	x := n.Get(names...)
	if x == nil {
		return "", false
	}
	return x.Value, true
}

// Entries returns the entries of the list with keyword name below n.
func (n *Node) Entries(name string) []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	for _, k := range n.Kids {
		if k.S.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// Key returns the first key of a list entry.
func (n *Node) Key() string {
	if len(n.Keys) == 0 {
		return ""
	}
	return n.Keys[0]
}
