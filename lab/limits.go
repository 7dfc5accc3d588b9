package lab

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Open files a lab holds, measured (lsof) on chains and on the E2 lab:
// a router holds about 9 (its namespace and netlink socket, packet
// sockets, its log, the SSH and NETCONF listeners in its namespace and on
// the host), one with an MS-MPC about 14, and 32 for the process itself.
// A host holds none once it is set up: its handle is released, and a
// request (the web page reading its links) opens and releases it again.
const (
	filesBase        = 32
	filesPerRouter   = 9
	filesPerServices = 6 // an MS-MPC, MS-DPC or MS-MIC
)

// FilesNeeded estimates the open files a lab of t holds while it runs.
func FilesNeeded(t *Topology) int {
	n := filesBase
	for _, node := range t.Nodes {
		if node.Kind != KindRouter {
			continue
		}
		n += filesPerRouter
		for _, f := range node.Layout.FPCs {
			if strings.HasPrefix(f.Type, "ms-") {
				n += filesPerServices
			}
			for _, p := range f.PICs {
				if strings.HasPrefix(p.Type, "ms-") {
					n += filesPerServices
				}
			}
		}
	}
	return n
}

// checkFiles refuses a lab that would run out of open files half way up,
// before anything is made: the process's soft limit (which mxlab raises
// to the hard one at start) less what it holds already, but for the
// listeners of fw, which FilesNeeded counts.
func checkFiles(t *Topology, fw Forwards) error {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return nil
	}
	open := 0
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		open = len(ents)
	}
	for _, ls := range fw {
		open -= len(ls)
	}
	need := FilesNeeded(t)
	if l.Cur == ^uint64(0) || uint64(need+open) <= l.Cur {
		return nil
	}
	return fmt.Errorf("lab %s needs about %d open files (%d nodes) and this process may open %d more (ulimit -n %d, hard limit %d): raise the hard limit (ulimit -Hn, or LimitNOFILE= of its service), or split the lab",
		t.Name, need, len(t.Nodes), int64(l.Cur)-int64(open), l.Cur, l.Max)
}
