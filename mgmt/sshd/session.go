package sshd

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// What a session channel was asked to run.
const (
	RunShell     = "shell"
	RunExec      = "exec"
	RunSubsystem = "subsystem"
)

// Session is one session channel of an authenticated connection.
type Session struct {
	User   string
	Class  string // the login class of the account
	Method string // how the user authenticated ("password", "publickey", ...)
	Remote net.Addr
	Local  net.Addr
	Port   Kind   // the service the connection came in on
	PID    int    // the connection's number in the log ("sshd[PID]")
	Run    string // RunShell, RunExec or RunSubsystem
	// Command is the exec command line or the subsystem name.
	Command string
	// Term is the terminal type of a pty-req; PTY tells whether one came.
	Term string
	PTY  bool

	// In reads what the client sends. It has SetReadDeadline, so that a
	// reader can be stopped and another take over the input (the CLI
	// started from the root shell).
	In     *Input
	Out    io.Writer // the channel, with the server's write timeout
	Stderr io.Writer

	size atomic.Uint32 // columns << 16 | rows, from pty-req and window-change
}

// Size returns the terminal size the client gave (0, 0 without a pty).
func (s *Session) Size() (cols, rows int) {
	v := s.size.Load()
	return int(v >> 16), int(v & 0xffff)
}

func (s *Session) setSize(cols, rows uint32) {
	s.size.Store(min(cols, 0xffff)<<16 | min(rows, 0xffff))
}

// runSession serves one session channel: the requests that set it up,
// the one that starts it, then the handler until it returns.
func (s *Server) runSession(ctx context.Context, cs *connState, sc *ssh.ServerConn, nch ssh.NewChannel) {
	ch, reqs, err := nch.Accept()
	if err != nil {
		return
	}
	sess := &Session{User: sc.User(), Remote: sc.RemoteAddr(), Local: sc.LocalAddr(), Port: cs.kind, PID: cs.pid}
	if p := sc.Permissions; p != nil {
		sess.Class, sess.Method = p.Extensions["class"], p.Extensions["method"]
	}
	out := &timedWriter{w: ch, timeout: s.opts.WriteTimeout, onTimeout: func() { sc.Close() }}
	sess.Out, sess.Stderr = out, &timedWriter{w: ch.Stderr(), timeout: s.opts.WriteTimeout, onTimeout: func() { sc.Close() }}
	var (
		wg      sync.WaitGroup
		started bool
		done    = make(chan int, 1)
	)
	defer wg.Wait()
	defer ch.Close() // before the wait: it ends the input pump
	for {
		select {
		case <-ctx.Done():
			return
		case status := <-done:
			ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, uint32(status)))
			ch.CloseWrite()
			return
		case req, ok := <-reqs:
			if !ok {
				if !started {
					return
				}
				reqs = nil // the client closed the channel: wait for the handler
				continue
			}
			ok = s.request(sess, req, started)
			if req.WantReply {
				req.Reply(ok, nil)
			}
			if ok && isStart(req.Type) {
				started = true
				in := newInput(ch)
				sess.In = in
				wg.Add(2)
				go func() {
					defer wg.Done()
					in.pump()
				}()
				go func() {
					defer wg.Done()
					defer in.Close()
					done <- s.opts.Handler.Session(ctx, sess)
				}()
			}
		}
	}
}

func isStart(t string) bool { return t == RunShell || t == RunExec || t == RunSubsystem }

// request applies one channel request and reports whether it is granted.
func (s *Server) request(sess *Session, req *ssh.Request, started bool) bool {
	switch req.Type {
	case "pty-req":
		var p struct {
			Term          string
			Cols, Rows    uint32
			Width, Height uint32
			Modes         string
		}
		if started || ssh.Unmarshal(req.Payload, &p) != nil {
			return false
		}
		sess.Term, sess.PTY = p.Term, true
		sess.setSize(p.Cols, p.Rows)
		return true
	case "window-change":
		var w struct{ Cols, Rows, Width, Height uint32 }
		if ssh.Unmarshal(req.Payload, &w) != nil {
			return false
		}
		sess.setSize(w.Cols, w.Rows)
		return true
	case "env":
		return !started
	case RunShell:
		if started || sess.Port != SSH {
			return false
		}
		sess.Run = RunShell
		return true
	case RunExec, RunSubsystem:
		var p struct{ Value string }
		if started || ssh.Unmarshal(req.Payload, &p) != nil {
			return false
		}
		if req.Type == RunExec && sess.Port != SSH {
			return false
		}
		if req.Type == RunSubsystem && !s.offers(sess.Port, p.Value) {
			return false
		}
		sess.Run, sess.Command = req.Type, p.Value
		return true
	}
	return false
}

// offers reports whether a port offers a subsystem.
func (s *Server) offers(k Kind, name string) bool {
	if k == NETCONF {
		return name == "netconf"
	}
	return slices.Contains(s.opts.Subsystems, name)
}

// timedWriter ends the connection when a write blocks for longer than
// timeout: the client has stopped reading.
type timedWriter struct {
	w         io.Writer
	timeout   time.Duration
	onTimeout func()
}

func (t *timedWriter) Write(p []byte) (int, error) {
	timer := time.AfterFunc(t.timeout, t.onTimeout)
	defer timer.Stop()
	return t.w.Write(p)
}
