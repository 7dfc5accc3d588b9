package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrNoLab reports that no running lab matches.
var ErrNoLab = errors.New("no lab is running")

// ErrRefused reports a request the lab refused (its message follows).
var ErrRefused = errors.New("refused")

// Find returns the run directory of the lab called name under runDir; with
// no name, that of the only lab running.
func Find(runDir, name string) (string, error) {
	if name != "" {
		if err := checkName("lab name", name); err != nil {
			return "", err
		}
		dir := filepath.Join(runDir, name)
		if _, err := os.Stat(dir); err != nil {
			return "", fmt.Errorf("lab %s: %w (no %s)", name, ErrNoLab, dir)
		}
		return dir, nil
	}
	running := Running(runDir)
	switch len(running) {
	case 0:
		return "", fmt.Errorf("%w (nothing in %s)", ErrNoLab, runDir)
	case 1:
		return filepath.Join(runDir, running[0]), nil
	default:
		return "", fmt.Errorf("several labs are running (%s): name one with --lab", strings.Join(running, ", "))
	}
}

// Window is a terminal size.
type Window struct{ Cols, Rows int }

// Console runs a console session on the lab whose run directory is dir:
// it sends in (then an end of input) and the sizes read from resize, and
// copies the session's output to out. It returns the session's exit
// status. The goroutine that relays resize ends before Console returns;
// the one that reads in ends when in does or when the session is over and
// in returns from its next read (a read of a terminal cannot be
// interrupted).
func Console(dir string, req Request, in io.Reader, out io.Writer, resize <-chan Window) (int, error) {
	req.Op = OpConsole
	var wg sync.WaitGroup
	defer wg.Wait() // after c is closed: a send blocked on c returns
	c, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		return 1, fmt.Errorf("lab %s: %w (%v)", filepath.Base(dir), ErrNoLab, err)
	}
	defer c.Close()
	var wmu sync.Mutex // one frame at a time
	send := func(typ byte, p []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		return writeFrame(c, typ, p)
	}
	if err := writeRequest(c, req); err != nil {
		return 1, err
	}
	done := make(chan struct{})
	defer close(done)
	go relayInput(in, send)
	if resize != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			relayWindow(resize, done, send)
		}()
	}
	return readOutput(c, out)
}

// relayInput sends what in gives, then an end of input.
func relayInput(in io.Reader, send func(byte, []byte) error) {
	if in == nil {
		send(frameEOF, nil)
		return
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 && send(frameInput, buf[:n]) != nil {
			return
		}
		if err != nil {
			send(frameEOF, nil)
			return
		}
	}
}

func relayWindow(resize <-chan Window, done <-chan struct{}, send func(byte, []byte) error) {
	for {
		select {
		case <-done:
			return
		case w, ok := <-resize:
			if !ok || send(frameWindow, windowPayload(w.Cols, w.Rows)) != nil {
				return
			}
		}
	}
}

// readOutput copies output frames to out until the exit frame.
func readOutput(c io.Reader, out io.Writer) (int, error) {
	for {
		typ, p, err := readFrame(c)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 1, errors.New("the lab closed the session")
			}
			return 1, err
		}
		switch typ {
		case frameOutput:
			if _, err := out.Write(p); err != nil {
				return 1, err
			}
		case frameExit:
			if len(p) != 1 {
				return 1, fmt.Errorf("%w: exit frame of %d bytes", ErrFrame, len(p))
			}
			return int(p[0]), nil
		case frameRefused:
			return 1, fmt.Errorf("%w: %s", ErrRefused, p)
		}
	}
}

// Keys writes to out the ESP SAs router node of the lab in dir has
// installed, with their keys, as lines of Wireshark's esp_sa file.
func Keys(dir, node string, out io.Writer) error {
	c, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		return fmt.Errorf("lab %s: %w (%v)", filepath.Base(dir), ErrNoLab, err)
	}
	defer c.Close()
	if err := writeRequest(c, Request{Op: OpKeys, Node: node}); err != nil {
		return err
	}
	_, err = readOutput(c, out)
	return err
}

// Down asks the lab whose run directory is dir to stop and waits until it
// has removed everything. When its process is gone, Down removes what it
// left instead.
func Down(dir string) error {
	c, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		return Teardown(filepath.Dir(dir), filepath.Base(dir))
	}
	defer c.Close()
	if err := writeRequest(c, Request{Op: OpDown}); err != nil {
		return err
	}
	typ, p, err := readFrame(c)
	switch {
	case err != nil:
		return fmt.Errorf("lab %s: stopping: %w", filepath.Base(dir), err)
	case typ == frameRefused:
		return fmt.Errorf("%w: %s", ErrRefused, p)
	case typ != frameExit:
		return fmt.Errorf("%w: unexpected frame %q", ErrFrame, typ)
	}
	return nil
}

// Inspect asks the lab whose run directory is dir to describe its nodes.
func Inspect(dir string) ([]NodeInfo, error) {
	c, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		return nil, fmt.Errorf("lab %s: %w (%v)", filepath.Base(dir), ErrNoLab, err)
	}
	defer c.Close()
	req, _ := json.Marshal(Request{Op: OpInspect})
	if err := writeFrame(c, frameRequest, req); err != nil {
		return nil, err
	}
	var nodes []NodeInfo
	for {
		typ, p, err := readFrame(c)
		if err != nil {
			return nil, fmt.Errorf("lab %s: %w", filepath.Base(dir), err)
		}
		switch typ {
		case frameOutput:
			if err := json.Unmarshal(p, &nodes); err != nil {
				return nil, fmt.Errorf("lab %s: %w", filepath.Base(dir), err)
			}
		case frameRefused:
			return nil, fmt.Errorf("%w: %s", ErrRefused, p)
		case frameExit:
			return nodes, nil
		}
	}
}
