package tests

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// debianPython is the interpreter the Debian python3-* client packages
// import from.
const debianPython = "/usr/bin/python3"

// TestNetmiko runs tests/netmiko/junos_session.py: netmiko 2.4's Juniper
// driver logs in, sends show version, a configuration set, commits and
// checks the result. mxlab runs on a pseudo-terminal (vt100, 80x24, as
// paramiko asks for) and the test relays one local TCP connection to it,
// which netmiko reaches with its telnet transport (juniper_junos_telnet).
// It needs no SSH server: JuniperTelnet is the same Juniper driver as
// JuniperSSH (session preparation, config mode, commit) with "\r\n" as
// Enter.
func TestNetmiko(t *testing.T) {
	if testing.Short() {
		t.Skip("netmiko paces its reads by time: about 40 s")
	}
	if err := exec.Command(debianPython, "-c", "import netmiko").Run(); err != nil {
		t.Skip("netmiko is not installed for /usr/bin/python3 (apt-get install python3-netmiko, or scripts/deps)")
	}
	dir := t.TempDir()
	startup := filepath.Join(dir, "startup.set")
	if err := os.WriteFile(startup, []byte("set system host-name R1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	router := exec.Command(mxlabBin, "--name", fmt.Sprintf("n%d", os.Getpid()), "--state-dir", filepath.Join(dir, "state"), "--user", "lab", "--config", startup)
	router.Env = append(os.Environ(), "TERM=vt100")
	ptmx, err := pty.StartWithSize(router, &pty.Winsize{Cols: 80, Rows: 24})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ptmx.Close()
		router.Process.Kill()
		router.Wait()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	relayDone := make(chan struct{})
	go func() {
		defer close(relayDone)
		relay(ctx, ln, ptmx)
	}()
	defer func() {
		// A read of the terminal ends when the router is gone (EIO), not
		// when the terminal is closed: stop the router first.
		cancel()
		ln.Close()
		stop(router)
		ptmx.Close()
		<-relayDone
	}()

	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	cmd := exec.Command(debianPython, "netmiko/junos_session.py", port, e2Config)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("netmiko: %v\n%s", err, out.Bytes())
	}
	t.Logf("netmiko:\n%s", out.Bytes())
}

// relay accepts one connection on ln and copies bytes both ways between
// it and the terminal until ctx is cancelled or either side closes.
func relay(ctx context.Context, ln net.Listener, term io.ReadWriter) {
	conn, err := ln.Accept()
	if err != nil {
		return
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	done := make(chan struct{}, 2)
	go func() { io.Copy(term, conn); done <- struct{}{} }()
	go func() { io.Copy(conn, term); done <- struct{}{} }()
	<-done
	conn.Close()
	// The terminal side ends when the caller stops the router.
	<-done
}

// stop ends the router the way an operator would (SIGTERM), so that it
// removes its namespace; it is killed if it has not exited in 10 s.
func stop(router *exec.Cmd) {
	router.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		router.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		router.Process.Kill()
		<-done
	}
}
