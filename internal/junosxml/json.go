package junosxml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// ParseJSON reads a Junos JSON document ({"configuration": {...}}) into
// elements: an object's members are child elements, an array holds
// repeated elements, [null] is an empty element, scalars are text, and
// "@" (or "@name" next to a member) holds attributes. It returns the
// document's top element.
func ParseJSON(data []byte, lim Limits) (*Elem, error) {
	if lim.Depth == 0 {
		lim.Depth = 128
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, &SyntaxError{Msg: err.Error()}
	}
	obj, ok := v.(map[string]any)
	if !ok || len(obj) != 1 {
		return nil, &SyntaxError{Msg: "expected an object with one member"}
	}
	root := &Elem{}
	n := 0
	if err := members(root, obj, 0, lim, &n); err != nil {
		return nil, err
	}
	if len(root.Kids) != 1 {
		return nil, &SyntaxError{Msg: "expected one top element"}
	}
	return root.Kids[0], nil
}

func members(parent *Elem, obj map[string]any, depth int, lim Limits, n *int) error {
	if depth >= lim.Depth {
		return ErrLimit
	}
	for _, name := range sortedKeys(obj) {
		if name == "@" || (len(name) > 1 && name[0] == '@') {
			continue
		}
		items, ok := obj[name].([]any)
		if !ok {
			items = []any{obj[name]}
		}
		for _, it := range items {
			*n++
			if lim.Elements > 0 && *n > lim.Elements {
				return ErrLimit
			}
			e := &Elem{Name: name}
			if err := value(e, it, depth, lim, n); err != nil {
				return err
			}
			if a, ok := obj["@"+name].(map[string]any); ok {
				addAttrs(e, a)
			}
			parent.Kids = append(parent.Kids, e)
		}
	}
	return nil
}

func value(e *Elem, v any, depth int, lim Limits, n *int) error {
	switch x := v.(type) {
	case nil:
	case string:
		e.Text = x
	case json.Number:
		e.Text = x.String()
	case bool:
		e.Text = strconv.FormatBool(x)
	case map[string]any:
		if a, ok := x["@"].(map[string]any); ok {
			addAttrs(e, a)
		}
		return members(e, x, depth+1, lim, n)
	default:
		return &SyntaxError{Msg: fmt.Sprintf("unexpected value for %q", e.Name)}
	}
	return nil
}

func addAttrs(e *Elem, a map[string]any) {
	for _, k := range sortedKeys(a) {
		if s, ok := a[k].(string); ok {
			e.SetAttr(k, s)
		}
	}
}

// sortedKeys returns the keys of an object: JSON objects have no order,
// but a configuration is merged statement by statement, so any order
// gives the same result; sorting keeps it deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
