package cfgmode

import (
	"errors"
	"fmt"
	"strconv"

	"mxlab/config"
	"mxlab/shell"
)

// verb is a configuration-mode command.
type verb struct {
	name, help string
	path       bool   // takes a statement path
	forSet     bool   // the path must name a value (set)
	sep        string // separator words after the path: "to", "before after"
}

// verbs are the configuration-mode commands, with the Junos help texts.
var verbs = []verb{
	{name: "activate", help: "Remove the inactive tag from a statement", path: true},
	{name: "annotate", help: "Annotate the statement with a comment", path: true, sep: "comment"},
	{name: "commit", help: "Commit current set of changes"},
	{name: "copy", help: "Copy a statement", path: true, sep: "to"},
	{name: "deactivate", help: "Add the inactive tag to a statement", path: true},
	{name: "delete", help: "Delete a data element", path: true},
	{name: "edit", help: "Edit a sub-element", path: true},
	{name: "exit", help: "Exit from this level"},
	{name: "help", help: "Provide help information"},
	{name: "insert", help: "Insert a new ordered data element", path: true, sep: "before after"},
	{name: "load", help: "Load configuration from ASCII file"},
	{name: "quit", help: "Quit from this level"},
	{name: "rename", help: "Rename a statement", path: true, sep: "to"},
	{name: "rollback", help: "Roll back to previous committed configuration"},
	{name: "run", help: "Run an operational-mode command"},
	{name: "save", help: "Save configuration to ASCII file"},
	{name: "set", help: "Set a parameter", path: true, forSet: true},
	{name: "show", help: "Show a parameter", path: true},
	{name: "status", help: "Show users currently editing configuration"},
	{name: "top", help: "Exit to top level of configuration"},
	{name: "up", help: "Exit one level of configuration"},
	{name: "update", help: "Update private database"},
}

// verbChoices lists the verbs; its capacity is its length, so that
// appending copies.
var verbChoices = func() []shell.Choice {
	out := make([]shell.Choice, 0, len(verbs))
	for _, v := range verbs {
		out = append(out, shell.Choice{Word: v.name, Help: v.help})
	}
	return out
}()

func findVerb(name string) *verb {
	for i := range verbs {
		if verbs[i].name == name {
			return &verbs[i]
		}
	}
	return nil
}

// cursor is a position in the configuration-mode grammar. It is a value:
// Accept returns a changed copy.
type cursor struct {
	m     *Mode
	verb  *verb
	path  []string // statement words (first part)
	sep   string   // the separator given ("to", "before", "after", "comment")
	path2 []string // words after the separator
	// options of commit, load, rollback, up, exit
	opts    map[string]string
	pending string // option whose value comes next
}

func (c *cursor) with() *cursor {
	n := *c
	// The words are shared, their capacity cut: appending copies.
	n.path = c.path[:len(c.path):len(c.path)]
	n.path2 = c.path2[:len(c.path2):len(c.path2)]
	if c.opts != nil {
		n.opts = make(map[string]string, len(c.opts))
		for k, v := range c.opts {
			n.opts[k] = v
		}
	}
	return &n
}

// Choices lists what may come next.
func (c *cursor) Choices() shell.Choices {
	if c.verb == nil {
		return shell.Choices{NoMatch: "unknown command.", List: verbChoices}
	}
	switch {
	case c.verb.path:
		return c.pathChoices()
	case c.verb.name == "commit":
		return c.commitChoices()
	case c.verb.name == "load":
		return c.loadChoices()
	case c.verb.name == "save":
		if _, ok := c.opts["file"]; ok {
			return shell.Choices{Enter: true}
		}
		return shell.Choices{Missing: "missing argument.", List: []shell.Choice{
			{Word: "<filename>", Help: "Filename (URL, local, remote, or floppy)", Placeholder: true}}}
	case c.verb.name == "rollback":
		return c.rollbackChoices()
	case c.verb.name == "up":
		if _, ok := c.opts["n"]; ok {
			return shell.Choices{Enter: true}
		}
		return shell.Choices{Enter: true, List: []shell.Choice{{Word: "<number>", Help: "Number of levels to move up", Placeholder: true}}}
	case c.verb.name == "exit" || c.verb.name == "quit":
		if len(c.opts) > 0 {
			return shell.Choices{Enter: true}
		}
		return shell.Choices{Enter: true, List: []shell.Choice{{Word: "configuration-mode", Help: "Exit from configuration mode"}}}
	}
	return shell.Choices{Enter: true}
}

// pathChoices offers the statements (from the schema) and, once the path
// is complete, the separator of copy, rename, insert and annotate.
// MatchChoices is Choices for accepting word (shell.Matcher): of the
// configured names, only word itself is listed.
func (c *cursor) MatchChoices(word string) shell.Choices {
	if c.verb != nil && c.verb.path && c.sep == "" {
		return c.pathChoicesFor(&word)
	}
	return c.Choices()
}

func (c *cursor) pathChoices() shell.Choices { return c.pathChoicesFor(nil) }

// pathChoicesFor lists what may follow the path; with only set, the
// configured names are limited to it.
func (c *cursor) pathChoicesFor(only *string) shell.Choices {
	ch := shell.Choices{NoMatch: "syntax error.", Missing: "missing argument."}
	sess := c.m.sess
	if c.sep == "comment" {
		ch.Enter = true
		return ch
	}
	if c.sep != "" {
		return c.targetChoices()
	}
	words := c.path
	var list []config.Choice
	var err error
	if only != nil {
		list, err = sess.ChoicesMatching(words, *only)
	} else {
		list, err = sess.Choices(words)
	}
	if err == nil {
		ch.List = c.m.convert(list)
	}
	if only != nil && *only != "" && c.verb.sep == "" {
		return ch // a word is matched: whether the line may end here does not matter
	}
	if c.verb.forSet {
		ch.Enter = sess.Check(words, true) == nil
	} else {
		ch.Enter = sess.Check(words, false) == nil
		if c.verb.name != "show" && c.verb.name != "delete" && len(words) == 0 {
			ch.Enter = false
		}
		if c.verb.name == "edit" && ch.Enter {
			ch.Enter = sess.IsContainer(words)
		}
	}
	if c.verb.name == "show" {
		ch.Pipe = true
		ch.Display = []string{"set", "xml", "json", "compare"}
	}
	if c.verb.sep == "comment" {
		// annotate STATEMENT "COMMENT": the comment follows a complete path.
		ch.Enter = false
		if len(words) > 0 && sess.Check(words, false) == nil {
			ch.List = append([]shell.Choice{commentChoice}, ch.List...)
		}
		return ch
	}
	if c.verb.sep != "" && len(words) > 0 && sess.Check(words, false) == nil {
		ch.Enter = false
		for _, s := range splitSep(c.verb.sep) {
			ch.List = append(ch.List, shell.Choice{Word: s, Help: sepHelp[s]})
		}
	}
	return ch
}

// commentChoice is the comment of annotate.
var commentChoice = shell.Choice{Word: "<comment>", Help: "Comment text", Placeholder: true}

var sepHelp = map[string]string{
	"to":      "Destination of the statement",
	"before":  "Insert before the given data element",
	"after":   "Insert after the given data element",
	"comment": "Comment text",
}

func splitSep(s string) []string {
	if s == "before after" {
		return []string{"before", "after"}
	}
	return []string{s}
}

// targetChoices offers the identifier after "to", "before" or "after":
// the name of a sibling entry (with its keyword for lists that have one).
func (c *cursor) targetChoices() shell.Choices {
	ch := shell.Choices{NoMatch: "syntax error.", Missing: "missing argument."}
	if len(c.path2) == 0 || (len(c.path2) == 1 && c.firstNeedsKey()) {
		ch.List = []shell.Choice{{Word: "<identifier>", Help: "Identifier of the statement", Placeholder: true}}
		if kw := c.listKeyword(); kw != "" && len(c.path2) == 0 {
			ch.List = append(ch.List, shell.Choice{Word: kw, Help: "Statement keyword"})
		}
		return ch
	}
	ch.Enter = true
	return ch
}

// listKeyword returns the keyword of the list the first path ends in, ""
// for a list without a keyword (interfaces).
func (c *cursor) listKeyword() string {
	if len(c.path) < 2 {
		return ""
	}
	kw := c.path[len(c.path)-2]
	if c.m.sess.IsContainer(c.path[:len(c.path)-2]) {
		return kw
	}
	return ""
}

func (c *cursor) firstNeedsKey() bool {
	kw := c.listKeyword()
	return kw != "" && len(c.path2) > 0 && c.path2[0] == kw
}

// converted is a list of choices converted, and its source, kept alive so
// that its address names no other list while the entry lives.
type converted struct {
	src []config.Choice
	out []shell.Choice
}

// convert is convert for the lists of a typed line: config returns the
// keywords of a statement as one shared list, which each word of each
// line is matched against, so the long lists are converted once. The
// result is shared: its capacity is its length, so that appending copies.
func (m *Mode) convert(list []config.Choice) []shell.Choice {
	if len(list) < 8 {
		return convert(list)
	}
	if c, ok := m.conv[&list[0]]; ok && len(c.src) == len(list) {
		return c.out
	}
	out := convert(list)
	out = out[:len(out):len(out)]
	if m.conv == nil || len(m.conv) >= 256 {
		m.conv = make(map[*config.Choice]converted)
	}
	m.conv[&list[0]] = converted{src: list, out: out}
	return out
}

func convert(list []config.Choice) []shell.Choice {
	out := make([]shell.Choice, 0, len(list))
	for _, ch := range list {
		sc := shell.Choice{Word: ch.Word, Help: ch.Help}
		if ch.Mark != ' ' && ch.Mark != 0 {
			sc.Mark = string(ch.Mark)
		}
		if ch.Value {
			if len(ch.Word) > 0 && ch.Word[0] == '<' {
				sc.Placeholder = true
			} else {
				sc.Value = true
			}
		}
		out = append(out, sc)
	}
	return out
}

// commitChoices: commit [check] [comment S] [confirmed [N]] [and-quit] [synchronize].
func (c *cursor) commitChoices() shell.Choices {
	ch := shell.Choices{Enter: true, NoMatch: "syntax error, expecting <command>.", Missing: "missing argument."}
	switch c.pending {
	case "comment":
		ch.Enter = false
		ch.List = []shell.Choice{{Word: "<comment>", Help: "Message to write to commit log", Placeholder: true}}
		return ch
	case "confirmed":
		ch.List = append(ch.List, shell.Choice{Word: "<rollback-time>", Help: "Number of minutes until rollback (1..65535)", Placeholder: true})
	}
	if _, ok := c.opts["check"]; ok {
		return shell.Choices{Enter: true}
	}
	opts := []shell.Choice{
		{Word: "and-quit", Help: "Quit configuration mode if commit succeeds"},
		{Word: "check", Help: "Check correctness of syntax; do not apply changes"},
		{Word: "comment", Help: "Message to write to commit log"},
		{Word: "confirmed", Help: "Automatically rollback if not confirmed"},
		{Word: "synchronize", Help: "Synchronize commit on both Routing Engines"},
	}
	for _, o := range opts {
		if _, done := c.opts[o.Word]; done {
			continue
		}
		if o.Word == "check" && len(c.opts) > 0 {
			continue
		}
		ch.List = append(ch.List, o)
	}
	return ch
}

// loadChoices: load MODE (terminal|FILE) [relative].
func (c *cursor) loadChoices() shell.Choices {
	ch := shell.Choices{NoMatch: "syntax error, expecting <command>.", Missing: "missing argument."}
	if _, ok := c.opts["mode"]; !ok {
		ch.List = []shell.Choice{
			{Word: "merge", Help: "Merge contents with existing configuration"},
			{Word: "override", Help: "Override existing configuration"},
			{Word: "replace", Help: "Replace configuration data"},
			{Word: "set", Help: "Execute set of commands on existing configuration"},
			{Word: "update", Help: "Update existing configuration"},
		}
		return ch
	}
	if _, ok := c.opts["source"]; !ok {
		ch.List = []shell.Choice{
			{Word: "<filename>", Help: "Filename (URL, local, remote, or floppy)", Placeholder: true},
			{Word: "terminal", Help: "Use login terminal"},
		}
		if _, ok := c.opts["relative"]; !ok {
			ch.List = append(ch.List, relativeChoice)
		}
		return ch
	}
	ch.Enter = true
	if _, ok := c.opts["relative"]; !ok {
		ch.List = []shell.Choice{relativeChoice}
	}
	return ch
}

var relativeChoice = shell.Choice{Word: "relative", Help: "Load configuration relative to current edit level"}

// rollbackChoices: rollback [N], listing the commits.
func (c *cursor) rollbackChoices() shell.Choices {
	ch := shell.Choices{Enter: true, NoMatch: "syntax error."}
	if _, ok := c.opts["n"]; ok {
		return ch
	}
	ch.List = append(ch.List, shell.Choice{Word: "<number>", Help: "Numeric rollback number", Placeholder: true})
	for i, h := range c.m.db.History() {
		ch.List = append(ch.List, shell.Choice{Word: strconv.Itoa(i), Help: commitLine(h), Value: true})
	}
	return ch
}

// Accept takes the next word.
func (c *cursor) Accept(word string, ch shell.Choice) (shell.Cursor, error) {
	n := c.with()
	if c.verb == nil {
		if word == "run" {
			return c.m.shell.Operational().Start(c.m.shell), nil
		}
		n.verb = findVerb(word)
		if n.verb == nil {
			//lint:ignore ST1005 Junos text shown to the user as it is
			return nil, errors.New("unknown command.")
		}
		return n, nil
	}
	switch {
	case c.verb.path:
		return n.acceptPath(word, ch)
	case c.verb.name == "commit":
		return n.acceptCommit(word)
	case c.verb.name == "load":
		return n.acceptLoad(word)
	case c.verb.name == "save" && !c.has("file"):
		n.setOpt("file", word)
		return n, nil
	case c.verb.name == "rollback" || c.verb.name == "up":
		v, err := strconv.Atoi(word)
		if err != nil || v < 0 || (c.verb.name == "rollback" && v > config.MaxRollback) {
			if c.verb.name == "rollback" {
				return nil, fmt.Errorf("value %s is not within range (0..%d)", word, config.MaxRollback)
			}
			//lint:ignore ST1005 Junos text shown to the user as it is
			return nil, errors.New("syntax error.")
		}
		n.setOpt("n", word)
		return n, nil
	case c.verb.name == "exit" || c.verb.name == "quit":
		n.setOpt(word, "")
		return n, nil
	}
	//lint:ignore ST1005 Junos text shown to the user as it is
	return nil, errors.New("syntax error.")
}

func (c *cursor) has(k string) bool {
	_, ok := c.opts[k]
	return ok
}

func (c *cursor) setOpt(k, v string) {
	if c.opts == nil {
		c.opts = map[string]string{}
	}
	c.opts[k] = v
}

func (c *cursor) acceptPath(word string, ch shell.Choice) (shell.Cursor, error) {
	if c.verb.sep == "comment" && c.isComment(word, ch) {
		c.sep, c.path2 = "comment", []string{word}
		return c, nil
	}
	if c.sep == "" && c.verb.sep != "" && !ch.Placeholder && !ch.Value {
		for _, s := range splitSep(c.verb.sep) {
			if word == s && len(c.path) > 0 {
				c.sep = s
				return c, nil
			}
		}
	}
	if c.sep != "" {
		c.path2 = append(c.path2, word)
		return c, nil
	}
	c.path = append(c.path, word)
	if err := c.m.sess.Check(c.path, false); err != nil {
		var ie *config.InputError
		if errors.As(err, &ie) && ie.Tok == len(c.path)-1 && ie.Msg != "missing argument." {
			return nil, errors.New(ie.Msg)
		}
	}
	return c, nil
}

// isComment tells whether word, after the path of annotate, is the
// comment: the path names a statement and word is not a statement in it.
func (c *cursor) isComment(word string, ch shell.Choice) bool {
	if c.sep != "" || len(c.path) == 0 || !(ch.Placeholder || ch.Value) {
		return false
	}
	if c.m.sess.Check(c.path, false) != nil {
		return false
	}
	return c.m.sess.Check(append(append([]string(nil), c.path...), word), false) != nil
}

func (c *cursor) acceptCommit(word string) (shell.Cursor, error) {
	if c.pending != "" {
		p := c.pending
		c.pending = ""
		if p == "confirmed" {
			if v, err := strconv.Atoi(word); err == nil {
				if v < 1 || v > 65535 {
					return nil, fmt.Errorf("value %d is not within range (1..65535)", v)
				}
				c.setOpt("confirmed", word)
				return c, nil
			}
			return c.acceptCommit(word)
		}
		c.setOpt(p, word)
		return c, nil
	}
	switch word {
	case "comment", "confirmed":
		c.setOpt(word, "")
		c.pending = word
	case "check", "and-quit", "synchronize":
		c.setOpt(word, "")
	default:
		//lint:ignore ST1005 Junos text shown to the user as it is
		return nil, errors.New("syntax error, expecting <command>.")
	}
	return c, nil
}

func (c *cursor) acceptLoad(word string) (shell.Cursor, error) {
	switch {
	case c.opts["mode"] == "":
		if _, ok := config.ParseLoadMode(word); !ok {
			//lint:ignore ST1005 Junos text shown to the user as it is
			return nil, errors.New("syntax error.")
		}
		c.setOpt("mode", word)
	case c.opts["source"] == "" && word == "relative" && !c.has("relative"):
		c.setOpt("relative", "")
	case c.opts["source"] == "":
		c.setOpt("source", word)
	case word == "relative":
		c.setOpt("relative", "")
	default:
		//lint:ignore ST1005 Junos text shown to the user as it is
		return nil, errors.New("syntax error.")
	}
	return c, nil
}
