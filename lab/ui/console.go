package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/creack/pty"

	"mxlab/lab"
	"mxlab/netns"
	"mxlab/router"
)

// A console WebSocket carries the terminal's bytes as binary messages both
// ways; the page sends its window size as a text message {"cols":C,"rows":R}.

// windowMsg is a text message of the page.
type windowMsg struct {
	Cols int `json:"cols"`
	Rows int `json:"rows"`
}

// parseWindow reads a window size message.
func parseWindow(data []byte) (cols, rows int, err error) {
	var m windowMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return 0, 0, err
	}
	return m.Cols, m.Rows, checkWindow(m.Cols, m.Rows)
}

func checkWindow(cols, rows int) error {
	if cols < 10 || cols > 1000 || rows < 2 || rows > 500 {
		return fmt.Errorf("window %dx%d out of bounds", cols, rows)
	}
	return nil
}

// validUser accepts the login names the page may give a CLI session.
func validUser(u string) bool {
	if u == "" || len(u) > 32 {
		return false
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// serveConsole opens a console on a node: ?node=r1&cols=80&rows=24, and
// for a router &user=NAME (default "lab").
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	node := q.Get("node")
	n := s.lab.Topology().Node(node)
	if n == nil {
		http.Error(w, fmt.Sprintf("lab %s has no node %q", s.lab.Topology().Name, node), http.StatusNotFound)
		return
	}
	user := q.Get("user")
	if user == "" {
		user = "lab"
	}
	if !validUser(user) {
		http.Error(w, "user names are letters, digits, '.', '-' and '_' (at most 32)", http.StatusBadRequest)
		return
	}
	cols, rows := 80, 24
	if c, err1 := strconv.Atoi(q.Get("cols")); err1 == nil {
		if r, err2 := strconv.Atoi(q.Get("rows")); err2 == nil && checkWindow(c, r) == nil {
			cols, rows = c, r
		}
	}
	if !s.enter() {
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return
	}
	defer s.leave()
	c, ok := s.accept(w, r)
	if !ok {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20) // a paste
	from, _, _ := net.SplitHostPort(r.RemoteAddr)
	if n.Kind == lab.KindRouter {
		rt := s.lab.Router(node)
		if rt == nil {
			c.Close(websocket.StatusInternalError, "router "+node+" is not running")
			return
		}
		s.routerConsole(r.Context(), c, rt, user, from, cols, rows)
		return
	}
	h := s.lab.Namespace(node)
	if h == nil {
		c.Close(websocket.StatusInternalError, "host "+node+" has no namespace")
		return
	}
	if err := s.hostConsole(r.Context(), c, h, node, cols, rows); err != nil {
		c.Close(websocket.StatusInternalError, clip(err.Error(), 100))
	}
}

// wsWriter sends what is written as binary messages.
type wsWriter struct {
	ctx context.Context
	c   *websocket.Conn
}

func (w wsWriter) Write(p []byte) (int, error) {
	ctx, cancel := context.WithTimeout(w.ctx, writeTimeout)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageBinary, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// routerConsole runs a CLI session of r on the WebSocket, with a terminal
// line of the lab, until the user quits, the page goes or the server stops.
func (s *Server) routerConsole(ctx context.Context, c *websocket.Conn, r *router.Router, user, from string, cols, rows int) {
	var size atomic.Uint32
	size.Store(uint32(cols)<<16 | uint32(rows))
	in, inw := io.Pipe()
	read := make(chan struct{})
	go func() {
		defer close(read)
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				inw.CloseWithError(io.EOF)
				return
			}
			if typ == websocket.MessageText {
				if cols, rows, err := parseWindow(data); err == nil {
					size.Store(uint32(cols)<<16 | uint32(rows))
				}
				continue
			}
			if _, err := inw.Write(data); err != nil {
				return
			}
		}
	}()
	sh, done := r.NewShell(router.ShellOptions{
		In: in, Out: wsWriter{ctx: ctx, c: c}, TTY: true, Term: "xterm", User: user, Line: s.lab.NewLine(), From: from,
		Size: func() (int, int) { v := size.Load(); return int(v >> 16), int(v & 0xffff) },
	})
	sh.Run(ctx)
	done()
	c.Close(websocket.StatusNormalClosure, "session ended")
	in.Close()
	<-read
}

// hostConsole runs a shell on a pseudo-terminal in a host's namespace
// until it exits or the page goes; then it hangs the shell's session up.
func (s *Server) hostConsole(ctx context.Context, c *websocket.Conn, h *netns.Handle, node string, cols, rows int) error {
	ptmx, tty, err := pty.Open()
	if err != nil {
		return fmt.Errorf("pseudo-terminal: %w", err)
	}
	defer ptmx.Close()
	pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	cmd := shellCommand(s.opts.Shell, node)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	// The thread in the namespace forks: the shell starts there.
	err = netns.Do(h, cmd.Start)
	tty.Close()
	if err != nil {
		return fmt.Errorf("start %s in %s: %w", s.opts.Shell, h.Name(), err)
	}
	exited := make(chan struct{})
	go func() { // the shell's output, until it and its children are gone
		defer close(exited)
		io.Copy(wsWriter{ctx: ctx, c: c}, ptmx)
		c.Close(websocket.StatusNormalClosure, "shell exited")
	}()
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			break
		}
		if typ == websocket.MessageText {
			if cols, rows, err := parseWindow(data); err == nil {
				pty.Setsize(ptmx, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
			}
			continue
		}
		if _, err := ptmx.Write(data); err != nil {
			break
		}
	}
	ptmx.Close() // a hang-up: the shell reads an end of file
	hangUp(cmd)
	<-exited
	return nil
}

// shellCommand is the host shell: interactive, without the user's start
// files, its prompt naming the host.
func shellCommand(shell, node string) *exec.Cmd {
	args := []string{"-i"}
	if filepath.Base(shell) == "bash" {
		args = []string{"--noprofile", "--norc", "-i"}
	}
	cmd := exec.Command(shell, args...)
	env := []string{"TERM=vt100", "PS1=" + node + ":\\w# ", "LANG=C.UTF-8"}
	for _, k := range []string{"PATH", "HOME", "USER", "LOGNAME"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	cmd.Env = env
	cmd.Dir = "/"
	if home, err := os.UserHomeDir(); err == nil {
		cmd.Dir = home
	}
	return cmd
}

// hangUp ends a shell's session as a terminal hang-up does (SIGHUP to its
// process group, which may ignore it: its terminal is closed first),
// killing it when it is still there after a moment, and reaps it.
func hangUp(cmd *exec.Cmd) {
	pid := cmd.Process.Pid
	syscall.Kill(-pid, syscall.SIGHUP)
	syscall.Kill(-pid, syscall.SIGCONT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return
	case <-time.After(2 * time.Second):
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	<-done
}
