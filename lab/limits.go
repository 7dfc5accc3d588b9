package lab

import (
	"fmt"
	"os"
	"syscall"
)

// Open files a lab holds, measured on chains and on the E2 lab (a router
// with an MS PIC holds about 20; one without, 11; a host, 4), rounded up.
const (
	filesBase      = 64
	filesPerRouter = 24
	filesPerHost   = 4
)

// FilesNeeded estimates the open files a lab of t holds while it runs.
func FilesNeeded(t *Topology) int {
	n := filesBase
	for _, node := range t.Nodes {
		if node.Kind == KindRouter {
			n += filesPerRouter
		} else {
			n += filesPerHost
		}
	}
	return n
}

// checkFiles refuses a lab that would run out of open files half way up,
// before anything is made: the process's soft limit (which mxlab raises
// to the hard one at start) less what it holds already.
func checkFiles(t *Topology) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return nil
	}
	open := 0
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		open = len(ents)
	}
	need := FilesNeeded(t)
	if l.Cur == ^uint64(0) || uint64(need+open) <= l.Cur {
		return nil
	}
	return fmt.Errorf("lab %s needs about %d open files (%d nodes) and this process may open %d more (ulimit -n %d, hard limit %d): raise the hard limit (ulimit -Hn, or LimitNOFILE= of its service), or split the lab",
		t.Name, need, len(t.Nodes), int64(l.Cur)-int64(open), l.Cur, l.Max)
}
