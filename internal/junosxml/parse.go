package junosxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits bound what Parse accepts.
type Limits struct {
	Depth    int // nesting of elements; default 128
	Elements int // elements in the document; default 1,000,000
}

// ErrLimit reports a document past the limits.
var ErrLimit = errors.New("document too large or too deep")

// SyntaxError is a document that is not well-formed XML.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// Parse reads one XML document: an optional declaration, then one root
// element. Comments and processing instructions are skipped; a DTD is
// refused. Names keep their namespace URI in Space; attributes keep their
// prefix ("junos:changed").
func Parse(data []byte, lim Limits) (*Elem, error) {
	if lim.Depth == 0 {
		lim.Depth = 128
	}
	if lim.Elements == 0 {
		lim.Elements = 1_000_000
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var root *Elem
	var stack []*Elem
	count := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxErr(d, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, &SyntaxError{Line: line(d), Msg: "junk after document element"}
			}
			count++
			if len(stack) >= lim.Depth || count > lim.Elements {
				return nil, ErrLimit
			}
			e := &Elem{Name: t.Name.Local}
			for _, a := range t.Attr {
				name := a.Name.Local
				if a.Name.Space != "" {
					name = a.Name.Space + ":" + name
				}
				e.Attrs = append(e.Attrs, Attr{Name: name, Value: a.Value})
			}
			e.Space = t.Name.Space // a prefix until resolve
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, &SyntaxError{Line: line(d), Msg: "unexpected end element"}
			}
			top := stack[len(stack)-1]
			if top.Name != t.Name.Local || top.Space != t.Name.Space {
				return nil, &SyntaxError{Line: line(d), Msg: fmt.Sprintf("element <%s> closed by </%s>", top.Name, t.Name.Local)}
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, &SyntaxError{Line: line(d), Msg: "text outside the document element"}
			}
		case xml.Directive:
			return nil, &SyntaxError{Line: line(d), Msg: "DTD not allowed"}
		}
	}
	if root == nil {
		return nil, &SyntaxError{Line: line(d), Msg: "no document element"}
	}
	if len(stack) > 0 {
		return nil, &SyntaxError{Line: line(d), Msg: fmt.Sprintf("unexpected end of document in <%s>", stack[len(stack)-1].Name)}
	}
	if err := resolve(root, nil); err != nil {
		return nil, err
	}
	trimText(root)
	return root, nil
}

func line(d *xml.Decoder) int {
	l, _ := d.InputPos()
	return l
}

func syntaxErr(d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{Line: se.Line, Msg: se.Msg}
	}
	return &SyntaxError{Line: line(d), Msg: err.Error()}
}

// resolve turns element prefixes into namespace URIs with the xmlns
// declarations in scope. An undeclared prefix is an error.
func resolve(e *Elem, scope map[string]string) error {
	local, copied := scope, false
	for _, a := range e.Attrs {
		var prefix string
		switch {
		case a.Name == "xmlns":
			prefix = ""
		case strings.HasPrefix(a.Name, "xmlns:"):
			prefix = a.Name[len("xmlns:"):]
		default:
			continue
		}
		if !copied {
			local = make(map[string]string, len(scope)+1)
			for k, v := range scope {
				local[k] = v
			}
			copied = true
		}
		local[prefix] = a.Value
	}
	prefix := e.Space
	e.Space = local[prefix]
	if prefix != "" && e.Space == "" {
		return &SyntaxError{Msg: fmt.Sprintf("undeclared namespace prefix %q", prefix)}
	}
	for _, k := range e.Kids {
		if err := resolve(k, local); err != nil {
			return err
		}
	}
	return nil
}

// trimText drops the whitespace between child elements (indentation).
func trimText(e *Elem) {
	if len(e.Kids) > 0 && strings.TrimSpace(e.Text) == "" {
		e.Text = ""
	}
	for _, k := range e.Kids {
		trimText(k)
	}
}
