package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"mxlab/internal/leakcheck"
)

// users is a table of accounts: password "secret" for every known user,
// one authorized key for "keyuser".
type users struct {
	key   ssh.PublicKey
	retry Retry
}

func (u *users) Password(user, pw string) (Account, bool) {
	if pw == "secret" && u.Known(user) {
		return Account{User: user, Class: "super-user"}, true
	}
	return Account{}, false
}

func (u *users) PublicKey(user string, k ssh.PublicKey) (Account, bool) {
	if user == "keyuser" && u.key != nil && bytes.Equal(k.Marshal(), u.key.Marshal()) {
		return Account{User: user, Class: "read-only"}, true
	}
	return Account{}, false
}

func (u *users) Known(user string) bool { return user == "lab" || user == "keyuser" }

func (u *users) Policy() Policy { return Policy{Retry: u.retry, Banner: "lab router"} }

// echo runs sessions: a shell echoes its input in upper case until EOF,
// exec prints its command, the subsystem prints its name.
type echo struct{ got chan *Session }

func (e *echo) Session(ctx context.Context, s *Session) int {
	if e.got != nil {
		e.got <- s
	}
	switch s.Run {
	case RunExec:
		fmt.Fprintf(s.Out, "exec %s\n", s.Command)
		return 3
	case RunSubsystem:
		fmt.Fprintf(s.Out, "subsystem %s\n", s.Command)
		return 0
	}
	buf := make([]byte, 1024)
	for {
		n, err := s.In.Read(buf)
		if n > 0 {
			s.Out.Write(bytes.ToUpper(buf[:n]))
		}
		if err != nil || ctx.Err() != nil {
			return 0
		}
	}
}

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Log(process string, pid int, msg string) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf("%s[%d]: %s", process, pid, msg))
	l.mu.Unlock()
}

func (l *logLines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, x := range l.lines {
		if strings.Contains(x, s) {
			n++
		}
	}
	return n
}

type fixture struct {
	srv  *Server
	addr map[Kind]string
	log  *logLines
	u    *users
	h    *echo
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	leakcheck.Check(t)
	f := &fixture{log: &logLines{}, u: &users{retry: Retry{Tries: 3, Threshold: 1, Factor: 1}}, h: &echo{},
		addr: map[Kind]string{}}
	srv, err := New(Options{KeyDir: t.TempDir(), Users: f.u, Handler: f.h, Log: f.log, Subsystems: []string{"netconf"},
		FailDelay: 10 * time.Millisecond, BackoffUnit: 10 * time.Millisecond, WriteTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	t.Cleanup(srv.Close)
	for _, k := range []Kind{SSH, NETCONF} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv.Serve(ln, k)
		f.addr[k] = ln.Addr().String()
	}
	return f
}

func dial(addr, user string, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	return ssh.Dial("tcp", addr, &ssh.ClientConfig{User: user, Auth: auth,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second})
}

func TestPasswordAndExec(t *testing.T) {
	f := newFixture(t)
	c, err := dial(f.addr[SSH], "lab", ssh.Password("secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Output("show version")
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 3 {
		t.Errorf("exit: %v, want status 3", err)
	}
	if string(out) != "exec show version\n" {
		t.Errorf("output %q", out)
	}
	if f.log.count("Accepted password for lab from 127.0.0.1") != 1 {
		t.Errorf("log: %q", f.log.lines)
	}
}

func TestKeyboardInteractive(t *testing.T) {
	f := newFixture(t)
	var asked []string
	kbd := ssh.KeyboardInteractive(func(name, instr string, qs []string, echos []bool) ([]string, error) {
		asked = append(asked, qs...)
		return []string{"secret"}, nil
	})
	c, err := dial(f.addr[SSH], "lab", kbd)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if len(asked) != 1 || asked[0] != "Password:" {
		t.Errorf("prompts %q, want [Password:]", asked)
	}
}

func TestPublicKey(t *testing.T) {
	f := newFixture(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(priv)
	f.u.key = signer.PublicKey()
	c, err := dial(f.addr[SSH], "keyuser", ssh.PublicKeys(signer))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f.h.got = make(chan *Session, 1)
	s, _ := c.NewSession()
	s.Output("x")
	if got := <-f.h.got; got.Class != "read-only" || got.Method != "publickey" {
		t.Errorf("session class %q method %q", got.Class, got.Method)
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	wrong, _ := ssh.NewSignerFromKey(other)
	if _, err := dial(f.addr[SSH], "keyuser", ssh.PublicKeys(wrong)); err == nil {
		t.Error("an unknown key logged in")
	}
}

// TestFailedLogins checks the pacing, the log and the disconnection after
// the last try.
func TestFailedLogins(t *testing.T) {
	f := newFixture(t)
	tries := 0
	start := time.Now()
	_, err := dial(f.addr[SSH], "lab", ssh.RetryableAuthMethod(ssh.PasswordCallback(func() (string, error) {
		tries++
		return "wrong", nil
	}), 10))
	if err == nil {
		t.Fatal("logged in with a wrong password")
	}
	if tries != 3 {
		t.Errorf("%d tries before the disconnection, want 3", tries)
	}
	// 3 x FailDelay + backoff (failures 2 and 3 past threshold 1: 1+2 units).
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("3 failures took %v, want them paced (>= 60ms)", d)
	}
	if n := f.log.count("SSHD_LOGIN_FAILED: Login failed for user 'lab' from host '127.0.0.1'"); n != 3 {
		t.Errorf("%d SSHD_LOGIN_FAILED lines, want 3: %q", n, f.log.lines)
	}
	if f.log.count("maximum authentication attempts exceeded for lab") != 1 {
		t.Errorf("no disconnection line: %q", f.log.lines)
	}
	if _, err := dial(f.addr[SSH], "bob", ssh.Password("x")); err == nil {
		t.Fatal("unknown user logged in")
	}
	if f.log.count("Failed password for invalid user bob") != 1 {
		t.Errorf("no invalid-user line: %q", f.log.lines)
	}
}

func TestShellPTYAndWindowChange(t *testing.T) {
	f := newFixture(t)
	f.h.got = make(chan *Session, 1)
	c, err := dial(f.addr[SSH], "lab", ssh.Password("secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := c.NewSession()
	if err := s.RequestPty("vt100", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	sess := <-f.h.got
	if w, h := sess.Size(); w != 80 || h != 24 || sess.Term != "vt100" || !sess.PTY {
		t.Errorf("pty %q %dx%d", sess.Term, w, h)
	}
	s.WindowChange(50, 132)
	in.Write([]byte("hello"))
	buf := make([]byte, 5)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "HELLO" {
		t.Errorf("echo %q, %v", buf, err)
	}
	if w, h := sess.Size(); w != 132 || h != 50 {
		t.Errorf("after window-change %dx%d, want 132x50", w, h)
	}
	in.Close()
	if err := s.Wait(); err != nil {
		t.Errorf("shell ended with %v", err)
	}
}

// TestNETCONFPort checks that port 830 offers the netconf subsystem only.
func TestNETCONFPort(t *testing.T) {
	f := newFixture(t)
	c, err := dial(f.addr[NETCONF], "lab", ssh.Password("secret"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := c.NewSession()
	if err := s.Shell(); err == nil {
		t.Error("a shell on the NETCONF port")
	}
	s, _ = c.NewSession()
	if err := s.RequestSubsystem("sftp"); err == nil {
		t.Error("sftp on the NETCONF port")
	}
	s, _ = c.NewSession()
	stdout, _ := s.StdoutPipe()
	if err := s.RequestSubsystem("netconf"); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(stdout)
	if string(out) != "subsystem netconf\n" {
		t.Errorf("output %q", out)
	}
}

// TestServiceOff checks that a service switched off refuses connections.
func TestServiceOff(t *testing.T) {
	f := newFixture(t)
	f.srv.Configure(Settings{SSH: false, NETCONF: true})
	if _, err := dial(f.addr[SSH], "lab", ssh.Password("secret")); err == nil {
		t.Error("SSH still answers")
	}
	c, err := dial(f.addr[NETCONF], "lab", ssh.Password("secret"))
	if err != nil {
		t.Fatalf("NETCONF: %v", err)
	}
	c.Close()
}

func TestConnectionLimit(t *testing.T) {
	f := newFixture(t)
	f.srv.Configure(Settings{SSH: true, ConnectionLimit: 1})
	c, err := dial(f.addr[SSH], "lab", ssh.Password("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dial(f.addr[SSH], "lab", ssh.Password("secret")); err == nil {
		t.Error("a second connection over the limit of 1")
	}
	c.Close()
}

// TestClientStopsReading checks that a client that stops reading is cut
// off after the write timeout instead of holding its session forever.
func TestClientStopsReading(t *testing.T) {
	srv, err := New(Options{KeyDir: t.TempDir(), Users: &users{}, WriteTimeout: 200 * time.Millisecond,
		Handler: handlerFunc(func(ctx context.Context, s *Session) int {
			chunk := bytes.Repeat([]byte("x"), 32<<10)
			for ctx.Err() == nil {
				if _, err := s.Out.Write(chunk); err != nil {
					return 1
				}
			}
			return 0
		})})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv.Serve(ln, SSH)
	c, err := dial(ln.Addr().String(), "lab", ssh.Password("secret"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSession()
	s.StdoutPipe() // never read: the channel window fills up
	if err := s.Start("flood"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection of a client that stopped reading was not closed")
	}
}

type handlerFunc func(ctx context.Context, s *Session) int

func (f handlerFunc) Session(ctx context.Context, s *Session) int { return f(ctx, s) }

// TestCloseEndsSessions checks that Close ends running sessions and waits.
func TestCloseEndsSessions(t *testing.T) {
	f := newFixture(t)
	c, err := dial(f.addr[SSH], "lab", ssh.Password("secret"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.NewSession()
	s.StdinPipe() // keep the input open
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { f.srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	s.Wait()
}

func TestHostKeysKept(t *testing.T) {
	dir := t.TempDir()
	a, err := New(Options{KeyDir: dir, Users: &users{}, Handler: &echo{}})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := New(Options{KeyDir: dir, Users: &users{}, Handler: &echo{}})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	ka, kb := a.HostKeys(), b.HostKeys()
	if len(ka) != 2 || len(kb) != 2 {
		t.Fatalf("%d and %d host keys, want 2", len(ka), len(kb))
	}
	for i := range ka {
		if !bytes.Equal(ka[i].Marshal(), kb[i].Marshal()) {
			t.Errorf("host key %s changed between runs", ka[i].Type())
		}
	}
}
