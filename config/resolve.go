package config

import (
	"errors"
	"fmt"
	"strings"

	"mxlab/config/schema"
	"mxlab/config/secret"
)

// InputError is an error in one word of a command line; the CLI prints a
// caret under word Tok and Msg below it.
type InputError struct {
	Tok  int      // index of the offending word; len(words) means "after the last word"
	Msg  string   // Junos text, e.g. "syntax error." or "missing argument."
	Cand []string // for an ambiguous word: the candidate keywords
}

func (e *InputError) Error() string { return e.Msg }

// Ambiguous reports whether the error is an ambiguous abbreviation.
func (e *InputError) Ambiguous() bool { return len(e.Cand) > 0 }

func syntaxErr(tok int) *InputError  { return &InputError{Tok: tok, Msg: "syntax error."} }
func missingArg(tok int) *InputError { return &InputError{Tok: tok, Msg: "missing argument."} }

// Step is one statement named by a command line: a container, a list entry
// (Keys), a leaf (Value) or leaf-list values (Values).
type Step struct {
	S      *schema.Node
	Keys   []string
	Value  string
	Values []string
	HasVal bool // a value was given (leaf, leaf-list)
	Tok    int  // index of the word that named the statement
}

// Path is a resolved command path. The last step is the statement the
// command acts on; leaves before the last one (set a b 1 c 2) are siblings
// set along the way and do not descend.
type Path []Step

// Words renders the path as CLI words (keywords, keys, values).
func (p Path) Words() []string {
	var w []string
	for _, st := range p {
		w = append(w, stepWords(st)...)
	}
	return w
}

func stepWords(st Step) []string {
	var w []string
	s := st.S
	switch s.Kind {
	case schema.List:
		if !s.NoKeyword {
			w = append(w, s.Name)
		}
		w = append(w, keyWords(s, st.Keys)...)
	case schema.Leaf:
		if !s.NoKeyword {
			w = append(w, s.Name)
		}
		if s.Type != schema.Empty && st.HasVal {
			w = append(w, st.Value)
		}
	case schema.LeafList:
		w = append(w, s.Name)
		w = append(w, st.Values...)
	default:
		w = append(w, s.Name)
	}
	return w
}

// keyWords renders the key values of a list entry: the first key (and any
// nokeyword key) bare, the others after their keyword.
func keyWords(s *schema.Node, keys []string) []string {
	var w []string
	for i, k := range keys {
		if i < len(s.Keys) {
			if kn := s.Child(s.Keys[i]); keywordKey(kn, i) {
				w = append(w, kn.Name)
			}
		}
		if k != "" {
			w = append(w, k)
		}
	}
	return w
}

// keywordKey reports whether key leaf kn (key number i of its list) is
// given after its keyword (allowed-proxy-pair local P remote P).
func keywordKey(kn *schema.Node, i int) bool {
	if kn == nil || kn.NoKeyword || bareKey(kn) {
		return false
	}
	return i > 0 || kn.Name != "name"
}

// takesValue reports whether the choice-ident read so far takes a
// choice-value (route-filter P upto /24; not route-filter P exact, nor
// community add NAME).
func takesValue(keys []string) bool {
	if len(keys) == 0 {
		return false
	}
	switch keys[len(keys)-1] {
	case "upto", "through", "prefix-length-range", "address-mask":
		return true
	}
	return false
}

// bareKey reports whether a key leaf other than the first is given without
// its keyword (route-filter 10.0.0.0/8 exact: choice-ident, choice-value).
func bareKey(kn *schema.Node) bool {
	return strings.HasPrefix(kn.Name, "choice-")
}

// resolver turns words into a Path against the schema, starting at a node.
type resolver struct {
	words []string
	pos   int
	// values, when false, stops at a leaf without reading its value
	// (delete, show, edit accept a bare leaf keyword).
	needValue bool
	// want records what the words ran out on, for completion.
	want expect
	// What the current step read beyond the words it took: the end of
	// the words, or the next word (peeked is its index + 1).
	sawEnd bool
	peeked int
	vals   *valueMemo // nil: every value is checked
}

// valueMemo keeps the last values checked: the words of a line being
// typed are resolved again at every word, and a value's check (an
// address parsed) is the same each time.
type valueMemo struct {
	at   [4]checkedValue
	next int
}

type checkedValue struct {
	s    *schema.Node
	w, v string
}

// value is checkValue, through r.vals when set.
func (r *resolver) value(s *schema.Node, w string, tok int) (string, error) {
	m := r.vals
	if m == nil || s == nil || s.Type == schema.Unreadable {
		return checkValue(s, w, tok)
	}
	for _, e := range m.at {
		if e.s == s && e.w == w {
			return e.v, nil
		}
	}
	v, err := checkValue(s, w, tok)
	if err == nil {
		m.at[m.next] = checkedValue{s: s, w: w, v: v}
		m.next = (m.next + 1) % len(m.at)
	}
	return v, err
}

// atEnd reports whether the words are all read.
func (r *resolver) atEnd() bool {
	if r.pos >= len(r.words) {
		r.sawEnd = true
		return true
	}
	return false
}

// expect is what the next word may be after a resolved prefix.
type expect struct {
	at  *schema.Node // container or list whose statements may follow
	key *schema.Node // key leaf of list expected next
	val *schema.Node // leaf whose value is expected next
}

// errNoMatch is returned by matchKeyword when no keyword matches.
var errNoMatch = errors.New("no match")

// matchKeyword finds the child of s named by word: exact match first, then a
// unique prefix. Nokeyword children are not matched here.
func matchKeyword(s *schema.Node, word string) (*schema.Node, []string, error) {
	if c := s.Child(word); c != nil && !c.NoKeyword && !c.IsKey() {
		return c, nil, nil
	}
	if word == "" {
		return nil, nil, errNoMatch // "" is a prefix of every keyword, and names none
	}
	var cands []*schema.Node
	for _, c := range s.Children {
		if c.NoKeyword || c.IsKey() || c.Deprecated {
			continue
		}
		if strings.HasPrefix(c.Name, word) {
			cands = append(cands, c)
		}
	}
	switch len(cands) {
	case 0:
		return nil, nil, errNoMatch
	case 1:
		return cands[0], nil, nil
	}
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.Name
	}
	return nil, names, errNoMatch
}

// nokeywordChild returns the child of s whose value is given without a
// keyword (a nokeyword list such as interfaces' interface, or a nokeyword
// leaf), or nil.
func nokeywordChild(s *schema.Node) *schema.Node {
	for _, c := range s.Children {
		if c.NoKeyword && !c.IsKey() {
			return c
		}
	}
	return nil
}

// Resolve parses words (relative to the schema node at) into a Path.
// needValue tells whether a leaf must be followed by its value (set) or may
// stand alone (delete, show, edit, activate...).
func Resolve(at *schema.Node, words []string, needValue bool) (Path, error) {
	r := &resolver{words: words, needValue: needValue}
	return r.walk(at)
}

func (r *resolver) walk(s *schema.Node) (Path, error) {
	return r.walkOn(s, nil)
}

// walkMemo is a resolution kept for the next one: its steps and where
// each ended.
type walkMemo struct {
	at    *schema.Node
	words []string
	path  Path
	ends  []stepEnd
}

// stepEnd is the resolver's state after a step: the next word and the
// node whose statements it may name; the step holds for other words when
// it did not meet their end and their first read words are the same.
type stepEnd struct {
	pos    int
	cur    *schema.Node
	sawEnd bool
	read   int
}

// walkOn resolves r.words from s. When memo holds an earlier resolution
// from s, its steps are taken again as long as the words they read are
// the same: a step is a function of the node it starts at, of the words
// it read (a leaf without its value looks at the next word) and of
// whether it met the end of the words. With a memo, the path returned is
// the memo's, valid until the next walk with it.
func (r *resolver) walkOn(s *schema.Node, memo *walkMemo) (Path, error) {
	var p Path
	cur := s
	var ends []stepEnd
	if memo == nil {
		p = make(Path, 0, len(r.words))
	} else {
		k := 0
		if memo.at == s {
			same := 0
			for same < len(memo.words) && same < len(r.words) && memo.words[same] == r.words[same] {
				same++
			}
			for k < len(memo.ends) && !memo.ends[k].sawEnd && memo.ends[k].read <= same {
				k++
			}
		}
		if k > 0 {
			r.pos, cur = memo.ends[k-1].pos, memo.ends[k-1].cur
		}
		// The memo's own slices, extended in place: the memo is replaced below.
		p, ends = memo.path[:k], memo.ends[:k]
		if p == nil {
			p = Path{}
		}
	}
	var err error
	for r.pos < len(r.words) {
		r.sawEnd, r.peeked = false, 0
		var st Step
		if st, err = r.step(cur); err != nil {
			break
		}
		p = append(p, st)
		switch st.S.Kind {
		case schema.Container, schema.List:
			cur = st.S
		}
		if memo != nil {
			ends = append(ends, stepEnd{pos: r.pos, cur: cur, sawEnd: r.sawEnd, read: max(r.pos, r.peeked)})
		}
	}
	if r.want == (expect{}) {
		r.want = expect{at: cur}
	}
	if memo != nil {
		*memo = walkMemo{at: s, words: append(memo.words[:0], r.words...), path: p, ends: ends}
	}
	return p, err
}

// step reads one statement at container (or list) s.
func (r *resolver) step(s *schema.Node) (Step, error) {
	tok := r.pos
	w := r.words[tok]
	c, cands, err := matchKeyword(s, w)
	if err != nil {
		if len(cands) > 0 {
			return Step{}, &InputError{Tok: tok, Msg: fmt.Sprintf("'%s' is ambiguous.", w), Cand: cands}
		}
		nk := nokeywordChild(s)
		if nk == nil {
			return Step{}, syntaxErr(tok)
		}
		// The word is the value of the nokeyword child.
		switch nk.Kind {
		case schema.List:
			return r.listEntry(nk, tok)
		case schema.Leaf, schema.LeafList:
			return r.leaf(nk, tok, false)
		}
		return Step{}, syntaxErr(tok)
	}
	r.pos++
	switch c.Kind {
	case schema.Container:
		return Step{S: c, Tok: tok}, nil
	case schema.List:
		if r.atEnd() {
			r.want = expect{key: c.Child(c.Keys[0])}
			if r.needValue {
				return Step{}, missingArg(r.pos)
			}
			return Step{S: c, Tok: tok}, nil // the whole list (delete services service-set)
		}
		return r.listEntry(c, tok)
	default:
		return r.leaf(c, tok, true)
	}
}

// listEntry reads the keys of an entry of list s starting at r.pos.
func (r *resolver) listEntry(s *schema.Node, tok int) (Step, error) {
	keys := make([]string, 0, len(s.Keys))
	for i, kname := range s.Keys {
		kn := s.Child(kname)
		if r.atEnd() {
			r.want = expect{key: kn}
			if i == 0 {
				return Step{}, missingArg(r.pos)
			}
			if kn != nil && kn.Name == "choice-value" && !takesValue(keys) {
				keys = append(keys, "")
				continue
			}
			return Step{}, missingArg(r.pos)
		}
		w := r.words[r.pos]
		if keywordKey(kn, i) {
			if w != kn.Name {
				return Step{}, &InputError{Tok: r.pos, Msg: fmt.Sprintf("syntax error, expecting '%s'.", kn.Name)}
			}
			r.pos++
			if r.atEnd() {
				r.want = expect{key: kn}
				return Step{}, missingArg(r.pos)
			}
			w = r.words[r.pos]
		}
		if kn != nil && kn.Name == "choice-value" && !takesValue(keys) {
			keys = append(keys, "")
			continue
		}
		v, err := r.value(kn, w, r.pos)
		if err != nil {
			return Step{}, err
		}
		keys = append(keys, v)
		r.pos++
	}
	return Step{S: s, Keys: keys, Tok: tok}, nil
}

func isChildKeyword(s *schema.Node, w string) bool {
	c, _, err := matchKeyword(s, w)
	return err == nil && c != nil
}

// leaf reads the value of leaf or leaf-list s. keyword tells whether the
// keyword was consumed (false for a nokeyword leaf: the value is at r.pos).
func (r *resolver) leaf(s *schema.Node, tok int, keyword bool) (Step, error) {
	st := Step{S: s, Tok: tok}
	if s.Type == schema.Empty {
		st.HasVal = true
		return st, nil
	}
	if r.atEnd() {
		r.want = expect{val: s}
		if r.needValue {
			return Step{}, missingArg(r.pos)
		}
		return st, nil
	}
	if s.Kind == schema.LeafList && r.words[r.pos] == "[" {
		return r.leafListBracket(s, st)
	}
	w := r.words[r.pos]
	if !r.needValue && keyword && isChildKeyword(s.Parent, w) && s.Type != schema.Enum {
		// "delete ... next-hop" followed by another statement is not a value.
		r.peeked = r.pos + 1
		return st, nil
	}
	v, err := r.value(s, w, r.pos)
	if err != nil {
		return Step{}, err
	}
	r.pos++
	st.HasVal = true
	if s.Kind == schema.LeafList {
		st.Values = []string{v}
	} else {
		st.Value = v
	}
	return st, nil
}

func (r *resolver) leafListBracket(s *schema.Node, st Step) (Step, error) {
	r.pos++ // [
	for {
		if r.atEnd() {
			return Step{}, &InputError{Tok: r.pos, Msg: "syntax error, expecting ']'."}
		}
		w := r.words[r.pos]
		if w == "]" {
			r.pos++
			break
		}
		v, err := r.value(s, w, r.pos)
		if err != nil {
			return Step{}, err
		}
		st.Values = append(st.Values, v)
		r.pos++
	}
	if len(st.Values) == 0 {
		return Step{}, missingArg(r.pos - 1)
	}
	st.HasVal = true
	return st, nil
}

// checkValue validates word as a value of leaf s and returns its canonical
// form. Enumerations accept unique prefixes like keywords.
func checkValue(s *schema.Node, w string, tok int) (string, error) {
	if s == nil {
		return w, nil
	}
	if s.Type == schema.Enum {
		return matchEnum(s, w, tok)
	}
	if s.Type == schema.Unreadable {
		return secretValue(w), nil
	}
	v, err := s.Check(w)
	if err != nil {
		var ve *schema.ValueError
		if errors.As(err, &ve) {
			return "", &InputError{Tok: tok, Msg: ve.Error()}
		}
		return "", &InputError{Tok: tok, Msg: err.Error()}
	}
	return v, nil
}

func matchEnum(s *schema.Node, w string, tok int) (string, error) {
	var cands []string
	for _, e := range s.Enums {
		if e == w {
			return e, nil
		}
		if w != "" && strings.HasPrefix(e, w) {
			cands = append(cands, e)
		}
	}
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return "", syntaxErr(tok)
	}
	return "", &InputError{Tok: tok, Msg: fmt.Sprintf("'%s' is ambiguous.", w), Cand: cands}
}

// secretValue returns the stored form of a secret: a $9$ string as given
// when it decodes, otherwise the $9$ encoding of the plain text.
func secretValue(w string) string {
	if secret.IsEncoded(w) {
		if _, err := secret.Decode(w); err == nil {
			return w
		}
	}
	return secret.EncodeStable(w)
}
