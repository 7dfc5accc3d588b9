package config

import (
	"strings"
	"sync"

	"mxlab/config/schema"
)

// Evaluation of junos:must constraints (the language is described in
// mustparse.go) over the active statements of a candidate.

func (e notExpr) eval(c *mustCtx) bool  { return !e.x.eval(c) }
func (e andExpr) eval(c *mustCtx) bool  { return e.l.eval(c) && e.r.eval(c) }
func (e orExpr) eval(c *mustCtx) bool   { return e.l.eval(c) || e.r.eval(c) }
func (e pathExpr) eval(c *mustCtx) bool { return c.evalPath(e) }

// mustChecker evaluates the constraints of a tree. Parsed expressions are
// kept per schema node, so a checker reused across commits parses each
// expression once. It is safe for concurrent use.
type mustChecker struct {
	mu    sync.Mutex
	cache map[*schema.Node][]mustExpr // nil entries: expressions that did not parse
}

func newMustChecker() *mustChecker {
	return &mustChecker{cache: make(map[*schema.Node][]mustExpr)}
}

// exprs returns the parsed Musts of s, in order; an expression that does not
// parse is nil and is not checked (every expression of the table parses;
// see TestParseMustTree).
func (mc *mustChecker) exprs(s *schema.Node) []mustExpr {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if e, ok := mc.cache[s]; ok {
		return e
	}
	out := make([]mustExpr, len(s.Musts))
	for i, m := range s.Musts {
		if e, err := parseMust(m.Expr); err == nil {
			out[i] = e
		}
	}
	mc.cache[s] = out
	return out
}

// check evaluates every constraint of the active statements of root, in
// configuration order.
func (mc *mustChecker) check(root *Node) []*CommitError {
	var errs []*CommitError
	memo := map[string]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		if n.Inactive {
			return
		}
		if n.Parent != nil {
			errs = append(errs, mc.checkNode(root, n, memo)...)
		}
		for _, k := range n.Kids {
			visit(k)
		}
	}
	visit(root)
	return errs
}

// checkNode evaluates the constraints of n, and for a list entry those of
// its key leaves.
func (mc *mustChecker) checkNode(root, n *Node, memo map[string]bool) []*CommitError {
	var errs []*CommitError
	run := func(s *schema.Node, value string, onKey bool) {
		for i, e := range mc.exprs(s) {
			c := &mustCtx{root: root, self: n, onKey: onKey, value: value, memo: memo}
			if e == nil || e.eval(c) {
				continue
			}
			ce := errorAt(n, s.Musts[i].Msg)
			if n.S.Kind == schema.LeafList {
				// Name the offending value only.
				ce.Statement = strings.Join(headWords(&Node{S: n.S, Values: []string{value}}), " ")
			}
			errs = append(errs, ce)
		}
	}
	switch n.S.Kind {
	case schema.List:
		if len(n.Keys) > 0 {
			run(n.S, n.Keys[0], false)
		}
		for i, k := range n.S.Keys {
			if ks := n.S.Child(k); ks != nil && len(ks.Musts) > 0 && i < len(n.Keys) {
				run(ks, n.Keys[i], true)
			}
		}
	case schema.LeafList:
		for _, v := range n.Values {
			run(n.S, v, false)
		}
	default:
		run(n.S, n.Value, false)
	}
	return errs
}

// mustCtx is the statement a constraint is evaluated for.
type mustCtx struct {
	root  *Node
	self  *Node  // the constrained statement (the entry, for a key leaf)
	onKey bool   // the constraint belongs to a key leaf of the entry self
	value string // $$
	// memo keeps the answers of absolute paths during one check: the
	// same "any services service-set <*> ..." is asked by every entry.
	memo map[string]bool
}

// expand substitutes the variables of a path; ok is false when a ${name}
// names no enclosing list entry.
func (c *mustCtx) expand(words []string) ([]string, bool) {
	out := make([]string, 0, len(words)+2)
	for _, w := range words {
		switch {
		case w == "$$-IFL":
			ifd, unit := splitIFL(c.value)
			out = append(out, ifd, "unit", unit)
		case w == "$$-IFD":
			ifd, _ := splitIFL(c.value)
			out = append(out, ifd)
		case strings.HasPrefix(w, "$$={") && strings.HasSuffix(w, "}"):
			out = append(out, w[len("$$={"):len(w)-1])
		case strings.HasPrefix(w, "${") && strings.HasSuffix(w, "}"):
			key, ok := c.enclosingKey(w[2 : len(w)-1])
			if !ok {
				return nil, false
			}
			out = append(out, key)
		default:
			out = append(out, strings.ReplaceAll(w, "$$", c.value))
		}
	}
	return out, true
}

// splitIFL splits a logical interface name into its physical part and
// unit; a name without a unit is unit 0.
func splitIFL(name string) (ifd, unit string) {
	if i := strings.LastIndexByte(name, '.'); i > 0 && i < len(name)-1 {
		return name[:i], name[i+1:]
	}
	return name, "0"
}

// enclosingKey returns the first key of the nearest enclosing list entry
// whose list or key leaf is called name.
func (c *mustCtx) enclosingKey(name string) (string, bool) {
	for x := c.self; x != nil; x = x.Parent {
		if x.S.Kind != schema.List || len(x.Keys) == 0 {
			continue
		}
		if x.S.Name == name {
			return x.Keys[0], true
		}
		for i, k := range x.S.Keys {
			if k == name && i < len(x.Keys) {
				return x.Keys[i], true
			}
		}
	}
	return "", false
}

// evalPath evaluates one path test.
func (c *mustCtx) evalPath(e pathExpr) bool {
	words, ok := c.expand(e.words)
	if !ok {
		return false
	}
	starts, rest := c.start(words, c.onKey || (c.self.S.Kind == schema.LeafList && usesValue(e.words)))
	switch e.quant {
	case "all":
		return allMatch(starts, rest)
	case "unique":
		others := 0
		for _, s := range starts {
			walkPath(s, rest, func(m *Node) bool {
				if m != c.self {
					others++
				}
				return others == 0
			})
		}
		return others == 0
	}
	if c.memo != nil && len(starts) == 1 && starts[0] == c.root {
		k := strings.Join(rest, " ")
		if v, ok := c.memo[k]; ok {
			return v
		}
		v := anyMatch(starts, rest)
		c.memo[k] = v
		return v
	}
	return anyMatch(starts, rest)
}

// usesValue reports whether a path refers to $$.
func usesValue(words []string) bool {
	for _, w := range words {
		if strings.Contains(w, "$$") {
			return true
		}
	}
	return false
}

// start resolves the leading "." and ".." words of a path: it returns the
// nodes the rest of the path is looked up from. below tells that the path
// starts one level below self: at a key leaf of the entry self, or at one
// value of the leaf-list self (Junos evaluates a leaf-list constraint that
// uses $$ per value, one level down: ".. .. .. proposal $$" at
// "ike policy P proposals" names "ike proposal $$").
func (c *mustCtx) start(words []string, below bool) ([]*Node, []string) {
	if words[0] != "." && words[0] != ".." {
		return []*Node{c.root}, words
	}
	if words[0] == "." && len(words) > 1 && !below && c.self.S.Kind == schema.List {
		// At a list entry, ". KEY ..." names entries of the list itself.
		if isGlob(words[1]) || c.self.S.Child(words[1]) == nil {
			return siblingEntries(c.self, words[1:])
		}
	}
	cur, atKey := c.self, below
	i := 0
	for ; i < len(words) && (words[i] == "." || words[i] == ".."); i++ {
		switch {
		case words[i] == ".":
		case atKey:
			atKey = false
		default:
			if cur = cur.Parent; cur == nil {
				return nil, nil
			}
		}
	}
	if atKey && i < len(words) {
		return nil, nil // a key leaf or a value has no statements below it
	}
	return []*Node{cur}, words[i:]
}

// siblingEntries returns the entries of self's list whose keys match the
// first words, and the words after the keys.
func siblingEntries(self *Node, words []string) ([]*Node, []string) {
	if self.Parent == nil {
		return nil, nil
	}
	var out []*Node
	n := 0
	for _, e := range activeKids(self.Parent, self.S) {
		if k, ok := matchKeys(self.S, e.Keys, words); ok {
			out, n = append(out, e), k
		}
	}
	return out, words[n:]
}

func anyMatch(starts []*Node, words []string) bool {
	found := false
	for _, s := range starts {
		walkPath(s, words, func(*Node) bool { found = true; return false })
		if found {
			return true
		}
	}
	return false
}

// allMatch reports whether every statement matched by the path up to its
// last wildcard has the rest of the path.
func allMatch(starts []*Node, words []string) bool {
	last := -1
	for i, w := range words {
		if isGlob(w) {
			last = i
		}
	}
	if last < 0 {
		return anyMatch(starts, words)
	}
	ok := true
	for _, s := range starts {
		walkPath(s, words[:last+1], func(m *Node) bool {
			ok = anyMatch([]*Node{m}, words[last+1:])
			return ok
		})
	}
	return ok
}

// walkPath calls visit for every active statement named by words below n,
// until visit returns false; it returns false when stopped.
func walkPath(n *Node, words []string, visit func(*Node) bool) bool {
	if len(words) == 0 {
		return visit(n)
	}
	// A keyword-less leaf is still named by its keyword in a path.
	if c := n.S.Child(words[0]); c != nil && !c.IsKey() && (!c.NoKeyword || c.Kind != schema.List) {
		return walkChild(n, c, words[1:], visit)
	}
	for _, c := range n.S.Children {
		if !c.NoKeyword || c.IsKey() {
			continue
		}
		switch c.Kind {
		case schema.List:
			if !walkEntries(n, c, words, visit) {
				return false
			}
		case schema.Leaf, schema.LeafList:
			if len(words) == 1 && !visitValues(n, c, words[0], visit) {
				return false
			}
		}
	}
	return true
}

// walkChild continues a path at statement c below n; words follow c's
// keyword.
func walkChild(n *Node, c *schema.Node, words []string, visit func(*Node) bool) bool {
	switch c.Kind {
	case schema.Leaf, schema.LeafList:
		if len(words) == 0 {
			for _, k := range activeKids(n, c) {
				if !visit(k) {
					return false
				}
			}
			return true
		}
		if len(words) > 1 || c.Type == schema.Empty {
			return true
		}
		return visitValues(n, c, words[0], visit)
	case schema.List:
		if len(words) == 0 {
			for _, k := range activeKids(n, c) {
				if !visit(k) {
					return false
				}
			}
			return true
		}
		return walkEntries(n, c, words, visit)
	}
	for _, k := range activeKids(n, c) {
		if !walkPath(k, words, visit) {
			return false
		}
	}
	return true
}

// visitValues visits the leaf or leaf-list c below n when it holds a value
// matching word.
func visitValues(n *Node, c *schema.Node, word string, visit func(*Node) bool) bool {
	for _, k := range activeKids(n, c) {
		vals := k.Values
		if c.Kind == schema.Leaf {
			vals = []string{k.Value}
		}
		for _, v := range vals {
			if valueMatches(word, v) {
				if !visit(k) {
					return false
				}
				break
			}
		}
	}
	return true
}

// walkEntries continues a path at the entries of list c below n whose keys
// match the first words.
func walkEntries(n *Node, c *schema.Node, words []string, visit func(*Node) bool) bool {
	if len(c.Keys) == 1 && len(words) > 0 && !isGlob(words[0]) {
		// One entry named exactly: looked up, not searched (a path with
		// ${interface} is asked for each of 500 interfaces).
		e := n.lookup(Step{S: c, Keys: []string{words[0]}})
		if e == nil || e.Inactive {
			return true
		}
		return walkPath(e, words[1:], visit)
	}
	for _, e := range activeKids(n, c) {
		if k, ok := matchKeys(c, e.Keys, words); ok {
			if !walkPath(e, words[k:], visit) {
				return false
			}
		}
	}
	return true
}

// matchKeys matches the keys of an entry of list s against the first words
// (the first key bare, later ones bare or after their keyword) and returns
// how many words the keys used.
func matchKeys(s *schema.Node, keys, words []string) (int, bool) {
	i := 0
	for ki := 0; ki < len(keys) && i < len(words); ki++ {
		if ki > 0 {
			name := ""
			if ki < len(s.Keys) {
				name = s.Keys[ki]
			}
			switch {
			case words[i] == name && i+1 < len(words):
				i++
			case !isGlob(words[i]) && s.Child(words[i]) != nil:
				return i, true // the words go on below the entry
			}
		}
		if !valueMatches(words[i], keys[ki]) {
			return 0, false
		}
		i++
	}
	return i, true
}

// activeKids returns the active statements of schema s below n.
func activeKids(n *Node, s *schema.Node) []*Node {
	var out []*Node
	for _, k := range n.Kids {
		if k.S == s && !k.Inactive {
			out = append(out, k)
		}
	}
	return out
}

func isGlob(w string) bool {
	return len(w) >= 2 && w[0] == '<' && w[len(w)-1] == '>'
}

// valueMatches compares a path word with a value; <glob> words match with
// '*' (any run of characters) and '?' (one character).
func valueMatches(word, v string) bool {
	if !isGlob(word) {
		return word == v
	}
	return globMatch(word[1:len(word)-1], v)
}

func globMatch(pat, s string) bool {
	// Iterative matcher with backtracking to the last '*'.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && (pat[p] == '?' || pat[p] == s[i]):
			p++
			i++
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}
