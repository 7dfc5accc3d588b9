package cmdtree

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"mxlab/internal/junosxml"
)

// Env is what a running command gets.
type Env struct {
	Ctx    context.Context // cancelled by Ctrl-C
	Out    io.Writer       // the output, already filtered by the pipes
	Router any             // the router the command runs on
	User   string          // the login user
	// Session is the CLI session running the command (*shell.Session),
	// for the commands that read or change CLI settings.
	Session any
	// Display is the "| display" format the command was asked to render
	// itself ("set", "xml", "json"; see Node.Display); "" for plain text.
	Display string
	// Compare is the "| compare" argument ("rollback 0" for a bare
	// "| compare"), when the command renders it (Node.Display has "compare").
	Compare string
	// Version is the Junos release, for the namespaces of "| display xml".
	Version string
	// Width is the session's screen width ("set cli screen-width"), for
	// the lines Junos wraps to it; 0 for no limit.
	Width int
}

// Args are the parsed parameters of a command: name -> value ("" for flags).
type Args map[string]string

// Has reports whether parameter name was given.
func (a Args) Has(name string) bool { _, ok := a[name]; return ok }

// Get returns the value of name, or def when it was not given.
func (a Args) Get(name, def string) string {
	if v, ok := a[name]; ok {
		return v
	}
	return def
}

// RunFunc runs a command.
type RunFunc func(env *Env, args Args) error

// Param is a parameter of a runnable command.
type Param struct {
	Name string // keyword ("count", "detail") or, for Positional, the placeholder ("slot", "host")
	Help string
	// Value is the placeholder of the value ("<count>"); "" makes the
	// parameter a flag (a keyword with no value).
	Value string
	// Positional parameters take their value without a keyword (the keyword
	// may still be given: "show chassis fpc slot 1" = "show chassis fpc 1").
	// They are filled in order by the tokens that are not keywords.
	Positional bool
	Required   bool
	// Values, when set, lists the values offered by '?' and completion
	// (interface names, service-set names); it is called with the router.
	Values func(router any) []string
	// ValueHelp gives the help text of the values that have one.
	ValueHelp map[string]string
	// Check validates a value; its error is shown under the caret.
	Check func(v string) error
	// Tag is the element that carries the parameter in the command's RPC
	// ("interface-name"); default Name.
	Tag string
}

// RPCTag returns the element name of the parameter in the RPC.
func (p Param) RPCTag() string {
	if p.Tag != "" {
		return p.Tag
	}
	return p.Name
}

// Node is a command keyword.
type Node struct {
	Name     string
	Help     string
	Children []*Node // sub-commands, kept sorted by name
	Params   []Param // parameters, when Run is set
	Run      RunFunc // nil for a keyword that only groups sub-commands
	// Display lists the "| display" formats ("set", "xml", "json") and
	// "compare" that the command renders itself through Env.Display and
	// Env.Compare; the shell renders the other display formats.
	Display []string
	// Path, when set, makes the command take a configuration path after
	// its parameters: any number of words, which Path checks and
	// completes. The words reach Run as Args["path"], separated by
	// PathSep.
	Path func(router any, words []string) PathChoices
	// RPC is the Junos XML RPC of the command ("get-software-information"),
	// and Reply computes its data model (see RegisterReply).
	RPC      string
	RPCFlags []string // flags the command implies in its RPC ("terse")
	Reply    ReplyFunc
}

// Child returns the sub-command with the exact name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Registry is a command tree.
type Registry struct {
	root Node
	rpcs map[string]*Node // commands by RPC name
}

// New returns an empty registry.
func New() *Registry { return &Registry{} }

// Root returns the top of the tree.
func (r *Registry) Root() *Node { return &r.root }

// Register adds a command at path ("show chassis fpc"). Intermediate
// keywords are created with the help texts of helps, when given
// (helps[i] is the help of path word i); the last word gets help, params and
// run. Registering the same path twice panics: it is a programming error.
func (r *Registry) Register(path []string, help string, params []Param, run RunFunc, helps ...string) {
	n := r.ensure(path, helps)
	if n.Run != nil {
		panic(fmt.Sprintf("cmdtree: %v registered twice", path))
	}
	n.Help, n.Params, n.Run = help, params, run
}

// Lookup returns the node at path, or nil.
func (r *Registry) Lookup(path []string) *Node {
	n := &r.root
	for _, w := range path {
		if n = n.Child(w); n == nil {
			return nil
		}
	}
	return n
}

// Group sets the help text of a keyword that groups sub-commands, creating it.
func (r *Registry) Group(path []string, help string) {
	r.ensure(path, nil).Help = help
}

// ensure returns the node at path, creating the missing keywords (in
// name order) with the help texts of helps where they have none.
func (r *Registry) ensure(path, helps []string) *Node {
	n := &r.root
	for i, w := range path {
		c := n.Child(w)
		if c == nil {
			c = &Node{Name: w}
			n.Children = append(n.Children, c)
			sort.Slice(n.Children, func(a, b int) bool { return n.Children[a].Name < n.Children[b].Name })
		}
		if i < len(helps) && helps[i] != "" && c.Help == "" {
			c.Help = helps[i]
		}
		n = c
	}
	return n
}

// Func adapts a function that ignores its arguments into a RunFunc.
func Func(f func(env *Env) error) RunFunc {
	return func(env *Env, _ Args) error { return f(env) }
}

// PathSep separates the words of Args["path"].
const PathSep = "\x00"

// PathChoices is what may follow the words of a path.
type PathChoices struct {
	List     []PathChoice
	Complete bool  // the words name something the command can act on
	Err      error // the last word is wrong (shown under a caret)
}

// PathChoice is one possible next word of a path.
type PathChoice struct {
	Word, Help, Mark string
	Placeholder      bool // a free value ("<name>")
	Value            bool // an existing name
}

// Reply is the output of a command that has a data model: the same data
// rendered as the CLI text, as Junos XML ("| display xml", NETCONF) and
// as Junos JSON ("| display json").
type Reply interface {
	// Text writes the output as the CLI shows it.
	Text(w io.Writer) error
	// XML returns the reply element(s) of the RPC ("<software-information>").
	XML() []*junosxml.Elem
}

// ReplyFunc computes the reply of a command.
type ReplyFunc func(env *Env, args Args) (Reply, error)

// RegisterReply adds a command whose output is a Reply, and the Junos XML
// RPC that asks for it ("get-software-information"): the command renders
// the text, "| display xml" and "| display json" from the same data, and
// NETCONF runs it by the RPC name (see Registry.ByRPC). Flags the command
// implies follow the name ("get-interface-information terse" for "show
// interfaces terse"); the first command registered for an RPC name is the
// one NETCONF runs.
func (r *Registry) RegisterReply(path []string, help string, params []Param, rpc string, reply ReplyFunc, helps ...string) {
	r.Register(path, help, params, func(env *Env, a Args) error {
		rep, err := reply(env, a)
		if err != nil {
			return err
		}
		return WriteReply(env.Out, rep, env.Display, env.Version)
	}, helps...)
	n := r.Lookup(path)
	f := strings.Fields(rpc)
	n.RPC, n.RPCFlags, n.Reply = f[0], f[1:], reply
	n.Display = append(n.Display, "xml", "json")
	if r.rpcs == nil {
		r.rpcs = map[string]*Node{}
	}
	if r.rpcs[n.RPC] == nil {
		r.rpcs[n.RPC] = n
	}
}

// ByRPC returns the command of an RPC name, nil when none has it.
func (r *Registry) ByRPC(name string) *Node { return r.rpcs[name] }

// WriteReply renders a reply in a display format: "" for the text, "xml"
// for the CLI's "| display xml" document, "json" for "| display json".
func WriteReply(w io.Writer, rep Reply, display, version string) error {
	switch display {
	case "xml":
		var b strings.Builder
		fmt.Fprintf(&b, "<rpc-reply xmlns:junos=\"http://xml.juniper.net/junos/%s/junos\">\n", version)
		for _, e := range rep.XML() {
			b.WriteString(e.XML("    ", 1))
		}
		b.WriteString("    <cli>\n        <banner></banner>\n    </cli>\n</rpc-reply>\n")
		_, err := io.WriteString(w, b.String())
		return err
	case "json":
		_, err := io.WriteString(w, junosxml.JSON(rep.XML()...))
		return err
	}
	return rep.Text(w)
}
