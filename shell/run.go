package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ErrPrinted is returned by a command that failed and has printed its
// error itself (a commit that prints its check-out errors).
var ErrPrinted = errors.New("command failed")

// errQuit is returned by "quit" and "exit": leave operational mode.
var errQuit = errors.New("quit")

// Run runs the session until the user quits, the input ends or ctx is
// cancelled; an end of input leaves the current mode (leaving operational
// mode ends the session). On a terminal, a goroutine reads In; Run stops
// it and waits for it when In has SetReadDeadline (a local terminal, a
// net.Conn), otherwise it ends when In returns an error, so the caller
// closes In (an SSH channel) after Run returns.
func (sh *Shell) Run(ctx context.Context) error {
	s := sh.s
	s.modes = []Mode{s.op}
	if s.opts.TTY && s.opts.Term != "dumb" {
		return s.runTTY(ctx)
	}
	return s.runPlain(ctx)
}

// RunCommands runs "cmd; cmd; ..." like Junos "cli -c": output only, no
// prompts. It reports whether a command failed.
func (sh *Shell) RunCommands(ctx context.Context, cmds string) (failed bool) {
	s := sh.s
	s.modes = []Mode{s.op}
	s.batch = true
	for _, line := range splitCommands(cmds) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if s.execute(ctx, strings.TrimSpace(line)) {
			failed = true
		}
		if s.mode() == nil {
			return failed
		}
	}
	for s.mode() != nil && s.mode() != Mode(s.op) {
		s.pop()
	}
	return failed
}

// runPlain reads lines and echoes each after its prompt, so the output
// reads like a session log; a line ending in '?' shows help for it.
func (s *Session) runPlain(ctx context.Context) error {
	in := s.opts.In
	if in == nil {
		in = strings.NewReader("")
	}
	lr := &lineReader{r: &ctxReader{ctx: ctx, r: in}}
	s.lines = lr
	echo := !s.cooked()
	for s.mode() != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.printPrompt()
		line, err := lr.readLine()
		if err != nil {
			if ctx.Err() != nil {
				io.WriteString(s.out, "\n")
				return ctx.Err()
			}
			if !errors.Is(err, io.EOF) {
				return err
			}
			io.WriteString(s.out, "\n")
			s.pop()
			continue
		}
		if echo {
			io.WriteString(s.out, line+"\n")
		}
		if strings.HasSuffix(line, "?") && !openQuote(line[:len(line)-1]) {
			io.WriteString(s.out, s.help(line[:len(line)-1]))
			continue
		}
		s.execute(ctx, line)
	}
	return nil
}

// printPrompt prints the banner (after a blank line) and the prompt; it
// records the prompt's width for the carets.
func (s *Session) printPrompt() {
	s.followWindow()
	banner, prompt := s.mode().Prompt(s)
	if banner != "" {
		io.WriteString(s.out, "\n"+banner+"\n"+prompt)
	} else {
		io.WriteString(s.out, prompt)
	}
	s.width = utf8.RuneCountInString(prompt)
}

// execute parses and runs one line; it reports whether it failed.
func (s *Session) execute(ctx context.Context, line string) (failed bool) {
	mode := s.mode()
	toks := s.tokenize(line)
	if len(toks) == 0 {
		return false
	}
	p, err := s.walkLine(toks)
	s.forget()
	if err == nil {
		err = p.complete(endColumn(toks))
	}
	if err != nil {
		s.printLineError(line, err)
		return true
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := &Command{Ctx: cctx, Line: line, Words: p.words, Cursor: p.cur}
	cw := &countWriter{w: s.out}
	ch, err := s.chain(cmd, p, cw, cancel)
	if err != nil {
		s.printLineError(line, err)
		s.blankAfter(mode, 1)
		return true
	}
	s.stamp()
	s.next = nil
	s.setCancel(cancel)
	var next Mode
	var xerr error
	if cmd.Display == "xml rpc" {
		next, xerr = mode, s.writeRPC(cmd, ch.w)
	} else {
		next, xerr = mode.Exec(s, cmd, ch.w)
	}
	s.setCancel(nil)
	if cerr := ch.close(); cerr != nil && xerr == nil {
		xerr = cerr
	}
	s.switchMode(mode, next)
	if cap(p.words) <= 64 {
		s.spareWords = p.words[:0]
	}
	if xerr != nil {
		s.printLineError(line, xerr)
		cw.n++
	}
	if s.mode() != nil {
		s.blankAfter(s.mode(), cw.n)
	}
	return xerr != nil
}

// switchMode applies the mode a command returned.
func (s *Session) switchMode(cur, next Mode) {
	switch {
	case next == nil:
		s.modes = s.modes[:len(s.modes)-1]
	case next != cur:
		s.modes = append(s.modes, next)
	}
}

// blankAfter prints the blank line Junos prints after a command's output
// in operational mode (the banner of the other modes brings its own blank
// line). It does not ask the mode for its banner: building it may consume
// messages queued for the next prompt.
func (s *Session) blankAfter(m Mode, n int) {
	if n == 0 || s.batch {
		return
	}
	if _, op := m.(*OpMode); op {
		io.WriteString(s.out, "\n")
	}
}

// printError prints err the Junos way: a caret line under the column and
// the message, or "error: <err>".
func (s *Session) printError(err error) {
	io.WriteString(s.out, s.errorText(err))
}

// printLineError prints the error of a command line. Commands run with
// "-c" have no prompt and no echo, so a caret would point under nothing:
// the line is printed first, and the caret goes under it.
func (s *Session) printLineError(line string, err error) {
	var ce *CaretError
	if s.batch && errors.As(err, &ce) {
		io.WriteString(s.out, line+"\n")
	}
	s.printError(err)
}

func (s *Session) errorText(err error) string {
	if errors.Is(err, ErrPrinted) {
		return ""
	}
	var ce *CaretError
	if !errors.As(err, &ce) {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", s.width+ce.Pos) + "^\n" + ce.Msg + "\n")
	if len(ce.List) > 0 {
		b.WriteString("Possible completions:\n")
		for _, c := range ce.List {
			b.WriteString(listRow(c))
		}
	}
	return b.String()
}

// stamp prints the time before a command's output when "set cli
// timestamp" is on.
func (s *Session) stamp() {
	if s.settings.Timestamp != "" {
		fmt.Fprintf(s.out, "%s\n", strftime(s.settings.Timestamp, s.opts.Now()))
	}
}

// lineReader reads lines ended by "\r", "\n" or "\r\n" (one end each).
type lineReader struct {
	r      io.Reader
	buf    []byte
	skipLF bool
	err    error
}

func (l *lineReader) readLine() (string, error) {
	for {
		if l.skipLF && len(l.buf) > 0 {
			if l.buf[0] == '\n' {
				l.buf = l.buf[1:]
			}
			l.skipLF = false
		}
		for i, b := range l.buf {
			if b == '\n' || b == '\r' {
				line := string(l.buf[:i])
				l.buf = l.buf[i+1:]
				l.skipLF = b == '\r'
				return line, nil
			}
		}
		if l.err != nil {
			if len(l.buf) > 0 {
				line := string(l.buf)
				l.buf = nil
				return line, nil
			}
			return "", l.err
		}
		chunk := make([]byte, 4096)
		n, err := l.r.Read(chunk)
		l.buf = append(l.buf, chunk[:n]...)
		l.err = err
	}
}

// Interrupt stops the running command, as Ctrl-C does in the line editor.
// It is for terminals left in cooked mode (TERM=dumb), where the line
// discipline turns Ctrl-C into SIGINT and drops the typed line itself. It
// reports whether a command was running.
func (sh *Shell) Interrupt() bool { return sh.s.interrupt() }

// ctxReader reads from r until ctx is done: a blocked Read (a pipe that
// stays open) then returns ctx's error, so the session can end on SIGTERM.
// The read already started goes on in its goroutine until r returns; the
// owner of r ends it by closing r (the process exit does for stdin).
type ctxReader struct {
	ctx     context.Context
	r       io.Reader
	results chan readResult
}

type readResult struct {
	data []byte
	err  error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.results == nil {
		c.results = make(chan readResult, 1)
	}
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	buf := make([]byte, len(p))
	go func() {
		n, err := c.r.Read(buf)
		c.results <- readResult{buf[:n], err}
	}()
	select {
	case res := <-c.results:
		return copy(p, res.data), res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}
