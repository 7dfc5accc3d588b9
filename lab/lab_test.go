package lab

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"mxlab/netns"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// The test binary runs again as a helper for what must happen in another
// process: "exec" replaces itself by a command in a lab node (Exec), "up"
// runs a lab until it is killed.
const envHelper = "MXLAB_LAB_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(envHelper) {
	case "exec":
		args := flag.Args()
		err := Exec(os.Getenv("LAB_DIR"), os.Getenv("LAB_NODE"), strings.Fields(os.Getenv("LAB_CMD")))
		fmt.Fprintln(os.Stderr, "exec:", err, args)
		os.Exit(127)
	case "up":
		helperUp()
	}
	os.Exit(m.Run())
}

func helperUp() {
	if status, ok, err := InUserNamespace(os.Args, nil); ok {
		if err != nil {
			fmt.Println(err)
		}
		os.Exit(status)
	}
	topo, err := Load(os.Getenv("LAB_FILE"))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	topo.Name = os.Getenv("LAB_NAME")
	l, err := Up(context.Background(), topo, Options{RunDir: os.Getenv("LAB_RUN_DIR")})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println(l.Ready())
	<-l.Stopping()
	l.Close()
	os.Exit(0)
}

// needRoot skips tests that create namespaces when this process cannot.
func needRoot(tb testing.TB) {
	tb.Helper()
	if err := netns.Available(); err != nil {
		tb.Skipf("skipping: %v", err)
	}
	for _, tool := range []string{"ip", "ping"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("skipping: %s is not installed", tool)
		}
	}
}

// testLab names a lab after this process, so that tests never meet a lab
// a user runs.
func testLab(tb testing.TB, file string) *Topology {
	tb.Helper()
	topo, err := Load(file)
	if err != nil {
		tb.Fatal(err)
	}
	topo.Name = fmt.Sprintf("t%d-%s", os.Getpid(), topo.Name)
	return topo
}

func upLab(tb testing.TB, topo *Topology, runDir string) *Lab {
	tb.Helper()
	l, err := Up(context.Background(), topo, Options{RunDir: runDir})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// cli runs commands on a router through the control socket.
func cli(t *testing.T, l *Lab, node, cmds string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	status, err := Console(l.Dir(), Request{Node: node, Commands: cmds}, nil, &out, nil)
	if err != nil {
		t.Fatalf("console %s %q: %v", node, cmds, err)
	}
	return out.String(), status
}

// hostPing pings from a host's namespace with ip netns exec.
func hostPing(l *Lab, host, addr string) error {
	ns := l.Topology().Namespace(host)
	out, err := exec.Command("ip", "netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "1", addr).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

var lossRE = regexp.MustCompile(`(\d+) packets transmitted, (\d+) packets received`)

// routerPing pings from a router's CLI; it reports whether every reply came.
func routerPing(t *testing.T, l *Lab, node, addr string) (bool, string) {
	out, _ := cli(t, l, node, "ping "+addr+" count 2 wait 1")
	m := lossRE.FindStringSubmatch(out)
	return m != nil && m[1] == m[2] && m[1] != "0", out
}

func TestLine3(t *testing.T) {
	needRoot(t)
	topo := testLab(t, "testdata/line3/line3.yaml")
	l := upLab(t, topo, privateDir(t))
	if got, want := l.Ready(), "lab "+topo.Name+" ready: 3 routers, 2 hosts"; got != want {
		t.Errorf("Ready() = %q, want %q", got, want)
	}
	t.Run("reachable", func(t *testing.T) { checkReachable(t, l, true) })
	t.Run("golden", func(t *testing.T) {
		for _, r := range []string{"r1", "r2", "r3"} {
			out, status := cli(t, l, r, "show route")
			golden(t, "line3_"+r+"_route", maskAges(out), status)
			out, status = cli(t, l, r, "show interfaces terse")
			golden(t, "line3_"+r+"_terse", out, status)
		}
	})
	t.Run("fpc offline", func(t *testing.T) {
		out, status := cli(t, l, "r2", "request chassis fpc slot 1 offline")
		if status != 0 {
			t.Fatalf("offline: %s", out)
		}
		checkReachable(t, l, false)
		if out, status = cli(t, l, "r2", "request chassis fpc slot 1 online"); status != 0 {
			t.Fatalf("online: %s", out)
		}
		waitReachable(t, l)
		checkReachable(t, l, true)
	})
	t.Run("exec", func(t *testing.T) { checkExec(t, l) })
	t.Run("session", func(t *testing.T) { checkSession(t, l) })
	t.Run("modes", func(t *testing.T) { checkModes(t, l.Dir()) })
	dir := l.Dir()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	checkGone(t, topo, dir)
}

// checkModes checks that the run directory and what it holds (the
// control socket, which gives the routers' CLIs) are the owner's only.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	for _, p := range []string{dir, filepath.Join(dir, socketFile), filepath.Join(dir, pidFile), filepath.Join(dir, namespacesFile)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Error(err)
			continue
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s: mode %04o, open to other users", p, perm)
		}
	}
}

// checkReachable checks ping and traceroute across the line, from r1's
// CLI and from the hosts; want false checks that they fail.
func checkReachable(t *testing.T, l *Lab, want bool) {
	t.Helper()
	if ok, out := routerPing(t, l, "r1", "172.16.3.10"); ok != want {
		t.Errorf("ping from r1 succeeded=%v, want %v:\n%s", ok, want, out)
	}
	out, _ := cli(t, l, "r1", "traceroute 172.16.3.10 ttl 3 no-resolve")
	if got := strings.Contains(out, " 3  172.16.3.10 "); got != want {
		t.Errorf("traceroute from r1 reached h2=%v, want %v:\n%s", got, want, out)
	}
	for _, p := range [][2]string{{"h1", "172.16.3.10"}, {"h2", "172.16.1.10"}, {"h1", "192.0.2.3"}} {
		if err := hostPing(l, p[0], p[1]); (err == nil) != want {
			t.Errorf("ping from %s to %s: %v, want success=%v", p[0], p[1], err, want)
		}
	}
	if want {
		checkHostTraceroute(t, l)
	}
}

// checkHostTraceroute traces from h1 to h2 hop by hop, as traceroute
// does: a ping with TTL n is answered "Time to live exceeded" by hop n.
func checkHostTraceroute(t *testing.T, l *Lab) {
	ns := l.Topology().Namespace("h1")
	for ttl, hop := range []string{"172.16.1.1", "10.0.12.2", "10.0.23.3"} {
		out, _ := exec.Command("ip", "netns", "exec", ns, "ping", "-n", "-c", "1", "-W", "1", "-t", fmt.Sprint(ttl+1), "172.16.3.10").CombinedOutput()
		if !strings.Contains(string(out), "From "+hop+" icmp_seq=1 Time to live exceeded") {
			t.Errorf("hop %d from h1 is not %s:\n%s", ttl+1, hop, out)
		}
	}
}

// waitReachable waits for r2's cards to boot and its ports to forward
// again (the layout's boot delay is 50 ms; the bound is generous).
func waitReachable(t *testing.T, l *Lab) {
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if hostPing(l, "h1", "172.16.3.10") == nil {
			return
		}
	}
	t.Fatal("h2 still unreachable 20 s after r2's FPC came back online")
}

// maskAges hides the route ages of "show route".
func maskAges(s string) string {
	return regexp.MustCompile(`\] [0-9wdhms:]+`).ReplaceAllString(s, "] AGE")
}

func golden(t *testing.T, name, got string, status int) {
	t.Helper()
	got = fmt.Sprintf("%s(status %d)\n", got, status)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// checkExec runs ping in h1 through Exec, in a helper process.
func checkExec(t *testing.T, l *Lab) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelper+"=exec", "LAB_DIR="+l.Dir(), "LAB_NODE=h1",
		"LAB_CMD=ping -c 1 -W 1 172.16.3.10")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "1 received") {
		t.Errorf("exec ping in h1: %v\n%s", err, out)
	}
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelper+"=exec", "LAB_DIR="+l.Dir(), "LAB_NODE=h1", "LAB_CMD=ping -c 1 -W 1 192.0.2.99")
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exec of a failing ping: %v, want exit status 1", err)
	}
	if err := Exec(l.Dir(), "h9", []string{"true"}); err == nil || !strings.Contains(err.Error(), "no node h9") {
		t.Errorf("Exec on h9: %v", err)
	}
}

// checkSession runs a plain (no TTY) session with piped commands, and
// asks for a console on a host.
func checkSession(t *testing.T, l *Lab) {
	var out bytes.Buffer
	in := strings.NewReader("show version | match Model\nconfigure\nset system host-name rr1\ncommit and-quit\n")
	status, err := Console(l.Dir(), Request{Node: "r1", User: "alice"}, in, &out, nil)
	if err != nil || status != 0 {
		t.Fatalf("session: %d, %v\n%s", status, err, out.String())
	}
	for _, want := range []string{"alice@r1> show version | match Model\nModel: mx480\n", "commit complete\nExiting configuration mode\n", "alice@rr1> \n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("session output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := Console(l.Dir(), Request{Node: "h1"}, nil, &out, nil); err == nil || !strings.Contains(err.Error(), "linux host") {
		t.Errorf("console on h1: %v", err)
	}
}

// checkGone fails when a namespace, link, process or run directory of the
// lab is left.
func checkGone(t *testing.T, topo *Topology, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(netns.RunDir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), topo.Name+"-") {
			t.Errorf("namespace %s left behind", e.Name())
		}
	}
	if out, _ := exec.Command("ip", "-o", "link").CombinedOutput(); bytes.Contains(out, []byte("ge-1_0_")) {
		t.Errorf("link left in the host namespace:\n%s", out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("run directory %s left behind (%v)", dir, err)
	}
}

func TestKilledLabIsCleanedUp(t *testing.T) {
	needRoot(t)
	topo := testLab(t, "testdata/line3/line3.yaml")
	runDir := privateDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHelper+"=up", "LAB_FILE=testdata/line3/line3.yaml", "LAB_NAME="+topo.Name, "LAB_RUN_DIR="+runDir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.Contains(line, "ready") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper lab: %q", line)
	}
	// A process left in a host namespace must go with the lab.
	sleeper := exec.Command("ip", "netns", "exec", topo.Namespace("h1"), "sleep", "300")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	go sleeper.Wait()
	// ip netns exec enters the namespace after it starts: wait for it, or
	// the kill below would find no process there yet.
	var nsStat syscall.Stat_t
	if err := syscall.Stat(filepath.Join(netns.RunDir, topo.Namespace("h1")), &nsStat); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !slices.Contains(processesIn(nsStat), sleeper.Process.Pid); {
		if time.Now().After(deadline) {
			t.Fatal("the sleeper never entered h1's namespace")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := Up(context.Background(), topo, Options{RunDir: runDir}); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("Up while the lab runs: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(netns.RunDir, topo.Namespace("r2"))); err != nil {
		t.Fatalf("kill -9 should leave the namespaces: %v", err)
	}
	l := upLab(t, topo, runDir)
	if err := hostPing(l, "h1", "172.16.3.10"); err != nil {
		t.Errorf("after the restart: %v", err)
	}
	if err := syscall.Kill(sleeper.Process.Pid, 0); err == nil {
		t.Errorf("process %d in the old h1 namespace still runs", sleeper.Process.Pid)
	}
	dir := l.Dir()
	down := make(chan error, 1)
	go func() { down <- Down(dir) }()
	<-l.Stopping()
	if err := l.Close(); err != nil {
		t.Error(err)
	}
	if err := <-down; err != nil {
		t.Errorf("Down: %v", err)
	}
	checkGone(t, topo, dir)
}

// privateDir returns a temporary directory of mode 0700, as a run
// directory of labs must be.
func privateDir(tb testing.TB) string {
	dir := tb.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	return dir
}
