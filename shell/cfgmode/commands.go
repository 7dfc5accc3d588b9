package cfgmode

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"mxlab/config"
	"mxlab/config/schema"
	"mxlab/internal/atomicfile"
	"mxlab/shell"
)

// show renders the candidate at the edit level (plus the path given), in
// the format of the "| display" pipe, or its differences for "| compare".
func (m *Mode) show(cmd *shell.Command, c *cursor, out io.Writer) error {
	if cmd.Compare != "" {
		n := 0
		fmt.Sscanf(cmd.Compare, "rollback %d", &n)
		text, err := m.sess.Compare(n, c.path)
		if err != nil {
			return m.caret(cmd, err)
		}
		io.WriteString(out, text)
		return nil
	}
	top := len(m.sess.Level()) == 0 && len(c.path) == 0
	var text string
	err := m.sess.View(c.path, func(x *config.Node, p config.Path) {
		text = render(x, cmd.Display, m.cfg.Version, top)
	})
	if err != nil {
		return m.caret(cmd, err)
	}
	if top && cmd.Display == "" {
		io.WriteString(out, "## Last changed: "+m.cfg.now().UTC().Format("2006-01-02 15:04:05 MST")+"\n")
	}
	io.WriteString(out, text)
	return nil
}

// render renders the statements of x in a display format ("" for the
// curly-brace text). top adds the version line of a whole configuration.
func render(x *config.Node, display, version string, top bool) string {
	if x == nil {
		return ""
	}
	leafy := x.Parent != nil && (x.S.Kind == schema.Leaf || x.S.Kind == schema.LeafList)
	switch display {
	case "set":
		prefix := config.PathWords(x)
		if leafy {
			prefix = config.PathWords(x.Parent)
			v := &config.Node{S: x.Parent.S, Kids: []*config.Node{x}}
			return v.SetLines(prefix)
		}
		s := x.SetLines(prefix)
		if top && version != "" && x.Kid("version") == nil {
			s = "set version " + version + "\n" + s
		}
		return s
	case "xml":
		return xmlDoc(fromRoot(x), version)
	case "json":
		return "{\n    \"configuration\" : {\n" + fromRoot(x).JSON(2) + "    }\n}\n"
	}
	if leafy {
		return x.Statement()
	}
	s := x.Text()
	if top && version != "" && x.Kid("version") == nil {
		s = "version " + version + ";\n" + s
	}
	return s
}

// fromRoot returns x inside copies of its ancestors up to the root, which
// hold nothing else: XML and JSON show a statement with its full path.
func fromRoot(x *config.Node) *config.Node {
	for x.Parent != nil {
		p := x.Parent
		x = &config.Node{S: p.S, Parent: p.Parent, Keys: p.Keys, Kids: []*config.Node{x}}
	}
	return x
}

func xmlDoc(x *config.Node, version string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<rpc-reply xmlns:junos=\"http://xml.juniper.net/junos/%s/junos\">\n", version)
	b.WriteString("    <configuration>\n")
	b.WriteString(x.XML(3))
	b.WriteString("    </configuration>\n    <cli>\n        <banner></banner>\n    </cli>\n</rpc-reply>\n")
	return b.String()
}

// commit runs the commit family.
func (m *Mode) commit(cmd *shell.Command, c *cursor, out io.Writer) (shell.Mode, error) {
	if _, ok := c.opts["check"]; ok {
		warns, err := m.sess.CommitCheck()
		printWarnings(out, warns)
		if err != nil {
			return m, m.checkErr(out, err)
		}
		io.WriteString(out, "configuration check succeeds\n")
		return m, nil
	}
	opts := config.CommitOptions{Comment: c.opts["comment"]}
	if v, ok := c.opts["confirmed"]; ok {
		opts.Confirm = 10
		if v != "" {
			opts.Confirm, _ = strconv.Atoi(v)
		}
	}
	warns, err := m.sess.Commit(cmd.Ctx, opts)
	printWarnings(out, warns)
	if err != nil {
		return m, m.checkErr(out, err)
	}
	if opts.Confirm > 0 {
		fmt.Fprintf(out, "commit confirmed will be automatically rolled back in %d minutes unless confirmed\n", opts.Confirm)
	}
	io.WriteString(out, "commit complete\n")
	if _, ok := c.opts["and-quit"]; ok {
		m.close()
		io.WriteString(out, "Exiting configuration mode\n")
		return nil, nil
	}
	return m, nil
}

// checkErr prints a failed check the Junos way.
func (m *Mode) checkErr(out io.Writer, err error) error {
	var ce *config.CheckError
	var conflict *config.ConflictError
	switch {
	case errors.As(err, &ce):
		io.WriteString(out, ce.Error()+"\n")
		return shell.ErrPrinted
	case errors.As(err, &conflict):
		io.WriteString(out, conflict.Error()+"\n")
		return shell.ErrPrinted
	}
	return engineErr(err)
}

func printWarnings(out io.Writer, warns []*config.CommitError) {
	for _, w := range warns {
		io.WriteString(out, w.Format()+"\n")
	}
}

func (m *Mode) rollback(c *cursor, out io.Writer) error {
	n := 0
	if v, ok := c.opts["n"]; ok {
		n, _ = strconv.Atoi(v)
	}
	if err := m.sess.Rollback(n); err != nil {
		if errors.Is(err, config.ErrNoRollback) {
			return errors.New("rollback file not found")
		}
		return engineErr(err)
	}
	io.WriteString(out, "load complete\n")
	return nil
}

// load reads configuration text from the terminal (until ^D) or a file.
func (m *Mode) load(cmd *shell.Command, c *cursor, out io.Writer) error {
	mode, _ := config.ParseLoadMode(c.opts["mode"])
	_, relative := c.opts["relative"]
	src := c.opts["source"]
	var text, name string
	if src == "terminal" {
		io.WriteString(out, "[Type ^D at a new line to end input]\n")
		var b strings.Builder
		for {
			line, err := m.shell.ReadLine(cmd.Ctx, "")
			if err != nil {
				if errors.Is(err, io.EOF) || errors.Is(err, shell.ErrNoInput) {
					break
				}
				return errors.New("load aborted")
			}
			b.WriteString(line + "\n")
		}
		text, name = b.String(), "terminal"
	} else {
		path, err := m.shell.ResolvePath(src)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("problem checking file: %s", src)
		}
		text, name = string(data), src
	}
	if err := m.sess.Load(mode, text, name, relative); err != nil {
		fmt.Fprintf(out, "%v\nload failed (1 errors)\n", err)
		return shell.ErrPrinted
	}
	io.WriteString(out, "load complete\n")
	return nil
}

// save writes the candidate configuration from the current level to a
// file of the router, as "show" displays it; the file is replaced whole
// or not at all.
func (m *Mode) save(c *cursor, out io.Writer) error {
	name := c.opts["file"]
	if name == "" {
		//lint:ignore ST1005 Junos text shown to the user as it is
		return errors.New("missing argument.")
	}
	path, err := m.shell.ResolvePath(name)
	if err != nil {
		return err
	}
	top := len(m.sess.Level()) == 0
	var text string
	if err := m.sess.View(nil, func(x *config.Node, p config.Path) { text = render(x, "", m.cfg.Version, top) }); err != nil {
		return engineErr(err)
	}
	if top {
		text = "## Last changed: " + m.cfg.now().UTC().Format("2006-01-02 15:04:05 MST") + "\n" + text
	}
	if err := atomicfile.Write(path, []byte(text)); err != nil {
		return fmt.Errorf("could not create file '%s'", name)
	}
	n := strings.Count(text, "\n")
	fmt.Fprintf(out, "Wrote %d line%s of configuration to '%s'\n", n, map[bool]string{true: "", false: "s"}[n == 1], name)
	return nil
}

// commitLine renders a commit the way "show system commit" and
// "rollback ?" list it.
func commitLine(h config.Commit) string {
	s := fmt.Sprintf("%s by %s via %s", h.Time.UTC().Format("2006-01-02 15:04:05 MST"), h.User, h.Via)
	if h.Confirm > 0 {
		s += fmt.Sprintf(" commit confirmed, rollback in %dmins", h.Confirm)
	}
	return s
}

// lastCommit returns when and by whom the active configuration was
// committed.
func lastCommit(db *config.DB) (time.Time, string, bool) {
	h := db.History()
	if len(h) == 0 {
		return time.Time{}, "", false
	}
	return h[0].Time, h[0].User, true
}
