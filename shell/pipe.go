package shell

import (
	"fmt"
	"strconv"
)

// pipeSpec is one parsed pipe command ("match RE", "last 10").
type pipeSpec struct {
	name string
	arg  string
}

// pipeCur is the grammar after a "|": the pipe commands, their arguments.
type pipeCur struct {
	display []string   // formats the command renders itself
	specs   []pipeSpec // complete pipe commands, in order
	stage   string     // the pipe command awaiting an argument, "" at the start
}

var pipeHelp = []Choice{
	{Word: "append", Help: "Append output text to file"},
	{Word: "count", Help: "Count occurrences"},
	{Word: "display", Help: "Show additional kinds of information"},
	{Word: "except", Help: "Show only text that does not match a pattern"},
	{Word: "find", Help: "Search for first occurrence of pattern"},
	{Word: "last", Help: "Display end of output only"},
	{Word: "match", Help: "Show only text that matches a pattern"},
	{Word: "no-more", Help: "Don't paginate output"},
	{Word: "save", Help: "Save output text to file"},
	{Word: "tee", Help: "Write to standard output and file"},
	{Word: "trim", Help: "Trim specified number of columns from start of line"},
}

var displayHelp = map[string]string{
	"detail":      "Show configuration data detail",
	"inheritance": "Show inherited configuration data and source group",
	"json":        "Show output in JSON format",
	"set":         "Show 'set' commands that create configuration",
	"xml":         "Show output as XML tags",
}

var pipeArgs = map[string]Choice{
	"append":   {Word: "<filename>", Help: "Output file name", Placeholder: true},
	"except":   {Word: "<pattern>", Help: "Pattern to avoid", Placeholder: true},
	"find":     {Word: "<pattern>", Help: "Pattern to search for", Placeholder: true},
	"last":     {Word: "<lines>", Help: "Number of lines to display from end of output", Placeholder: true},
	"match":    {Word: "<pattern>", Help: "Pattern to match", Placeholder: true},
	"save":     {Word: "<filename>", Help: "Output file name", Placeholder: true},
	"tee":      {Word: "<filename>", Help: "Output file name", Placeholder: true},
	"trim":     {Word: "<columns>", Help: "Number of columns to trim", Placeholder: true},
	"rollback": {Word: "<number>", Help: "Numeric index of rollback file", Placeholder: true},
}

func newPipe(display []string) *pipeCur { return &pipeCur{display: display} }

// next starts another pipe command after a "|".
func (p *pipeCur) next() *pipeCur {
	return &pipeCur{display: p.display, specs: p.specs}
}

func (p *pipeCur) renders(format string) bool {
	for _, d := range p.display {
		if d == format {
			return true
		}
	}
	return false
}

// Choices lists the pipe commands or the argument awaited.
func (p *pipeCur) Choices() Choices {
	ch := Choices{NoMatch: "syntax error."}
	switch p.stage {
	case "":
		ch.List = append(ch.List, pipeHelp...)
		if p.renders("compare") {
			ch.List = append(ch.List, Choice{Word: "compare", Help: "Compare configuration changes with prior version"})
		}
	case "-":
		ch.Enter, ch.Pipe = true, true
	case "last":
		ch.Enter, ch.Pipe = true, true
		ch.List = []Choice{pipeArgs["last"]}
	case "compare":
		ch.Enter, ch.Pipe = true, true
		ch.List = []Choice{{Word: "rollback", Help: "Compare with a rollback configuration"}}
	case "display":
		for _, d := range p.formats() {
			ch.List = append(ch.List, Choice{Word: d, Help: displayHelp[d]})
		}
	case "xml":
		ch.Enter, ch.Pipe = true, true
		ch.List = []Choice{{Word: "rpc", Help: "Show the XML RPC of the command"}}
	default:
		ch.List = []Choice{pipeArgs[p.stage]}
	}
	return ch
}

// formats are the "| display" options: xml and json always, and what the
// command renders itself.
func (p *pipeCur) formats() []string {
	out := []string{"json", "xml"}
	for _, d := range p.display {
		if d != "json" && d != "xml" && d != "compare" {
			out = append(out, d)
		}
	}
	return out
}

// Accept takes a pipe command or its argument.
func (p *pipeCur) Accept(word string, _ Choice) (Cursor, error) {
	n := &pipeCur{display: p.display, specs: append([]pipeSpec(nil), p.specs...), stage: "-"}
	switch p.stage {
	case "":
		switch word {
		case "count", "no-more":
			n.add(word, "")
		case "last":
			n.add(word, "")
			n.stage = word
		case "compare":
			n.add(word, "rollback 0")
			n.stage = word
		default:
			n.stage = word
		}
	case "display":
		n.add("display", word)
		if word == "xml" {
			n.stage = "xml"
		}
	case "xml":
		n.specs[len(n.specs)-1].arg = "xml " + word
	case "compare":
		n.stage = "rollback"
	case "rollback":
		if v, err := strconv.Atoi(word); err != nil || v < 0 || v > 49 {
			return nil, fmt.Errorf("value %s is not within range (0..49)", word)
		}
		n.specs[len(n.specs)-1].arg = "rollback " + word
	case "last", "trim":
		if v, err := strconv.Atoi(word); err != nil || v < 0 || (v == 0 && p.stage == "last") {
			return nil, fmt.Errorf("invalid numeric value: '%s'", word)
		}
		if p.stage == "last" {
			n.specs[len(n.specs)-1].arg = word
		} else {
			n.add(p.stage, word)
		}
	default:
		n.add(p.stage, word)
	}
	return n, nil
}

func (p *pipeCur) add(name, arg string) { p.specs = append(p.specs, pipeSpec{name: name, arg: arg}) }
