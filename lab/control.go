package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"

	"mxlab/router"
)

// listen opens the control socket and serves it until Close.
func (l *Lab) listen(ctx context.Context) error {
	path := l.Socket()
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("control socket: %w", err)
	}
	l.ln = ln
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		l.runAccept(ctx, ln)
	}()
	return nil
}

// runAccept serves each connection in a goroutine until the listener is
// closed.
func (l *Lab) runAccept(ctx context.Context, ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if !l.track(c) {
			c.Close()
			return
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.serve(ctx, c)
		}()
	}
}

// track records a connection so that Close ends it; it reports false
// when the lab is closing.
func (l *Lab) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns == nil {
		return false
	}
	l.conns[c] = true
	return true
}

func (l *Lab) untrack(c net.Conn) {
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
}

// serve answers one connection: a console session or a "down" request.
func (l *Lab) serve(ctx context.Context, c net.Conn) {
	req, err := readRequest(c)
	if err != nil {
		l.untrack(c)
		c.Close()
		return
	}
	switch req.Op {
	case OpDown:
		l.untrack(c)
		l.mu.Lock()
		l.downers = append(l.downers, c)
		l.mu.Unlock()
		l.once.Do(func() { close(l.stop) })
	case OpConsole:
		defer l.untrack(c)
		defer c.Close()
		l.console(ctx, c, req)
	case OpInspect:
		defer l.untrack(c)
		defer c.Close()
		data, _ := json.Marshal(l.Inspect())
		writeFrame(c, frameOutput, data)
		writeFrame(c, frameExit, []byte{0})
	case OpPut, OpGet:
		defer l.untrack(c)
		defer c.Close()
		l.transfer(c, req)
	case OpKeys:
		defer l.untrack(c)
		defer c.Close()
		r := l.routers[req.Node]
		if r == nil {
			writeFrame(c, frameRefused, []byte(l.noRouter(req.Node)))
			return
		}
		var b strings.Builder
		for _, line := range r.ESPSAs() {
			b.WriteString(line + "\n")
		}
		frameWriter{w: c}.Write([]byte(b.String()))
		writeFrame(c, frameExit, []byte{0})
	case OpUI:
		defer l.untrack(c)
		defer c.Close()
		l.serveUI(ctx, c)
	default:
		defer l.untrack(c)
		defer c.Close()
		writeFrame(c, frameRefused, []byte(fmt.Sprintf("unknown request %q", req.Op)))
	}
}

// console runs a CLI session of one router on the connection.
func (l *Lab) console(ctx context.Context, c net.Conn, req Request) {
	r := l.routers[req.Node]
	if r == nil {
		writeFrame(c, frameRefused, []byte(l.noRouter(req.Node)))
		return
	}
	if req.User == "" {
		req.User = "lab"
	}
	var size atomic.Uint32
	size.Store(uint32(clamp(req.Cols))<<16 | uint32(clamp(req.Rows)))
	in, inw := io.Pipe()
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		pumpInput(c, inw, &size)
	}()
	defer func() {
		in.Close()
		c.Close()
		<-pumped
	}()
	line := l.NewLine()
	sh, done := r.NewShell(router.ShellOptions{
		In: in, Out: frameWriter{w: c}, TTY: req.TTY && req.Commands == "", Term: req.Term,
		User: req.User, Line: line,
		Size: func() (int, int) { v := size.Load(); return int(v >> 16), int(v & 0xffff) },
	})
	defer done()
	status := byte(0)
	if req.Commands != "" {
		if sh.RunCommands(ctx, req.Commands) {
			status = 1
		}
	} else if err := sh.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		status = 1
	}
	writeFrame(c, frameExit, []byte{status})
}

// noRouter explains a console request for a node that is not a router.
func (l *Lab) noRouter(node string) string {
	if n := l.topo.Node(node); n != nil {
		return fmt.Sprintf("%s is a linux host, not a router: use \"mxlab lab exec %s -- CMD\"", node, node)
	}
	var names []string
	for _, n := range l.topo.Nodes {
		if n.Kind == KindRouter {
			names = append(names, n.Name)
		}
	}
	return fmt.Sprintf("lab %s has no router %q (routers: %v)", l.topo.Name, node, names)
}

// pumpInput feeds the session's input from the client's frames and
// follows its window size; it ends when the connection does (Close closes
// it), closing the input.
func pumpInput(c net.Conn, in *io.PipeWriter, size *atomic.Uint32) {
	for {
		typ, p, err := readFrame(c)
		if err != nil {
			in.CloseWithError(io.EOF)
			return
		}
		switch typ {
		case frameInput:
			if _, err := in.Write(p); err != nil {
				return
			}
		case frameWindow:
			if cols, rows, err := parseWindow(p); err == nil {
				size.Store(uint32(cols)<<16 | uint32(rows))
			}
		case frameEOF:
			in.Close()
		}
	}
}
