package ui

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"mxlab/lab"
	"mxlab/netns"
	"mxlab/router"
)

// needRoot skips tests that create namespaces when this process cannot.
func needRoot(tb testing.TB) {
	tb.Helper()
	if err := netns.Available(); err != nil {
		tb.Skipf("skipping: %v", err)
	}
}

// startLab starts the lab of a topology file under a name of this process
// (so that test runs never meet) and stops it at the end of the test.
func startLab(t testing.TB, file, name string) *lab.Lab {
	t.Helper()
	needRoot(t)
	topo, err := lab.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	topo.Name = fmt.Sprintf("%s%d", name, os.Getpid())
	l, err := lab.Up(context.Background(), topo, lab.Options{RunDir: privateDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// syncBuffer is a log written by the server and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is a server running for a test.
type served struct {
	base  string // http://127.0.0.1:PORT
	token string
	log   *syncBuffer
	srv   *Server
}

func (s *served) url() string { return s.base + "/?token=" + s.token }

// serve runs the page of l on a loopback port until the end of the test.
func serve(t testing.TB, l Lab, o Options) *served {
	t.Helper()
	ln, err := Listen("", false)
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	s, err := New(l, ln, log, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return &served{base: "http://" + ln.Addr().String(), token: s.token, log: log, srv: s}
}

func e2File(t testing.TB) string {
	p, err := filepath.Abs("../../demos/e2-site-secure-manual/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrowserE2 drives the page of the E2 lab in Chromium: the drawing
// against the topology, r1's CLI in a console, and r1's MS PIC taken
// offline from a second console, seen on the page within 2 s.
func TestBrowserE2(t *testing.T) {
	chromium(t)
	l := startLab(t, e2File(t), "uie2")
	s := serve(t, l, Options{})
	b := newBrowser(t)
	b.navigate(s.url())
	var href string
	b.value(`location.href`, &href)
	if strings.Contains(href, "token") {
		t.Errorf("the token stays in the address bar: %s", href)
	}

	// The drawing: every node and link of the topology, with port names.
	topo := l.Topology()
	b.waitFor("the topology", fmt.Sprintf(`document.querySelectorAll("#nodes g.node").length === %d && document.querySelectorAll("#links g.link").length === %d`, len(topo.Nodes), len(topo.Links)), 10*time.Second)
	var nodes []struct{ ID, Class string }
	b.value(`[...document.querySelectorAll("#nodes g.node")].map(g => ({ID: g.id, Class: g.getAttribute("class")}))`, &nodes)
	want := map[string]string{}
	for _, n := range topo.Nodes {
		kind := "router"
		if n.Kind == lab.KindHost {
			kind = "host"
		}
		want["node-"+n.Name] = kind
	}
	for _, n := range nodes {
		if k, ok := want[n.ID]; !ok || !strings.Contains(n.Class, k) {
			t.Errorf("drawn node %s (%s); topology %v", n.ID, n.Class, want)
		}
		delete(want, n.ID)
	}
	if len(want) > 0 {
		t.Errorf("nodes not drawn: %v", want)
	}
	var links []struct{ A, B, PA, PB string }
	b.value(`[...document.querySelectorAll("#links g.link")].map(g => ({A: g.dataset.a, B: g.dataset.b, PA: g.querySelector(".port-a").textContent, PB: g.querySelector(".port-b").textContent}))`, &links)
	if len(links) != len(topo.Links) {
		t.Fatalf("drawn links %+v; topology %+v", links, topo.Links)
	}
	for i, k := range topo.Links {
		d := links[i]
		if d.A != k.A.String() || d.B != k.B.String() || d.PA != k.A.Port || d.PB != k.B.Port {
			t.Errorf("link %d drawn %+v; topology %s -- %s", i, d, k.A, k.B)
		}
	}
	// Live state: links up, r1's MS PIC with its SAs, no alarm.
	b.waitFor("links up", `[...document.querySelectorAll("#links g.link")].every(g => g.classList.contains("up"))`, 5*time.Second)
	saBadge := `document.querySelector("#node-r1 .badge-sa")`
	b.waitFor("r1's SA badge", saBadge+` !== null && `+saBadge+`.textContent === "ms-4/0/0: 2 SA, 1 tunnel"`, 5*time.Second)
	var none bool
	b.value(`document.querySelector("#node-r1 .badge-alarm") === null && document.querySelector("#node-r1 .badge-ospf") === null`, &none)
	if !none {
		t.Error("r1 shows an alarm or an OSPF badge")
	}
	b.screenshot(t, "1-topology")

	// r1's CLI: select r1, open its console, type a command, read the reply.
	b.click("#node-r1 .box", 1)
	b.waitFor("r1's details", `document.querySelector("button.open-console") !== null`, 5*time.Second)
	b.click("button.open-console", 1)
	term1 := `mxlabConsoles["console-1"].text()`
	b.waitFor("r1's prompt", term1+`.endsWith("lab@R1>")`, 10*time.Second)
	b.typeText("show services ipsec-vpn ipsec security-associations\r")
	b.waitFor("the SAs", term1+`.includes("outbound  16000") && `+term1+`.trimEnd().endsWith("lab@R1>")`, 10*time.Second)
	var text string
	b.value(term1, &text)
	for _, w := range []string{"Service set: ss-vpn", "Rule: rule-manual, Term: t1, Tunnel index: 1", "inbound   16000", "outbound  16000"} {
		if !strings.Contains(text, w) {
			t.Errorf("console 1 lacks %q:\n%s", w, text)
		}
	}
	b.screenshot(t, "2-console")

	// The line editor's backspace, the pager and Ctrl-C in the page's terminal.
	more := `/---\(more \d+%\)---$/.test(` + term1 + `.trimEnd())`
	b.typeText("show verz\bsion\r")
	b.waitFor("show version", term1+`.includes("lab@R1> show version\n") && `+term1+`.includes("Junos: 24.4R1.9") && `+more, 10*time.Second)
	for pages := 0; ; pages++ { // space: the next screen
		var ok bool
		b.value(more, &ok)
		if !ok {
			break
		}
		if pages > 20 {
			t.Fatal("the pager does not end")
		}
		b.typeText(" ")
		time.Sleep(100 * time.Millisecond)
	}
	b.waitFor("the end of show version", term1+`.includes("JUNOS Services IPSec") && `+term1+`.trimEnd().endsWith("lab@R1>") && !`+term1+`.includes("---(more")`, 10*time.Second)
	b.typeText("show interfaces terse\r")
	b.waitFor("the pager", more, 10*time.Second)
	b.typeText("q")
	b.waitFor("the prompt after q", term1+`.trimEnd().endsWith("lab@R1>") && !`+term1+`.includes("---(more")`, 10*time.Second)
	b.typeText("ping 10.0.1.2\r")
	b.waitFor("replies", term1+`.includes("bytes from 10.0.1.2")`, 10*time.Second)
	b.typeText("\x03")
	b.waitFor("ping stopped by Ctrl-C", term1+`.includes("packets transmitted") && `+term1+`.trimEnd().endsWith("lab@R1>")`, 10*time.Second)

	// A second console takes r1's MS PIC offline: the badge and the alarm
	// follow within 2 s.
	b.click("button.open-console", 1)
	term2 := `mxlabConsoles["console-2"].text()`
	b.waitFor("the second prompt", term2+`.endsWith("lab@R1>")`, 10*time.Second)
	b.typeText("request chassis pic offline fpc-slot 4 pic-slot 0")
	start := time.Now()
	b.typeText("\r")
	b.waitFor("the PIC offline on the page", saBadge+`.textContent === "ms-4/0/0: offline" && document.querySelector("#node-r1 .badge-alarm") !== null && document.querySelector("#node-r1 .badge-alarm").textContent === "1 alarm (Minor)"`, 2*time.Second)
	t.Logf("PIC offline seen on the page %v after Enter", time.Since(start).Round(time.Millisecond))
	b.value(term2, &text)
	if !strings.Contains(text, "fpc 4 pic 0 offline initiated") {
		t.Errorf("console 2:\n%s", text)
	}
	b.click("#node-r1 .box", 1)
	b.waitFor("the alarm in r1's details", `document.querySelector("#details").textContent.includes("FPC 4 PIC 0 offline")`, 2*time.Second)
	b.screenshot(t, "3-pic-offline")

	// A commit from the page's console shows as an event with its change.
	b.click("#console-2 .bar .title", 1)
	b.typeText("configure\rset interfaces ge-1/0/0 description LAN\rcommit comment \"from the page\"\r")
	start = time.Now()
	b.waitFor("the commit event", `[...document.querySelectorAll("#events li")].some(li => li.textContent.includes("r1 lab committed \u201cfrom the page\u201d") && li.querySelector("pre.diff").textContent.includes("+    description LAN;"))`, 5*time.Second)
	t.Logf("commit seen on the page %v after Enter", time.Since(start).Round(time.Millisecond))
	b.screenshot(t, "4-commit")
	if logged := s.log.String(); logged != "" {
		t.Errorf("the server logged: %s", logged)
	}
}

// dialConsole opens a console WebSocket on a node.
func dialConsole(t *testing.T, s *served, query string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+s.base[4:]+"/ws/console?"+query, &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {s.cookie()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// termReader collects what a console WebSocket sends.
type termReader struct {
	t    *testing.T
	c    *websocket.Conn
	out  strings.Builder
	err  error // why the reads ended
	done bool
}

// waitFor reads until the output holds want count times.
func (r *termReader) waitFor(want string, count int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for strings.Count(r.out.String(), want) < count {
		if r.done {
			r.t.Fatalf("console ended (%v) before %q x%d:\n%s", r.err, want, count, r.out.String())
		}
		_, data, err := r.c.Read(ctx)
		if err != nil {
			r.err, r.done = err, true
			continue
		}
		r.out.Write(data)
	}
}

// end reads until the console ends.
func (r *termReader) end() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !r.done {
		_, data, err := r.c.Read(ctx)
		if err != nil {
			r.err, r.done = err, true
		}
		r.out.Write(data)
	}
}

func (r *termReader) send(s string) {
	r.t.Helper()
	if err := r.c.Write(context.Background(), websocket.MessageBinary, []byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// TestHostConsole runs a shell in h1's namespace over the console
// WebSocket: its window size follows the page, its commands see h1's
// interfaces, and exit ends the WebSocket.
func TestHostConsole(t *testing.T) {
	l := startLab(t, e2File(t), "uish")
	s := serve(t, l, Options{})
	r := &termReader{t: t, c: dialConsole(t, s, "node=h1&cols=90&rows=20")}
	r.waitFor("h1:", 1)
	r.send("stty size; ip -o -4 addr show dev eth1\r")
	r.waitFor("20 90\r\n", 1)
	r.waitFor("172.16.0.10/16", 1)
	if err := r.c.Write(context.Background(), websocket.MessageText, []byte(`{"cols":132,"rows":40}`)); err != nil {
		t.Fatal(err)
	}
	// The size applies to what the shell runs after it: ask until a run
	// sees it (the first one does, unless the machine is very busy).
	for i := 0; !strings.Contains(r.out.String(), "40 132\r\n"); i++ {
		if i == 10 {
			t.Fatalf("the shell never saw the new size:\n%s", r.out.String())
		}
		prompts := strings.Count(r.out.String(), "h1:")
		r.send("stty size\r")
		r.waitFor("h1:", prompts+1)
	}
	r.send("exit\r")
	r.end()
	if websocket.CloseStatus(r.err) != websocket.StatusNormalClosure || !strings.Contains(r.err.Error(), "shell exited") {
		t.Errorf("console ended with %v", r.err)
	}

	// A shell whose page goes is hung up.
	r = &termReader{t: t, c: dialConsole(t, s, "node=h2")}
	r.waitFor("h2:", 1)
	r.send("echo pid=$$\r")
	r.waitFor("h2:", 2)
	var pid int
	if _, after, ok := strings.Cut(r.out.String(), "\rpid="); ok {
		fmt.Sscanf(after, "%d", &pid)
	}
	if pid <= 1 {
		t.Fatalf("no pid in %q", r.out.String())
	}
	r.c.Close(websocket.StatusNormalClosure, "")
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	for {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			t.Logf("shell gone %v after its page", time.Since(start))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shell %d outlived its page", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRouterConsoleClose: a CLI session ends when its page goes, and
// "show system users" lists it while it runs, from the page's address.
func TestRouterConsoleClose(t *testing.T) {
	l := startLab(t, e2File(t), "uicl")
	s := serve(t, l, Options{})
	r1 := l.Router("r1")
	r := &termReader{t: t, c: dialConsole(t, s, "node=r1&user=alice&cols=100&rows=30")}
	r.waitFor("alice@R1> ", 1)
	r.send("show system users\r")
	r.waitFor("alice@R1> ", 2)
	if !strings.Contains(r.out.String(), "127.0.0.1") {
		t.Errorf("show system users:\n%s", r.out.String())
	}
	if n := len(r1.Logins()); n != 1 {
		t.Errorf("%d logins", n)
	}
	r.c.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for len(r1.Logins()) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the session outlived its page: %v", r1.Logins())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCapture captures the E2 WAN link while h1 pings h2: the pcap holds
// the ESP packets, and tshark decrypts them with the page's esp_sa file.
func TestCapture(t *testing.T) {
	l := startLab(t, e2File(t), "uicap")
	s := serve(t, l, Options{})
	type result struct {
		status int
		body   string
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", s.base+"/capture?link=1&seconds=3", nil)
		req.Header.Set("Cookie", s.cookie())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{0, err.Error()}
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `-r1-ge-1_0_1-`) || !strings.HasSuffix(cd, `.pcap"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		got <- result{resp.StatusCode, string(body)}
	}()
	time.Sleep(500 * time.Millisecond) // the capture is open
	ping := exec.Command("ip", "netns", "exec", l.Topology().Namespace("h1"), "ping", "-c", "3", "-i", "0.2", "-W", "2", "192.168.0.10")
	if out, err := ping.CombinedOutput(); err != nil {
		t.Fatalf("ping: %v\n%s", err, out)
	}
	res := <-got
	if res.status != 200 {
		t.Fatalf("capture: %d %s", res.status, res.body)
	}
	esp := 0
	for _, frame := range pcapFrames(t, []byte(res.body)) {
		if len(frame) > 23 && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == 50 {
			esp++
		}
	}
	if esp != 6 {
		t.Errorf("%d ESP frames in the capture, want 6 (3 echo requests and replies)", esp)
	}
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("skipping the decryption: tshark is not installed")
	}
	code, keys, _ := s.get(t, "/keys", http.Header{"Cookie": {s.cookie()}})
	if code != 200 || len(lines(keys)) != 2 {
		t.Fatalf("keys: %d\n%s", code, keys)
	}
	file := filepath.Join(t.TempDir(), "wan.pcap")
	if err := os.WriteFile(file, []byte(res.body), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-n", "-r", file, "-o", "esp.enable_encryption_decode:TRUE", "-Y", "icmp"}
	for _, k := range lines(keys) {
		args = append(args, "-o", "uat:esp_sa:"+k)
	}
	out, err := exec.Command(tshark, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "Echo (ping) request"); n != 3 {
		t.Errorf("tshark decrypted %d echo requests, want 3:\n%s", n, out)
	}
}

// pcapFrames reads the frames of a pcap written by writePcapRecord.
func pcapFrames(t *testing.T, data []byte) [][]byte {
	t.Helper()
	if len(data) < pcapHeaderLen || binary.LittleEndian.Uint32(data) != 0xa1b2c3d4 || binary.LittleEndian.Uint32(data[20:]) != linkEthernet {
		t.Fatalf("not a pcap: % x", data[:min(len(data), 24)])
	}
	var out [][]byte
	for rest := data[pcapHeaderLen:]; len(rest) > 0; {
		if len(rest) < pcapRecordLen {
			t.Fatalf("a truncated record header")
		}
		n := int(binary.LittleEndian.Uint32(rest[8:]))
		if len(rest) < pcapRecordLen+n {
			t.Fatalf("a truncated frame")
		}
		out = append(out, rest[pcapRecordLen:pcapRecordLen+n])
		rest = rest[pcapRecordLen+n:]
	}
	return out
}

// TestOSPFBadge follows the OSPF adjacency of two routers on the state
// WebSocket until it is Full, and checks it against "show ospf neighbor".
func TestOSPFBadge(t *testing.T) {
	l := startLab(t, "testdata/ospf2/topology.yaml", "uiospf")
	s := serve(t, l, Options{})
	c := dialState(t, s)
	var adj []Adjacency
	readUntil(t, c, 30*time.Second, "r2's adjacency Full", func(typ string, data []byte) bool {
		var m stateMsg
		json.Unmarshal(data, &m)
		if typ != "state" || m.Nodes["r2"] == nil || len(m.Nodes["r2"].OSPF) != 1 {
			return false
		}
		adj = m.Nodes["r2"].OSPF
		return adj[0].State == "Full"
	})
	if a := adj[0]; a.Neighbor != "10.0.0.1" || a.Address != "10.1.12.1" || a.Interface != "ge-1/0/0.0" {
		t.Errorf("adjacency %+v", a)
	}
	var out strings.Builder
	sh, done := l.Router("r2").NewShell(router.ShellOptions{In: strings.NewReader(""), Out: &out, User: "lab", Line: l.NewLine()})
	sh.RunCommands(context.Background(), "show ospf neighbor")
	done()
	for _, a := range adj {
		line := fmt.Sprintf("%-16s %-22s %-9s %-16s", a.Address, a.Interface, a.State, a.Neighbor)
		if !strings.Contains(out.String(), line) {
			t.Errorf("adjacency %+v is not in show ospf neighbor:\n%s", a, out.String())
		}
	}
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
