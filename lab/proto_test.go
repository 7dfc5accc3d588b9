package lab

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	req := Request{Op: OpConsole, Node: "r1", Term: "xterm", TTY: true, Cols: 132, Rows: 50, Commands: "show route"}
	if err := writeRequest(&buf, req); err != nil {
		t.Fatal(err)
	}
	writeFrame(&buf, frameWindow, windowPayload(100, 40))
	frameWriter{w: &buf}.Write([]byte("hello"))
	got, err := readRequest(&buf)
	if err != nil || got != req {
		t.Fatalf("readRequest = %+v, %v", got, err)
	}
	typ, p, err := readFrame(&buf)
	if err != nil || typ != frameWindow {
		t.Fatalf("window frame %q, %v", typ, err)
	}
	if c, r, err := parseWindow(p); c != 100 || r != 40 || err != nil {
		t.Fatalf("parseWindow = %d, %d, %v", c, r, err)
	}
	typ, p, err = readFrame(&buf)
	if err != nil || typ != frameOutput || string(p) != "hello" {
		t.Fatalf("output frame %q %q, %v", typ, p, err)
	}
	if _, _, err := readFrame(&buf); !errors.Is(err, io.EOF) {
		t.Fatalf("at the end: %v", err)
	}
}

func TestFrameErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"too long", "o\xff\xff\xff\xff"},
		{"short payload", "o\x00\x00\x00\x05ab"},
		{"not a request", "o\x00\x00\x00\x00"},
		{"bad json", "q\x00\x00\x00\x01{"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := readRequest(strings.NewReader(tc.in)); !errors.Is(err, ErrFrame) {
				t.Fatalf("error %v, want ErrFrame", err)
			}
		})
	}
	if _, _, err := parseWindow([]byte{1, 2, 3}); !errors.Is(err, ErrFrame) {
		t.Errorf("parseWindow of 3 bytes: %v", err)
	}
}

func TestReadOutput(t *testing.T) {
	var buf bytes.Buffer
	frameWriter{w: &buf}.Write([]byte("line\n"))
	writeFrame(&buf, frameExit, []byte{3})
	var out bytes.Buffer
	status, err := readOutput(&buf, &out)
	if status != 3 || err != nil || out.String() != "line\n" {
		t.Fatalf("readOutput = %d, %v, %q", status, err, out.String())
	}
	buf.Reset()
	writeFrame(&buf, frameRefused, []byte("no router r9"))
	if _, err := readOutput(&buf, &out); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "no router r9") {
		t.Fatalf("refused: %v", err)
	}
}

func FuzzReadRequest(f *testing.F) {
	var buf bytes.Buffer
	writeRequest(&buf, Request{Op: OpConsole, Node: "r1", Commands: "show route"})
	f.Add(buf.Bytes())
	f.Add([]byte("q\x00\x00\x00\x02{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := readRequest(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := writeRequest(&out, req); err != nil {
			t.Fatal(err)
		}
		again, err := readRequest(&out)
		if err != nil || again != req {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, req)
		}
	})
}
