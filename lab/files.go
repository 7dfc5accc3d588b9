package lab

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"

	"mxlab/router"
)

// MaxTransfer bounds a file copied into or out of a router.
const MaxTransfer = 64 << 20

// transfer answers a put or get request: a file of a router's user file
// space (/var, /config; never its certificate store).
func (l *Lab) transfer(c net.Conn, req Request) {
	r := l.routers[req.Node]
	if r == nil {
		writeFrame(c, frameRefused, []byte(l.noRouter(req.Node)))
		return
	}
	p, err := r.FilePath(req.Path)
	if err != nil {
		writeFrame(c, frameRefused, []byte(err.Error()))
		return
	}
	if req.Op == OpGet {
		err = sendFile(c, p, req.Path)
	} else {
		err = receiveFile(c, p, req.Path)
	}
	if err != nil {
		writeFrame(c, frameRefused, []byte(err.Error()))
		return
	}
	writeFrame(c, frameExit, []byte{0})
}

func sendFile(c net.Conn, p, name string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("%s: no such file", name)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a file", name)
	}
	_, err = io.Copy(frameWriter{w: c}, io.LimitReader(f, MaxTransfer))
	return err
}

// receiveFile writes the input frames to p (through a temporary file, so
// that a broken transfer leaves nothing half written).
func receiveFile(c net.Conn, p, name string) error {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return fmt.Errorf("%s: is a directory", name)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".cp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n := 0
	for {
		typ, data, err := readFrame(c)
		if err != nil {
			return err
		}
		switch typ {
		case frameInput:
			if n += len(data); n > MaxTransfer {
				return fmt.Errorf("%s: larger than %d bytes", name, MaxTransfer)
			}
			if _, err := f.Write(data); err != nil {
				return err
			}
		case frameEOF:
			if err := f.Chmod(0o644); err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			return os.Rename(f.Name(), p)
		}
	}
}

// copyFiles copies the host files of a topology node into its router
// (router path -> host path).
func copyFiles(r *router.Router, files map[string]string) error {
	for to, from := range files {
		data, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		p, err := r.FilePath(to)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Put writes a file of a router of the lab whose run directory is dir:
// path is an absolute router path ("/var/tmp/ca.crt").
func Put(dir, node, file string, in io.Reader) error {
	c, err := dialRequest(dir, Request{Op: OpPut, Node: node, Path: file})
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 32<<10)
	for {
		n, rerr := in.Read(buf)
		if n > 0 {
			if err := writeFrame(c, frameInput, buf[:n]); err != nil {
				return answer(c, err)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := writeFrame(c, frameEOF, nil); err != nil {
		return answer(c, err)
	}
	return answer(c, nil)
}

// Get copies a file of a router of the lab to out.
func Get(dir, node, file string, out io.Writer) error {
	c, err := dialRequest(dir, Request{Op: OpGet, Node: node, Path: file})
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		typ, p, err := readFrame(c)
		if err != nil {
			return err
		}
		switch typ {
		case frameOutput:
			if _, err := out.Write(p); err != nil {
				return err
			}
		case frameExit:
			return nil
		case frameRefused:
			return fmt.Errorf("%w: %s", ErrRefused, p)
		}
	}
}

func dialRequest(dir string, req Request) (net.Conn, error) {
	c, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		return nil, fmt.Errorf("lab %s: %w (%v)", filepath.Base(dir), ErrNoLab, err)
	}
	if err := writeRequest(c, req); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// answer reads the lab's answer to a put: the exit frame, or why it was
// refused (which explains a failed write better than the write's error).
func answer(c net.Conn, werr error) error {
	for {
		typ, p, err := readFrame(c)
		if err != nil {
			if werr != nil {
				return werr
			}
			return err
		}
		switch typ {
		case frameExit:
			return werr
		case frameRefused:
			return fmt.Errorf("%w: %s", ErrRefused, p)
		}
	}
}

// RouterFile names a file of a lab router, "NODE:PATH"; a relative PATH
// is in /var/tmp.
type RouterFile struct{ Node, Path string }

func (f RouterFile) String() string { return f.Node + ":" + f.Path }

// ParseLocation tells a router file ("r2:/var/tmp/r2.req", "r2:r2.req")
// from a host path ("./r2.req", "/tmp/x"): a router file starts with a
// node name and a colon.
func ParseLocation(s string) (RouterFile, bool) {
	node, p, ok := strings.Cut(s, ":")
	if !ok || checkName("node name", node) != nil {
		return RouterFile{}, false
	}
	if !path.IsAbs(p) {
		p = path.Join("/var/tmp", p)
	}
	return RouterFile{Node: node, Path: p}, true
}
