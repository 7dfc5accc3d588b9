package sshd

import (
	"io"
	"net"
	"time"
)

// Input is the client's data on a session channel. A goroutine copies the
// channel into one end of a synchronous pipe; readers read the other end,
// whose SetReadDeadline stops a reader without losing data: what the
// stopped reader did not take waits for the next one.
type Input struct {
	src  io.Reader
	r, w net.Conn
}

func newInput(src io.Reader) *Input {
	r, w := net.Pipe()
	return &Input{src: src, r: r, w: w}
}

// pump copies the channel until it ends (the client's EOF or the channel
// closed) or the input is closed.
func (in *Input) pump() {
	io.Copy(in.w, in.src)
	in.w.Close()
}

func (in *Input) Read(p []byte) (int, error) { return in.r.Read(p) }

// SetReadDeadline stops Read at t (a zero t clears it).
func (in *Input) SetReadDeadline(t time.Time) error { return in.r.SetReadDeadline(t) }

// Close ends the input: Read and the pump return.
func (in *Input) Close() error {
	in.r.Close()
	return in.w.Close()
}
