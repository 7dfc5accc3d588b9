package shell

import (
	"context"
	"errors"
	"io"
	"strings"
)

// ErrNoInput is returned by ReadLine when the session has no input to read
// from ("-c" commands).
var ErrNoInput = errors.New("no input")

// ReadLine prints prompt and reads one line of raw input for a command
// that asks something ("Exit with uncommitted changes? [yes,no] (yes) ")
// or reads text ("load merge terminal"). Nothing is interpreted: no '?'
// help, no completion. It returns io.EOF at the end of the input or when
// Ctrl-D is typed at the start of a line.
func (s *Session) ReadLine(ctx context.Context, prompt string) (string, error) {
	return s.read(ctx, prompt, true)
}

// ReadPassword is ReadLine for a secret: what is typed is not echoed, on
// a terminal or not.
func (s *Session) ReadPassword(ctx context.Context, prompt string) (string, error) {
	return s.read(ctx, prompt, false)
}

func (s *Session) read(ctx context.Context, prompt string, echo bool) (string, error) {
	io.WriteString(s.out, prompt)
	switch {
	case s.batch:
		io.WriteString(s.out, "\n")
		return "", ErrNoInput
	case s.keys != nil:
		return s.readRaw(ctx, prompt == "", echo)
	case s.lines != nil:
		line, err := s.lines.readLine()
		if err != nil {
			io.WriteString(s.out, "\n")
			return "", err
		}
		if i := strings.IndexByte(line, 4); i >= 0 { // ^D in a plain stream
			if i > 0 || prompt != "" {
				io.WriteString(s.out, line[:i]+"\n")
			}
			return "", io.EOF
		}
		switch {
		case !echo:
			io.WriteString(s.out, "\n")
		case !s.cooked():
			io.WriteString(s.out, line+"\n")
		}
		return line, nil
	}
	return "", io.EOF
}

// readRaw reads a line key by key on a terminal, with echo and backspace.
// atStart tells that the line starts at the left margin, where Ctrl-D on an
// empty line needs no new line.
func (s *Session) readRaw(ctx context.Context, atStart, echo bool) (string, error) {
	var line []rune
	for {
		k, err := s.keys.readKey(ctx)
		if err == nil && k == keyCtrlD && len(line) == 0 {
			err = io.EOF
		}
		if err != nil {
			if len(line) > 0 || !atStart || !errors.Is(err, io.EOF) {
				io.WriteString(s.out, "\n")
			}
			if len(line) > 0 && errors.Is(err, io.EOF) {
				return string(line), nil
			}
			return "", err
		}
		switch {
		case k == keyEnter:
			io.WriteString(s.out, "\n")
			return string(line), nil
		case k == keyCtrlC:
			io.WriteString(s.out, "^C\n")
			return "", context.Canceled
		case k == keyBS || k == keyDEL:
			if len(line) > 0 {
				line = line[:len(line)-1]
				if echo {
					io.WriteString(s.out, "\b \b")
				}
			}
		case k == keyTab || k >= 32:
			r := rune(k)
			if k == keyTab {
				r = '\t'
			}
			line = append(line, r)
			if echo {
				io.WriteString(s.out, string(r))
			}
		}
	}
}
