package shell

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// The terminal path uses the small line editor of editor.go rather than
// github.com/c-bata/go-prompt v0.2.6, which cannot serve this CLI:
//   - it hands each read() chunk to its key parser as one key, so "sho\r"
//     written at once by expect, netmiko or a paste is inserted literally,
//     and its reader polls with a 10 ms sleep per chunk, so splitting a
//     pasted block of 200 lines into keys would take seconds;
//   - it installs process-wide SIGINT/SIGTERM/SIGQUIT handlers and calls
//     os.Exit, so one Ctrl-C or one session ends the whole lab;
//   - it redraws with ANSI cursor and erase sequences on every key, which
//     netmiko 2.4 and Ansible leave in the text they match;
//   - it reads /dev/tty itself and learns the window size only from the
//     process's SIGWINCH, so it cannot run on an SSH channel.
// The editor echoes typed text, moves with backspaces and never sends an
// escape sequence.

// runTTY runs the session on a terminal with the line editor.
func (s *Session) runTTY(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in, restore, err := s.openTerminal()
	if err != nil {
		return err
	}
	defer restore()
	ch := make(chan []byte, 256)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.runPump(ctx, in, ch)
	}()
	defer func() {
		cancel()
		if d, ok := in.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(time.Now()) == nil {
			wg.Wait()
		}
	}()
	s.keys = &keyReader{ch: ch}
	ed := &editor{s: s, keys: s.keys}
	defer s.out.flush()
	for s.mode() != nil {
		// The prompt and the echo are held while more keys are waiting;
		// the command's first output takes them along.
		s.out.hold = true
		s.printPrompt()
		line, err := ed.readLine(ctx)
		s.out.hold = false
		switch {
		case errors.Is(err, io.EOF):
			s.pop()
			continue
		case err != nil:
			return nil
		}
		s.execute(ctx, line)
	}
	return nil
}

// runPump reads the terminal into ch until the input ends. A Ctrl-C that
// arrives while a command runs interrupts the command and is dropped;
// everything else is kept, in order, for the editor (type-ahead).
func (s *Session) runPump(ctx context.Context, in io.Reader, ch chan<- []byte) {
	defer close(ch)
	for {
		buf := make([]byte, 4096)
		n, err := in.Read(buf)
		data := buf[:n]
		if i := bytes.IndexByte(data, byte(keyCtrlC)); i >= 0 && s.interrupt() {
			data = append(data[:i:i], data[i+1:]...)
		}
		if len(data) > 0 {
			select {
			case ch <- data:
			case <-ctx.Done():
				return
			}
		}
		if err != nil || ctx.Err() != nil {
			return
		}
	}
}

// openTerminal prepares the input: a local terminal is put in raw mode
// and read through a non-blocking duplicate, so that the reader can be
// stopped when the session ends. Other inputs (an SSH channel) are used
// as they are.
func (s *Session) openTerminal() (io.Reader, func(), error) {
	f, ok := s.opts.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		if s.opts.In == nil {
			return bytes.NewReader(nil), func() {}, nil
		}
		return s.opts.In, func() {}, nil
	}
	fd := int(f.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, nil, err
	}
	dup, err := unix.Dup(fd)
	if err != nil {
		_ = term.Restore(fd, old)
		return nil, nil, err
	}
	_ = unix.SetNonblock(dup, true)
	nf := os.NewFile(uintptr(dup), f.Name())
	out := s.pollableOutput()
	restore := func() {
		out()
		_ = nf.Close()
		_ = unix.SetNonblock(fd, false)
		_ = term.Restore(fd, old)
	}
	return nf, restore, nil
}

// pollableOutput writes a local terminal's output through a non-blocking
// duplicate too: the input's non-blocking mode holds for every descriptor
// of the terminal (stdin and stdout of a console are one open file), and a
// write larger than the terminal's buffer would then fail half way with
// EAGAIN. A non-blocking file waits in Go's poller until the terminal
// drains instead. The returned function puts the output back.
func (s *Session) pollableOutput() func() {
	f, ok := s.out.w.(*os.File)
	if !ok {
		return func() {}
	}
	// Not f.Fd(): it would put the terminal back in blocking mode.
	rc, err := f.SyscallConn()
	if err != nil {
		return func() {}
	}
	dup := -1
	rc.Control(func(fd uintptr) {
		if term.IsTerminal(int(fd)) {
			dup, _ = unix.Dup(int(fd))
		}
	})
	if dup < 0 {
		return func() {}
	}
	_ = unix.SetNonblock(dup, true)
	nf := os.NewFile(uintptr(dup), f.Name())
	s.out.w = nf
	return func() {
		s.out.w = f
		_ = nf.Close()
	}
}
