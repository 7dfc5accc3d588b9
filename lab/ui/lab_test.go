package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mxlab/lab"
	"mxlab/netns"
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
	l, err := lab.Up(context.Background(), topo, lab.Options{RunDir: t.TempDir()})
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
	if err := b.eval(`document.querySelector("#node-r1 .badge-alarm") === null`, new(bool)); err != nil {
		t.Fatal(err)
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
	if logged := s.log.String(); logged != "" {
		t.Errorf("the server logged: %s", logged)
	}
}
