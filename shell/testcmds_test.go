package shell_test

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mxlab/shell"
	"mxlab/shell/cmdtree"
)

// testOptions builds the options of the test shell: the builtins, a few
// test commands, and a small configuration mode.
func testOptions(user, host, state string) shell.Options {
	r := cmdtree.New()
	shell.RegisterBuiltins(r)
	registerTestCommands(r)
	return shell.Options{
		Registry:   r,
		User:       user,
		Hostname:   func() string { return host },
		Version:    shell.Version{Model: "mx960", Junos: "24.4R1.9", Mxlab: "0.1.0"},
		StateDir:   state,
		ConfigMode: &testConfig{},
	}
}

func lines(text string) cmdtree.RunFunc {
	return cmdtree.Func(func(env *cmdtree.Env) error {
		_, err := io.WriteString(env.Out, text)
		return err
	})
}

func registerTestCommands(r *cmdtree.Registry) {
	r.Group([]string{"show", "chassis"}, "Show chassis information")
	r.Register([]string{"show", "chassis", "alarms"}, "Show alarm status", nil,
		lines("No alarms currently active\n"))
	r.Register([]string{"show", "chassis", "fpc"}, "Show Flexible PIC Concentrator status",
		[]cmdtree.Param{{Name: "slot", Value: "<slot>", Help: "FPC slot number", Positional: true,
			Values: func(any) []string { return []string{"0", "1"} }}},
		func(env *cmdtree.Env, a cmdtree.Args) error {
			slots := []string{"0", "1"}
			if a.Has("slot") {
				slots = []string{a["slot"]}
			}
			for _, s := range slots {
				fmt.Fprintf(env.Out, "  %s  Online\n", s)
			}
			return nil
		})
	r.Register([]string{"show", "chassis", "hardware"}, "Show installed hardware components", nil,
		lines("Hardware inventory:\nItem             Version  Part number  Serial number     Description\nChassis                                MX0001            MX960\n"))
	r.Register([]string{"show", "interfaces"}, "Show interface information",
		[]cmdtree.Param{
			{Name: "terse", Help: "Display terse output"},
			{Name: "interface-name", Value: "<interface-name>", Help: "Name of physical or logical interface",
				Positional: true, Values: func(any) []string { return []string{"ge-0/0/0", "ge-0/0/1", "lo0"} }},
		},
		func(env *cmdtree.Env, a cmdtree.Args) error {
			if n, ok := a["interface-name"]; ok && n != "ge-0/0/0" && n != "ge-0/0/1" && n != "lo0" {
				return fmt.Errorf("device %s not found", n)
			}
			_, err := io.WriteString(env.Out, "Interface               Admin Link Proto    Local                 Remote\nge-0/0/0                up    up\nge-0/0/0.0              up    up   inet     10.0.0.1/24\nge-0/0/1                up    down\nlo0                     up    up\n")
			return err
		})
	r.Group([]string{"show", "services"}, "Show services information")
	r.Register([]string{"show", "services", "service-sets", "summary"}, "Show service sets summary", nil,
		lines("Service sets                                            CPU\nInterface    configured   Bytes used      Policy bytes used   utilization\n"),
		"", "", "Show service sets")
	r.Register([]string{"show", "test-lines"}, "Print numbered lines",
		[]cmdtree.Param{{Name: "count", Value: "<count>", Help: "Number of lines", Required: true,
			Check: func(v string) error {
				if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 100000 {
					return fmt.Errorf("value %s is not within range (1..100000)", v)
				}
				return nil
			}}},
		func(env *cmdtree.Env, a cmdtree.Args) error {
			n, _ := strconv.Atoi(a["count"])
			var b strings.Builder
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&b, "line %d\n", i)
			}
			_, err := io.WriteString(env.Out, b.String())
			return err
		})
	r.Register([]string{"show", "test-slow"}, "Wait until interrupted", nil,
		cmdtree.Func(func(env *cmdtree.Env) error {
			io.WriteString(env.Out, "waiting\n")
			select {
			case <-env.Ctx.Done():
				_, err := io.WriteString(env.Out, "interrupted\n")
				return err
			case <-time.After(10 * time.Second):
				return errors.New("not interrupted")
			}
		}))
	r.Register([]string{"ping"}, "Ping remote target",
		[]cmdtree.Param{
			{Name: "host", Value: "<host>", Help: "Hostname or IP address of remote host", Positional: true, Required: true},
			{Name: "count", Value: "<count>", Help: "Number of ping requests to send (1..2000000000 packets)"},
		},
		func(env *cmdtree.Env, a cmdtree.Args) error {
			_, err := fmt.Fprintf(env.Out, "PING %s: %s packets\n", a["host"], a.Get("count", "5"))
			return err
		})
}

// testConfig is a small configuration mode over a list of statements:
// "set WORDS...", "show", "run CMD", "exit".
type testConfig struct{ stmts []string }

func (c *testConfig) Enter(s *shell.Session, variant string, out io.Writer) (shell.Mode, error) {
	if variant != "" {
		io.WriteString(out, "warning: uncommitted changes will be discarded on exit\n")
	}
	io.WriteString(out, "Entering configuration mode\n")
	return &testEdit{cfg: c}, nil
}

type testEdit struct{ cfg *testConfig }

func (m *testEdit) Prompt(s *shell.Session) (string, string) { return "[edit]", s.Prompt('#') }

func (m *testEdit) Start(s *shell.Session) shell.Cursor { return &editCur{s: s} }

func (m *testEdit) Exec(s *shell.Session, cmd *shell.Command, out io.Writer) (shell.Mode, error) {
	switch cmd.Words[0].Text {
	case "exit":
		io.WriteString(out, "Exiting configuration mode\n")
		return nil, nil
	case "run":
		_, err := s.Operational().Exec(s, cmd, out)
		return m, err
	case "set":
		var ws []string
		for _, w := range cmd.Words[1:] {
			ws = append(ws, shell.Quote(w.Text))
		}
		m.cfg.stmts = append(m.cfg.stmts, strings.Join(ws, " "))
		return m, nil
	}
	for _, st := range m.cfg.stmts {
		switch {
		case cmd.Compare != "":
			fmt.Fprintf(out, "+ %s; (against %s)\n", st, cmd.Compare)
		case cmd.Display == "set":
			fmt.Fprintf(out, "set %s\n", st)
		case cmd.Display != "":
			fmt.Fprintf(out, "<%s>%s</%s>\n", cmd.Display, st, cmd.Display)
		default:
			fmt.Fprintf(out, "%s;\n", st)
		}
	}
	return m, nil
}

func (m *testEdit) Leave(s *shell.Session, out io.Writer) {
	io.WriteString(out, "Exiting configuration mode\n")
}

// editCur is the grammar of testEdit.
type editCur struct {
	s     *shell.Session
	verb  string
	words int
}

func (c *editCur) Choices() shell.Choices {
	switch c.verb {
	case "":
		return shell.Choices{NoMatch: "unknown command.", List: []shell.Choice{
			{Word: "exit", Help: "Exit from this level"},
			{Word: "run", Help: "Run an operational-mode command"},
			{Word: "set", Help: "Set a parameter"},
			{Word: "show", Help: "Show a parameter"},
		}}
	case "set":
		return shell.Choices{
			List:  []shell.Choice{{Word: "<statement>", Help: "Statement", Placeholder: true}},
			Enter: c.words > 0,
		}
	case "show":
		return shell.Choices{Enter: true, Pipe: true, Display: []string{"set", "xml", "json", "compare"}}
	}
	return shell.Choices{Enter: true}
}

func (c *editCur) Accept(word string, ch shell.Choice) (shell.Cursor, error) {
	if c.verb == "" {
		if word == "run" {
			return c.s.Operational().Start(c.s), nil
		}
		return &editCur{s: c.s, verb: word}, nil
	}
	if word == "bad" {
		return nil, errors.New("invalid value 'bad'")
	}
	return &editCur{s: c.s, verb: c.verb, words: c.words + 1}, nil
}
