package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// The entry points of programs (NETCONF): a command line or an RPC runs
// in operational mode and gives its reply as data, not as terminal
// output.

// ErrNoRPC is returned by RPC for a name no command has.
var ErrNoRPC = errors.New("no command has this RPC")

// CommandError is a command line or RPC the CLI rejects: Msg is the
// CLI's message, Token the word it points at (the "bad-element" of a
// NETCONF rpc-error).
type CommandError struct {
	Msg   string
	Token string
}

func (e *CommandError) Error() string { return e.Msg }

// notForPrograms are the commands a program cannot run: they change the
// session's mode or read the terminal.
var notForPrograms = map[string]bool{"configure": true, "quit": true, "exit": true, "start": true}

// Command runs one operational command line for a program (a NETCONF
// <command>). A command with a data model returns its Reply; others (and
// lines with filters such as "| match") return their text as the CLI
// shows it, in a reply whose XML is an <output> element. "| display xml
// rpc" returns the RPC of the command.
func (sh *Shell) Command(ctx context.Context, line string) (cmdtree.Reply, error) {
	s := sh.s
	s.modes = []Mode{s.op}
	s.batch = true
	toks := Tokenize(line)
	if len(toks) == 0 {
		return nil, &CommandError{Msg: "syntax error, expecting <command>"}
	}
	p, err := walk(s.op.Start(s), toks)
	if err == nil {
		err = p.complete(endColumn(toks))
	}
	if err != nil {
		return nil, commandError(err, line, toks)
	}
	c, ok := p.cur.(*opCursor)
	if !ok || c.node.Run == nil || notForPrograms[c.top] {
		return nil, &CommandError{Msg: "syntax error", Token: toks[0].Text}
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := &Command{Ctx: cctx, Line: line, Words: p.words, Cursor: p.cur}
	var buf bytes.Buffer
	ch, err := s.chain(cmd, p, &buf, cancel)
	if err != nil {
		return nil, &CommandError{Msg: err.Error()}
	}
	switch {
	case cmd.Display == "xml rpc":
		return rpcReply{c: c, version: s.opts.Version.Junos}, nil
	case c.node.Reply != nil && len(ch.stages) == 0:
		return c.node.Reply(s.env(cmd), c.args)
	}
	_, xerr := s.op.Exec(s, cmd, ch.w)
	if cerr := ch.close(); xerr == nil {
		xerr = cerr
	}
	if xerr != nil && !errors.Is(xerr, ErrPrinted) {
		return nil, &CommandError{Msg: xerr.Error()}
	}
	return TextReply(buf.String()), nil
}

// commandError turns a parse error into a CommandError naming the token
// at the caret.
func commandError(err error, line string, toks []Token) error {
	var ce *CaretError
	if !errors.As(err, &ce) {
		return &CommandError{Msg: err.Error()}
	}
	tok := ""
	for _, t := range toks {
		if t.Pos <= ce.Pos && ce.Pos <= t.End {
			tok = t.Text
		}
	}
	if tok == "" && len(toks) > 0 && ce.Pos > toks[len(toks)-1].End {
		tok = toks[len(toks)-1].Text
	}
	return &CommandError{Msg: strings.TrimSuffix(ce.Msg, "."), Token: tok}
}

// RPC runs the command registered for an RPC (see
// cmdtree.RegisterReply), with the arguments the RPC's child elements
// carry (element name -> text, "" for a flag).
func (sh *Shell) RPC(ctx context.Context, name string, args map[string]string) (cmdtree.Reply, error) {
	s := sh.s
	s.modes = []Mode{s.op}
	s.batch = true
	n := s.opts.Registry.ByRPC(name)
	if n == nil || n.Reply == nil {
		return nil, ErrNoRPC
	}
	path := commandPath(s.opts.Registry.Root(), n)
	if !s.allowed(path) {
		return nil, &CommandError{Msg: "permission denied"}
	}
	a := cmdtree.Args{}
	for tag, v := range args {
		p, ok := paramByTag(n, tag)
		if !ok {
			return nil, &CommandError{Msg: "syntax error", Token: tag}
		}
		if p.Check != nil && p.Value != "" {
			if err := p.Check(v); err != nil {
				return nil, &CommandError{Msg: err.Error(), Token: tag}
			}
		}
		a[p.Name] = v
	}
	for _, p := range n.Params {
		if p.Required && !a.Has(p.Name) {
			return nil, &CommandError{Msg: "missing mandatory argument", Token: p.RPCTag()}
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return n.Reply(s.env(&Command{Ctx: cctx}), a)
}

func paramByTag(n *cmdtree.Node, tag string) (cmdtree.Param, bool) {
	for _, p := range n.Params {
		if p.RPCTag() == tag {
			return p, true
		}
	}
	return cmdtree.Param{}, false
}

// commandPath returns the keywords that lead to n.
func commandPath(root, n *cmdtree.Node) []string {
	if root == n {
		return []string{}
	}
	for _, c := range root.Children {
		if p := commandPath(c, n); p != nil {
			return append([]string{c.Name}, p...)
		}
	}
	return nil
}

// env is the environment of a command a program runs.
func (s *Session) env(cmd *Command) *cmdtree.Env {
	return &cmdtree.Env{Ctx: cmd.Ctx, Out: io.Discard, Router: s.opts.Router, User: s.opts.User,
		Session: s, Version: s.opts.Version.Junos}
}

// TextReply is the reply of a command without a data model: its text,
// which XML carries in an <output> element.
type TextReply string

func (t TextReply) Text(w io.Writer) error {
	_, err := io.WriteString(w, string(t))
	return err
}

func (t TextReply) XML() []*junosxml.Elem {
	text := string(t)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return []*junosxml.Elem{junosxml.Leaf("output", "\n"+text)}
}

// rpcReply is the answer to "| display xml rpc": the RPC of a command.
type rpcReply struct {
	c       *opCursor
	version string
}

func (r rpcReply) elem() *junosxml.Elem {
	n := r.c.node
	if n.RPC == "" {
		return nil
	}
	e := junosxml.New(n.RPC)
	for _, f := range n.RPCFlags {
		e.Add(junosxml.New(f))
	}
	for _, p := range n.Params {
		v, ok := r.c.args[p.Name]
		if !ok {
			continue
		}
		if p.Value == "" {
			e.Add(junosxml.New(p.RPCTag()))
		} else {
			e.AddLeaf(p.RPCTag(), v)
		}
	}
	return e
}

func (r rpcReply) Text(w io.Writer) error {
	_, err := io.WriteString(w, r.document())
	return err
}

func (r rpcReply) XML() []*junosxml.Elem {
	e := r.elem()
	if e == nil {
		return []*junosxml.Elem{junosxml.Leaf("message", "xml rpc equivalent of this command is not available.")}
	}
	return []*junosxml.Elem{junosxml.New("rpc", e)}
}

// document renders the CLI's "| display xml rpc" output.
func (r rpcReply) document() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<rpc-reply xmlns:junos=\"http://xml.juniper.net/junos/%s/junos\">\n", r.version)
	if e := r.elem(); e != nil {
		b.WriteString("    <rpc>\n")
		if len(e.Kids) == 0 {
			// Junos opens and closes an RPC without arguments on two lines.
			fmt.Fprintf(&b, "        <%s>\n        </%s>\n", e.Name, e.Name)
		} else {
			b.WriteString(e.XML("    ", 2))
		}
		b.WriteString("    </rpc>\n")
	} else {
		b.WriteString("    <message>\n        xml rpc equivalent of this command is not available.\n    </message>\n")
	}
	b.WriteString("    <cli>\n        <banner></banner>\n    </cli>\n</rpc-reply>\n")
	return b.String()
}

// writeRPC answers "| display xml rpc" on the CLI.
func (s *Session) writeRPC(cmd *Command, w io.Writer) error {
	c, ok := cmd.Cursor.(*opCursor)
	if !ok {
		c = &opCursor{node: &cmdtree.Node{}}
	}
	_, err := io.WriteString(w, rpcReply{c: c, version: s.opts.Version.Junos}.document())
	return err
}
