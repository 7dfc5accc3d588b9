package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"mxlab/netns"
)

// Environment variables of a lab process.
const (
	// EnvRunDir overrides RunDir.
	EnvRunDir = "MXLAB_RUN_DIR"
	// envUserNS marks the process that runs a lab inside its own user,
	// network and mount namespaces.
	envUserNS = "MXLAB_USERNS"
)

// RunDir returns the directory of lab run directories: $MXLAB_RUN_DIR when
// set, /run/mxlab for root, otherwise $XDG_RUNTIME_DIR/mxlab or
// /tmp/mxlab-<uid>.
func RunDir() string {
	if d := os.Getenv(EnvRunDir); d != "" {
		return d
	}
	if os.Geteuid() == 0 {
		return DefaultRunDir
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "mxlab")
	}
	return filepath.Join(os.TempDir(), "mxlab-"+strconv.Itoa(os.Getuid()))
}

// InUserNamespace lets a user without root run a lab. When this process
// may create namespaces, it returns ok false and the caller goes on. A
// process without that right runs argv again inside new user, network and
// mount namespaces where it is root, and returns the exit status of that
// run with ok true; err says what is missing when the kernel refuses. The
// process run again (it finds envUserNS set) mounts a private /run, so
// that its namespaces live under its own /run/netns, and goes on. It
// inherits the listeners of fw (opened here, in the host's namespace),
// which its OpenForwards returns.
func InUserNamespace(argv []string, fw Forwards) (status int, ok bool, err error) {
	if os.Getenv(envUserNS) == "1" {
		if err := privateRun(); err != nil {
			return 1, true, fmt.Errorf("inside a user namespace: %w", err)
		}
		return 0, false, nil
	}
	avail := netns.Available()
	if avail == nil {
		return 0, false, nil
	}
	status, err = reexec(argv, fw)
	if err != nil {
		return 1, true, fmt.Errorf("%w; running inside a new user namespace instead failed too: %v", avail, err)
	}
	return status, true, nil
}

// privateRun makes the mounts of this process private and mounts a tmpfs
// over /run.
func privateRun() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := unix.Mount("tmpfs", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount a tmpfs on /run: %w", err)
	}
	return nil
}

// reexec runs argv in new user, network and mount namespaces, mapping
// this user to root, and passes on SIGINT, SIGTERM and SIGHUP.
func reexec(argv []string, fw Forwards) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 1, err
	}
	runDir := RunDir()
	if err := EnsureRunRoot(runDir); err != nil {
		return 1, err
	}
	cmd := exec.Command(self, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envUserNS+"=1", EnvRunDir+"="+runDir)
	files, spec, err := fw.files()
	if err != nil {
		return 1, err
	}
	if spec != "" {
		cmd.ExtraFiles = files
		cmd.Env = append(cmd.Env, envForwards+"="+spec)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		// The child must not outlive this process.
		Pdeathsig: syscall.SIGTERM,
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	err = cmd.Start()
	for _, f := range files {
		f.Close()
	}
	fw.Close() // the child has its own copies
	if err != nil {
		return 1, err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sig:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	return 0, err
}
