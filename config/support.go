package config

import (
	"fmt"
	"strings"

	"mxlab/config/schema"
)

// Support is the part of the configuration a router acts on. Statements
// outside it are stored, shown and compared like any other, but do
// nothing; a commit completes with a warning for each, so that a user can
// tell a statement that does nothing from a mistake of theirs.
//
// It is written as an outline of statement keywords (list keys are not
// statements), two spaces of indent per level; a keyword followed by " *"
// covers everything below it:
//
//	interfaces
//	  interface
//	    description
//	    unit
//	      family
//	        inet *
type Support struct {
	root     *supportNode
	features map[string]string // statement path -> feature name
}

type supportNode struct {
	all  bool
	kids map[string]*supportNode
}

// NewSupport parses an outline; features names the features of whole
// hierarchies ("protocols ospf": "OSPF") for the warnings. It panics on a
// malformed outline, which is a constant of the program.
func NewSupport(outline string, features map[string]string) *Support {
	s := &Support{root: &supportNode{kids: map[string]*supportNode{}}, features: features}
	stack := []*supportNode{s.root}
	for ln, line := range strings.Split(outline, "\n") {
		word := strings.TrimLeft(line, " ")
		if strings.TrimSpace(word) == "" {
			continue
		}
		depth := (len(line) - len(word)) / 2
		if depth >= len(stack) || (len(line)-len(word))%2 != 0 {
			panic(fmt.Sprintf("support outline line %d: bad indent: %q", ln+1, line))
		}
		word, all := strings.CutSuffix(word, " *")
		n := &supportNode{all: all, kids: map[string]*supportNode{}}
		stack[depth].kids[word] = n
		stack = append(stack[:depth+1], n)
	}
	return s
}

// Check returns a warning for the active statements of root outside the
// supported part: one per kind of statement (the first one found; the
// 2,000 tags of 2,000 static routes make one warning), and nothing below
// a statement reported.
func (s *Support) Check(root *Node) []*CommitError {
	var out []*CommitError
	seen := map[*schema.Node]bool{}
	var walk func(n *Node, sn *supportNode)
	walk = func(n *Node, sn *supportNode) {
		for _, k := range n.Kids {
			if k.Inactive {
				continue
			}
			ks := sn.kids[k.S.Name]
			if ks == nil {
				if !seen[k.S] {
					seen[k.S] = true
					out = append(out, WarningAt(k, s.message(k)))
				}
				continue
			}
			if !ks.all {
				walk(k, ks)
			}
		}
	}
	walk(root, s.root)
	return out
}

func (s *Support) message(k *Node) string {
	if f, ok := s.features[strings.Join(k.S.Path(), " ")]; ok {
		return fmt.Sprintf("mxlab does not run %s yet: the statements are stored only", f)
	}
	return "mxlab does not act on this statement yet: it is stored only"
}

// Validator returns the check as a commit validator.
func (s *Support) Validator() Validator { return s.Check }
