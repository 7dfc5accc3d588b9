package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// standalone is a router run alone, with its SSH and NETCONF ports.
type standalone struct {
	SSH, NETCONF string // host:port
	SSHPort      string
	NCPort       string
	StateDir     string
}

var listenRE = regexp.MustCompile(`SSH on (127\.0\.0\.1:(\d+)), NETCONF on (127\.0\.0\.1:(\d+))`)

// startRouter runs mxlab with a startup configuration (set commands, ""
// for none) and its SSH server on free loopback ports; the router stops
// with the test.
func startRouter(t *testing.T, name, startup string, env ...string) standalone {
	t.Helper()
	dir := t.TempDir()
	args := []string{"--name", fmt.Sprintf("t%d-%s", os.Getpid(), name), "--state-dir", filepath.Join(dir, "state"),
		"--ssh", "127.0.0.1:0", "--netconf", "127.0.0.1:0"}
	if startup != "" {
		f := filepath.Join(dir, "startup.set")
		if err := os.WriteFile(f, []byte(startup), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", f)
	}
	cmd := exec.Command(mxlabBin, args...)
	cmd.Env = append(append(os.Environ(), "TERM=dumb"), env...)
	stdin, err := cmd.StdinPipe() // kept open: the console session runs until the end
	if err != nil {
		t.Fatal(err)
	}
	stderr, _ := cmd.StderrPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop(cmd)
		stdin.Close()
	})
	line, _ := bufio.NewReader(stderr).ReadString('\n')
	m := listenRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("mxlab did not say where it listens: %q", line)
	}
	go io.Copy(io.Discard, stderr)
	return standalone{SSH: m[1], SSHPort: m[2], NETCONF: m[3], NCPort: m[4], StateDir: filepath.Join(dir, "state")}
}

// sshCommand returns an OpenSSH client command to the router that types
// the password through SSH_ASKPASS.
func sshCommand(t *testing.T, port string, args ...string) *exec.Cmd {
	t.Helper()
	askpass := filepath.Join(t.TempDir(), "askpass")
	if err := os.WriteFile(askpass, []byte("#!/bin/sh\necho lab123\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	base := []string{"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-p", port, "-l", "lab"}
	cmd := exec.Command("ssh", append(base, args...)...)
	cmd.Env = append(os.Environ(), "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=none")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func needSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("OpenSSH client not installed (apt-get install openssh-client, or scripts/deps)")
	}
}

// TestOpenSSH drives the router with OpenSSH's ssh: an interactive
// session on a pty (ssh -tt) with '?' help, configure and commit; one
// command (exec); and a NETCONF session (ssh -s ... netconf).
func TestOpenSSH(t *testing.T) {
	needSSH(t)
	r := startRouter(t, "openssh", "set system host-name r1\n")

	cmd := sshCommand(t, r.SSHPort, "-tt", "127.0.0.1")
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rd := &lineReader{r: out}
	rd.expect(t, "lab@r1> ")
	io.WriteString(in, "show system u?")
	got := rd.expect(t, "lab@r1> show system u")
	if !strings.Contains(got, "uptime") || !strings.Contains(got, "users") {
		t.Errorf("'?' listing:\n%s", got)
	}
	io.WriteString(in, "sers\r")
	if got = rd.expect(t, "lab@r1> "); !strings.Contains(got, "pts/0") || !strings.Contains(got, "127.0.0.1") {
		t.Errorf("show system users:\n%s", got)
	}
	io.WriteString(in, "configure\r")
	rd.expect(t, "[edit]\r\nlab@r1# ")
	io.WriteString(in, "set interfaces ge-1/0/0 description uplink\r")
	rd.expect(t, "lab@r1# ")
	io.WriteString(in, "commit comment openssh\r")
	if got = rd.expect(t, "lab@r1# "); !strings.Contains(got, "commit complete") {
		t.Errorf("commit:\n%s", got)
	}
	io.WriteString(in, "exit\rexit\r")
	if err := cmd.Wait(); err != nil {
		t.Errorf("interactive session: %v", err)
	}

	outB, err := sshCommand(t, r.SSHPort, "127.0.0.1", "show system commit").Output()
	if err != nil || !strings.Contains(string(outB), "by lab via cli") || !strings.Contains(string(outB), "openssh") {
		t.Errorf("exec show system commit: %v\n%s", err, outB)
	}

	nc := sshCommand(t, r.NCPort, "-s", "127.0.0.1", "netconf")
	nc.Stdin = strings.NewReader(`<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>` +
		`<rpc message-id="101"><get-configuration database="committed" format="set"/></rpc>]]>]]>` +
		`<rpc message-id="102"><close-session/></rpc>]]>]]>`)
	outB, err = nc.Output()
	if err != nil || !bytes.Contains(outB, []byte(`message-id="101"`)) ||
		!bytes.Contains(outB, []byte("set interfaces ge-1/0/0 description uplink")) || !bytes.Contains(outB, []byte("<ok/>")) {
		t.Errorf("ssh -s netconf: %v\n%s", err, outB)
	}
}

// lineReader reads a process's output until a text appears.
type lineReader struct {
	r   io.Reader
	buf bytes.Buffer
	ch  chan []byte
}

func (lr *lineReader) expect(t *testing.T, want string) string {
	t.Helper()
	if lr.ch == nil {
		lr.ch = make(chan []byte, 16)
		go func() {
			defer close(lr.ch)
			for {
				b := make([]byte, 4096)
				n, err := lr.r.Read(b)
				if n > 0 {
					lr.ch <- b[:n]
				}
				if err != nil {
					return
				}
			}
		}()
	}
	timeout := time.After(20 * time.Second)
	for !strings.Contains(lr.buf.String(), want) {
		select {
		case b, ok := <-lr.ch:
			if !ok {
				t.Fatalf("output ended before %q:\n%s", want, lr.buf.String())
			}
			lr.buf.Write(b)
		case <-timeout:
			t.Fatalf("no %q in:\n%s", want, lr.buf.String())
		}
	}
	s := lr.buf.String()
	i := strings.Index(s, want) + len(want)
	lr.buf.Reset()
	lr.buf.WriteString(s[i:])
	return s[:i]
}

// python runs a client script with the Debian interpreter; it skips the
// test when the module is not installed.
func python(t *testing.T, module, pkg string, args ...string) string {
	t.Helper()
	if err := exec.Command(debianPython, "-c", "import "+module).Run(); err != nil {
		t.Skipf("%s is not installed for /usr/bin/python3 (apt-get install %s, or scripts/deps)", module, pkg)
	}
	cmd := exec.Command(debianPython, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", args[0], err, out.Bytes())
	}
	t.Logf("%s:\n%s", args[0], out.Bytes())
	return out.String()
}

// TestNetmikoSSH runs netmiko 2.4's juniper_junos driver over SSH, as a
// user and as root (who lands in the shell and types "cli").
func TestNetmikoSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("netmiko paces its reads by time: about a minute")
	}
	r := startRouter(t, "netmiko", "set system host-name r1\n")
	python(t, "netmiko", "python3-netmiko", "netmiko/ssh_session.py", r.SSHPort, "lab")
	python(t, "netmiko", "python3-netmiko", "netmiko/ssh_session.py", r.SSHPort, "root")
}

// TestPyEZ runs Junos PyEZ 2.1.7 on the NETCONF port: facts, the Config
// utility, cli and an RPC.
func TestPyEZ(t *testing.T) {
	r := startRouter(t, "pyez", "set system host-name r1\n")
	python(t, "jnpr.junos", "python3-junos-eznc", "pyez/session.py", r.NCPort)
}

// TestNcclient runs ncclient 0.6.13: get-config, edit-config, validate,
// commit, and a confirmed commit left to roll back (one "minute" is half
// a second here).
func TestNcclient(t *testing.T) {
	r := startRouter(t, "ncclient", "set system host-name r1\n", "MXLAB_CONFIRM_UNIT=500ms")
	python(t, "ncclient", "python3-ncclient", "ncclient/session.py", r.NCPort)
}

// TestAnsible runs tests/ansible/site.yml: junos_command over
// network_cli, junos_facts and junos_config over netconf, with check mode
// and diff.
func TestAnsible(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible is not installed (apt-get install ansible python3-paramiko, or scripts/deps)")
	}
	if err := exec.Command(debianPython, "-c", "import ncclient, paramiko").Run(); err != nil {
		t.Skip("ncclient or paramiko is not installed for /usr/bin/python3 (apt-get install python3-ncclient python3-paramiko)")
	}
	r := startRouter(t, "ansible", "set system host-name r1\n")
	dir := t.TempDir()
	inventory := filepath.Join(dir, "inventory.yml")
	os.WriteFile(inventory, []byte(fmt.Sprintf(`routers:
  hosts:
    r1:
      ansible_host: 127.0.0.1
      ansible_port: %s
  vars:
    ansible_network_os: junipernetworks.junos.junos
    ansible_user: lab
    ansible_password: lab123
    ansible_python_interpreter: /usr/bin/python3
`, r.SSHPort)), 0o644)
	cmd := exec.Command("ansible-playbook", "-i", inventory, "ansible/site.yml")
	cmd.Env = append(os.Environ(), "ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_NOCOLOR=1", "ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks",
		"ANSIBLE_LOCAL_TEMP="+dir, "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR="+filepath.Join(dir, "cp"))
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ansible-playbook: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "failed=0") {
		t.Errorf("ansible-playbook:\n%s", out)
	}
	t.Logf("%s", out)
}
