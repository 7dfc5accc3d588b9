package shell

import (
	"context"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"mxlab/shell/cmdtree"
)

// Options configure a Shell.
type Options struct {
	Registry *cmdtree.Registry // the operational commands; RegisterBuiltins adds the shell's own
	Router   any               // passed to commands as Env.Router
	User     string            // the login user; default "lab"
	// Hostname returns the committed host-name; default "mxlab".
	Hostname func() string
	Version  Version
	In       io.Reader
	Out      io.Writer
	// TTY says In and Out are a terminal: the line editor runs, output
	// lines end with CRLF and long output is paged. Without it (pipes,
	// CI) the shell reads plain lines and echoes them after the prompt.
	TTY bool
	// Term is the terminal type (TERM); "dumb" selects the plain line mode
	// even on a terminal.
	Term string
	// Size returns the terminal size; nil asks Out when it is a terminal.
	// A zero size (a pty without a window size) counts as 80x24.
	Size func() (width, height int)
	// ConfigMode is configuration mode, entered by "configure".
	ConfigMode ConfigMode
	// StateDir is the router's directory: var/log, var/tmp, var/home/USER
	// live under it, and "file" commands and "| save" see it as "/".
	StateDir string
	// Hidden are router paths ("/pki") the file commands and "| save"
	// may not reach: the router's internal stores.
	Hidden []string
	// HostFiles lets "file copy" read files of the host given as absolute
	// paths outside the router's file space (/var, /config): for a router
	// run standalone or in a lab by the user who owns it.
	HostFiles bool
	// Booted is when the router started; default: when New was called.
	Booted time.Time
	// LastConfigured returns the time and user of the last commit, if any.
	LastConfigured func() (at time.Time, user string, ok bool)
	// Logins lists the users logged in to the router; nil lists this
	// session only.
	Logins func() []Login
	// From is where the user logged in from ("" for the console).
	From string
	// Line is the terminal line name shown by "show system users" ("p0").
	Line string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Allow, when set, tells whether the user's login class permits the
	// command whose keywords are given ("configure", "clear arp"); the
	// others are hidden from '?', completion and the command line.
	Allow func(words []string) bool
}

// Version describes the software the router reports.
type Version struct {
	Model string // "mx960"
	Junos string // "24.4R1.9"
	Mxlab string // the version of mxlab itself
}

// Login is a user session, as "show system users" lists it.
type Login struct {
	User, Line, From string
	Since            time.Time
	Idle             time.Duration
	What             string // "cli"
}

// Shell is one CLI session of one router.
type Shell struct {
	s *Session
}

// Session is the state of a CLI session that modes and commands see.
type Session struct {
	opts   Options
	memo   walkMemo // the words walked while a line is edited
	tokBuf [2][]Token
	// spareWords is the words of the last line run, for the next line's
	// walk: the command that had them has returned.
	spareWords []Word
	op         *OpMode
	modes      []Mode
	settings   Settings
	out        *termWriter
	keys       *keyReader  // the terminal's keys, nil in plain mode
	lines      *lineReader // the input in plain mode, nil on a terminal
	next       Mode        // the mode a command asked to enter
	batch      bool        // running "-c" commands: no prompts
	width      int         // prompt width of the line being run
	login      time.Time
	seenW      int // the terminal size the settings last followed
	seenH      int

	mu      sync.Mutex
	cancel  context.CancelFunc // of the running command
	lastKey time.Time          // for the idle time other sessions show
}

// New returns a shell for one session.
func New(opts Options) *Shell {
	if opts.User == "" {
		opts.User = "lab"
	}
	if opts.Hostname == nil {
		opts.Hostname = func() string { return "mxlab" }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Booted.IsZero() {
		opts.Booted = opts.Now()
	}
	if opts.Registry == nil {
		opts.Registry = cmdtree.New()
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	s := &Session{opts: opts, login: opts.Now()}
	s.lastKey = s.login
	s.op = &OpMode{}
	s.out = &termWriter{w: opts.Out, crlf: opts.TTY && !(s.cooked())}
	w, h := s.size()
	s.settings = Settings{ScreenLength: h, ScreenWidth: w, CompleteOnSpace: true}
	s.seenW, s.seenH = w, h
	return &Shell{s: s}
}

// Session returns the session state.
func (sh *Shell) Session() *Session { return sh.s }

// cooked reports whether the input is a local terminal left in its
// normal mode (TERM=dumb): the kernel then echoes the input and ends
// output lines with CRLF itself.
func (s *Session) cooked() bool {
	if !s.opts.TTY || s.opts.Term != "dumb" {
		return false
	}
	f, ok := s.opts.In.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// size returns the terminal size, 80x24 when unknown.
func (s *Session) size() (int, int) {
	w, h := 0, 0
	switch {
	case s.opts.Size != nil:
		w, h = s.opts.Size()
	case s.opts.TTY:
		if f, ok := s.opts.Out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			w, h, _ = term.GetSize(int(f.Fd()))
		}
	}
	if w <= 0 || h <= 0 {
		return 80, 24
	}
	return w, h
}

// followWindow takes a new terminal size (an SSH window-change, a
// resized console) into the screen length and width, unless "set cli"
// changed them.
func (s *Session) followWindow() {
	if s.opts.Size == nil {
		return
	}
	w, h := s.size()
	if w == s.seenW && h == s.seenH {
		return
	}
	if s.settings.ScreenWidth == s.seenW {
		s.settings.ScreenWidth = w
	}
	if s.settings.ScreenLength == s.seenH {
		s.settings.ScreenLength = h
	}
	s.seenW, s.seenH = w, h
}

// User returns the login user.
func (s *Session) User() string { return s.opts.User }

// Hostname returns the router's host-name.
func (s *Session) Hostname() string { return s.opts.Hostname() }

// Router returns the router the session runs on.
func (s *Session) Router() any { return s.opts.Router }

// Options returns the options the shell was made with.
func (s *Session) Options() Options { return s.opts }

// Settings returns the CLI settings ("set cli ...").
func (s *Session) Settings() Settings { return s.settings }

// Prompt returns the prompt "user@host" followed by c and a space.
func (s *Session) Prompt(c byte) string {
	return s.opts.User + "@" + s.Hostname() + string(c) + " "
}

// Operational returns operational mode, for configuration mode's "run".
func (s *Session) Operational() *OpMode { return s.op }

// mode returns the current mode, nil when the session is over.
func (s *Session) mode() Mode {
	if len(s.modes) == 0 {
		return nil
	}
	return s.modes[len(s.modes)-1]
}

// pop leaves the current mode because the input ended.
func (s *Session) pop() {
	m := s.mode()
	cw := &countWriter{w: s.out}
	if l, ok := m.(Leaver); ok {
		l.Leave(s, cw)
	}
	s.modes = s.modes[:len(s.modes)-1]
	if s.mode() != nil {
		s.blankAfter(s.mode(), cw.n)
	}
}

// setCancel records the cancel function of the running command.
func (s *Session) setCancel(c context.CancelFunc) {
	s.mu.Lock()
	s.cancel = c
	s.mu.Unlock()
}

// keyTyped records a key typed now.
func (s *Session) keyTyped() {
	now := s.opts.Now()
	s.mu.Lock()
	s.lastKey = now
	s.mu.Unlock()
}

func (s *Session) lastKeyAt() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastKey
}

// interrupt cancels the running command; it reports whether one ran.
func (s *Session) interrupt() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel == nil {
		return false
	}
	s.cancel()
	return true
}

// termWriter writes to the terminal; on a TTY it ends lines with CRLF.
// While hold is set (the line editor has more keys to handle: a paste, a
// script typing ahead) writes are kept, up to 64 KB, and go out with the
// next write or flush: the terminal gets one write per burst of input,
// not one per key.
type termWriter struct {
	w    io.Writer
	crlf bool
	last byte
	hold bool
	held []byte
}

func (t *termWriter) Write(p []byte) (int, error) {
	if !t.crlf && len(t.held) == 0 && !t.hold {
		return t.w.Write(p)
	}
	for _, b := range p {
		if t.crlf && b == '\n' && t.last != '\r' {
			t.held = append(t.held, '\r')
		}
		t.held = append(t.held, b)
		t.last = b
	}
	if t.hold && len(t.held) < 64<<10 {
		return len(p), nil
	}
	if err := t.flush(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes what is held.
func (t *termWriter) flush() error {
	if len(t.held) == 0 {
		return nil
	}
	_, err := t.w.Write(t.held)
	if cap(t.held) > 256<<10 {
		t.held = nil // a pasted megabyte is not kept for the next line
	} else {
		t.held = t.held[:0]
	}
	return err
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return c.w.Write(p)
}
