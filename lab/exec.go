package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"mxlab/netns"
)

// Exec replaces this process with argv run in the network namespace of a
// node of the lab whose run directory is dir ("<lab>-<node>"), the way
// `ip netns exec` does: the command's exit status is the process's. It
// returns only when the command cannot be started.
func Exec(dir, node string, argv []string) error {
	if len(argv) == 0 {
		return errors.New("exec: no command")
	}
	if err := checkName("node name", node); err != nil {
		return err
	}
	name := filepath.Base(dir) + "-" + node
	if !recorded(dir, name) {
		return fmt.Errorf("lab %s has no node %s", filepath.Base(dir), node)
	}
	if netns.Available() != nil {
		return execInUserNamespace(dir, name, argv)
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return err
	}
	h, err := netns.Open(name)
	if err != nil {
		return err
	}
	defer h.Close()
	// The calling thread enters the namespace and the process image is
	// replaced from it: the command starts there.
	return netns.Do(h, func() error {
		return syscall.Exec(path, argv, os.Environ())
	})
}

func recorded(dir, name string) bool {
	for _, n := range recordedNamespaces(dir) {
		if n == name {
			return true
		}
	}
	return false
}

// execInUserNamespace runs argv in a node of a lab that runs inside its
// own user namespace (InUserNamespace): nsenter joins the lab process's
// user namespace, then the node's namespace, which only the lab process's
// private /run shows.
func execInUserNamespace(dir, name string, argv []string) error {
	data, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, pidFile), err)
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return fmt.Errorf("entering a lab run without root needs nsenter (util-linux): %w", err)
	}
	ns := fmt.Sprintf("/proc/%d/root%s/%s", pid, netns.RunDir, name)
	args := append([]string{"nsenter", "--preserve-credentials", "-U", "-t", strconv.Itoa(pid), "--net=" + ns, "--"}, argv...)
	return syscall.Exec(nsenter, args, os.Environ())
}
