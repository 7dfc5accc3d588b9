package cfgmode

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"mxlab/config"
	"mxlab/shell/cmdtree"
)

// Register adds the operational commands of the configuration database:
// "show configuration [path]" and "show system commit". get finds the
// configuration mode of the router a command runs on.
func Register(r *cmdtree.Registry, get func(env *cmdtree.Env) *Config) {
	r.Group([]string{"show"}, "Show system information")
	r.Group([]string{"show", "system"}, "Show system information")
	r.Register([]string{"show", "configuration"}, "Show current configuration", nil,
		func(env *cmdtree.Env, a cmdtree.Args) error { return get(env).showConfiguration(env, a) })
	n := r.Lookup([]string{"show", "configuration"})
	n.Display = []string{"set", "xml", "json", "compare"}
	n.Path = func(router any, words []string) cmdtree.PathChoices {
		return pathChoices(get(&cmdtree.Env{Router: router}).DB.Viewer(), words)
	}
	r.Register([]string{"show", "system", "commit"}, "Show pending commit and commit history", nil,
		cmdtree.Func(func(env *cmdtree.Env) error { return get(env).showCommit(env.Out) }))
}

// pathChoices completes a configuration path on a read-only session.
func pathChoices(v *config.Session, words []string) cmdtree.PathChoices {
	var pc cmdtree.PathChoices
	if err := v.Check(words, false); err != nil {
		var ie *config.InputError
		if errors.As(err, &ie) && ie.Tok == len(words)-1 && ie.Msg != "missing argument." {
			pc.Err = errors.New(ie.Msg)
			return pc
		}
	} else {
		pc.Complete = true
	}
	list, err := v.Choices(words)
	if err != nil {
		return pc
	}
	for _, c := range convert(list) {
		pc.List = append(pc.List, cmdtree.PathChoice{Word: c.Word, Help: c.Help, Mark: c.Mark, Placeholder: c.Placeholder, Value: c.Value})
	}
	return pc
}

func (cfg *Config) showConfiguration(env *cmdtree.Env, a cmdtree.Args) error {
	var words []string
	if p := a.Get("path", ""); p != "" {
		words = strings.Split(p, cmdtree.PathSep)
	}
	v := cfg.DB.Viewer()
	if env.Compare != "" {
		n := 0
		fmt.Sscanf(env.Compare, "rollback %d", &n)
		text, err := v.Compare(n, words)
		if err != nil {
			return err
		}
		io.WriteString(env.Out, text)
		return nil
	}
	top := len(words) == 0
	var text string
	err := v.View(words, func(x *config.Node, _ config.Path) {
		text = render(x, env.Display, cfg.Version, top)
	})
	if err != nil {
		return err
	}
	if top && env.Display == "" {
		if at, user, ok := lastCommit(cfg.DB); ok {
			fmt.Fprintf(env.Out, "## Last commit: %s by %s\n", at.UTC().Format("2006-01-02 15:04:05 MST"), user)
		}
	}
	io.WriteString(env.Out, text)
	return nil
}

func (cfg *Config) showCommit(out io.Writer) error {
	for i, h := range cfg.DB.History() {
		fmt.Fprintf(out, "%-4d%s\n", i, commitLine(h))
		if h.Comment != "" {
			fmt.Fprintf(out, "    %s\n", h.Comment)
		}
		if i == 0 && h.Confirm > 0 {
			if _, ok := cfg.DB.ConfirmPending(); ok {
				io.WriteString(out, "    rollback pending\n")
			}
		}
	}
	return nil
}
