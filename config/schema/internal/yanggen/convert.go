package yanggen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

// rng is an inclusive range; the upper bound is unsigned so that a uint64
// range keeps its real maximum.
type rng struct {
	min int64
	max uint64
}

// node is one statement of the table, in the vocabulary of config/schema.
// Kind and Type hold the names of the schema constants.
type node struct {
	Name        string
	Kind        string
	Type        string
	Keys        []string
	Presence    bool
	Ordered     bool
	NoKeyword   bool
	Oneliner    bool
	OnePlus     bool
	Homogeneous bool
	Mandatory   bool
	Secret      bool
	Deprecated  bool
	MaxElems    int
	Bits        int
	Fraction    int
	Ranges      []rng
	MinLen      int
	MaxLen      int
	Pattern     string
	NotMatch    bool
	PatternMsg  string
	Enums       []string
	Default     string
	Units       string
	Choice      string
	Case        string
	Musts       [][2]string
	Children    []*node
}

// skipped are the meta statements the table leaves out: group inheritance
// and commit-script macros (apply-advanced), revision ids and the groups
// hierarchy itself.
var skipped = map[string]bool{
	"apply-groups":        true,
	"apply-groups-except": true,
	"apply-macro":         true,
	"rcsid":               true,
	"groups":              true,
}

// topOrder is the order in which Junos shows the top-level statements. The
// YANG spreads them over one module each (augments of the configuration
// container), so their relative order is not in the YANG itself.
var topOrder = []string{
	"version", "system", "chassis", "services", "security", "interfaces",
	"routing-options", "protocols", "policy-options", "access",
	"routing-instances",
}

type converter struct {
	groupings map[string]map[string]*yang.Statement // module -> name -> grouping
	unions    map[string]int                        // union member sets -> count
}

func newConverter() *converter {
	return &converter{
		groupings: map[string]map[string]*yang.Statement{},
		unions:    map[string]int{},
	}
}

// root converts the configuration container.
func (c *converter) root(cfg *yang.Entry) (*node, error) {
	order := map[string]int{}
	for i, n := range topOrder {
		order[n] = i
	}
	next := len(topOrder)
	add := func(names []string) {
		for _, n := range names {
			if _, ok := order[n]; !ok {
				order[n] = next
				next++
			}
		}
	}
	add(c.orderedNames(cfg.Node.Statement(), cfg.Node))
	for _, a := range cfg.Augmented {
		add(c.orderedNames(a.Node.Statement(), a.Node))
	}
	kids, err := c.children(cfg, order)
	if err != nil {
		return nil, err
	}
	return &node{Kind: "Container", Children: kids}, nil
}

// children converts the data children of e (choices and cases flattened)
// in the order given, or in source order when order is nil.
func (c *converter) children(e *yang.Entry, order map[string]int) ([]*node, error) {
	if order == nil {
		order = map[string]int{}
		for i, n := range c.orderedNames(e.Node.Statement(), e.Node) {
			order[n] = i
		}
	}
	var out []*node
	if err := c.collect(e, "", "", &out); err != nil {
		return nil, err
	}
	for _, n := range out {
		if _, ok := order[n.Name]; !ok {
			return nil, fmt.Errorf("%s: no source position for child %q", e.Path(), n.Name)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return order[out[i].Name] < order[out[j].Name] })
	return out, nil
}

func (c *converter) collect(e *yang.Entry, choice, kase string, out *[]*node) error {
	for _, ch := range e.Dir {
		switch {
		case skipped[ch.Name]:
		case ch.IsChoice():
			for _, cs := range ch.Dir {
				if cs.IsCase() {
					if err := c.collect(cs, ch.Name, cs.Name, out); err != nil {
						return err
					}
					continue
				}
				if err := c.one(cs, ch.Name, cs.Name, out); err != nil {
					return err
				}
			}
		default:
			if err := c.one(ch, choice, kase, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *converter) one(e *yang.Entry, choice, kase string, out *[]*node) error {
	st := e.Node.Statement()
	if arg(st, "status") == "obsolete" {
		return nil
	}
	n, err := c.convert(e)
	if err != nil {
		return fmt.Errorf("%s: %w", e.Path(), err)
	}
	n.Choice, n.Case = choice, kase
	*out = append(*out, n)
	return nil
}

// convert builds the node of one container, list, leaf or leaf-list.
func (c *converter) convert(e *yang.Entry) (*node, error) {
	st := e.Node.Statement()
	n := &node{Name: e.Name}
	n.Deprecated = arg(st, "status") == "deprecated"
	n.Mandatory = arg(st, "mandatory") == "true"
	c.extensions(st, n)
	var err error
	switch st.Keyword {
	case "container":
		n.Kind = "Container"
		n.Presence = has(st, "presence")
		n.Children, err = c.children(e, nil)
	case "list":
		n.Kind = "List"
		n.Keys = strings.Fields(arg(st, "key"))
		c.listAttrs(st, n)
		n.Children, err = c.children(e, nil)
	case "leaf", "leaf-list":
		n.Kind = "Leaf"
		if st.Keyword == "leaf-list" {
			n.Kind = "LeafList"
			c.listAttrs(st, n)
		}
		n.Default = arg(st, "default")
		n.Units = arg(st, "units")
		err = c.leafType(sub(st, "type"), n)
	default:
		err = fmt.Errorf("unsupported statement %q", st.Keyword)
	}
	return n, err
}

func (c *converter) listAttrs(st *yang.Statement, n *node) {
	n.Ordered = arg(st, "ordered-by") == "user"
	if m := arg(st, "max-elements"); m != "" && m != "unbounded" {
		n.MaxElems, _ = strconv.Atoi(m)
	}
}

// extensions reads the Junos extensions of a data statement: CLI hints and
// commit-time constraints, each junos:must paired with the must-message that
// follows it.
func (c *converter) extensions(st *yang.Statement, n *node) {
	for _, s := range st.SubStatements() {
		switch s.Keyword {
		case "junos:cli-feature":
			switch s.Argument {
			case "nokeyword":
				n.NoKeyword = true
			case "oneliner":
				n.Oneliner = true
			case "oneliner-plus":
				n.Oneliner, n.OnePlus = true, true
			case "homogeneous":
				n.Homogeneous = true
			}
		case "junos:must":
			n.Musts = append(n.Musts, [2]string{s.Argument, ""})
		case "junos:must-message":
			if k := len(n.Musts); k > 0 && n.Musts[k-1][1] == "" {
				n.Musts[k-1][1] = s.Argument
			}
		}
	}
}

// orderedNames lists the data-node names a statement defines, in source
// order, looking through uses, choice and case.
func (c *converter) orderedNames(st *yang.Statement, at yang.Node) []string {
	var names []string
	for _, s := range st.SubStatements() {
		switch s.Keyword {
		case "container", "list", "leaf", "leaf-list":
			names = append(names, s.Argument)
		case "choice", "case":
			names = append(names, c.orderedNames(s, at)...)
		case "uses":
			if g := c.grouping(at, s.Argument); g != nil {
				names = append(names, c.orderedNames(g, at)...)
			}
		}
	}
	return names
}

// grouping finds a module-level grouping of the module that defines at.
func (c *converter) grouping(at yang.Node, name string) *yang.Statement {
	m := yang.RootNode(at)
	if m == nil {
		return nil
	}
	gs := c.groupings[m.Name]
	if gs == nil {
		gs = map[string]*yang.Statement{}
		for _, g := range m.Grouping {
			gs[g.Name] = g.Statement()
		}
		c.groupings[m.Name] = gs
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return gs[name]
}

// sub returns the first substatement of st with the keyword, or nil.
func sub(st *yang.Statement, keyword string) *yang.Statement {
	for _, s := range st.SubStatements() {
		if s.Keyword == keyword {
			return s
		}
	}
	return nil
}

func has(st *yang.Statement, keyword string) bool { return sub(st, keyword) != nil }

// arg returns the argument of the first substatement with the keyword.
func arg(st *yang.Statement, keyword string) string {
	if s := sub(st, keyword); s != nil {
		return s.Argument
	}
	return ""
}
