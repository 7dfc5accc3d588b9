package lab

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The control socket speaks in frames: a type byte, a big-endian 32-bit
// length and the payload. A connection opens with a request frame (JSON);
// a console session then carries input and window sizes from the client,
// output from the lab, and ends with an exit frame.
//
//	client                         lab
//	request {op: console, node...} ->
//	input, window, end of input    ->
//	                               <- output ... exit (status)
//	                               <- refused (message) instead, when refused
const (
	frameRequest = 'q' // JSON request
	frameInput   = 'i' // bytes typed
	frameWindow  = 'w' // columns, rows: two big-endian uint16
	frameEOF     = 'e' // no more input
	frameOutput  = 'o' // bytes for the terminal
	frameExit    = 'x' // one byte: the exit status
	frameRefused = 'r' // why the request was refused
	frameFile    = 'f' // no payload; carries a descriptor (SCM_RIGHTS)
)

// maxFrame bounds a frame's payload.
const maxFrame = 1 << 20

// ErrFrame reports a malformed frame on the control socket.
var ErrFrame = errors.New("malformed control frame")

// Request is the first frame of a connection.
type Request struct {
	Op       string `json:"op"`                 // "console", "down", "put", "get", "keys", "inspect" or "ui"
	Node     string `json:"node,omitempty"`     // console: the router
	User     string `json:"user,omitempty"`     // console: the login user
	Term     string `json:"term,omitempty"`     // console: TERM of the client
	TTY      bool   `json:"tty,omitempty"`      // console: the client is a terminal
	Cols     int    `json:"cols,omitempty"`     // console: window size
	Rows     int    `json:"rows,omitempty"`     //
	Commands string `json:"commands,omitempty"` // console: "cmd; cmd" to run and exit
	Path     string `json:"path,omitempty"`     // put, get: the router file (absolute router path)
}

// Request operations.
const (
	OpConsole = "console"
	OpDown    = "down"
	OpPut     = "put"  // write a router file: input frames, end of input -> exit or refused
	OpGet     = "get"  // read a router file: -> output frames, exit or refused
	OpKeys    = "keys" // the ESP SAs of a router, with their keys (Wireshark esp_sa lines)
	OpInspect = "inspect"
	OpUI      = "ui" // serve the web page: a file frame with the listener -> output frames ... exit or refused
)

func writeFrame(w io.Writer, typ byte, payload []byte) error {
	if len(payload) > maxFrame {
		return fmt.Errorf("%w: %d bytes", ErrFrame, len(payload))
	}
	buf := make([]byte, 5+len(payload))
	buf[0] = typ
	binary.BigEndian.PutUint32(buf[1:5], uint32(len(payload)))
	copy(buf[5:], payload)
	_, err := w.Write(buf)
	return err
}

func readFrame(r io.Reader) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrFrame, n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, fmt.Errorf("%w: %w", ErrFrame, err)
	}
	return hdr[0], payload, nil
}

func writeRequest(w io.Writer, req Request) error {
	data, err := json.Marshal(req)
	if err != nil {
		return err
	}
	return writeFrame(w, frameRequest, data)
}

func readRequest(r io.Reader) (Request, error) {
	typ, payload, err := readFrame(r)
	if err != nil {
		return Request{}, err
	}
	if typ != frameRequest {
		return Request{}, fmt.Errorf("%w: first frame %q is not a request", ErrFrame, typ)
	}
	var req Request
	if err := json.Unmarshal(payload, &req); err != nil {
		return Request{}, fmt.Errorf("%w: %w", ErrFrame, err)
	}
	return req, nil
}

func windowPayload(cols, rows int) []byte {
	var b [4]byte
	binary.BigEndian.PutUint16(b[:2], uint16(clamp(cols)))
	binary.BigEndian.PutUint16(b[2:], uint16(clamp(rows)))
	return b[:]
}

func parseWindow(p []byte) (cols, rows int, err error) {
	if len(p) != 4 {
		return 0, 0, fmt.Errorf("%w: window frame of %d bytes", ErrFrame, len(p))
	}
	return int(binary.BigEndian.Uint16(p[:2])), int(binary.BigEndian.Uint16(p[2:])), nil
}

func clamp(n int) int { return max(0, min(n, 0xffff)) }

// frameWriter sends everything written as output frames.
type frameWriter struct{ w io.Writer }

func (f frameWriter) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		n := min(len(rest), maxFrame)
		if err := writeFrame(f.w, frameOutput, rest[:n]); err != nil {
			return len(p) - len(rest), err
		}
		rest = rest[n:]
	}
	return len(p), nil
}
