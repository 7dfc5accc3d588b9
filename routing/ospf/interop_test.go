package ospf_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mxlab/chassis"
	"mxlab/netns"
	"mxlab/router"
	"mxlab/routing"
	"mxlab/routing/ospf"
)

// The interop lab: an mxlab router (mx) with BIRD 2 and FRR neighbors in
// namespaces of their own, each daemon with its own configuration and
// control socket.
//
//	b1 (BIRD, 10.255.0.2) --p2p, area 0, md5-- ge-1/0/0 mx ge-1/0/1 --p2p, area 0, md5-- f1 (FRR, 10.255.0.3)
//	                                                 ge-1/0/2
//	                                                    |  LAN 10.1.0.0/24, area 1 (stub), md5, bridge in sw
//	                                            b2 (BIRD, 10.255.0.4), f2 (FRR, 10.255.0.5)
//
// mx exports 172.16.0.0/24 (static), b1 exports 172.16.2.0/24.

const mxLayout = "boot-delay: -1ns\nfpcs:\n  1:\n    type: mpc\n    pics:\n      0: 10x1ge\n"

var labSeq atomic.Int32

type interop struct {
	t      *testing.T
	prefix string
	dir    string
	ns     map[string]*netns.Handle
	procs  []*exec.Cmd
	mx     *router.Router
}

func needTools(t *testing.T) {
	t.Helper()
	if err := netns.Available(); err != nil {
		t.Skipf("skipping: interop needs network namespaces: %v", err)
	}
	for _, b := range []string{"bird", "birdc", "/usr/lib/frr/zebra", "/usr/lib/frr/ospfd", "vtysh", "ip"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("skipping: %s is not installed (apt-get install bird2 frr iproute2, or scripts/deps)", b)
		}
	}
	if _, err := user.Lookup("frr"); err != nil {
		t.Skip("skipping: no frr user (apt-get install frr)")
	}
}

func newInterop(t *testing.T) *interop {
	needTools(t)
	l := &interop{t: t, prefix: fmt.Sprintf("mxo%d-%d-", os.Getpid()%100000, labSeq.Add(1)), ns: map[string]*netns.Handle{}}
	// The FRR daemons run as the frr user: their files must be reachable.
	dir, err := os.MkdirTemp("", "mxospf")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	l.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Cleanup(l.close)
	for _, n := range []string{"mx", "b1", "f1", "b2", "f2", "sw"} {
		h, err := netns.Create(l.prefix + n)
		if err != nil {
			t.Fatal(err)
		}
		l.ns[n] = h
	}
	l.connect("mx", "ge-1_0_0", "b1", "eth1")
	l.connect("mx", "ge-1_0_1", "f1", "eth1")
	l.connect("mx", "ge-1_0_2", "sw", "p0")
	l.connect("b2", "eth1", "sw", "p1")
	l.connect("f2", "eth1", "sw", "p2")
	l.ip("sw", "link", "add", "br0", "type", "bridge")
	for _, p := range []string{"p0", "p1", "p2"} {
		l.ip("sw", "link", "set", p, "master", "br0")
	}
	l.ip("sw", "link", "set", "br0", "up")
	for _, a := range []struct{ ns, eth, lo string }{
		{"b1", "10.0.1.2/30", "10.255.0.2/32"}, {"f1", "10.0.2.2/30", "10.255.0.3/32"},
		{"b2", "10.1.0.2/24", "10.255.0.4/32"}, {"f2", "10.1.0.3/24", "10.255.0.5/32"},
	} {
		l.ip(a.ns, "addr", "add", a.eth, "dev", "eth1")
		l.ip(a.ns, "addr", "add", a.lo, "dev", "lo")
	}
	return l
}

func (l *interop) connect(a, an, b, bn string) {
	if err := netns.Connect(l.ns[a], an, l.ns[b], bn); err != nil {
		l.t.Fatal(err)
	}
}

func (l *interop) ip(ns string, args ...string) string {
	l.t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", l.prefix + ns}, args...)...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("ip -n %s %v: %v: %s", ns, args, err, out)
	}
	return string(out)
}

// start runs a daemon in a namespace until the test ends.
func (l *interop) start(ns string, argv ...string) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", l.prefix + ns}, argv...)...)
	f, err := os.OpenFile(filepath.Join(l.dir, ns+".out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		l.t.Fatal(err)
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	l.procs = append(l.procs, cmd)
}

func (l *interop) close() {
	if l.t.Failed() {
		l.dump()
	}
	if l.mx != nil {
		l.mx.Stop()
	}
	for _, c := range l.procs {
		c.Process.Kill()
		c.Wait()
	}
	for _, h := range l.ns {
		h.Delete()
	}
}

// dump logs what the peers and mx say, to see why a check failed.
func (l *interop) dump() {
	if l.mx != nil {
		if in := l.mx.OSPF.Instance(""); in != nil {
			var b strings.Builder
			in.Do(context.Background(), func(in *ospf.Instance) {
				in.ShowInterfaces(&b, ospf.Detail, "")
				in.ShowNeighbors(&b, ospf.Brief, ospf.NeighborFilter{})
				in.ShowDatabase(&b, ospf.Brief, ospf.DBFilter{})
				in.ShowStatistics(&b)
			})
			l.t.Logf("mx:\n%s", b.String())
		}
	}
	for _, ns := range []string{"b1", "b2"} {
		out, _ := exec.Command("birdc", "-s", filepath.Join(l.dir, ns+".ctl"), "show", "ospf", "neighbors").CombinedOutput()
		log, _ := os.ReadFile(filepath.Join(l.dir, ns+".log"))
		stderr, _ := os.ReadFile(filepath.Join(l.dir, ns+".out"))
		l.t.Logf("%s:\n%s\n%s\n%s", ns, out, tail(string(log), 30), stderr)
	}
	for _, ns := range []string{"f1", "f2"} {
		dir := filepath.Join(l.dir, ns)
		out, _ := exec.Command("vtysh", "--vty_socket", dir, "-c", "show ip ospf neighbor", "-c", "show ip ospf interface").CombinedOutput()
		log, _ := os.ReadFile(filepath.Join(dir, "ospfd.log"))
		stderr, _ := os.ReadFile(filepath.Join(l.dir, ns+".out"))
		l.t.Logf("%s:\n%s\n%s\n%s", ns, out, tail(string(log), 30), stderr)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (l *interop) write(name, text string) string {
	p := filepath.Join(l.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// bird starts BIRD 2 in ns with an OSPF area (and its interface options).
func (l *interop) bird(ns, rid, area, ifopts, areaopts, extra string) string {
	sock := filepath.Join(l.dir, ns+".ctl")
	export := "none"
	if extra != "" {
		export = "where source = RTS_STATIC"
	}
	conf := l.write(ns+".conf", fmt.Sprintf(`router id %s;
log "%s/%s.log" all;
protocol device {}
protocol kernel { ipv4 { export all; import none; }; }
%s
protocol ospf v2 o1 {
  ipv4 { import all; export %s; };
  area %s {
    %s
    interface "eth1" { hello 1; dead 4; %s authentication cryptographic; password "secret" { id 1; algorithm keyed md5; }; };
    interface "lo" { stub yes; };
  };
}
`, rid, l.dir, ns, extra, export, area, areaopts, ifopts))
	l.start(ns, "bird", "-f", "-c", conf, "-s", sock, "-P", filepath.Join(l.dir, ns+".pid"))
	return sock
}

// frr starts zebra and ospfd in ns; they run as the frr user, so their
// directory is theirs.
func (l *interop) frr(ns, rid, area, ifopts, areaopts string) string {
	dir := filepath.Join(l.dir, ns)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		l.t.Fatal(err)
	}
	u, _ := user.Lookup("frr")
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	os.Chown(dir, uid, gid)
	zconf := l.write(ns+"/zebra.conf", "hostname "+ns+"\n")
	oconf := l.write(ns+"/ospfd.conf", fmt.Sprintf(`hostname %s
log file %s/ospfd.log
interface eth1
 ip ospf hello-interval 1
 ip ospf dead-interval 4
 ip ospf authentication message-digest
 ip ospf message-digest-key 1 md5 secret
%s
router ospf
 ospf router-id %s
 network 0.0.0.0/0 area %s
%s
`, ns, dir, ifopts, rid, area, areaopts))
	zs := filepath.Join(dir, "zserv.api")
	common := []string{"-z", zs, "--vty_socket", dir, "-u", "frr", "-g", "frr"}
	l.start(ns, append([]string{"/usr/lib/frr/zebra", "-f", zconf, "-i", dir + "/zebra.pid"}, common...)...)
	for range 100 {
		if _, err := os.Stat(zs); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.start(ns, append([]string{"/usr/lib/frr/ospfd", "-f", oconf, "-i", dir + "/ospfd.pid"}, common...)...)
	return dir
}

func (l *interop) router(cfg string) {
	lay, err := chassis.ParseLayout([]byte(mxLayout))
	if err != nil {
		l.t.Fatal(err)
	}
	r, err := router.New(router.Options{Name: "mx", Layout: lay, StateDir: l.t.TempDir(), Netns: l.ns["mx"]})
	if err != nil {
		l.t.Fatal(err)
	}
	if err := r.Start(context.Background(), cfg); err != nil {
		r.Stop()
		l.t.Fatal(err)
	}
	l.mx = r
}

// waitFor polls cond every 200 ms until it holds or timeout passes; it
// then fails with what cond last reported.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %s", what, why)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// lsdb is a database as "area type id adv seq checksum" lines.
type lsdb []string

func mxDB(in *ospf.Instance) lsdb {
	es, _ := in.Database(context.Background())
	var out lsdb
	for _, e := range es {
		if !e.MaxAge {
			out = append(out, fmt.Sprintf("%s %d %s %s %08x %04x", area(e.Area), e.Type, e.ID, e.Adv, uint32(e.Seq), e.Checksum))
		}
	}
	slices.Sort(out)
	return out
}

func area(a string) string {
	if a == "" {
		return "as"
	}
	return a
}

// birdDB parses "birdc show ospf lsadb".
func birdDB(sock string) lsdb {
	out, _ := exec.Command("birdc", "-s", sock, "show", "ospf", "lsadb").Output()
	var db lsdb
	scope := ""
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Area":
			scope = f[1]
		case len(f) == 1 && f[0] == "Global":
			scope = "as"
		case len(f) == 6 && len(f[0]) == 4 && f[0][0] == '0':
			t, err := strconv.ParseUint(f[0], 16, 16)
			age, _ := strconv.Atoi(f[4])
			if err != nil || age >= ospf.MaxAge {
				continue
			}
			ck, _ := strconv.ParseUint(f[5], 16, 16)
			db = append(db, fmt.Sprintf("%s %d %s %s %s %04x", scope, t, f[1], f[2], f[3], ck))
		}
	}
	slices.Sort(db)
	return db
}

// frrDB parses "show ip ospf database json".
func frrDB(dir string) lsdb {
	out, _ := exec.Command("vtysh", "--vty_socket", dir, "-c", "show ip ospf database json").Output()
	var doc struct {
		Areas    map[string]map[string]json.RawMessage `json:"areas"`
		External []frrLSA                              `json:"asExternalLinkStates"`
	}
	if json.Unmarshal(out, &doc) != nil {
		return nil
	}
	types := map[string]int{"routerLinkStates": 1, "networkLinkStates": 2, "summaryLinkStates": 3,
		"asbrSummaryLinkStates": 4, "nssaExternalLinkStates": 7}
	var db lsdb
	add := func(scope string, t int, ls []frrLSA) {
		for _, l := range ls {
			if l.Age < ospf.MaxAge {
				ck, _ := strconv.ParseUint(l.Checksum, 16, 16)
				db = append(db, fmt.Sprintf("%s %d %s %s %s %04x", scope, t, l.ID, l.Adv, l.Seq, ck))
			}
		}
	}
	for a, kinds := range doc.Areas {
		for k, raw := range kinds {
			if t, ok := types[k]; ok {
				var ls []frrLSA
				json.Unmarshal(raw, &ls)
				add(a, t, ls)
			}
		}
	}
	add("as", 5, doc.External)
	slices.Sort(db)
	return db
}

type frrLSA struct {
	ID       string `json:"lsId"`
	Adv      string `json:"advertisedRouter"`
	Age      int    `json:"lsaAge"`
	Seq      string `json:"sequenceNumber"`
	Checksum string `json:"checksum"`
}

func (db lsdb) scope(s ...string) lsdb {
	var out lsdb
	for _, l := range db {
		for _, p := range s {
			if strings.HasPrefix(l, p+" ") {
				out = append(out, l)
			}
		}
	}
	return out
}

// kernelRoute reports whether a namespace's main table has a route for p.
func (l *interop) kernelRoute(ns, p string) bool {
	out, err := exec.Command("ip", "-n", l.prefix+ns, "route", "show", p).Output()
	return err == nil && strings.TrimSpace(string(out)) != ""
}

func mxRoute(r *router.Router, p string) string {
	rib := r.Routing.RIB()
	for _, d := range rib.Tables[0].Dests {
		if d.Prefix == netip.MustParsePrefix(p) {
			for _, rt := range d.Routes {
				if rt.Active && rt.Protocol == routing.OSPF {
					return rt.Hops[0].Gateway.String()
				}
			}
		}
	}
	return ""
}

const mxConfig = `set system host-name mx
set interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30
set interfaces ge-1/0/1 unit 0 family inet address 10.0.2.1/30
set interfaces ge-1/0/2 unit 0 family inet address 10.1.0.1/24
set interfaces lo0 unit 0 family inet address 10.255.0.1/32
set routing-options router-id 10.255.0.1
set routing-options static route 172.16.0.0/24 discard
set policy-options policy-statement ex term 1 from protocol static
set policy-options policy-statement ex term 1 then accept
set protocols ospf export ex
set protocols ospf area 0 interface lo0.0 passive
set protocols ospf area 0 interface ge-1/0/0.0 interface-type p2p
set protocols ospf area 0 interface ge-1/0/1.0 interface-type p2p
set protocols ospf area 1 stub default-metric 10
set protocols ospf area 1 interface ge-1/0/2.0
`

func authLines(ifl string) string {
	return fmt.Sprintf("set protocols ospf area %s interface %s hello-interval 1 dead-interval 4 authentication md5 1 key secret\n",
		map[bool]string{true: "1", false: "0"}[ifl == "ge-1/0/2.0"], ifl)
}

// TestInteropBIRDFRR: adjacencies Full over point-to-point and broadcast
// links with MD5, in area 0 and a stub area; routes both ways; the same
// databases everywhere.
func TestInteropBIRDFRR(t *testing.T) {
	l := newInterop(t)
	b1 := l.bird("b1", "10.255.0.2", "0", "type ptp;", "", "protocol static { ipv4; route 172.16.2.0/24 blackhole; }")
	b2 := l.bird("b2", "10.255.0.4", "1", "type broadcast;", "stub yes;", "")
	f1 := l.frr("f1", "10.255.0.3", "0", " ip ospf network point-to-point", "")
	f2 := l.frr("f2", "10.255.0.5", "1", "", " area 1 stub")
	cfg := mxConfig
	for _, i := range []string{"ge-1/0/0.0", "ge-1/0/1.0", "ge-1/0/2.0"} {
		cfg += authLines(i)
	}
	l.router(cfg)
	in := l.mx.OSPF.Instance("")
	if in == nil {
		t.Fatal("no OSPF instance")
	}
	waitFor(t, "four Full neighbors on mx", 40*time.Second, func() (bool, string) {
		ns, _ := in.Neighbors(context.Background())
		full := 0
		for _, n := range ns {
			if strings.HasSuffix(n, "Full") {
				full++
			}
		}
		return full == 4, fmt.Sprint(ns)
	})
	waitFor(t, "routes on mx", 20*time.Second, func() (bool, string) {
		want := map[string]string{"10.255.0.2/32": "10.0.1.2", "10.255.0.3/32": "10.0.2.2", "10.255.0.4/32": "10.1.0.2",
			"10.255.0.5/32": "10.1.0.3", "172.16.2.0/24": "10.0.1.2"}
		for p, gw := range want {
			if got := mxRoute(l.mx, p); got != gw {
				return false, fmt.Sprintf("%s via %q, want %s", p, got, gw)
			}
		}
		return true, ""
	})
	waitFor(t, "routes on the neighbors", 20*time.Second, func() (bool, string) {
		for _, c := range []struct {
			ns, p string
			want  bool
		}{
			{"b1", "10.255.0.3", true}, {"b1", "10.255.0.5", true}, {"b1", "172.16.0.0/24", true},
			{"f1", "10.255.0.2", true}, {"f1", "10.255.0.4", true}, {"f1", "172.16.2.0/24", true},
			{"b2", "0.0.0.0/0", true}, {"b2", "10.255.0.2", true}, {"b2", "172.16.2.0/24", false},
			{"f2", "0.0.0.0/0", true}, {"f2", "10.255.0.3", true}, {"f2", "172.16.0.0/24", false},
		} {
			if l.kernelRoute(c.ns, c.p) != c.want {
				return false, fmt.Sprintf("%s: route %s present=%v", c.ns, c.p, !c.want)
			}
		}
		return true, ""
	})
	waitFor(t, "equal databases", 20*time.Second, func() (bool, string) {
		mx := mxDB(in)
		for _, c := range []struct {
			who    string
			db     lsdb
			scopes []string
		}{
			{"b1", birdDB(b1), []string{"0.0.0.0", "as"}},
			{"f1", frrDB(f1), []string{"0.0.0.0", "as"}},
			{"b2", birdDB(b2), []string{"0.0.0.1"}},
			{"f2", frrDB(f2), []string{"0.0.0.1"}},
		} {
			if got, want := c.db.scope(c.scopes...), mx.scope(c.scopes...); !slices.Equal(got, want) {
				return false, fmt.Sprintf("%s has\n%s\nmx has\n%s", c.who, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		return true, ""
	})
}
