package schema

import (
	"regexp"
	"sync"
)

// Kind is the kind of a schema node.
type Kind uint8

const (
	Container Kind = iota // a container; Presence tells whether it is a statement of its own
	List                  // a list: entries are named by Keys
	Leaf                  // a leaf with a value (or a flag, when Type is Empty)
	LeafList              // a leaf-list: several values
)

// Type is the value type of a leaf or leaf-list.
type Type uint8

const (
	None                Type = iota // containers and lists
	Empty                           // a flag: present or absent
	String                          // any string (Length, Pattern apply)
	Uint                            // unsigned integer (Ranges apply; Bits gives the width)
	Int                             // signed integer (Ranges apply; Bits gives the width)
	Decimal                         // decimal64
	Enum                            // one of Enums
	IPAddr                          // IPv4 or IPv6 address
	IPv4Addr                        // IPv4 address
	IPv6Addr                        // IPv6 address
	IPPrefix                        // IPv4 or IPv6 address with optional /len
	IPv4Prefix                      // IPv4 address with optional /len
	IPv6Prefix                      // IPv6 address with optional /len
	IPPrefixOnly                    // network prefix, host bits zero allowed or not; /len optional
	IPPrefixMandatory               // address with mandatory /len
	IPAddrOrInterface               // address or interface name
	IPv4AddrOrInterface             // IPv4 address or interface name
	InterfaceName                   // a physical or logical interface name (ge-1/0/0, ge-1/0/0.0)
	InterfaceUnit                   // a logical interface name (ge-1/0/0.0); unit 0 implied when absent
	InterfaceDevice                 // a physical interface name only
	AreaID                          // OSPF area: dotted quad or number
	MAC                             // MAC address
	Time                            // YYYY-MM-DD.HH:MM
	Regex                           // a regular expression
	Unreadable                      // a secret shown as $9$ (jt:unreadable)
	Password                        // a crypt(3) hash ($1$, $5$, $6$...), kept as typed
	IPv4PrefixMandatory             // IPv4 address with mandatory /len
	IPAddrScoped                    // address; an IPv6 link-local one may name its interface (fe80::1%ge-0/0/0.0)
	InterfaceWildcard               // interface name where * stands for any characters (ge-1/0/*)
	SysID                           // IS-IS system identifier xxxx.xxxx.xxxx
	VLANRange                       // VLAN ID or range of IDs (100 or 100-200)
	PolicyAlgebra                   // a policy name or expression of names ("(a && b) || c")
)

// Range is an inclusive numeric range. Max is unsigned so that a uint64
// statement keeps its real maximum (18446744073709551615); no range of the
// Junos YANG has a negative upper bound.
type Range struct {
	Min int64
	Max uint64
}

// Must is a junos:must constraint checked at commit time.
type Must struct {
	Expr string // the expression, grammar in the YANG README
	Msg  string // junos:must-message
}

// Node is one statement of the schema.
type Node struct {
	Name     string
	Kind     Kind
	Type     Type
	Help     string // our own short '?' text
	Parent   *Node
	Children []*Node // in YANG order, which is the order Junos shows them in

	Keys      []string // list key leaf names, in order
	Presence  bool     // container is a statement of its own (shown as "name;" when empty)
	Ordered   bool     // ordered-by user: entries keep insertion order
	NoKeyword bool     // cli:nokeyword: the value (or, for a list, the key) is given without the keyword
	Oneliner  bool     // cli:oneliner / oneliner-plus: shown on one line
	OnePlus   bool     // cli:oneliner-plus
	// Homogeneous (cli:homogeneous): entries of a list are grouped under one
	// keyword and one pair of braces.
	Homogeneous bool
	Mandatory   bool // must be present when its parent is
	// Secret values are followed by "## SECRET-DATA" when shown. Unreadable
	// values are also stored and shown as $9$; Password and String values
	// (ssh keys) are shown as typed.
	Secret     bool
	Deprecated bool
	// Prompt marks a flag the CLI answers by prompting for a password
	// (plain-text-password); the hash is stored in the sibling
	// encrypted-password.
	Prompt   bool
	MaxElems int // max-elements of a list or leaf-list; 0 = unbounded

	Bits       uint8   // integer width
	Fraction   uint8   // decimal64 fraction digits
	Ranges     []Range // numeric ranges; empty = the type's own range
	MinLen     int     // string length range; MaxLen 0 = unbounded
	MaxLen     int
	Pattern    string // POSIX ERE the value must match
	NotMatch   bool   // Pattern must NOT match
	PatternMsg string
	Enums      []string // Enum values; for a String, values offered by '?' only
	Default    string   // the value Junos assumes when the statement is absent
	Units      string

	Choice string // choice this node is a case of ("" = none); choices are scoped to the parent
	Case   string // the case within Choice

	Musts []Must

	once  sync.Once
	index map[string]*Node

	reOnce sync.Once
	re     *regexp.Regexp // compiled Pattern; nil when it does not compile
}

// Child returns the child with the exact name, or nil.
func (n *Node) Child(name string) *Node {
	n.once.Do(n.buildIndex)
	return n.index[name]
}

func (n *Node) buildIndex() {
	n.index = make(map[string]*Node, len(n.Children))
	for _, c := range n.Children {
		n.index[c.Name] = c
	}
}

// IsKey reports whether n is a key leaf of its parent list.
func (n *Node) IsKey() bool {
	if n.Parent == nil || n.Parent.Kind != List {
		return false
	}
	for _, k := range n.Parent.Keys {
		if k == n.Name {
			return true
		}
	}
	return false
}

// Path returns the keywords from the root to n.
func (n *Node) Path() []string {
	var p []string
	for x := n; x != nil && x.Parent != nil; x = x.Parent {
		p = append(p, x.Name)
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}
