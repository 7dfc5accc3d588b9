// Package junosxml is a small element tree for Junos XML documents: the
// RPCs a NETCONF client sends (parsed namespace-aware, with limits), and
// the replies of operational commands, written as Junos XML (the
// 4-space indentation of "| display xml", or one element a line as
// NETCONF replies are) and as Junos JSON ("| display json").
package junosxml

import "strings"

// Elem is one XML element.
type Elem struct {
	Name  string // the local name
	Space string // the namespace URI of a parsed element ("" when none)
	Attrs []Attr
	Text  string // character data (elements with text have no children in Junos documents)
	Kids  []*Elem
}

// Attr is an attribute; Name keeps its prefix when written ("junos:style",
// "xmlns").
type Attr struct {
	Name, Value string
}

// New returns an element with children.
func New(name string, kids ...*Elem) *Elem {
	return &Elem{Name: name, Kids: kids}
}

// Leaf returns an element holding text.
func Leaf(name, text string) *Elem { return &Elem{Name: name, Text: text} }

// Add appends children (nil ones are skipped) and returns e.
func (e *Elem) Add(kids ...*Elem) *Elem {
	for _, k := range kids {
		if k != nil {
			e.Kids = append(e.Kids, k)
		}
	}
	return e
}

// AddLeaf appends a text child and returns e.
func (e *Elem) AddLeaf(name, text string) *Elem { return e.Add(Leaf(name, text)) }

// SetAttr sets an attribute and returns e.
func (e *Elem) SetAttr(name, value string) *Elem {
	for i := range e.Attrs {
		if e.Attrs[i].Name == name {
			e.Attrs[i].Value = value
			return e
		}
	}
	e.Attrs = append(e.Attrs, Attr{Name: name, Value: value})
	return e
}

// Attr returns the value of an attribute (matched by local name too, so
// "junos:style" is found as "style") and whether it is there.
func (e *Elem) Attr(name string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Name == name || localName(a.Name) == name {
			return a.Value, true
		}
	}
	return "", false
}

// Kid returns the first child with the local name, or nil.
func (e *Elem) Kid(name string) *Elem {
	if e == nil {
		return nil
	}
	for _, k := range e.Kids {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Has reports whether e has a child of that name.
func (e *Elem) Has(name string) bool { return e.Kid(name) != nil }

// KidText returns the text of the first child of that name.
func (e *Elem) KidText(name string) (string, bool) {
	k := e.Kid(name)
	if k == nil {
		return "", false
	}
	return k.Text, true
}

func localName(n string) string {
	for i := len(n) - 1; i >= 0; i-- {
		if n[i] == ':' {
			return n[i+1:]
		}
	}
	return n
}

// Namespace returns the namespace of the Junos XML replies of a release
// for a kind of reply: "http://xml.juniper.net/junos/24.4R0/junos-chassis"
// for ("24.4R1.9", "chassis"); kind "" gives the ".../junos" one.
func Namespace(release, kind string) string {
	base := release
	if i := strings.IndexByte(release, 'R'); i > 0 {
		base = release[:i] + "R0"
	}
	ns := "http://xml.juniper.net/junos/" + base + "/junos"
	if kind != "" {
		ns += "-" + kind
	}
	return ns
}
