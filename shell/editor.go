package shell

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// editor is the line editor of a terminal session: Emacs keys (^A ^E ^B
// ^F ^D ^K ^U ^W ^P ^N, Meta-b/f/d, arrows), history, '?' help, Tab and
// space completion, ^C to cancel the line, ^D on an empty line to end the
// input. It echoes what is typed and moves the cursor with backspaces
// only: no escape sequences reach the terminal.
type editor struct {
	s    *Session
	keys *keyReader
	out  bytes.Buffer // echo not yet written

	hist  []string
	hpos  int    // index in hist while browsing, len(hist) otherwise
	saved string // the line being typed when browsing started

	line []rune
	pos  int
}

// readLine reads one line; the prompt is already printed.
func (e *editor) readLine(ctx context.Context) (string, error) {
	if cap(e.line) > 64<<10 {
		e.line = nil // a pasted megabyte is not kept
	}
	e.line, e.pos, e.hpos = e.line[:0], 0, len(e.hist)
	for {
		if !e.keys.buffered() {
			e.sync()
		}
		k, err := e.keys.readKey(ctx)
		if err == nil && k == keyCtrlD && len(e.line) == 0 {
			err = io.EOF
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(e.line) > 0 {
				return e.enter(), nil
			}
			e.out.WriteString("\r\n")
			e.sync()
			return "", err
		}
		if e.keys.fresh {
			// Keys that came in one read were typed at the same time.
			e.keys.fresh = false
			e.s.keyTyped()
		}
		if done := e.handle(k); done {
			return e.enter(), nil
		}
	}
}

// enter ends the line: it is echoed, kept in history and returned. The
// echo is shown before the command runs unless more keys are waiting
// (then the command's output or the next wait for a key shows it).
func (e *editor) enter() string {
	e.out.WriteString("\r\n")
	e.flush()
	if !e.keys.buffered() {
		e.s.out.flush()
	}
	line := runeString(e.line)
	if strings.TrimSpace(line) != "" && (len(e.hist) == 0 || e.hist[len(e.hist)-1] != line) {
		e.hist = append(e.hist, line)
	}
	return line
}

// handle applies one key; it reports whether the line is complete.
func (e *editor) handle(k key) bool {
	switch k {
	case keyEnter:
		return true
	case keyCtrlC:
		e.moveTo(len(e.line))
		e.out.WriteString("^C\r\n")
		e.line, e.pos = nil, 0
		e.reprompt()
	case keyCtrlD, keyDelete:
		e.deleteRange(e.pos, e.pos+1)
	case keyBS, keyDEL:
		e.deleteRange(e.pos-1, e.pos)
	case keyCtrlA, keyHome:
		e.moveTo(0)
	case keyCtrlE, keyEnd:
		e.moveTo(len(e.line))
	case keyCtrlB, keyLeft:
		e.moveTo(e.pos - 1)
	case keyCtrlF, keyRight:
		e.moveTo(e.pos + 1)
	case keyCtrlK:
		e.deleteRange(e.pos, len(e.line))
	case keyCtrlU:
		e.deleteRange(0, e.pos)
	case keyCtrlW, keyMetaBS:
		e.deleteRange(e.wordStart(), e.pos)
	case keyMetaD:
		e.deleteRange(e.pos, e.wordEnd())
	case keyMetaB:
		e.moveTo(e.wordStart())
	case keyMetaF:
		e.moveTo(e.wordEnd())
	case keyCtrlP, keyUp:
		e.history(-1)
	case keyCtrlN, keyDown:
		e.history(1)
	case keyCtrlL:
		e.out.WriteString("\r\n")
		e.reprompt()
	case keyTab:
		e.tab()
	case '?':
		e.question()
	case ' ':
		e.space()
	default:
		if k >= ' ' && unicode.IsPrint(rune(k)) {
			e.insertRune(rune(k))
		}
	}
	return false
}

// flush passes the echo to the session's output, which holds it while
// keys are waiting.
func (e *editor) flush() {
	if e.out.Len() > 0 {
		_, _ = e.s.out.Write(e.out.Bytes())
		e.out.Reset()
	}
}

// sync writes everything to the terminal: the editor is about to wait
// for a key.
func (e *editor) sync() {
	e.flush()
	_ = e.s.out.flush()
}

// insertRune types one character at the cursor.
func (e *editor) insertRune(r rune) {
	if e.pos == len(e.line) {
		e.line = append(e.line, r)
		e.pos++
		e.out.WriteRune(r)
		return
	}
	e.insert(string(r))
}

// insert types text at the cursor. Typing at the end of the line (the
// usual case, and a paste) appends: a key costs the same whatever the
// length of the line.
func (e *editor) insert(text string) {
	rs := []rune(text)
	if e.pos == len(e.line) {
		e.line = append(e.line, rs...)
		e.pos = len(e.line)
		e.out.WriteString(text)
		return
	}
	e.line = append(e.line, rs...) // room for rs
	copy(e.line[e.pos+len(rs):], e.line[e.pos:len(e.line)-len(rs)])
	copy(e.line[e.pos:], rs)
	e.out.WriteString(string(e.line[e.pos:]))
	e.pos += len(rs)
	e.back(len(e.line) - e.pos)
}

func (e *editor) back(n int) {
	if n > 0 {
		e.out.WriteString(strings.Repeat("\b", n))
	}
}

// moveTo moves the cursor to column i of the line.
func (e *editor) moveTo(i int) {
	i = max(0, min(i, len(e.line)))
	if i < e.pos {
		e.back(e.pos - i)
	} else {
		writeRunes(&e.out, e.line[e.pos:i])
	}
	e.pos = i
}

// deleteRange removes line[a:b] and leaves the cursor at a.
func (e *editor) deleteRange(a, b int) {
	a, b = max(0, a), min(b, len(e.line))
	if a >= b {
		return
	}
	e.moveTo(a)
	e.line = append(e.line[:a:a], e.line[b:]...)
	rest := string(e.line[a:]) + strings.Repeat(" ", b-a)
	e.out.WriteString(rest)
	e.back(len([]rune(rest)))
}

// setLine replaces the line and puts the cursor at its end; only the part
// after what the old and new lines share is redrawn.
func (e *editor) setLine(text string) {
	rs := []rune(text)
	same := 0
	for same < len(rs) && same < len(e.line) && rs[same] == e.line[same] {
		same++
	}
	e.moveTo(same)
	old := len(e.line)
	e.line = append(e.line[:same], rs[same:]...)
	writeRunes(&e.out, rs[same:])
	if extra := old - len(rs); extra > 0 {
		e.out.WriteString(strings.Repeat(" ", extra))
		e.back(extra)
	}
	e.pos = len(rs)
}

func (e *editor) wordStart() int {
	i := e.pos
	for i > 0 && e.line[i-1] == ' ' {
		i--
	}
	for i > 0 && e.line[i-1] != ' ' {
		i--
	}
	return i
}

func (e *editor) wordEnd() int {
	i := e.pos
	for i < len(e.line) && e.line[i] == ' ' {
		i++
	}
	for i < len(e.line) && e.line[i] != ' ' {
		i++
	}
	return i
}

// history steps through the lines typed before.
func (e *editor) history(step int) {
	n := e.hpos + step
	if n < 0 || n > len(e.hist) {
		return
	}
	if e.hpos == len(e.hist) {
		e.saved = string(e.line)
	}
	e.hpos = n
	if n == len(e.hist) {
		e.setLine(e.saved)
		return
	}
	e.setLine(e.hist[n])
}

// reprompt prints the banner line, the prompt and the line again, the
// cursor where it was, after a listing.
func (e *editor) reprompt() {
	banner, prompt := e.s.mode().Prompt(e.s)
	if banner != "" {
		e.out.WriteString(banner + "\r\n")
	}
	e.out.WriteString(prompt + string(e.line))
	e.back(len(e.line) - e.pos)
}

// question shows the '?' help for the text before the cursor; a '?'
// inside quotes is typed.
func (e *editor) question() {
	before := string(e.line[:e.pos])
	if openQuote(before) {
		e.insert("?")
		return
	}
	e.moveTo(len(e.line))
	e.out.WriteString("?\r\n")
	e.flush()
	io.WriteString(e.s.out, e.s.help(before))
	e.reprompt()
}

// maxComplete is the longest line completion works on: a longer one (a
// pasted blob) takes its spaces as typed, so that a line costs time in
// proportion to its length.
const maxComplete = 4096

// tab completes the word before the cursor or lists the choices.
func (e *editor) tab() {
	before, after := runeString(e.line[:e.pos]), runeString(e.line[e.pos:])
	if openQuote(before) {
		return
	}
	text, listing := e.s.complete(before, true)
	if listing != "" {
		e.moveTo(len(e.line))
		e.out.WriteString("\r\n")
		e.flush()
		io.WriteString(e.s.out, listing)
		e.line, e.pos = []rune(text+after), len([]rune(text))
		e.reprompt()
		return
	}
	e.replaceBefore(before, text, after)
}

// space completes a unique keyword when complete-on-space is on, and
// types a space otherwise.
func (e *editor) space() {
	if !e.s.settings.CompleteOnSpace || e.pos == 0 || e.line[e.pos-1] == ' ' || e.pos > maxComplete {
		e.insertRune(' ')
		return
	}
	before, after := runeString(e.line[:e.pos]), runeString(e.line[e.pos:])
	if openQuote(before) {
		e.insertRune(' ')
		return
	}
	text, listing := e.s.complete(before, false)
	switch {
	case listing != "":
		e.moveTo(len(e.line))
		e.out.WriteString("\r\n")
		e.flush()
		io.WriteString(e.s.out, listing)
		e.reprompt()
	case text == before:
		e.insertRune(' ')
	case after == "" && len(text) == len(before)+1 && text[len(before)] == ' ' && strings.HasPrefix(text, before):
		e.insertRune(' ') // the word was a keyword already: the same echo
	default:
		e.replaceBefore(before, text, after)
	}
}

// replaceBefore replaces the text before the cursor, before, with text.
func (e *editor) replaceBefore(before, text, after string) {
	if text == before {
		return
	}
	e.setLine(text + after)
	e.moveTo(len([]rune(text)))
}

// runeString is string(rs), faster for the ASCII lines a CLI mostly gets.
func runeString(rs []rune) string {
	if len(rs) == 0 {
		return ""
	}
	b := make([]byte, len(rs))
	for i, r := range rs {
		if r >= utf8.RuneSelf {
			return string(rs)
		}
		b[i] = byte(r)
	}
	// b is not used again: it becomes the string, as strings.Builder does.
	return unsafe.String(&b[0], len(b))
}

// writeRunes writes rs to b.
func writeRunes(b *bytes.Buffer, rs []rune) {
	for _, r := range rs {
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
	}
}
