// Package syslog is a router's system log: the file /var/log/messages of
// its state directory, in the layout of Junos (and of the FreeBSD syslogd
// under it), rotated by size into messages.0.gz, messages.1.gz, ...
//
//	Dec  6 04:12:22  R1 mgd[2301]: UI_COMMIT: User 'lab' requested 'commit' operation (comment: none)
//
// Every subsystem writes through one Log, from any goroutine.
package syslog

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Defaults of the messages file: rotated at 1 MiB, ten archives kept.
const (
	DefaultSize  = 1 << 20
	DefaultFiles = 10
)

// Options describe a log.
type Options struct {
	Dir   string        // the directory of the file (<state>/var/log)
	Name  string        // "messages" by default
	Host  func() string // the host name written on each line
	Now   func() time.Time
	Size  int64 // rotation size; DefaultSize when 0
	Files int   // archives kept; DefaultFiles when 0
}

// Log is a log file. Its methods are safe for concurrent use; a nil *Log
// writes nothing.
type Log struct {
	opts Options

	mu   sync.Mutex // guards the file, its size and the subscribers
	f    *os.File
	size int64
	err  error // the last write error, reported once
	subs map[int]func(Entry)
	next int // key of the next subscriber
}

// Entry is one event of the log, as Event wrote it.
type Entry struct {
	Time    time.Time
	Process Process
	Tag     string // UI_COMMIT, SNMP_TRAP_LINK_DOWN, ...
	Msg     string // the text, cleaned as written
}

// Open opens (creating it when needed) the log file for appending.
func Open(o Options) (*Log, error) {
	if o.Name == "" {
		o.Name = "messages"
	}
	if o.Host == nil {
		o.Host = func() string { return "mxlab" }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Size <= 0 {
		o.Size = DefaultSize
	}
	if o.Files <= 0 {
		o.Files = DefaultFiles
	}
	l := &Log{opts: o}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Log) path() string { return filepath.Join(l.opts.Dir, l.opts.Name) }

func (l *Log) open() error {
	f, err := os.OpenFile(l.path(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("system log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("system log: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Process names the daemon a line comes from, as Junos does: chassisd,
// mib2d, mgd, kmd, rpd, sshd.
type Process struct {
	Name string
	PID  int
}

// Daemons of a router, with the process IDs their lines carry.
var (
	Chassisd = Process{"chassisd", 1838}
	Mib2d    = Process{"mib2d", 1867}
	Rpd      = Process{"rpd", 1880}
	Kmd      = Process{"kmd", 1901}
	Dcd      = Process{"dcd", 1850}
	Sshd     = Process{"sshd", 2290}
)

// Mgd returns the management process of a CLI session.
func Mgd(pid int) Process { return Process{"mgd", pid} }

// Event writes one line: the event tag (UI_COMMIT, SNMP_TRAP_LINK_DOWN,
// ...; "" for a line without one, as sshd writes most) and its text. Control characters are written as '?' so that no
// value can forge a line.
func (l *Log) Event(p Process, tag, format string, args ...any) {
	if l == nil {
		return
	}
	msg := clean(fmt.Sprintf(format, args...))
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	text := msg
	if tag != "" {
		text = tag + ": " + msg
	}
	line := fmt.Sprintf("%s  %s %s[%d]: %s\n", now.Format(time.Stamp), clean(l.opts.Host()), p.Name, p.PID, text)
	if l.f == nil {
		return
	}
	if l.size+int64(len(line)) > l.opts.Size && l.size > 0 {
		l.rotate()
		if l.f == nil {
			return
		}
	}
	n, err := io.WriteString(l.f, line)
	l.size += int64(n)
	if err != nil && l.err == nil {
		l.err = err
	}
	for _, fn := range l.subs {
		fn(Entry{Time: now, Process: p, Tag: tag, Msg: msg})
	}
}

// Subscribe calls fn with every event written from now on, in the order
// written, until the returned function is called. fn runs in the writer's
// goroutine with the log locked: it must return at once (hand the entry
// to its own goroutine) and must not write to the log. Events after Close
// reach no one.
func (l *Log) Subscribe(fn func(Entry)) (unsubscribe func()) {
	if l == nil {
		return func() {}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[int]func(Entry){}
	}
	k := l.next
	l.next++
	l.subs[k] = fn
	return func() {
		l.mu.Lock()
		delete(l.subs, k)
		l.mu.Unlock()
	}
}

// Err returns the first error the log met writing, if any.
func (l *Log) Err() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// rotate compresses the current file into NAME.0.gz after shifting the
// older archives up by one (the last is dropped). Called with mu held.
func (l *Log) rotate() {
	l.f.Close()
	l.f = nil
	base := l.path()
	os.Remove(fmt.Sprintf("%s.%d.gz", base, l.opts.Files-1))
	for i := l.opts.Files - 2; i >= 0; i-- {
		os.Rename(fmt.Sprintf("%s.%d.gz", base, i), fmt.Sprintf("%s.%d.gz", base, i+1))
	}
	if err := compress(base, base+".0.gz"); err != nil && l.err == nil {
		l.err = err
	}
	os.Remove(base)
	if err := l.open(); err != nil && l.err == nil {
		l.err = err
	}
}

// compress writes the gzip of file src to dst, atomically.
func compress(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// Close closes the file; later events are dropped.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// clean replaces control characters and invalid UTF-8 with '?'.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}
