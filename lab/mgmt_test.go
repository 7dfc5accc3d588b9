package lab

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"mxlab/mgmt/login"
	"mxlab/mgmt/netconf"
	"mxlab/router"
)

func TestParseMgmt(t *testing.T) {
	read := func(string) ([]byte, error) { return []byte("set system host-name x\n"), nil }
	topo, err := Parse([]byte(`name: m1
mgmt:
  ipv4-subnet: 10.99.0.0/24
topology:
  nodes:
    r1: {kind: mx, mgmt-ipv4: 10.99.0.10, ports: ["2201:22", "8301:830"]}
    r2: {kind: mx, config: r2.set}
`), "/x", read)
	if err != nil {
		t.Fatal(err)
	}
	if topo.Mgmt.Bridge != "mx-m1" || topo.Mgmt.Subnet != netip.MustParsePrefix("10.99.0.0/24") {
		t.Errorf("mgmt %+v", topo.Mgmt)
	}
	r1 := topo.Node("r1")
	if r1.MgmtIPv4 != netip.MustParseAddr("10.99.0.10") || r1.Ports[22] != 2201 || r1.Ports[830] != 8301 {
		t.Errorf("r1 %+v", r1)
	}
	gw, addrs, err := topo.plan(topo.Mgmt.Subnet)
	if err != nil || gw.String() != "10.99.0.1/24" || addrs["r1"].String() != "10.99.0.10" || addrs["r2"].String() != "10.99.0.2" {
		t.Errorf("plan: %v %v %v", gw, addrs, err)
	}
	long, err := Parse([]byte("name: a-very-long-lab-name\ntopology:\n  nodes:\n    r1: {kind: mx}\n"), "/x", read)
	if err != nil || len(long.Mgmt.Bridge) > 15 {
		t.Errorf("bridge of a long lab name: %q %v", long.Mgmt.Bridge, err)
	}
	for _, bad := range []string{
		"mgmt: {ipv4-subnet: 10.0.0.0/30}\ntopology: {nodes: {r1: {kind: mx}}}",
		"mgmt: {ipv4-subnet: nonsense}\ntopology: {nodes: {r1: {kind: mx}}}",
		"mgmt: {ipv4-subnet: 10.0.0.0/24}\ntopology: {nodes: {r1: {kind: mx, mgmt-ipv4: 10.1.0.1}}}",
		"topology: {nodes: {r1: {kind: mx, mgmt-ipv4: 10.1.0.1}, r2: {kind: mx, mgmt-ipv4: 10.1.0.1}}}",
		"topology: {nodes: {r1: {kind: mx, ports: ['2201:23']}}}",
		"topology: {nodes: {r1: {kind: mx, ports: ['x:22']}}}",
		"topology: {nodes: {h1: {kind: linux, ports: ['2201:22']}}}",
	} {
		if _, err := Parse([]byte("name: m2\n"+bad+"\n"), "/x", read); err == nil {
			t.Errorf("parsed: %s", bad)
		}
	}
}

func TestMgmtConfig(t *testing.T) {
	p := netip.MustParsePrefix("10.99.0.2/24")
	if got := mgmtConfig("set system host-name r1\n", p); got != "set interfaces fxp0 unit 0 family inet address 10.99.0.2/24\n" {
		t.Errorf("set form: %q", got)
	}
	if got := mgmtConfig("system { host-name r1; }\n", p); !strings.HasPrefix(got, "interfaces {\n    fxp0 {") {
		t.Errorf("text form: %q", got)
	}
	if got := mgmtConfig("set interfaces fxp0 unit 0 family inet address 192.168.0.1/24\n", p); got != "" {
		t.Errorf("a configuration with its own fxp0: %q", got)
	}
}

// dialSSH logs in to addr.
func dialSSH(addr, user, pw string) (*ssh.Client, error) {
	return ssh.Dial("tcp", addr, &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.Password(pw)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second})
}

func mgmtLab(t *testing.T, o Options) *Lab {
	t.Helper()
	topo := testLab(t, "testdata/line3/line3.yaml")
	fw, err := OpenForwards(topo)
	if err != nil {
		t.Fatal(err)
	}
	o.RunDir = privateDir(t)
	o.Forwards = fw
	l, err := Up(context.Background(), topo, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestLabManagement checks the management network and the loopback
// forwards of a lab.
func TestLabManagement(t *testing.T) {
	needRoot(t)
	l := mgmtLab(t, Options{MgmtNetwork: true})
	info := map[string]NodeInfo{}
	for _, n := range l.Inspect() {
		info[n.Name] = n
	}
	r1 := info["r1"]
	if r1.MgmtIPv4 == "" || r1.SSH == "" || r1.NETCONF == "" || !r1.FactoryLogin || info["h1"].SSH != "" {
		t.Fatalf("inspect: %+v", info)
	}
	mgmt := strings.Split(r1.MgmtIPv4, "/")[0]
	for _, addr := range []string{r1.SSH, net.JoinHostPort(mgmt, "22")} {
		c, err := dialSSH(addr, login.FactoryUser, login.FactoryPassword)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		s, _ := c.NewSession()
		out, err := s.Output("show interfaces terse fxp0")
		c.Close()
		if err != nil || !strings.Contains(string(out), "fxp0.0") || !strings.Contains(string(out), r1.MgmtIPv4) {
			t.Errorf("%s: show interfaces terse fxp0: %v\n%s", addr, err, out)
		}
	}
	c, err := dialSSH(net.JoinHostPort(mgmt, "830"), login.FactoryUser, login.FactoryPassword)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nc, err := openNETCONF(c)
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := nc.call("<get-software-information/>"); err != nil || !strings.Contains(reply, "<host-name>r1</host-name>") {
		t.Errorf("NETCONF on %s:830: %v\n%s", mgmt, err, reply)
	}
}

// ncClient is a NETCONF session over SSH.
type ncClient struct {
	s  *ssh.Session
	r  *netconf.Reader
	w  *netconf.Writer
	id int
}

func openNETCONF(c *ssh.Client) (*ncClient, error) {
	s, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.RequestSubsystem("netconf"); err != nil {
		return nil, err
	}
	nc := &ncClient{s: s, r: netconf.NewReader(out, 0), w: netconf.NewWriter(in)}
	if _, err := nc.r.ReadMsg(); err != nil {
		return nil, err
	}
	return nc, nc.w.WriteMsg([]byte(`<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>`))
}

func (nc *ncClient) call(body string) (string, error) {
	nc.id++
	if err := nc.w.WriteMsg([]byte(fmt.Sprintf(`<rpc message-id="%d">%s</rpc>`, nc.id, body))); err != nil {
		return "", err
	}
	m, err := nc.r.ReadMsg()
	if err != nil {
		return "", err
	}
	if !strings.Contains(string(m), fmt.Sprintf(`message-id="%d"`, nc.id)) {
		return string(m), fmt.Errorf("reply to another message: %s", m)
	}
	return string(m), nil
}

// TestManagementLoad runs 100 SSH CLI sessions and 50 NETCONF sessions at
// once on one router of a lab, 40 of them committing a change each under
// the exclusive lock, while 25 clients fail to log in. Every session
// must succeed, every commit must land once and alone (rollback N+1 is
// rollback N without exactly one of the changes), and the failed logins
// must be paced and logged.
func TestManagementLoad(t *testing.T) {
	needRoot(t)
	if testing.Short() {
		t.Skip("150 sessions: several seconds")
	}
	l := mgmtLab(t, Options{Mgmt: router.MgmtOptions{BackoffUnit: 50 * time.Millisecond}})
	var r1 NodeInfo
	for _, n := range l.Inspect() {
		if n.Name == "r1" {
			r1 = n
		}
	}
	const sshSessions, ncSessions, committers, failures = 100, 50, 20, 25
	var wg sync.WaitGroup
	errs := make(chan error, sshSessions+ncSessions+failures)
	for i := range sshSessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sshWorker(r1.SSH, i, i < committers); err != nil {
				errs <- fmt.Errorf("ssh session %d: %w", i, err)
			}
		}()
	}
	for i := range ncSessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ncWorker(r1.NETCONF, i, i < committers); err != nil {
				errs <- fmt.Errorf("netconf session %d: %w", i, err)
			}
		}()
	}
	failStart := time.Now()
	for i := range failures {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if c, err := dialSSH(r1.SSH, "lab", fmt.Sprintf("wrong%d", i)); err == nil {
				c.Close()
				errs <- fmt.Errorf("failed login %d logged in", i)
			} else if d := time.Since(start); d < time.Second {
				errs <- fmt.Errorf("failed login %d answered in %v, before the 1 s delay", i, d)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d SSH and %d NETCONF sessions, %d commits, %d failed logins in %v", sshSessions, ncSessions,
		2*committers, failures, time.Since(failStart))
	checkCommits(t, l.Router("r1"), 2*committers)
	data, _ := os.ReadFile(filepath.Join(l.Dir(), "r1", "var", "log", "messages"))
	if n := strings.Count(string(data), "SSHD_LOGIN_FAILED"); n < failures {
		t.Errorf("%d SSHD_LOGIN_FAILED lines, want %d", n, failures)
	}
}

// sshWorker runs show commands on an interactive session and, as a
// committer, commits one address under "configure exclusive".
func sshWorker(addr string, i int, commit bool) error {
	c, err := dialSSH(addr, login.FactoryUser, login.FactoryPassword)
	if err != nil {
		return err
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		return err
	}
	if err := s.RequestPty("vt100", 1000, 200, ssh.TerminalModes{}); err != nil {
		return err
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Shell(); err != nil {
		return err
	}
	tm := &reader{r: out}
	if _, err := tm.until("lab@r1> "); err != nil {
		return err
	}
	for _, cmd := range []string{"show version", "show interfaces terse", "show system users"} {
		io.WriteString(in, cmd+"\r")
		got, err := tm.until("lab@r1> ")
		if err != nil {
			return err
		}
		if strings.Contains(got, "error:") {
			return fmt.Errorf("%s: %s", cmd, got)
		}
	}
	if commit {
		for try := 0; ; try++ {
			io.WriteString(in, "configure exclusive\r")
			got, err := tm.untilAny("lab@r1# ", "lab@r1> ")
			if err != nil {
				return err
			}
			if strings.Contains(got, "Entering configuration mode") {
				break
			}
			if try > 400 {
				return fmt.Errorf("never got the lock: %s", got)
			}
			time.Sleep(20 * time.Millisecond)
		}
		io.WriteString(in, fmt.Sprintf("set interfaces ge-1/0/2 unit 0 family inet address 10.201.%d.1/24\r", i))
		if _, err := tm.until("lab@r1# "); err != nil {
			return err
		}
		io.WriteString(in, "commit and-quit\r")
		got, err := tm.until("lab@r1> ")
		if err != nil {
			return err
		}
		if !strings.Contains(got, "commit complete") {
			return fmt.Errorf("commit: %s", got)
		}
	}
	io.WriteString(in, "quit\r")
	return s.Wait()
}

// ncWorker asks for the software information and the configuration and,
// as a committer, commits one address under the lock.
func ncWorker(addr string, i int, commit bool) error {
	c, err := dialSSH(addr, login.FactoryUser, login.FactoryPassword)
	if err != nil {
		return err
	}
	defer c.Close()
	nc, err := openNETCONF(c)
	if err != nil {
		return err
	}
	for _, rpc := range []string{"<get-software-information/>", `<get-configuration format="set"/>`, "<get-interface-information><terse/></get-interface-information>"} {
		reply, err := nc.call(rpc)
		if err != nil || strings.Contains(reply, "<rpc-error>") {
			return fmt.Errorf("%s: %v %s", rpc, err, reply)
		}
	}
	if commit {
		for try := 0; ; try++ {
			reply, err := nc.call("<lock-configuration/>")
			if err != nil {
				return err
			}
			if !strings.Contains(reply, "<rpc-error>") {
				break
			}
			if try > 400 {
				return fmt.Errorf("never got the lock: %s", reply)
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, rpc := range []string{
			fmt.Sprintf(`<load-configuration action="set"><configuration-set>set interfaces ge-1/0/3 unit 0 family inet address 10.202.%d.1/24</configuration-set></load-configuration>`, i),
			"<commit-configuration/>", "<unlock-configuration/>",
		} {
			reply, err := nc.call(rpc)
			if err != nil || strings.Contains(reply, "<rpc-error>") {
				return fmt.Errorf("%s: %v %s", rpc, err, reply)
			}
		}
	}
	if _, err := nc.call("<close-session/>"); err != nil {
		return err
	}
	return nil
}

// checkCommits checks that the last n commits each added one address to
// what the one before committed.
func checkCommits(t *testing.T, r *router.Router, n int) {
	t.Helper()
	units := func(rb int) map[string]bool {
		root, err := r.DB.Rollback(rb)
		if err != nil {
			t.Fatalf("rollback %d: %v", rb, err)
		}
		out := map[string]bool{}
		for _, line := range strings.Split(root.SetLines(nil), "\n") {
			if strings.Contains(line, " address 10.201.") || strings.Contains(line, " address 10.202.") {
				out[line] = true
			}
		}
		return out
	}
	if got := len(units(0)); got != n {
		t.Fatalf("%d addresses committed, want %d", got, n)
	}
	for rb := 0; rb < n; rb++ {
		newer, older := units(rb), units(rb+1)
		if len(newer) != len(older)+1 {
			t.Errorf("rollback %d has %d addresses, rollback %d %d: commits interleaved", rb, len(newer), rb+1, len(older))
		}
		for l := range older {
			if !newer[l] {
				t.Errorf("rollback %d lost %q", rb, l)
			}
		}
	}
	if h := r.DB.History(); len(h) < n {
		t.Errorf("%d commits in the history, want at least %d", len(h), n)
	}
}

// reader reads a session's output until a prompt.
type reader struct {
	r    io.Reader
	ch   chan []byte
	buf  []byte
	once sync.Once
}

func (rd *reader) until(p string) (string, error) { return rd.untilAny(p) }

func (rd *reader) untilAny(ps ...string) (string, error) {
	rd.once.Do(func() {
		rd.ch = make(chan []byte, 16)
		go func() {
			defer close(rd.ch)
			for {
				b := make([]byte, 4096)
				n, err := rd.r.Read(b)
				if n > 0 {
					rd.ch <- b[:n]
				}
				if err != nil {
					return
				}
			}
		}()
	})
	timeout := time.After(60 * time.Second)
	for {
		for _, p := range ps {
			if i := strings.Index(string(rd.buf), p); i >= 0 {
				got := string(rd.buf[:i+len(p)])
				rd.buf = rd.buf[i+len(p):]
				return got, nil
			}
		}
		select {
		case b, ok := <-rd.ch:
			if !ok {
				return string(rd.buf), fmt.Errorf("session ended waiting for %q", ps)
			}
			rd.buf = append(rd.buf, b...)
		case <-timeout:
			return string(rd.buf), fmt.Errorf("timeout waiting for %q in %q", ps, rd.buf)
		}
	}
}

// TestManagementBridges: past the routers one bridge takes, the
// management network is several bridges joined into one segment: the host
// reaches every router's fxp0, and Close removes every bridge and link.
func TestManagementBridges(t *testing.T) {
	needRoot(t)
	defer func(n int) { routersPerBridge = n }(routersPerBridge)
	routersPerBridge = 1 // line3's three routers on three bridges
	l := mgmtLab(t, Options{MgmtNetwork: true})
	if len(l.bridges) != 5 { // the first bridge, then a link and a bridge for each other
		t.Fatalf("bridges and links %q, want 5", l.bridges)
	}
	for _, n := range l.Inspect() {
		if n.Kind != KindRouter {
			continue
		}
		addr := strings.Split(n.MgmtIPv4, "/")[0]
		if out, err := exec.Command("ping", "-c", "1", "-W", "2", addr).CombinedOutput(); err != nil {
			t.Errorf("%s's fxp0 %s: %v\n%s", n.Name, addr, err, out)
		}
	}
	links := l.bridges
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range links {
		if _, err := net.InterfaceByName(name); err == nil {
			t.Errorf("%s is left after Close", name)
		}
	}
}
