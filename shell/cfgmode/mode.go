package cfgmode

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"mxlab/config"
	"mxlab/shell"
)

// Config is configuration mode for one router: it implements
// shell.ConfigMode.
type Config struct {
	DB *config.DB
	// Version is the Junos release shown in "version" lines.
	Version string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// HashPassword turns a password typed for plain-text-password into
	// the crypt(3) string stored as encrypted-password ("$6$...").
	HashPassword func(password string) (string, error)

	mu      sync.Mutex
	pending map[*Mode][]string // broadcast messages not yet shown
}

// Broadcast queues a message for every session in configuration mode;
// each prints it before its next prompt (the automatic rollback of an
// unconfirmed commit).
func (cfg *Config) Broadcast(from, msg string) {
	cfg.mu.Lock()
	defer cfg.mu.Unlock()
	now := cfg.now()
	text := fmt.Sprintf("\nBroadcast Message from %s\n        (no tty) at %s...\n\n%s\n\n", from, now.Format("15:04 MST"), msg)
	for m := range cfg.pending {
		cfg.pending[m] = append(cfg.pending[m], text)
	}
}

func (cfg *Config) now() time.Time {
	if cfg.Now != nil {
		return cfg.Now()
	}
	return time.Now()
}

// Enter starts configuration mode ("configure", "configure private",
// "configure exclusive").
func (cfg *Config) Enter(s *shell.Session, variant string, out io.Writer) (shell.Mode, error) {
	mode := config.Shared
	switch variant {
	case "private":
		mode = config.Private
	case "exclusive":
		mode = config.Exclusive
	}
	login := s.Login()
	who := config.Who{User: s.User(), Terminal: terminal(login.Line), PID: os.Getpid(), Since: login.Since}
	sess, before, after, err := cfg.DB.Begin(who, mode)
	for _, l := range before {
		fmt.Fprintln(out, l)
	}
	if err != nil {
		for _, l := range after {
			fmt.Fprintln(out, l)
		}
		switch {
		case errors.Is(err, config.ErrModified):
			return nil, errors.New("configuration database modified")
		case errors.Is(err, config.ErrSharedModified):
			return nil, errors.New("shared configuration database modified")
		}
		return nil, err
	}
	fmt.Fprintln(out, "Entering configuration mode")
	for _, l := range after {
		fmt.Fprintln(out, l)
	}
	m := &Mode{cfg: cfg, db: cfg.DB, sess: sess, shell: s}
	cfg.mu.Lock()
	if cfg.pending == nil {
		cfg.pending = map[*Mode][]string{}
	}
	cfg.pending[m] = nil
	cfg.mu.Unlock()
	return m, nil
}

func terminal(line string) string {
	if line == "" {
		return "p0"
	}
	return line
}

// Mode is one session in configuration mode.
type Mode struct {
	cfg   *Config
	db    *config.DB
	sess  *config.Session
	shell *shell.Session
	conv  map[*config.Choice]converted // see (*Mode).convert
}

// Prompt returns the [edit ...] banner (with the pending commit confirmed
// line and broadcast messages above it) and "user@host# ".
func (m *Mode) Prompt(s *shell.Session) (string, string) {
	// A prompt follows each command: the session's idle time counts
	// from here.
	m.sess.Touch()
	var b strings.Builder
	m.cfg.mu.Lock()
	for _, msg := range m.cfg.pending[m] {
		// The shell prints a blank line before the banner; the message
		// ends with two more before the [edit] line, as Junos shows it.
		b.WriteString(strings.TrimPrefix(msg, "\n") + "\n")
	}
	m.cfg.pending[m] = nil
	m.cfg.mu.Unlock()
	if mins, ok := m.db.ConfirmMinutes(); ok {
		unit := "minutes"
		if mins == 1 {
			unit = "minute"
		}
		fmt.Fprintf(&b, "# commit confirmed will be rolled back in %d %s\n", mins, unit)
	}
	b.WriteString("[edit")
	for _, w := range m.sess.Level() {
		b.WriteString(" " + shell.Quote(w))
	}
	b.WriteString("]")
	return b.String(), s.Prompt('#')
}

// Start returns the cursor at the beginning of a line.
func (m *Mode) Start(s *shell.Session) shell.Cursor { return &cursor{m: m} }

// Leave is called when the input ends in configuration mode.
func (m *Mode) Leave(s *shell.Session, out io.Writer) {
	m.close()
	io.WriteString(out, "Exiting configuration mode\n")
}

func (m *Mode) close() {
	m.sess.Close()
	m.cfg.mu.Lock()
	delete(m.cfg.pending, m)
	m.cfg.mu.Unlock()
}

// words returns the texts of the command's words after the verb.
// Exec runs one configuration-mode command.
func (m *Mode) Exec(s *shell.Session, cmd *shell.Command, out io.Writer) (shell.Mode, error) {
	c, ok := cmd.Cursor.(*cursor)
	if !ok {
		// "run" moved the cursor into operational mode.
		_, err := s.Operational().Exec(s, cmd, out)
		return m, err
	}
	var err error
	switch c.verb.name {
	case "set":
		if holder, ok := m.sess.PromptStatement(c.path); ok {
			err = m.setPassword(cmd, holder, out)
			break
		}
		err = m.caret(cmd, m.sess.Set(c.path))
	case "delete":
		err = m.notFound(cmd, out, m.sess.Delete(c.path))
	case "edit":
		err = m.caret(cmd, m.sess.Edit(c.path))
	case "activate", "deactivate":
		err = m.notFound(cmd, out, m.sess.SetActive(c.path, c.verb.name == "activate"))
	case "annotate":
		err = m.notFound(cmd, out, m.sess.Annotate(c.path, strings.Join(c.path2, " ")))
	case "copy":
		err = m.notFound(cmd, out, m.sess.Copy(append(append(append([]string(nil), c.path...), "to"), c.path2...)))
	case "rename":
		err = m.notFound(cmd, out, m.sess.Rename(append(append(append([]string(nil), c.path...), "to"), c.path2...)))
	case "insert":
		err = m.notFound(cmd, out, m.sess.Insert(append(append(append([]string(nil), c.path...), c.sep), c.path2...)))
	case "show":
		err = m.show(cmd, c, out)
	case "commit":
		return m.commit(cmd, c, out)
	case "rollback":
		err = m.rollback(c, out)
	case "load":
		err = m.load(cmd, c, out)
	case "save":
		err = m.save(c, out)
	case "up":
		n := 1
		fmt.Sscan(c.opts["n"], &n)
		m.sess.Up(n)
	case "top":
		m.sess.Top()
	case "exit", "quit":
		if _, all := c.opts["configuration-mode"]; !all && len(m.sess.Level()) > 0 {
			m.sess.Up(1)
			return m, nil
		}
		return m.exit(cmd, out)
	case "status":
		m.status(out)
	case "update":
		if m.sess.Mode() != config.Private {
			return m, errors.New("update is allowed only in configure private mode")
		}
		err = engineErr(m.sess.Update())
	case "help":
		io.WriteString(out, helpText)
	}
	return m, err
}

const helpText = `Configuration mode commands: set, delete, edit, show, commit, rollback,
load, save, activate, deactivate, annotate, copy, rename, insert, up, top, exit,
run, status. Type '?' anywhere for the possible completions.
`

// caret turns an input error of the engine into a caret under its word.
func (m *Mode) caret(cmd *shell.Command, err error) error {
	var ie *config.InputError
	if !errors.As(err, &ie) {
		return engineErr(err)
	}
	pos := endOf(cmd)
	if i := ie.Tok + 1; i >= 1 && i < len(cmd.Words) {
		pos = cmd.Words[i].Pos
	}
	return &shell.CaretError{Pos: pos, Msg: ie.Msg}
}

// endOf returns the column after the last word of the command.
func endOf(cmd *shell.Command) int {
	last := cmd.Words[len(cmd.Words)-1]
	return last.Pos + len(last.Text) + 1
}

// engineErr maps engine errors to the Junos texts.
func engineErr(err error) error {
	var le *config.LockError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le):
		return errors.New(le.Error())
	}
	return err
}

// notFound prints the Junos warning for a statement that does not exist.
func (m *Mode) notFound(cmd *shell.Command, out io.Writer, err error) error {
	if errors.Is(err, config.ErrNotFound) {
		io.WriteString(out, "warning: statement not found\n")
		return nil
	}
	return m.caret(cmd, err)
}

// exit leaves configuration mode, asking first when there are
// uncommitted changes.
func (m *Mode) exit(cmd *shell.Command, out io.Writer) (shell.Mode, error) {
	if m.sess.Dirty() {
		io.WriteString(out, "The configuration has been changed but not committed\n")
		answer, err := m.shell.ReadLine(cmd.Ctx, "Exit with uncommitted changes? [yes,no] (yes) ")
		if err == nil {
			switch strings.ToLower(strings.TrimSpace(answer)) {
			case "", "y", "yes":
			default:
				return m, nil
			}
		} else if !errors.Is(err, io.EOF) && !errors.Is(err, shell.ErrNoInput) {
			return m, nil
		}
	}
	m.close()
	io.WriteString(out, "Exiting configuration mode\n")
	return nil, nil
}

func (m *Mode) status(out io.Writer) {
	io.WriteString(out, "Users currently editing the configuration:\n")
	login := m.shell.Login()
	who := config.Who{User: m.shell.User(), Terminal: terminal(login.Line), PID: os.Getpid(), Since: login.Since}
	fmt.Fprintf(out, "  %s\n      [edit%s]\n", who, levelSuffix(m.sess.Level()))
}

func levelSuffix(level []string) string {
	if len(level) == 0 {
		return ""
	}
	return " " + strings.Join(level, " ")
}

// setPassword answers "set ... plain-text-password" as Junos does: it asks
// for the password twice (no echo), checks it, and stores its hash as the
// sibling encrypted-password; the words typed are never stored.
func (m *Mode) setPassword(cmd *shell.Command, holder []string, out io.Writer) error {
	if m.cfg.HashPassword == nil {
		return errors.New("plain-text-password is not available: no password hashing")
	}
	pw, err := m.shell.ReadPassword(cmd.Ctx, "New password:")
	if err != nil {
		return errors.New("password not changed")
	}
	again, err := m.shell.ReadPassword(cmd.Ctx, "Retype new password:")
	if err != nil {
		return errors.New("password not changed")
	}
	switch {
	case pw != again:
		return errors.New("Passwords are not equal")
	case len(pw) < 6:
		return errors.New("minimum password length is 6")
	case len(pw) > 128:
		return errors.New("maximum password length is 128")
	case !mixed(pw):
		return errors.New("require change of case, digits or punctuation")
	}
	hash, err := m.cfg.HashPassword(pw)
	if err != nil {
		return err
	}
	return m.caret(cmd, m.sess.Set(append(append([]string(nil), holder...), "encrypted-password", hash)))
}

// mixed reports whether a password has at least two kinds of characters
// (lower case, upper case, digits, punctuation), as Junos requires.
func mixed(pw string) bool {
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	return n >= 2
}
