package ikev1

// A strongSwan charon as the independent peer of the interop tests: one
// charon per network namespace, with user-space ESP (kernel-libipsec,
// which forces NAT-T) and a private /run in a mount namespace of its own,
// so that several run at once.

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

// needSwan skips the test when strongSwan cannot run here.
func needSwan(t testing.TB) {
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

// swan is one charon.
type swan struct {
	t    testing.TB
	ns   string
	dir  string // runtime directory, mounted on /run for charon
	conf string // swanctl directory
	cmd  *exec.Cmd
	done chan struct{}
}

// startSwan starts charon in namespace ns with the given swanctl.conf and
// extra strongswan.conf settings (inside section charon), and loads the
// configuration. It stops when the test ends.
func startSwan(t testing.TB, ns, swanctlConf, charonExtra string) *swan {
	t.Helper()
	dir := t.TempDir()
	s := &swan{t: t, ns: ns, dir: filepath.Join(dir, "run"), conf: filepath.Join(dir, "swanctl"), done: make(chan struct{})}
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
	t.Cleanup(s.stop)
	sock := filepath.Join(s.dir, "charon.vici")
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(filepath.Join(dir, "charon.out"))
			t.Fatalf("charon exited: %s\n%s", b, s.log())
		case <-time.After(50 * time.Millisecond):
		}
		if i == 200 {
			t.Fatalf("charon opened no vici socket in 10 s\n%s", s.log())
		}
	}
	out2, err := s.swanctl("--load-all")
	// swanctl exits 0 even when swanctl.conf does not parse.
	if err != nil || strings.Contains(out2, "invalid config") || !strings.Contains(out2, "successfully loaded") {
		t.Fatalf("swanctl --load-all: %v\n%s", err, out2)
	}
	return s
}

// swanctl runs a swanctl command against this charon.
func (s *swan) swanctl(cmd string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "swanctl", append([]string{cmd, "--uri", "unix://" + filepath.Join(s.dir, "charon.vici")}, args...)...)
	c.Env = append(os.Environ(), "SWANCTL_DIR="+s.conf)
	out, err := c.CombinedOutput()
	return string(out), err
}

func (s *swan) log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "charon.log"))
	return string(b)
}

func (s *swan) stop() {
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

// swanChild is a CHILD_SA as charon logs it: its SPIs and keys.
type swanChild struct {
	inSPI, outSPI    uint32 // charon's inbound and outbound SPIs
	encI, encR       []byte // keys of initiator->responder and back
	integI, integR   []byte
	establishedOrder int
}

var (
	keyLine = regexp.MustCompile(`(encryption|integrity) (initiator|responder) key => (\d+) bytes`)
	hexLine = regexp.MustCompile(`^\s*[0-9]+: ((?:[0-9A-F]{2} ?)+)`)
	spiLine = regexp.MustCompile(`CHILD_SA \S+ established with SPIs ([0-9a-f]{8})_i ([0-9a-f]{8})_o`)
)

// children parses charon's log for the established CHILD_SAs and their
// keys (logged at chd level 4 before each is established).
func (s *swan) children() []swanChild {
	var out []swanChild
	var cur swanChild
	var dst *[]byte
	need := 0
	sc := bufio.NewScanner(strings.NewReader(s.log()))
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
				dst = &cur.encI
			case "encryptionresponder":
				dst = &cur.encR
			case "integrityinitiator":
				dst = &cur.integI
			case "integrityresponder":
				dst = &cur.integR
			}
			*dst = nil
			continue
		}
		if m := spiLine.FindStringSubmatch(line); m != nil {
			in, _ := strconv.ParseUint(m[1], 16, 32)
			o, _ := strconv.ParseUint(m[2], 16, 32)
			cur.inSPI, cur.outSPI = uint32(in), uint32(o)
			cur.establishedOrder = len(out)
			out = append(out, cur)
			cur = swanChild{}
		}
	}
	return out
}

func (c swanChild) String() string {
	return fmt.Sprintf("in %08x out %08x encI %x encR %x", c.inSPI, c.outSPI, c.encI, c.encR)
}
