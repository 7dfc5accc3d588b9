// Package rootsh is the FreeBSD shell the root account logs in to on a
// Junos router: the prompt "root@HOST:~ # ", "cli" starts the Junos CLI
// (netmiko's Juniper driver types it on seeing "root@"), "cli -c 'cmd;
// cmd'" runs CLI commands, "exit" and "logout" end the session. Other
// commands are not there ("foo: Command not found.", as csh says).
package rootsh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Options describe a root shell session.
type Options struct {
	Host func() string // the host-name in the prompt
	In   io.Reader     // the terminal input; with SetReadDeadline it can be stopped
	Out  io.Writer
	TTY  bool // a terminal: echo typed keys, end lines with CRLF
	// CLI runs the Junos CLI interactively on the same terminal and
	// returns its exit status when the user leaves it.
	CLI func(ctx context.Context) int
	// Commands runs CLI commands ("show version; show route") like
	// "cli -c" and returns the exit status.
	Commands func(ctx context.Context, cmds string) int
}

// deadliner is an input whose blocked Read can be stopped.
type deadliner interface{ SetReadDeadline(time.Time) error }

// Run runs an interactive session until exit, the end of the input or
// ctx; it returns the exit status of the last command.
func Run(ctx context.Context, o Options) int {
	sh := &shell{o: o, out: &crlf{w: o.Out, on: o.TTY}}
	if d, ok := o.In.(deadliner); ok {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	status := 0
	for ctx.Err() == nil {
		if o.TTY {
			fmt.Fprintf(sh.out, "root@%s:~ # ", o.Host())
		}
		line, err := sh.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && o.TTY {
				io.WriteString(sh.out, "\n")
			}
			return status
		}
		var done bool
		status, done = sh.run(ctx, line)
		if done {
			return status
		}
	}
	return status
}

// Exec runs one command line given to ssh ("cli -c 'show version'").
func Exec(ctx context.Context, o Options, line string) int {
	sh := &shell{o: o, out: &crlf{w: o.Out, on: o.TTY}}
	status, _ := sh.run(ctx, line)
	return status
}

type shell struct {
	o      Options
	out    io.Writer
	buf    []byte // input read but not used yet
	skipLF bool   // a CR ended the last line: a LF right after it is part of it
	err    error
}

// run runs one command line; done is set by exit and logout.
func (sh *shell) run(ctx context.Context, line string) (status int, done bool) {
	args, err := split(line)
	if err != nil {
		fmt.Fprintf(sh.out, "%v\n", err)
		return 1, false
	}
	if len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "exit", "logout":
		return 0, true
	case "cli":
		switch {
		case len(args) == 1:
			if sh.o.CLI == nil {
				return 1, false
			}
			st := sh.o.CLI(ctx)
			if d, ok := sh.o.In.(deadliner); ok && ctx.Err() == nil {
				d.SetReadDeadline(time.Time{}) // the CLI stopped its reader with a deadline
			}
			return st, false
		case len(args) == 3 && args[1] == "-c":
			return sh.o.Commands(ctx, args[2]), false
		}
		io.WriteString(sh.out, "usage: cli [-c command]\n")
		return 1, false
	case "pwd":
		io.WriteString(sh.out, "/root\n")
	case "whoami":
		io.WriteString(sh.out, "root\n")
	case "hostname":
		io.WriteString(sh.out, sh.o.Host()+"\n")
	case "echo":
		io.WriteString(sh.out, strings.Join(args[1:], " ")+"\n")
	default:
		fmt.Fprintf(sh.out, "%s: Command not found.\n", args[0])
		return 1, false
	}
	return 0, false
}

// split splits a command line into words, with single and double quotes.
func split(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("Unmatched %c.", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// readLine reads a line ended by CR, LF or CRLF. On a terminal it echoes
// what is typed, erases with backspace, and Ctrl-C drops the line.
func (sh *shell) readLine() (string, error) {
	var line []byte
	for {
		for len(sh.buf) > 0 {
			c := sh.buf[0]
			sh.buf = sh.buf[1:]
			if sh.skipLF {
				sh.skipLF = false
				if c == '\n' {
					continue
				}
			}
			switch {
			case c == '\r' || c == '\n':
				sh.skipLF = c == '\r'
				if sh.o.TTY {
					io.WriteString(sh.out, "\n")
				}
				return string(line), nil
			case !sh.o.TTY:
				line = append(line, c)
			case c == 3: // Ctrl-C
				io.WriteString(sh.out, "^C\n")
				return "", nil
			case c == 4 && len(line) == 0: // Ctrl-D
				return "", io.EOF
			case c == 8 || c == 127:
				if len(line) > 0 {
					line = line[:len(line)-1]
					io.WriteString(sh.out, "\b \b")
				}
			case c >= 32 || c == '\t':
				line = append(line, c)
				sh.out.Write([]byte{c})
			}
		}
		if sh.err != nil {
			if len(line) > 0 && !sh.o.TTY {
				return string(line), nil
			}
			return "", sh.err
		}
		chunk := make([]byte, 1024)
		n, err := sh.o.In.Read(chunk)
		sh.buf = append(sh.buf, chunk[:n]...)
		if err != nil {
			sh.err = io.EOF
		}
	}
}

// crlf ends lines with CRLF on a terminal.
type crlf struct {
	w  io.Writer
	on bool
}

func (c *crlf) Write(p []byte) (int, error) {
	if !c.on {
		return c.w.Write(p)
	}
	if _, err := c.w.Write([]byte(strings.ReplaceAll(string(p), "\n", "\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
