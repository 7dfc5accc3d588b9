// Package tracefile writes a traceoptions file under the router's
// /var/log: one timestamped line an event, the file opened, renamed or
// closed as the configuration changes. Its owner serialises the calls.
package tracefile

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// File is the trace file of one daemon.
type File struct {
	dir    string // the router's /var/log; "" writes nothing
	prefix string // put before each message ("pkid: "), may be ""
	now    func() time.Time
	f      *os.File
	name   string
}

// New returns a closed trace file in dir; each line is the time, prefix
// and the message.
func New(dir, prefix string, now func() time.Time) *File {
	return &File{dir: dir, prefix: prefix, now: now}
}

// Set opens the file name (mode 0600, appended to), closing another that
// is open; "" closes it. opened is written when the file is opened.
func (t *File) Set(name, opened string) {
	if t.f != nil && name != t.name {
		t.Close()
	}
	if name == "" || t.dir == "" || t.f != nil {
		return
	}
	f, err := os.OpenFile(filepath.Join(t.dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	t.f, t.name = f, name
	t.Write(opened)
}

// Open reports whether a file is open.
func (t *File) Open() bool { return t.f != nil }

// Write writes one line, when a file is open.
func (t *File) Write(msg string) {
	if t.f != nil {
		fmt.Fprintf(t.f, "%s %s%s\n", t.now().Format("Jan _2 15:04:05"), t.prefix, msg)
	}
}

// Close closes the file.
func (t *File) Close() {
	if t.f != nil {
		t.f.Close()
		t.f, t.name = nil, ""
	}
}
