package router

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrLocked is returned when another live process holds a lock.
var ErrLocked = errors.New("in use")

// LockError names the process that holds a lock.
type LockError struct {
	Path string
	PID  int // 0 when the holder did not write it
}

func (e *LockError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("%s is held by process %d", e.Path, e.PID)
	}
	return e.Path + " is held by another process"
}

func (e *LockError) Unwrap() error { return ErrLocked }

// Lock takes an exclusive lock on the file at path (created 0600 when
// missing) and writes this process's ID in it. The lock goes with the
// process: a killed run leaves no stale lock. Release it with Unlock.
func Lock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			b := make([]byte, 32)
			n, _ := f.ReadAt(b, 0)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
			return nil, &LockError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}

// Unlock releases a lock taken by Lock; nil is allowed.
func Unlock(f *os.File) {
	if f != nil {
		f.Close()
	}
}
