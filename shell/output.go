package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// outChain is the output of one command: pipe stages, then the pager,
// then the terminal.
type outChain struct {
	w      io.Writer // what the command writes to
	stages []stage   // in output order
}

// chain builds the output of cmd from the pipes of p. It sets
// cmd.Display and cmd.Compare for the formats the command renders.
func (s *Session) chain(cmd *Command, p *parsed, sink io.Writer, cancel context.CancelFunc) (*outChain, error) {
	var specs []pipeSpec
	var renders []string
	if p.pipe != nil {
		specs = p.pipe.specs
		renders = p.cur.Choices().Display
	}
	paged := s.keys != nil && !s.batch && s.settings.ScreenLength > 0
	var keep []pipeSpec
	for _, sp := range specs {
		switch {
		case sp.name == "no-more":
			paged = false
		case sp.name == "compare":
			cmd.Compare = sp.arg
		case sp.name == "display" && sp.arg == "xml rpc":
			cmd.Display = sp.arg
		case sp.name == "display" && contains(renders, sp.arg) && !(len(keep) > 0 && hasReply(p.cur)):
			// A command with a data model renders XML and JSON itself,
			// unless a filter comes first: then the filtered text is
			// wrapped, as for any other command.
			cmd.Display = sp.arg
		default:
			keep = append(keep, sp)
		}
	}
	c := &outChain{w: sink}
	if paged {
		pg := &pager{next: sink, s: s, ctx: cmd.Ctx, cancel: cancel, length: s.settings.ScreenLength}
		c.stages = append(c.stages, pg)
		c.w = pg
	}
	for i := len(keep) - 1; i >= 0; i-- {
		st, err := s.newStage(keep[i], c.w)
		if err != nil {
			return nil, err
		}
		c.stages = append([]stage{st}, c.stages...)
		c.w = st
	}
	return c, nil
}

// close flushes the stages in order.
func (c *outChain) close() error {
	var errs []error
	for _, st := range c.stages {
		if err := st.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// newStage makes the filter of one pipe command.
func (s *Session) newStage(sp pipeSpec, next io.Writer) (stage, error) {
	switch sp.name {
	case "match", "except", "find":
		re, err := pattern(sp.arg)
		if err != nil {
			return nil, err
		}
		if sp.name == "find" {
			return findStage(next, re), nil
		}
		return matchStage(next, re, sp.name == "match"), nil
	case "count":
		return countStage(next), nil
	case "last":
		n := s.settings.ScreenLength
		if n <= 0 {
			n = 24
		}
		return lastStage(next, atoiDefault(sp.arg, n)), nil
	case "trim":
		return trimStage(next, atoiDefault(sp.arg, 0)), nil
	case "save", "append", "tee":
		f, err := s.createFile(sp.arg, sp.name == "append")
		if err != nil {
			return nil, err
		}
		return fileStage(next, f, sp.arg, sp.name == "tee"), nil
	case "display":
		return &wrapStage{next: next, format: sp.arg, version: s.opts.Version.Junos}, nil
	}
	return nil, fmt.Errorf("unknown pipe command %q", sp.name)
}

// createFile opens a file of the router for "| save", "| append", "| tee".
func (s *Session) createFile(name string, appendTo bool) (*os.File, error) {
	p, err := s.ResolvePath(name)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("could not create file '%s'", name)
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(p, flag, 0o600)
	if err != nil {
		return nil, fmt.Errorf("could not create file '%s'", name)
	}
	return f, nil
}

// errNoStateDir is returned by file operations of a router without a
// state directory.
var errNoStateDir = errors.New("no file system available")

// Home returns the user's home directory as the router shows it.
func (s *Session) Home() string { return "/var/home/" + s.opts.User }

// ResolvePath maps a router path to a host path under the state directory:
// absolute router paths start at the state directory, relative ones at
// the user's home directory; ".." never leaves the state directory.
func (s *Session) ResolvePath(name string) (string, error) {
	if s.opts.StateDir == "" {
		return "", errNoStateDir
	}
	p := s.routerPath(name)
	if s.hidden(p) {
		return "", fmt.Errorf("could not resolve file: %s", name)
	}
	return filepath.Join(s.opts.StateDir, filepath.FromSlash(p)), nil
}

// hidden reports whether a clean router path is in one of the hidden trees.
func (s *Session) hidden(p string) bool {
	for _, h := range s.opts.Hidden {
		if p == h || strings.HasPrefix(p, h+"/") {
			return true
		}
	}
	return false
}

// routerPath returns the clean absolute router path of name.
func (s *Session) routerPath(name string) string {
	if name == "~" || strings.HasPrefix(name, "~/") {
		name = s.Home() + name[1:]
	}
	if !strings.HasPrefix(name, "/") {
		name = s.Home() + "/" + name
	}
	return path.Clean(name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hasReply reports whether the command at c has a data model.
func hasReply(c Cursor) bool {
	oc, ok := c.(*opCursor)
	return ok && oc.node.Reply != nil
}
