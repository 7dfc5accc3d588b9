package shell

import (
	"errors"
	"io"
	"strings"

	"mxlab/shell/cmdtree"
)

// OpMode is operational mode: the commands of the cmdtree.Registry.
type OpMode struct{}

var _ Mode = (*OpMode)(nil)

// Prompt returns "user@host> " and no banner.
func (m *OpMode) Prompt(s *Session) (string, string) { return "", s.Prompt('>') }

// Start returns the cursor at the top of the command tree.
func (m *OpMode) Start(s *Session) Cursor {
	return &opCursor{s: s, node: s.opts.Registry.Root(), pending: -1}
}

// Exec runs an operational command parsed by a cursor of this mode (also
// from configuration mode's "run"). It returns m, a mode the command
// entered ("configure"), or nil for "quit".
func (m *OpMode) Exec(s *Session, cmd *Command, out io.Writer) (Mode, error) {
	c, ok := cmd.Cursor.(*opCursor)
	if !ok || c.node.Run == nil {
		return m, errors.New("not an operational command")
	}
	env := &cmdtree.Env{
		Ctx: cmd.Ctx, Out: out, Router: s.opts.Router, User: s.opts.User,
		Session: s, Display: cmd.Display, Compare: cmd.Compare, Version: s.opts.Version.Junos,
		Width: s.settings.ScreenWidth,
	}
	err := c.node.Run(env, c.args)
	switch {
	case errors.Is(err, errQuit):
		return nil, nil
	case s.next != nil:
		next := s.next
		s.next = nil
		return next, err
	}
	return m, err
}

// opCursor is a position in the command tree: the keyword reached and the
// parameters given so far.
type opCursor struct {
	s       *Session
	node    *cmdtree.Node
	depth   int
	top     string       // the first word of the command
	args    cmdtree.Args // nil until a parameter is given
	pending int          // index of the keyword parameter awaiting its value, -1 if none
	path    []string     // words of a configuration path (Node.Path)
	words   []string     // the command's keywords so far ("show", "system")
}

// Choices lists the sub-commands (before any parameter), the parameters
// not given yet and the next positional value.
func (c *opCursor) Choices() Choices {
	ch := Choices{NoMatch: "syntax error, expecting <command>."}
	if c.depth == 0 {
		ch.NoMatch = "unknown command."
	}
	if c.pending >= 0 {
		p := c.node.Params[c.pending]
		ch.List = c.values(p)
		ch.Missing = "missing argument."
		return ch
	}
	keywords := map[string]bool{}
	if c.args == nil {
		for _, n := range c.node.Children {
			if !c.s.allowed(append(c.words[:len(c.words):len(c.words)], n.Name)) {
				continue
			}
			keywords[n.Name] = true
			ch.List = append(ch.List, Choice{Word: n.Name, Help: n.Help})
		}
	}
	positional := false
	for _, p := range c.node.Params {
		if c.args.Has(p.Name) {
			continue
		}
		if p.Positional && !positional {
			positional = true
			ch.List = append(ch.List, c.values(p)...)
		}
		switch {
		case keywords[p.Name]:
			// A flag that is also a sub-command ("show interfaces
			// terse"): listed once.
		case p.Positional && p.Value != "":
			// The keyword of a positional parameter is optional and
			// Junos does not list it.
			ch.List = append(ch.List, Choice{Word: p.Name, Help: p.Help, Hidden: true})
		case !p.Positional:
			keywords[p.Name] = true
			ch.List = append(ch.List, Choice{Word: p.Name, Help: p.Help})
		}
	}
	if c.node.Path != nil {
		pc := c.node.Path(c.s.opts.Router, c.path)
		for _, x := range pc.List {
			ch.List = append(ch.List, Choice{Word: x.Word, Help: x.Help, Mark: x.Mark, Placeholder: x.Placeholder, Value: x.Value})
		}
		if !pc.Complete {
			ch.Enter = false
			ch.Missing = "missing argument."
			ch.NoMatch = "syntax error."
			return ch
		}
		// A configuration path follows: Junos has hidden statements there,
		// so a word it does not know is a plain "syntax error.".
		ch.NoMatch = "syntax error."
	}
	ch.Enter = c.node.Run != nil && c.required()
	ch.Pipe = ch.Enter && c.top != "configure" && c.top != "quit" && c.top != "exit"
	ch.Display = c.node.Display
	if c.node.Run != nil {
		ch.Missing = "missing argument."
	}
	return ch
}

// values lists the placeholder of a parameter's value and the values it
// suggests.
func (c *opCursor) values(p cmdtree.Param) []Choice {
	holder := p.Value
	if holder == "" {
		holder = "<" + p.Name + ">"
	}
	out := []Choice{{Word: holder, Help: p.Help, Placeholder: true}}
	if p.Values != nil {
		for _, v := range p.Values(c.s.opts.Router) {
			out = append(out, Choice{Word: v, Help: p.ValueHelp[v], Value: true})
		}
	}
	return out
}

// required reports whether every required parameter is given.
func (c *opCursor) required() bool {
	for _, p := range c.node.Params {
		if p.Required && !c.args.Has(p.Name) {
			return false
		}
	}
	return true
}

// Accept takes a sub-command, a parameter keyword or a value.
func (c *opCursor) Accept(word string, ch Choice) (Cursor, error) {
	n := *c
	n.pending = -1
	if c.pending >= 0 {
		return n.set(c.node.Params[c.pending], word)
	}
	if c.node.Path != nil && (len(c.path) > 0 || !c.isParam(word, ch)) {
		return n.addPath(word)
	}
	if !ch.Placeholder && !ch.Value {
		if c.args == nil {
			if child := c.node.Child(word); child != nil {
				n.node, n.depth = child, c.depth+1
				n.words = append(c.words[:len(c.words):len(c.words)], word)
				if c.depth == 0 {
					n.top = word
				}
				return &n, nil
			}
		}
		for i, p := range c.node.Params {
			if p.Name != word || c.args.Has(p.Name) {
				continue
			}
			if p.Value == "" {
				return n.set(p, "")
			}
			n.pending = i
			return &n, nil
		}
	}
	for _, p := range c.node.Params {
		if p.Positional && !c.args.Has(p.Name) {
			return n.set(p, word)
		}
	}
	//lint:ignore ST1005 Junos text shown to the user as it is
	return nil, errors.New("syntax error.")
}

// set gives parameter p its value, on a copy of the arguments.
func (c *opCursor) set(p cmdtree.Param, v string) (Cursor, error) {
	if p.Check != nil && p.Value != "" {
		if err := p.Check(v); err != nil {
			return nil, err
		}
	}
	args := make(cmdtree.Args, len(c.args)+1)
	for k, x := range c.args {
		args[k] = x
	}
	args[p.Name] = v
	c.args = args
	return c, nil
}

// isParam reports whether word is a sub-command or parameter keyword of
// the node rather than the start of its configuration path.
func (c *opCursor) isParam(word string, ch Choice) bool {
	if ch.Placeholder || ch.Value {
		return false
	}
	if c.args == nil && c.node.Child(word) != nil {
		return true
	}
	for _, p := range c.node.Params {
		if p.Name == word {
			return true
		}
	}
	return false
}

// addPath appends a word to the configuration path, on a copy.
func (c *opCursor) addPath(word string) (Cursor, error) {
	c.path = append(append([]string(nil), c.path...), word)
	if pc := c.node.Path(c.s.opts.Router, c.path); pc.Err != nil {
		return nil, pc.Err
	}
	args := make(cmdtree.Args, len(c.args)+1)
	for k, x := range c.args {
		args[k] = x
	}
	args["path"] = strings.Join(c.path, cmdtree.PathSep)
	c.args = args
	return c, nil
}

// allowed reports whether the user's class may run the command whose
// keywords are words: commands it may not run are hidden, as Junos hides
// them ("unknown command.").
func (s *Session) allowed(words []string) bool {
	return s.opts.Allow == nil || s.opts.Allow(words)
}
