// Package swantest runs strongSwan (charon 5.9.8 with user-space ESP,
// the kernel-libipsec plugin) as the independent IKE peer of tests: one
// charon per network namespace, with a private /run in a mount namespace
// of its own (its PID file and vici socket are at fixed paths), so that
// several run at once. charon logs the ESP keys of every CHILD_SA (chd
// level 4), which Children reads back for comparison.
//
// kernel-libipsec forces UDP encapsulation: charon fakes its NAT-D
// payloads, so its peer always sees a NAT and moves to port 4500.
package swantest

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	charonPath     = "/usr/lib/ipsec/charon"
	libipsecPlugin = "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so"
)

// Need skips the test when strongSwan cannot run here (needs root, the
// Debian packages strongswan-charon, strongswan-swanctl,
// libcharon-extra-plugins and libstrongswan-standard-plugins, and TUN).
func Need(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: the strongSwan interop tests need root")
	}
	for _, f := range []string{charonPath, libipsecPlugin, "/dev/net/tun"} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("skipping: %s missing (strongswan-charon, libcharon-extra-plugins; CONFIG_TUN)", f)
		}
	}
	if _, err := exec.LookPath("swanctl"); err != nil {
		t.Skip("skipping: swanctl missing (strongswan-swanctl)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("skipping: unshare missing (util-linux)")
	}
}

// Swan is one charon.
type Swan struct {
	t    testing.TB
	ns   string
	dir  string // runtime directory, mounted on /run for charon
	conf string // swanctl directory
	cmd  *exec.Cmd
	done chan struct{}
}

// Start starts charon in the named network namespace ns with the given
// swanctl.conf and extra strongswan.conf settings (lines inside section
// charon), and loads the configuration. files are written in the
// swanctl directory first (relative path -> content: x509/r2.crt,
// private/r2.key, x509ca/ca.crt). It stops when the test ends.
func Start(t testing.TB, ns, swanctlConf, charonExtra string, files ...map[string][]byte) *Swan {
	t.Helper()
	Need(t)
	dir := t.TempDir()
	s := &Swan{t: t, ns: ns, dir: filepath.Join(dir, "run"), conf: filepath.Join(dir, "swanctl"), done: make(chan struct{})}
	for _, d := range []string{s.dir, s.conf} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	settings := `charon {
  load_modular = yes
  ` + charonExtra + `
  plugins {
    include /etc/strongswan.d/charon/*.conf
    kernel-libipsec {
      load = yes
    }
    forecast {
      load = no
    }
    farp {
      load = no
    }
    tpm {
      load = no
    }
  }
  filelog {
    charon {
      path = /run/charon.log
      default = 1
      ike = 2
      cfg = 2
      chd = 4
      flush_line = yes
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
}
`
	write := func(name, text string) {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(s.dir, "charon.strongswan.conf"), settings)
	write(filepath.Join(s.conf, "swanctl.conf"), swanctlConf)
	for _, m := range files {
		for name, data := range m {
			p := filepath.Join(s.conf, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			write(p, string(data))
		}
	}
	// ip netns exec enters the network namespace; unshare gives charon a
	// mount namespace where the runtime directory covers /run (charon's
	// PID file and vici socket are at fixed paths under it).
	s.cmd = exec.Command("ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private",
		"sh", "-c", `mount --bind "$1" /run && exec env STRONGSWAN_CONF=/run/charon.strongswan.conf "$2"`,
		"sh", s.dir, charonPath)
	out, err := os.Create(filepath.Join(dir, "charon.out"))
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stdout, s.cmd.Stderr = out, out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting charon: %v", err)
	}
	go func() { s.cmd.Wait(); out.Close(); close(s.done) }()
	t.Cleanup(s.Stop)
	sock := filepath.Join(s.dir, "charon.vici")
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(filepath.Join(dir, "charon.out"))
			t.Fatalf("charon exited: %s\n%s", b, s.Log())
		case <-time.After(50 * time.Millisecond):
		}
		if i == 200 {
			t.Fatalf("charon opened no vici socket in 10 s\n%s", s.Log())
		}
	}
	out2, err := s.Ctl("--load-all")
	// swanctl exits 0 even when swanctl.conf does not parse.
	if err != nil || strings.Contains(out2, "invalid config") || !strings.Contains(out2, "successfully loaded") {
		t.Fatalf("swanctl --load-all: %v\n%s", err, out2)
	}
	return s
}

// Ctl runs a swanctl command against this charon ("--initiate",
// "--list-sas"...) and returns its output.
func (s *Swan) Ctl(cmd string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "swanctl", append([]string{cmd, "--uri", "unix://" + filepath.Join(s.dir, "charon.vici")}, args...)...)
	c.Env = append(os.Environ(), "SWANCTL_DIR="+s.conf)
	out, err := c.CombinedOutput()
	return string(out), err
}

// Log returns charon's log.
func (s *Swan) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "charon.log"))
	return string(b)
}

// Stop stops charon (SIGTERM: it deletes its SAs with notifications).
func (s *Swan) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Kill kills charon without a word to its peers (SIGKILL).
func (s *Swan) Kill() {
	s.cmd.Process.Kill()
	<-s.done
}

// Child is a CHILD_SA as charon logs it: its SPIs and keys. The
// initiator keys protect what the quick-mode (or CREATE_CHILD_SA)
// initiator sends.
type Child struct {
	InSPI, OutSPI  uint32 // charon's inbound and outbound SPIs
	EncI, EncR     []byte
	IntegI, IntegR []byte
}

var (
	keyLine = regexp.MustCompile(`(encryption|integrity) (initiator|responder) key => (\d+) bytes`)
	hexLine = regexp.MustCompile(`^\s*[0-9]+: ((?:[0-9A-F]{2} ?)+)`)
	spiLine = regexp.MustCompile(`CHILD_SA \S+ established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o`)
)

// Children parses charon's log for the established CHILD_SAs and their
// keys (logged at chd level 4 before each is established), oldest first.
func (s *Swan) Children() []Child {
	var out []Child
	var cur Child
	var dst *[]byte
	need := 0
	sc := bufio.NewScanner(strings.NewReader(s.Log()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if need > 0 {
			if m := hexLine.FindStringSubmatch(line[strings.Index(line, "]")+1:]); m != nil {
				b, _ := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(m[1]), " ", ""))
				*dst = append(*dst, b...)
				need -= len(b)
				continue
			}
			need = 0
		}
		if m := keyLine.FindStringSubmatch(line); m != nil {
			need, _ = strconv.Atoi(m[3])
			switch m[1] + m[2] {
			case "encryptioninitiator":
				dst = &cur.EncI
			case "encryptionresponder":
				dst = &cur.EncR
			case "integrityinitiator":
				dst = &cur.IntegI
			case "integrityresponder":
				dst = &cur.IntegR
			}
			*dst = nil
			continue
		}
		if m := spiLine.FindStringSubmatch(line); m != nil {
			in, _ := strconv.ParseUint(m[1], 16, 32)
			o, _ := strconv.ParseUint(m[2], 16, 32)
			cur.InSPI, cur.OutSPI = uint32(in), uint32(o)
			out = append(out, cur)
			cur = Child{}
		}
	}
	return out
}

func (c Child) String() string {
	return fmt.Sprintf("in %08x out %08x", c.InSPI, c.OutSPI)
}
