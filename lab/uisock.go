package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// serveUI answers a "ui" request: it takes the listener the client sends
// and serves the web page on it (Options.UI) until the client goes away
// or the lab closes.
func (l *Lab) serveUI(ctx context.Context, c net.Conn) {
	if l.ui == nil {
		writeFrame(c, frameRefused, []byte("this lab serves no web page"))
		return
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		writeFrame(c, frameRefused, []byte("no listener received"))
		return
	}
	ln, err := receiveListener(uc)
	if err != nil {
		writeFrame(c, frameRefused, []byte(err.Error()))
		return
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gone := make(chan struct{})
	go func() { // the client sends nothing more: its end is its going
		defer close(gone)
		defer cancel()
		var b [1]byte
		for {
			if _, err := c.Read(b[:]); err != nil {
				return
			}
		}
	}()
	out := &lockedWriter{w: frameWriter{w: c}}
	err = l.ui(ctx, l, ln, out)
	status := byte(0)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(out, "%v\n", err)
		status = 1
	}
	writeFrame(c, frameExit, []byte{status})
	c.Close()
	<-gone
}

// receiveListener reads a file frame and the listening socket it carries.
func receiveListener(c *net.UnixConn) (net.Listener, error) {
	hdr := make([]byte, 5)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(hdr, oob)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFrame, err)
	}
	var fds []int
	if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range msgs {
			if got, err := unix.ParseUnixRights(&m); err == nil {
				fds = append(fds, got...)
			}
		}
	}
	for _, fd := range fds[min(1, len(fds)):] {
		unix.Close(fd)
	}
	if n != len(hdr) || hdr[0] != frameFile || len(fds) != 1 {
		if len(fds) > 0 {
			unix.Close(fds[0])
		}
		return nil, fmt.Errorf("%w: expected a listener", ErrFrame)
	}
	f := os.NewFile(uintptr(fds[0]), "ui listener")
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("ui listener: %w", err)
	}
	return ln, nil
}

// lockedWriter writes from several goroutines, one Write at a time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// ServeUI asks the lab whose run directory is dir to serve its web page on
// ln, a listener of this process (so that the page is reached in this
// process's network namespace, also when the lab runs in its own), and
// copies what the lab reports (the page's address, refused requests) to
// out until ctx ends or the lab stops.
func ServeUI(ctx context.Context, dir string, ln *net.TCPListener, out io.Writer) error {
	f, err := ln.File()
	if err != nil {
		return err
	}
	defer f.Close()
	c, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		return fmt.Errorf("lab %s: %w (%v)", filepath.Base(dir), ErrNoLab, err)
	}
	uc := c.(*net.UnixConn)
	defer uc.Close()
	if err := writeRequest(uc, Request{Op: OpUI}); err != nil {
		return err
	}
	if _, _, err := uc.WriteMsgUnix([]byte{frameFile, 0, 0, 0, 0}, unix.UnixRights(int(f.Fd())), nil); err != nil {
		// A lab that refuses answers without reading the listener: its
		// answer says why.
		if _, rerr := readOutput(uc, out); errors.Is(rerr, ErrRefused) {
			return rerr
		}
		return err
	}
	stop := context.AfterFunc(ctx, func() { uc.Close() })
	defer stop()
	status, err := readOutput(uc, out)
	switch {
	case ctx.Err() != nil:
		return nil
	case err != nil:
		return err
	case status != 0:
		return fmt.Errorf("lab %s: the web page stopped", filepath.Base(dir))
	}
	return nil
}
