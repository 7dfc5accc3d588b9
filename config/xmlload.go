package config

import (
	"errors"
	"fmt"
	"strings"

	"mxlab/config/schema"
	"mxlab/internal/junosxml"
)

// Loading Junos XML (the <configuration> element of NETCONF
// load-configuration and edit-config, and Junos JSON turned into it): the
// elements become configuration commands applied to a copy of the
// candidate, so that values go through the same checks as "set".
//
// Attributes: operation="delete" or delete="delete" removes a statement
// (one that does not exist is skipped); replace="replace" or
// operation="replace" replaces it, with LoadReplace; inactive="inactive"
// and active="active" deactivate and activate it. operation="merge" and
// "create" merge.

// xmlCommand is one command made from the XML.
type xmlCommand struct {
	verb  string // set, delete, activate, deactivate
	words []string
	elem  string // the element it came from, for errors
}

// LoadXML loads a <configuration> element into the session's candidate:
// LoadMerge merges it, LoadReplace also honours replace attributes,
// LoadOverride and LoadUpdate replace the whole candidate. A failed load
// changes nothing.
func (s *Session) LoadXML(mode LoadMode, cfg *junosxml.Elem) error {
	var cmds []xmlCommand
	if err := xmlCommands(schema.Root(), cfg, nil, mode == LoadReplace, &cmds); err != nil {
		return err
	}
	return s.write(func() error {
		t := s.cand.Clone()
		if mode == LoadOverride || mode == LoadUpdate {
			t.Kids, t.idx = nil, nil
		}
		for _, c := range cmds {
			if err := applyXMLCommand(t, c); err != nil {
				return err
			}
		}
		s.replaceCandidate(t)
		return nil
	})
}

func applyXMLCommand(t *Node, c xmlCommand) error {
	if c.verb == "delete" {
		p, err := Resolve(t.S, c.words, false)
		if err != nil {
			return xmlError(c, err)
		}
		if t.Walk(p) == nil && !(len(p) > 0 && p[len(p)-1].S.Kind == schema.List && p[len(p)-1].Keys == nil) {
			return nil // nothing to delete
		}
		if err := t.Delete(p); err != nil && !errors.Is(err, ErrNotFound) {
			return xmlError(c, err)
		}
		return nil
	}
	if _, err := setLine(t, nil, append([]string{c.verb}, c.words...)); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return xmlError(c, err)
	}
	return nil
}

// xmlError reports a command that failed, naming its element.
func xmlError(c xmlCommand, err error) error {
	msg := strings.TrimSuffix(err.Error(), ".")
	tok := c.elem
	var ie *InputError
	if errors.As(err, &ie) && ie.Tok >= 0 && ie.Tok < len(c.words) {
		tok = c.words[ie.Tok]
	}
	return &LoadError{Source: "xml", Line: 1, Col: 1, Token: tok, Msg: msg}
}

// xmlCommands turns the children of e (at schema node at, reached by the
// words of prefix) into commands.
func xmlCommands(at *schema.Node, e *junosxml.Elem, prefix []string, replace bool, out *[]xmlCommand) error {
	for _, c := range e.Kids {
		if c.Name == "comment" && c.Space != "" {
			continue // junos:comment
		}
		sc := at.Child(c.Name)
		if sc == nil {
			return &LoadError{Source: "xml", Line: 1, Col: 1, Token: c.Name, Msg: "syntax error"}
		}
		if err := xmlStatement(sc, c, prefix, replace, out); err != nil {
			return err
		}
	}
	return nil
}

// xmlStatement turns one element into commands.
func xmlStatement(sc *schema.Node, c *junosxml.Elem, prefix []string, replace bool, out *[]xmlCommand) error {
	op, _ := c.Attr("operation")
	if v, ok := c.Attr("delete"); ok && v == "delete" {
		op = "delete"
	}
	if v, ok := c.Attr("replace"); ok && v == "replace" && op == "" {
		op = "replace"
	}
	switch op {
	case "", "merge", "create", "delete", "replace", "remove":
	default:
		return &LoadError{Source: "xml", Line: 1, Col: 1, Token: c.Name, Msg: fmt.Sprintf("operation %q is not supported", op)}
	}
	step, err := xmlStep(sc, c)
	if err != nil {
		return err
	}
	path := append(append([]string(nil), prefix...), step...)
	add := func(verb string, words []string) {
		*out = append(*out, xmlCommand{verb: verb, words: words, elem: c.Name})
	}
	// The path of the statement itself: a leaf without its value.
	stmt := path
	if sc.Kind == schema.Leaf && sc.Type != schema.Empty && !sc.NoKeyword {
		stmt = path[:len(path)-1]
	}
	switch op {
	case "delete", "remove":
		add("delete", stmt)
		return nil
	case "replace":
		if replace {
			add("delete", stmt)
		}
	}
	switch sc.Kind {
	case schema.Leaf, schema.LeafList:
		add("set", path)
	default:
		kids := 0
		for _, k := range c.Kids {
			if !(sc.Kind == schema.List && isKeyElem(sc, k.Name)) {
				kids++
			}
		}
		if kids == 0 && (sc.Kind == schema.List || canStandAlone(sc)) {
			add("set", path)
		}
		if err := xmlCommands(sc, withoutKeys(sc, c), path, replace, out); err != nil {
			return err
		}
	}
	if v, _ := c.Attr("inactive"); v == "inactive" {
		add("deactivate", stmt)
	}
	if v, _ := c.Attr("active"); v == "active" {
		add("activate", stmt)
	}
	return nil
}

// xmlStep returns the words of one element: keyword, keys or value.
func xmlStep(sc *schema.Node, c *junosxml.Elem) ([]string, error) {
	var w []string
	if !sc.NoKeyword || sc.Kind == schema.Container {
		w = append(w, sc.Name)
	}
	switch sc.Kind {
	case schema.List:
		for _, k := range sc.Keys {
			v, ok := c.KidText(k)
			if !ok {
				return nil, &LoadError{Source: "xml", Line: 1, Col: 1, Token: c.Name, Msg: "missing list key: " + k}
			}
			w = append(w, strings.TrimSpace(v))
		}
	case schema.Leaf:
		if len(c.Kids) > 0 {
			return nil, &LoadError{Source: "xml", Line: 1, Col: 1, Token: c.Kids[0].Name, Msg: "syntax error"}
		}
		if sc.Type != schema.Empty {
			w = append(w, strings.TrimSpace(c.Text))
		}
	case schema.LeafList:
		w = append(w, strings.TrimSpace(c.Text))
	}
	return w, nil
}

func isKeyElem(sc *schema.Node, name string) bool {
	for _, k := range sc.Keys {
		if k == name {
			return true
		}
	}
	return false
}

// withoutKeys returns e without the key elements of a list entry.
func withoutKeys(sc *schema.Node, e *junosxml.Elem) *junosxml.Elem {
	if sc.Kind != schema.List {
		return e
	}
	out := &junosxml.Elem{Name: e.Name}
	for _, k := range e.Kids {
		if !isKeyElem(sc, k.Name) {
			out.Kids = append(out.Kids, k)
		}
	}
	return out
}
