package shell

import (
	"bytes"
	"context"
	"io"
	"unicode/utf8"
)

// A key is a rune typed on the terminal, or one of the special keys
// below. Control characters are their ASCII codes.
type key rune

const (
	keyCtrlA     key = 1
	keyCtrlB     key = 2
	keyCtrlC     key = 3
	keyCtrlD     key = 4
	keyCtrlE     key = 5
	keyCtrlF     key = 6
	keyBS        key = 8
	keyTab       key = 9
	keyCtrlK     key = 11
	keyCtrlL     key = 12
	keyEnter     key = 13
	keyCtrlN     key = 14
	keyCtrlP     key = 16
	keyCtrlU     key = 21
	keyCtrlW     key = 23
	keyDEL       key = 127
	keyUp        key = -1
	keyDown      key = -2
	keyRight     key = -3
	keyLeft      key = -4
	keyHome      key = -5
	keyEnd       key = -6
	keyDelete    key = -7
	keyMetaB     key = -8
	keyMetaF     key = -9
	keyMetaD     key = -10
	keyMetaBS    key = -11
	keyUnknown   key = -12
	keyNone      key = -13
	keyEscPrefix     = 0x1b
)

// keyReader cuts the terminal's byte stream into keys. The bytes come from
// the pump goroutine in chunks of any size: a pasted block of many lines
// arrives in one chunk and is read key by key, the rest waiting for the
// next lines. "\r", "\n" and "\r\n" are each one Enter.
type keyReader struct {
	ch     <-chan []byte // closed at the end of the input
	buf    []byte
	skipLF bool
	eof    bool
	fresh  bool // bytes came in since the editor last looked
}

// buffered reports whether keys are waiting.
func (k *keyReader) buffered() bool { return len(k.buf) > 0 || len(k.ch) > 0 }

// fill waits for more bytes; it returns io.EOF at the end of the input.
func (k *keyReader) fill(ctx context.Context) error {
	if k.eof {
		return io.EOF
	}
	select {
	case b, ok := <-k.ch:
		if !ok {
			k.eof = true
			return io.EOF
		}
		k.buf = append(k.buf, b...)
		k.fresh = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readKey returns the next key.
func (k *keyReader) readKey(ctx context.Context) (key, error) {
	for {
		if len(k.buf) == 0 {
			if err := k.fill(ctx); err != nil {
				return keyNone, err
			}
			continue
		}
		if k.skipLF {
			k.skipLF = false
			if k.buf[0] == '\n' {
				k.buf = k.buf[1:]
				continue
			}
		}
		first := k.buf[0]
		key, n := parseKey(k.buf, k.eof)
		if n == 0 {
			if err := k.fill(ctx); err != nil {
				// An incomplete sequence at the end of the input.
				k.buf = k.buf[1:]
				return keyUnknown, nil
			}
			continue
		}
		k.buf = k.buf[n:]
		// A CR at the end of a chunk may be the first half of a CRLF
		// split across writes; a lone LF is a whole Enter.
		if key == keyEnter && first == '\r' && n == 1 && len(k.buf) == 0 {
			k.skipLF = true
		}
		return key, nil
	}
}

// parseKey reads one key at the start of b; n is 0 when b holds only the
// beginning of a key.
func parseKey(b []byte, eof bool) (key, int) {
	switch c := b[0]; {
	case c == '\r':
		if len(b) > 1 && b[1] == '\n' {
			return keyEnter, 2
		}
		return keyEnter, 1
	case c == '\n':
		return keyEnter, 1
	case c == keyEscPrefix:
		return parseEscape(b)
	case c < utf8.RuneSelf:
		return key(c), 1
	}
	if !utf8.FullRune(b) && !eof {
		return keyNone, 0
	}
	r, n := utf8.DecodeRune(b)
	return key(r), n
}

// parseEscape reads an escape sequence: arrows, Home, End, Delete and the
// Meta (Esc + key) word commands.
func parseEscape(b []byte) (key, int) {
	if len(b) < 2 {
		return keyNone, 0
	}
	switch b[1] {
	case 'b', 'B':
		return keyMetaB, 2
	case 'f', 'F':
		return keyMetaF, 2
	case 'd', 'D':
		return keyMetaD, 2
	case 0x7f, 0x08:
		return keyMetaBS, 2
	case '[', 'O':
	default:
		return keyUnknown, 2
	}
	// A CSI or SS3 sequence ends with a byte in 0x40..0x7e.
	end := bytes.IndexFunc(b[2:], func(r rune) bool { return r >= 0x40 && r <= 0x7e })
	if end < 0 {
		if len(b) > 16 {
			return keyUnknown, len(b)
		}
		return keyNone, 0
	}
	n := 2 + end + 1
	switch string(b[2:n]) {
	case "A":
		return keyUp, n
	case "B":
		return keyDown, n
	case "C":
		return keyRight, n
	case "D":
		return keyLeft, n
	case "H", "1~", "7~":
		return keyHome, n
	case "F", "4~", "8~":
		return keyEnd, n
	case "3~":
		return keyDelete, n
	}
	return keyUnknown, n
}
