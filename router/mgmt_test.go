package router

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"mxlab/config"
	"mxlab/mgmt/login"
	"mxlab/mgmt/sshd"
)

// mgmtRouter starts a router with startup set commands and its SSH
// server on loopback ports; it returns the SSH and NETCONF addresses.
func mgmtRouter(t *testing.T, startup string) (*Router, string, string) {
	t.Helper()
	r := newRouter(t, startup)
	m, err := r.StartManagement(MgmtOptions{FailDelay: time.Millisecond, BackoffUnit: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	var addrs []string
	for _, k := range []sshd.Kind{sshd.SSH, sshd.NETCONF} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		m.Serve(ln, k)
		addrs = append(addrs, ln.Addr().String())
	}
	return r, addrs[0], addrs[1]
}

func dial(t *testing.T, addr, user, pw string) *ssh.Client {
	t.Helper()
	c, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(pw)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// term is an interactive session on a pty.
type term struct {
	t   *testing.T
	s   *ssh.Session
	in  io.WriteCloser
	out chan []byte
	buf bytes.Buffer
}

func openShell(t *testing.T, c *ssh.Client) *term {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("vt100", 1000, 200, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, s: s, in: in, out: make(chan []byte, 64)}
	go func() {
		defer close(tm.out)
		for {
			b := make([]byte, 4096)
			n, err := out.Read(b)
			if n > 0 {
				tm.out <- b[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	return tm
}

// expect reads until the output holds want; it returns what came.
func (tm *term) expect(want string) string {
	tm.t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(tm.buf.String(), want) {
		select {
		case b, ok := <-tm.out:
			if !ok {
				tm.t.Fatalf("session ended before %q; output:\n%s", want, tm.buf.String())
			}
			tm.buf.Write(b)
		case <-deadline:
			tm.t.Fatalf("no %q in:\n%s", want, tm.buf.String())
		}
	}
	i := strings.Index(tm.buf.String(), want) + len(want)
	got := tm.buf.String()[:i]
	rest := tm.buf.String()[i:]
	tm.buf.Reset()
	tm.buf.WriteString(rest)
	return got
}

func (tm *term) send(s string) { tm.in.Write([]byte(s)) }

// ended waits for the session to end.
func (tm *term) ended() bool {
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-tm.out:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

const accountsConfig = `set system login user lab class super-user
set system login user lab authentication encrypted-password "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
set system login user viewer class read-only
set system login user viewer authentication encrypted-password "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
set system root-authentication encrypted-password "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"
set system services ssh root-login allow
set system services netconf ssh
`

func TestSSHCLISession(t *testing.T) {
	_, addr, _ := mgmtRouter(t, accountsConfig)
	tm := openShell(t, dial(t, addr, "lab", "password"))
	tm.expect("--- JUNOS")
	tm.expect("lab@mxlab> ")
	tm.send("show system users\r")
	out := tm.expect("lab@mxlab> ")
	if !strings.Contains(out, "pts/0") || !strings.Contains(out, "127.0.0.1") {
		t.Errorf("show system users:\n%s", out)
	}
	tm.send("show sys?")
	tm.expect("lab@mxlab> show sys")
	tm.send("\x15configure\r")
	tm.expect("[edit]\r\nlab@mxlab# ")
	tm.send("set system host-name r7\rcommit and-quit\r")
	tm.expect("commit complete\r\nExiting configuration mode")
	tm.expect("lab@r7> ")
	tm.send("quit\r")
	if !tm.ended() {
		t.Error("the session did not end after quit")
	}
}

func TestReadOnlyClass(t *testing.T) {
	_, addr, ncAddr := mgmtRouter(t, accountsConfig)
	tm := openShell(t, dial(t, addr, "viewer", "password"))
	tm.expect("viewer@mxlab> ")
	tm.send("configure\r")
	if out := tm.expect("viewer@mxlab> "); !strings.Contains(out, "unknown command.") {
		t.Errorf("configure as read-only:\n%s", out)
	}
	tm.send("show version\r")
	if out := tm.expect("viewer@mxlab> "); !strings.Contains(out, "Junos: ") {
		t.Errorf("show version as read-only:\n%s", out)
	}
	out := ncExchange(t, dial(t, ncAddr, "viewer", "password"), `<rpc message-id="1"><lock-configuration/></rpc>`)
	if !strings.Contains(out, "<error-message>permission denied</error-message>") {
		t.Errorf("NETCONF lock as read-only:\n%s", out)
	}
}

// ncExchange runs one NETCONF exchange on the subsystem and returns what
// the server sent after its hello.
func ncExchange(t *testing.T, c *ssh.Client, rpcs ...string) string {
	t.Helper()
	s, _ := c.NewSession()
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.RequestSubsystem("netconf"); err != nil {
		t.Fatal(err)
	}
	in.Write([]byte(`<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>`))
	for _, r := range rpcs {
		in.Write([]byte(r + "]]>]]>"))
	}
	in.Write([]byte(`<rpc message-id="close"><close-session/></rpc>]]>]]>`))
	data, _ := io.ReadAll(out)
	text := string(data)
	if i := strings.Index(text, "]]>]]>"); i >= 0 {
		text = text[i+6:]
	}
	return text
}

func TestNETCONFOnBothPorts(t *testing.T) {
	_, addr, ncAddr := mgmtRouter(t, accountsConfig)
	for _, a := range []string{addr, ncAddr} {
		out := ncExchange(t, dial(t, a, "lab", "password"), `<rpc message-id="m1"><get-software-information/></rpc>`)
		if !strings.Contains(out, `message-id="m1"`) || !strings.Contains(out, "<product-model>mx480</product-model>") {
			t.Errorf("get-software-information on %s:\n%s", a, out)
		}
	}
	// ncclient's fallback: exec "xml-mode netconf need-trailer".
	s, _ := dial(t, addr, "lab", "password").NewSession()
	s.Stdin = strings.NewReader(`<hello><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]><rpc message-id="2"><get-system-uptime-information/></rpc>]]>]]>`)
	out, _ := s.Output("xml-mode netconf need-trailer")
	if !bytes.Contains(out, []byte("<system-uptime-information")) {
		t.Errorf("exec xml-mode netconf:\n%s", out)
	}
}

func TestRootShell(t *testing.T) {
	_, addr, _ := mgmtRouter(t, accountsConfig)
	c := dial(t, addr, "root", "password")
	tm := openShell(t, c)
	tm.expect("root@mxlab:~ # ")
	tm.send("ls\r")
	if out := tm.expect("root@mxlab:~ # "); !strings.Contains(out, "ls: Command not found.") {
		t.Errorf("ls:\n%s", out)
	}
	tm.send("cli\r")
	tm.expect("root@mxlab> ")
	tm.send("show version | match Model\r")
	tm.expect("Model: mx480")
	tm.expect("root@mxlab> ")
	tm.send("exit\r")
	tm.expect("root@mxlab:~ # ")
	tm.send("exit\r")
	if !tm.ended() {
		t.Error("the root shell did not end")
	}
	s, _ := c.NewSession()
	out, err := s.Output("cli -c 'show version | match Hostname'")
	if err != nil || string(out) != "Hostname: mxlab\n" {
		t.Errorf("exec cli -c: %q %v", out, err)
	}
}

func TestLogout(t *testing.T) {
	r, addr, _ := mgmtRouter(t, accountsConfig)
	victim := openShell(t, dial(t, addr, "lab", "password"))
	victim.expect("lab@mxlab> ")
	admin := openShell(t, dial(t, addr, "lab", "password"))
	admin.expect("lab@mxlab> ")
	if n := len(r.Logins()); n != 2 {
		t.Fatalf("%d logins, want 2", n)
	}
	admin.send("request system logout terminal pts/0\r")
	admin.expect("lab@mxlab> ")
	if !victim.ended() {
		t.Error("the session of pts/0 is still there")
	}
	for _, l := range r.Logins() {
		if l.Line == "pts/0" {
			t.Errorf("pts/0 still listed: %+v", l)
		}
	}
}

func TestServicesAndFailedLogins(t *testing.T) {
	r, addr, ncAddr := mgmtRouter(t, accountsConfig)
	if _, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: "lab", Auth: []ssh.AuthMethod{ssh.Password("nope")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey()}); err == nil {
		t.Fatal("logged in with a wrong password")
	}
	data, _ := os.ReadFile(filepath.Join(r.dir, "var", "log", "messages"))
	if !strings.Contains(string(data), "sshd[") || !strings.Contains(string(data), "SSHD_LOGIN_FAILED: Login failed for user 'lab' from host '127.0.0.1'") {
		t.Errorf("messages:\n%s", data)
	}
	// Only NETCONF configured: the SSH port goes quiet.
	commitSet(t, r, "delete system services ssh\n")
	if _, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{User: "lab", Auth: []ssh.AuthMethod{ssh.Password("password")},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 2 * time.Second}); err == nil {
		t.Error("SSH answers without system services ssh")
	}
	dial(t, ncAddr, "lab", "password")
}

func TestFactoryLogin(t *testing.T) {
	r, addr, _ := mgmtRouter(t, "set system host-name f1\n")
	if !r.FactoryLogin() {
		t.Fatal("no factory login on a router without accounts")
	}
	s, _ := dial(t, addr, login.FactoryUser, login.FactoryPassword).NewSession()
	if out, err := s.Output("show version | match Hostname"); err != nil || string(out) != "Hostname: f1\n" {
		t.Errorf("exec: %q %v", out, err)
	}
}

// commitSet commits set commands on the router.
func commitSet(t *testing.T, r *Router, set string) {
	t.Helper()
	s, _, _, err := r.DB.Begin(config.Who{User: "root"}, config.Private)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Load(config.LoadSet, set, "test", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(context.Background(), config.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestPlainTextPassword sets a user's password in an SSH session, as an
// operator types it, and logs in with it.
func TestPlainTextPassword(t *testing.T) {
	_, addr, _ := mgmtRouter(t, accountsConfig)
	tm := openShell(t, dial(t, addr, "lab", "password"))
	tm.expect("lab@mxlab> ")
	tm.send("configure\r")
	tm.expect("lab@mxlab# ")
	tm.send("set system login user carol class operator authentication plain-text-password\r")
	tm.expect("New password:")
	tm.send("Secret-42\r")
	tm.expect("Retype new password:")
	tm.send("Secret-42\r")
	tm.expect("lab@mxlab# ")
	tm.send("show system login user carol\r")
	if out := tm.expect("lab@mxlab# "); !strings.Contains(out, `encrypted-password "$6$`) || strings.Contains(out, "Secret-42") {
		t.Errorf("stored:\n%s", out)
	}
	tm.send("commit\r")
	tm.expect("commit complete")
	c := dial(t, addr, "carol", "Secret-42")
	s, _ := c.NewSession()
	if out, err := s.Output("show system users"); err != nil || !strings.Contains(string(out), "lab ") {
		t.Errorf("carol: %v\n%s", err, out)
	}
}
