package tests

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"mxlab/mgmt/netconf"
)

// The management benchmarks measure, in milliseconds, what a client
// waits for: an SSH login to the first prompt, and a NETCONF session from
// the TCP connection to the reply of get-software-information. OpenSSH's
// sshd on the same machine is the baseline, with the same host key and
// user key types (Ed25519) and the same client (golang.org/x/crypto/ssh).
//
//	go test -run '^$' -bench 'SSHLogin|NETCONF' ./tests/

// userKey returns a fresh Ed25519 key and its authorized_keys line.
func userKey(b *testing.B) (ssh.Signer, string) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		b.Fatal(err)
	}
	return s, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
}

func clientConfig(user string, key ssh.Signer) *ssh.ClientConfig {
	return &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(key)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), HostKeyAlgorithms: []string{ssh.KeyAlgoED25519},
		Timeout: 10 * time.Second}
}

// login dials, authenticates, opens a shell on a pty and waits for the
// prompt; it returns the time of the handshake (with authentication) and
// of the whole login.
func login(b *testing.B, addr string, cfg *ssh.ClientConfig, prompt string) (time.Duration, time.Duration) {
	start := time.Now()
	c, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	hs := time.Since(start)
	s, err := c.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.RequestPty("vt100", 24, 80, ssh.TerminalModes{}); err != nil {
		b.Fatal(err)
	}
	out, _ := s.StdoutPipe()
	if err := s.Shell(); err != nil {
		b.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 4096)
	for !strings.Contains(string(got), prompt) {
		n, err := out.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			b.Fatalf("no prompt %q in %q: %v", prompt, got, err)
		}
	}
	return hs, time.Since(start)
}

func report(b *testing.B, hs, total time.Duration) {
	b.ReportMetric(float64(hs.Microseconds())/1000/float64(b.N), "handshake-ms/op")
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "prompt-ms/op")
}

func BenchmarkSSHLogin(b *testing.B) {
	key, line := userKey(b)
	b.Run("mxlab", func(b *testing.B) {
		r := startBenchRouter(b, fmt.Sprintf(
			"set system host-name r1\nset system login user lab class super-user\nset system login user lab authentication ssh-ed25519 %q\n", line))
		cfg := clientConfig("lab", key)
		b.ResetTimer()
		var hs, total time.Duration
		for range b.N {
			h, t := login(b, r.SSH, cfg, "lab@r1> ")
			hs, total = hs+h, total+t
		}
		report(b, hs, total)
	})
	b.Run("openssh-sshd", func(b *testing.B) {
		addr := startSSHD(b, line)
		cfg := clientConfig("root", key)
		b.ResetTimer()
		var hs, total time.Duration
		for range b.N {
			h, t := login(b, addr, cfg, "# ")
			hs, total = hs+h, total+t
		}
		report(b, hs, total)
	})
}

// BenchmarkNETCONF measures a NETCONF session from the TCP connection to
// the reply of get-software-information (what PyEZ's first fact costs),
// and one more RPC on the open session.
func BenchmarkNETCONF(b *testing.B) {
	key, line := userKey(b)
	r := startBenchRouter(b, fmt.Sprintf(
		"set system host-name r1\nset system login user lab class super-user\nset system login user lab authentication ssh-ed25519 %q\n", line))
	cfg := clientConfig("lab", key)
	b.ResetTimer()
	var session, rpc time.Duration
	for range b.N {
		start := time.Now()
		c, err := ssh.Dial("tcp", r.NETCONF, cfg)
		if err != nil {
			b.Fatal(err)
		}
		s, _ := c.NewSession()
		in, _ := s.StdinPipe()
		out, _ := s.StdoutPipe()
		if err := s.RequestSubsystem("netconf"); err != nil {
			b.Fatal(err)
		}
		rd, wr := netconf.NewReader(out, 0), netconf.NewWriter(in)
		if _, err := rd.ReadMsg(); err != nil {
			b.Fatal(err)
		}
		wr.WriteMsg([]byte(`<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>`))
		wr.WriteMsg([]byte(`<rpc message-id="1"><get-software-information/></rpc>`))
		if m, err := rd.ReadMsg(); err != nil || !strings.Contains(string(m), "<junos-version>") {
			b.Fatalf("%v %s", err, m)
		}
		session += time.Since(start)
		start = time.Now()
		wr.WriteMsg([]byte(`<rpc message-id="2"><get-software-information/></rpc>`))
		if _, err := rd.ReadMsg(); err != nil {
			b.Fatal(err)
		}
		rpc += time.Since(start)
		s.Close()
		c.Close()
	}
	b.ReportMetric(float64(session.Microseconds())/1000/float64(b.N), "hello-to-reply-ms/op")
	b.ReportMetric(float64(rpc.Microseconds())/1000/float64(b.N), "rpc-ms/op")
}

// startBenchRouter is startRouter for a benchmark.
func startBenchRouter(b *testing.B, startup string) standalone {
	dir := b.TempDir()
	f := filepath.Join(dir, "startup.set")
	os.WriteFile(f, []byte(startup), 0o644)
	cmd := exec.Command(mxlabBin, "--name", fmt.Sprintf("b%d", os.Getpid()), "--state-dir", filepath.Join(dir, "state"),
		"--config", f, "--ssh", "127.0.0.1:0", "--netconf", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "TERM=dumb")
	stdin, _ := cmd.StdinPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stop(cmd); stdin.Close() })
	buf := make([]byte, 512)
	n, _ := io.ReadAtLeast(stderr, buf, 10)
	m := listenRE.FindStringSubmatch(string(buf[:n]))
	if m == nil {
		b.Fatalf("mxlab: %q", buf[:n])
	}
	go io.Copy(io.Discard, stderr)
	return standalone{SSH: m[1], NETCONF: m[3]}
}

// startSSHD runs OpenSSH's sshd on a free loopback port with an Ed25519
// host key, letting root in with the key line. The session runs /bin/sh
// (dash), whose prompt comes at once: root's own shell may read slow
// start-up files, which would measure them rather than sshd.
func startSSHD(b *testing.B, authorized string) string {
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		sshd = "/usr/sbin/sshd"
	}
	if _, err := os.Stat(sshd); err != nil || os.Geteuid() != 0 {
		b.Skip("the sshd baseline needs openssh-server (scripts/deps) and root")
	}
	dir := b.TempDir()
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(hostPriv, "")
	hostKey := filepath.Join(dir, "host_ed25519")
	os.WriteFile(hostKey, pem.EncodeToMemory(block), 0o600)
	keys := filepath.Join(dir, "authorized_keys")
	os.WriteFile(keys, []byte(authorized+"\n"), 0o600)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cfg := filepath.Join(dir, "sshd_config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`ListenAddress 127.0.0.1
Port %s
HostKey %s
HostKeyAlgorithms ssh-ed25519
AuthorizedKeysFile %s
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PidFile none
PrintMotd no
PrintLastLog no
UseDNS no
StrictModes no
ForceCommand exec /bin/sh -i
`, port, hostKey, keys)), 0o600)
	os.MkdirAll("/run/sshd", 0o755)
	cmd := exec.Command(sshd, "-D", "-f", cfg)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
	}
	b.Fatal("sshd did not start")
	return ""
}
