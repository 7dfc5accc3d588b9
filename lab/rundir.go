package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mxlab/netns"
)

// The files of a run directory.
const (
	socketFile     = "ctl.sock"
	pidFile        = "pid"
	namespacesFile = "namespaces" // one namespace name a line
)

func socketPath(dir string) string { return filepath.Join(dir, socketFile) }

// writeRunDir makes a fresh run directory and records the process and
// the namespaces the lab is about to create, so that a later run can
// remove them if this one is killed.
func writeRunDir(dir string, t *Topology) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return err
	}
	var b strings.Builder
	for _, n := range t.Nodes {
		b.WriteString(t.Namespace(n.Name) + "\n")
	}
	return os.WriteFile(filepath.Join(dir, namespacesFile), []byte(b.String()), 0o600)
}

// EnsureRunRoot makes dir, the directory of the labs' run directories,
// mode 0700, or checks the one that is there: it must be a directory (not
// a link) of this user that no other user may read or write, since it
// holds the labs' control sockets, which give a router's CLI to whoever
// connects.
func EnsureRunRoot(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(dir), 0o755); err == nil {
			err = os.Mkdir(dir, 0o700)
		}
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("run directory %s is not a directory (%s): remove it, or choose another with %s=DIR", dir, fi.Mode().Type(), EnvRunDir)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("run directory %s belongs to user %d, not to you (user %d): remove it, or choose another with %s=DIR", dir, st.Uid, os.Geteuid(), EnvRunDir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("run directory %s has mode %04o, open to other users: make it 0700 (chmod 700 %s), or choose another with %s=DIR", dir, perm, dir, EnvRunDir)
	}
	return nil
}

// clearLeftovers removes what a killed run of the lab left in dir: its
// namespaces (those it recorded and those of t's nodes), the processes in
// them and the directory. A lab that still answers on its socket is
// running, and is left alone.
func clearLeftovers(dir string, t *Topology) error {
	if pid, ok := alive(dir); ok {
		return fmt.Errorf("lab %s: %w (process %d; stop it with \"mxlab lab down %s\")", t.Name, ErrRunning, pid, t.Name)
	}
	names := recordedNamespaces(dir)
	for _, n := range t.Nodes {
		names = append(names, t.Namespace(n.Name))
	}
	if err := removeNamespaces(names); err != nil {
		return err
	}
	removeBridge(dir)
	return os.RemoveAll(dir)
}

// alive reports whether the lab of run directory dir answers on its
// control socket, and its process id.
func alive(dir string) (int, bool) {
	c, err := net.DialTimeout("unix", socketPath(dir), time.Second)
	if err != nil {
		return 0, false
	}
	c.Close()
	data, _ := os.ReadFile(filepath.Join(dir, pidFile))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid, true
}

func recordedNamespaces(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, namespacesFile))
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.ContainsAny(l, "/\x00") && l != "." && l != ".." {
			out = append(out, l)
		}
	}
	return out
}

// removeNamespaces deletes the named namespaces that exist, after killing
// the processes in them.
func removeNamespaces(names []string) error {
	slices.Sort(names)
	var errs []error
	for _, name := range slices.Compact(names) {
		path := filepath.Join(netns.RunDir, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		killProcesses(path)
		h, err := netns.Open(name)
		if err != nil {
			// Not a namespace any more: a bare file left by a crash.
			if rerr := os.Remove(path); rerr != nil {
				errs = append(errs, fmt.Errorf("%w (%v)", rerr, err))
			}
			continue
		}
		if err := h.Delete(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Teardown removes a lab whose process is gone: its namespaces and its run
// directory. It refuses a lab that still answers on its socket.
func Teardown(runDir, name string) error {
	dir := filepath.Join(runDir, name)
	if pid, ok := alive(dir); ok {
		return fmt.Errorf("lab %s: %w (process %d)", name, ErrRunning, pid)
	}
	names := recordedNamespaces(dir)
	if err := removeNamespaces(names); err != nil {
		return err
	}
	removeBridge(dir)
	return os.RemoveAll(dir)
}

// killProcesses kills every process (but this one) whose network
// namespace is the one bound at nsPath, and waits for them to go.
func killProcesses(nsPath string) {
	var want syscall.Stat_t
	if err := syscall.Stat(nsPath, &want); err != nil {
		return
	}
	pids := processesIn(want)
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for deadline := time.Now().Add(2 * time.Second); len(pids) > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		pids = processesIn(want)
	}
}

// processesIn lists the processes whose network namespace is ns.
func processesIn(ns syscall.Stat_t) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		var st syscall.Stat_t
		if syscall.Stat(filepath.Join("/proc", e.Name(), "ns", "net"), &st) != nil {
			continue
		}
		if st.Ino == ns.Ino && st.Dev == ns.Dev && !isZombie(pid) {
			out = append(out, pid)
		}
	}
	return out
}

func isZombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(data), ')')
	return i < 0 || i+2 >= len(data) || data[i+2] == 'Z'
}

// Running lists the labs that answer on their control sockets under
// runDir, by name.
func Running(runDir string) []string {
	ents, _ := os.ReadDir(runDir)
	var out []string
	for _, e := range ents {
		if _, ok := alive(filepath.Join(runDir, e.Name())); e.IsDir() && ok {
			out = append(out, e.Name())
		}
	}
	return out
}

// Labs lists every lab that has a run directory under runDir, running or
// left by a killed process.
func Labs(runDir string) []string {
	ents, _ := os.ReadDir(runDir)
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// setupHost gives a host its addresses and default route.
func setupHost(h *netns.Handle, n *Node) error {
	names := make([]string, 0, len(n.Interfaces))
	for name := range n.Interfaces {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, p := range n.Interfaces[name] {
			if err := h.AddrAdd(name, p); err != nil {
				return fmt.Errorf("host %s: %w", n.Name, err)
			}
		}
	}
	if n.Gateway.IsValid() {
		def := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if n.Gateway.Is6() {
			def = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		if err := h.RouteAdd(def, n.Gateway); err != nil {
			return fmt.Errorf("host %s: default route: %w", n.Name, err)
		}
	}
	return nil
}
