package services_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxlab/netns"
)

// The strongSwan peer: the E2 lab with r2 a plain namespace running
// charon (strongSwan 5.9.8, user-space ESP with kernel-libipsec, which
// forces NAT traversal: IKE moves to 4500 and ESP goes in UDP).

const charonBin = "/usr/lib/ipsec/charon"

func needSwan(t *testing.T) {
	t.Helper()
	needRoot(t)
	for _, f := range []string{charonBin, "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so", "/dev/net/tun"} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("skipping: strongSwan peer: %v (scripts/deps installs strongswan-charon, libcharon-extra-plugins)", err)
		}
	}
	for _, c := range []string{"swanctl", "unshare"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("skipping: strongSwan peer: %s not installed", c)
		}
	}
}

// swan is a charon running in a namespace.
type swan struct {
	t      *testing.T
	ns     string
	run    string // the runtime directory, /run inside charon's mount namespace
	conf   string // the swanctl directory
	cmd    *exec.Cmd
	exited chan struct{}
}

// charonConf are the settings of the test peer: user-space ESP, logs of
// the exchanges and of the child SA keys (chd 4).
const charonConf = `charon {
    load_modular = yes
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
            time_format = %b %e %T
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

// startSwan starts charon in namespace ns with swanctl.conf contents conf
// and, in the swanctl directory, the files of creds (relative path ->
// content: x509/r2.crt, private/r2.key, x509ca/ca.crt).
func startSwan(t *testing.T, ns, conf string, creds ...map[string][]byte) *swan {
	t.Helper()
	dir := t.TempDir()
	s := &swan{t: t, ns: ns, run: filepath.Join(dir, "run"), conf: filepath.Join(dir, "swanctl"), exited: make(chan struct{})}
	for _, d := range []string{s.run, s.conf} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, text string) {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(s.run, "charon.strongswan.conf"), charonConf)
	write(filepath.Join(s.conf, "swanctl.conf"), conf)
	for _, c := range creds {
		for name, data := range c {
			p := filepath.Join(s.conf, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			write(p, string(data))
		}
	}
	s.cmd = exec.Command("ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" /run && exec env STRONGSWAN_CONF=/run/charon.strongswan.conf "$2"`, "sh", s.run, charonBin)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.stop)
	sock := filepath.Join(s.run, "charon.vici")
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i == 100 {
			t.Fatalf("charon in %s opened no vici socket:\n%s", ns, s.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	out := s.swanctl("--load-all")
	if !strings.Contains(out, "successfully loaded 1 connections") {
		t.Fatalf("swanctl --load-all:\n%s", out)
	}
	return s
}

// swanctl runs a swanctl command against the charon.
func (s *swan) swanctl(cmd string, args ...string) string {
	c := exec.Command("swanctl", append([]string{cmd, "--uri", "unix://" + filepath.Join(s.run, "charon.vici")}, args...)...)
	c.Env = append(os.Environ(), "SWANCTL_DIR="+s.conf)
	out, _ := c.CombinedOutput()
	return string(out)
}

func (s *swan) log() string {
	b, _ := os.ReadFile(filepath.Join(s.run, "charon.log"))
	return string(b)
}

// kill ends charon at once, without deleting its SAs (a crash).
func (s *swan) kill() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.exited
}

func (s *swan) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.kill()
	}
}

// childKeys returns the child SA keys charon logged, newest last: for
// each SA, its SPI as seen by charon ("in"/"out") and the encryption and
// integrity keys in hexadecimal, initiator's then responder's.
type swanKeys struct {
	encI, intI, encR, intR string
}

func (s *swan) keys() []swanKeys {
	var out []swanKeys
	var cur *swanKeys
	var field *string
	sc := bufio.NewScanner(strings.NewReader(s.log()))
	hexLine := regexp.MustCompile(`^\S+\s+\d+\s+[\d:]+\s+\S+\s+\d+: ((?:[0-9A-F]{2} )*[0-9A-F]{2})`)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.Contains(l, "encryption initiator key =>"):
			out = append(out, swanKeys{})
			cur = &out[len(out)-1]
			field = &cur.encI
		case cur != nil && strings.Contains(l, "encryption responder key =>"):
			field = &cur.encR
		case cur != nil && strings.Contains(l, "integrity initiator key =>"):
			field = &cur.intI
		case cur != nil && strings.Contains(l, "integrity responder key =>"):
			field = &cur.intR
		default:
			if m := hexLine.FindStringSubmatch(l); m != nil && field != nil {
				*field += strings.ToLower(strings.ReplaceAll(m[1], " ", ""))
				continue
			}
			field = nil
		}
	}
	return out
}

// swanLab is the E2 lab with r1 an mxlab router and r2 a strongSwan
// gateway.
type swanLab struct {
	*lab
	sw *swan
}

// newSwanLab builds the lab: r1 gets cfg1, charon on r2 gets swanctl.conf.
func newSwanLab(t *testing.T, cfg1, swanctl string) *swanLab {
	needSwan(t)
	l := &lab{t: t, prefix: fmt.Sprintf("mxswn%d-", os.Getpid()%100000), ns: map[string]*netns.Handle{}}
	t.Cleanup(l.close)
	for _, n := range []string{"r1", "r2", "h1", "h2"} {
		h, err := netns.Create(l.prefix + n)
		if err != nil {
			t.Fatal(err)
		}
		l.ns[n] = h
	}
	l.connect("r1", "ge-1_0_0", "h1", "eth1")
	l.connect("r1", "ge-1_0_1", "r2", "wan")
	l.connect("r2", "lan", "h2", "eth1")
	l.host("h1", "172.16.0.10/16", "172.16.0.1")
	l.host("h2", "192.168.0.10/16", "192.168.0.1")
	for _, a := range [][2]string{{"wan", "10.0.1.2/30"}, {"lan", "192.168.0.1/16"}} {
		if err := l.ns["r2"].AddrAdd(a[0], netipPrefix(a[1])); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := l.exec("r2", "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
		t.Fatalf("sysctl: %v %s", err, out)
	}
	s := &swanLab{lab: l}
	s.sw = startSwan(t, l.ns["r2"].Name(), swanctl)
	l.r1 = l.router("r1", r1Layout, cfg1)
	return s
}

// swanConf is a swanctl.conf for r2: IKE version v, the IKE and ESP
// proposals, start_action for the child, and extra lines for the
// connection.
func swanConf(v, ike, esp, start string, extra ...string) string {
	return fmt.Sprintf(`connections {
    site {
        version = %s
        local_addrs = 10.0.1.2
        remote_addrs = 10.0.1.1
        proposals = %s
        mobike = no
%s
        local {
            auth = psk
            id = 10.0.1.2
        }
        remote {
            auth = psk
            id = 10.0.1.1
        }
        children {
            net {
                local_ts = 192.168.0.0/16
                remote_ts = 172.16.0.0/16
                esp_proposals = %s
                start_action = %s
            }
        }
    }
}
secrets {
    ike-site {
        id-1 = 10.0.1.1
        id-2 = 10.0.1.2
        secret = "juniper123"
    }
}
`, v, ike, strings.Join(extra, "\n"), esp, start)
}

// waitSwan waits until the tunnel carries a ping h1 -> h2.
func (s *swanLab) waitSwan() {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := s.ping("h1", "192.168.0.10", 1); err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no tunnel\nr1:\n%s\nstrongSwan:\n%s\n%s", s.cli(s.r1, "show services ipsec-vpn ike security-associations detail; file show /var/log/kmd"),
				s.sw.swanctl("--list-sas"), s.sw.log())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// pingCount pings h1 -> h2 n times at interval and returns how many
// answers came back.
func (s *swanLab) pingCount(ctx context.Context, n int, interval string) int {
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", s.ns["h1"].Name(), "ping", "-c", fmt.Sprint(n), "-i", interval, "-W", "1", "192.168.0.10")
	out, _ := cmd.CombinedOutput()
	m := regexp.MustCompile(`(\d+) received`).FindStringSubmatch(string(out))
	if m == nil {
		return 0
	}
	var got int
	fmt.Sscan(m[1], &got)
	return got
}
