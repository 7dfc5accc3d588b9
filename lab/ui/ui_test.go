package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"mxlab/lab"
	"mxlab/netns"
	"mxlab/router"
)

// fakeLab is the E2 lab's topology with its routers running without
// namespaces: everything but link states, host shells and captures.
type fakeLab struct {
	topo    *lab.Topology
	routers map[string]*router.Router
	mu      sync.Mutex
	lines   int
}

func (f *fakeLab) Topology() *lab.Topology             { return f.topo }
func (f *fakeLab) Router(name string) *router.Router   { return f.routers[name] }
func (f *fakeLab) Namespace(node string) *netns.Handle { return nil }
func (f *fakeLab) NewLine() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines++
	return fmt.Sprintf("p%d", f.lines-1)
}

func newFakeLab(t testing.TB) *fakeLab {
	t.Helper()
	topo, err := lab.Load(e2File(t))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeLab{topo: topo, routers: map[string]*router.Router{}}
	for _, n := range topo.Nodes {
		if n.Kind != lab.KindRouter {
			continue
		}
		r, err := router.New(router.Options{Name: n.Name, Layout: n.Layout, StateDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Stop)
		if err := r.Start(context.Background(), n.Config); err != nil {
			t.Fatal(err)
		}
		f.routers[n.Name] = r
	}
	return f
}

// get requests path with the given cookie and headers; it returns the
// status and body.
func (s *served) get(t *testing.T, path string, header http.Header) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSwitchingProtocols { // a WebSocket: its body never ends
		return resp.StatusCode, "", resp.Header
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (s *served) cookie() string {
	return "mxlab_ui_" + s.base[strings.LastIndexByte(s.base, ':')+1:] + "=" + s.token
}

// TestAccess: no token, a wrong token, a foreign Host or a foreign origin
// are refused; wrong tokens and foreign hosts and origins are logged.
func TestAccess(t *testing.T) {
	s := serve(t, newFakeLab(t), Options{})
	host := s.base[len("http://"):]
	port := host[strings.LastIndexByte(host, ':')+1:]
	good := http.Header{"Cookie": {s.cookie()}}
	for _, tc := range []struct {
		name   string
		path   string
		header http.Header
		status int
		logged string // a line of the log, "" for none
	}{
		{"no token", "/", nil, 403, ""},
		{"no token, state", "/ws/state", nil, 403, ""},
		{"no token, capture", "/capture?link=0", nil, 403, ""},
		{"no token, keys", "/keys", nil, 403, ""},
		{"wrong token", "/?token=nope", nil, 403, "refused GET / from 127.0.0.1:"},
		{"wrong cookie", "/app.js", http.Header{"Cookie": {"mxlab_ui_" + port + "=nope"}}, 403, "refused GET /app.js from 127.0.0.1:"},
		{"other port's cookie", "/", http.Header{"Cookie": {"mxlab_ui_1=" + s.token}}, 403, ""},
		{"token", "/?token=" + s.token, nil, 303, ""},
		{"token for a file", "/app.js?token=" + s.token, nil, 200, ""},
		{"cookie", "/", good, 200, ""},
		{"keys", "/keys", good, 200, ""},
		{"foreign host", "/", http.Header{"Cookie": {s.cookie()}, "Host": {"evil.example:" + port}}, 403, `Host "evil.example:` + port + `" is not a loopback name`},
		{"localhost", "/", http.Header{"Cookie": {s.cookie()}, "Host": {"localhost:" + port}}, 200, ""},
		{"foreign origin", "/ws/state", http.Header{"Cookie": {s.cookie()}, "Origin": {"http://evil.example"}, "Connection": {"Upgrade"}, "Upgrade": {"websocket"},
			"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}, 403, "WebSocket from origin http://evil.example"},
		{"own origin", "/ws/state", http.Header{"Cookie": {s.cookie()}, "Origin": {"http://" + host}, "Connection": {"Upgrade"}, "Upgrade": {"websocket"},
			"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}, 101, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.log.String()
			h := tc.header.Clone()
			if hv := h.Get("Host"); hv != "" {
				h.Del("Host")
				defer func(b string) { s.base = b }(s.base)
				s.base = "http://" + host
				status, body, _ := s.getHost(t, tc.path, hv, h)
				check(t, status, body, tc.status)
			} else {
				status, body, hdr := s.get(t, tc.path, h)
				check(t, status, body, tc.status)
				if tc.status == 303 {
					if loc := hdr.Get("Location"); loc != "/" {
						t.Errorf("redirect to %q", loc)
					}
					if c := hdr.Get("Set-Cookie"); !strings.Contains(c, s.cookie()) || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
						t.Errorf("cookie %q", c)
					}
				}
			}
			added := strings.TrimPrefix(s.log.String(), before)
			if tc.logged == "" && added != "" {
				t.Errorf("logged %q", added)
			}
			if tc.logged != "" && !strings.Contains(added, tc.logged) {
				t.Errorf("logged %q, want a line with %q", added, tc.logged)
			}
			if strings.Contains(added, "nope") || strings.Contains(added, s.token) {
				t.Errorf("a token in the log: %q", added)
			}
		})
	}
}

func check(t *testing.T, status int, body string, want int) {
	t.Helper()
	if status != want {
		t.Errorf("status %d, want %d (%s)", status, want, body)
	}
}

// getHost requests path with another Host header.
func (s *served) getHost(t *testing.T, path, host string, header http.Header) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSwitchingProtocols { // a WebSocket: its body never ends
		return resp.StatusCode, "", resp.Header
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

// TestListen: loopback by default; another address only when public.
func TestListen(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
		ok     bool
	}{
		{"", false, true},
		{"0", false, true},
		{"127.0.0.1:0", false, true},
		{"localhost:0", false, true},
		{":0", false, false},
		{"0.0.0.0:0", false, false},
		{"192.0.2.1:0", false, false},
		{"0.0.0.0:0", true, true},
		{"nonsense", false, false},
	} {
		ln, err := Listen(tc.addr, tc.public)
		if (err == nil) != tc.ok {
			t.Errorf("Listen(%q, %v): %v", tc.addr, tc.public, err)
		}
		if err == nil {
			if a := ln.Addr().String(); !tc.public && !strings.HasPrefix(a, "127.0.0.1:") {
				t.Errorf("Listen(%q) listens on %s", tc.addr, a)
			}
			ln.Close()
		}
	}
}

// TestServePublic: Serve says what a page beyond loopback exposes.
func TestServePublic(t *testing.T) {
	ln, err := Listen("0.0.0.0:0", true)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Serve(ctx, newFakeLab(t), ln, out, Options{}) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "root shells") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	got := out.String()
	if !strings.Contains(got, "web page of lab e2: http://") || !strings.Contains(got, "/?token=") ||
		!strings.Contains(got, "beyond this machine") || !strings.Contains(got, "root shells") {
		t.Errorf("Serve printed:\n%s", got)
	}
}

// TestLogLimit: a flood of wrong tokens is logged five lines at a time.
func TestLogLimit(t *testing.T) {
	now := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	l := newLogger(&b, func() time.Time { return now })
	r, _ := http.NewRequest("GET", "/?token=x", nil)
	r.RemoteAddr = "192.0.2.7:4000"
	for range 20 {
		l.refused(r, "wrong token")
	}
	now = now.Add(logPeriod)
	l.refused(r, "wrong token")
	want := strings.Repeat("2026-12-06 04:00:00 web page: refused GET / from 192.0.2.7:4000: wrong token\n", 5) +
		"2026-12-06 04:00:10 web page: 15 more requests refused\n" +
		"2026-12-06 04:00:10 web page: refused GET / from 192.0.2.7:4000: wrong token\n"
	if b.String() != want {
		t.Errorf("log\n%s\nwant\n%s", b.String(), want)
	}
}

// dialState opens the state WebSocket as the page does.
func dialState(t *testing.T, s *served) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+s.base[4:]+"/ws/state", &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {s.cookie()}}})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(8 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// readUntil reads messages until match accepts one, for at most d.
func readUntil(t *testing.T, c *websocket.Conn, d time.Duration, what string, match func(typ string, data []byte) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		var m struct{ Type string }
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("message %q: %v", data, err)
		}
		if match(m.Type, data) {
			return
		}
	}
}

// TestStateAndCommits follows the E2 routers (without namespaces) over the
// state WebSocket: the topology, the cards and services, an alarm when a
// PIC goes offline, and a commit with its change.
func TestStateAndCommits(t *testing.T) {
	f := newFakeLab(t)
	s := serve(t, f, Options{Interval: 100 * time.Millisecond})
	c := dialState(t, s)
	readUntil(t, c, 5*time.Second, "the topology", func(typ string, data []byte) bool {
		if typ != "topology" {
			t.Fatalf("first message %s", data)
		}
		var m topoMsg
		json.Unmarshal(data, &m)
		if m.Lab != "e2" || len(m.Nodes) != 4 || len(m.Links) != 3 {
			t.Errorf("topology %+v", m)
		}
		if m.Nodes[2].Name != "r1" || m.Nodes[2].Kind != "mx" || m.Nodes[2].Model != "mx480" || m.Links[1].A != (endpoint{"r1", "ge-1/0/1"}) {
			t.Errorf("topology %+v", m)
		}
		return true
	})
	readUntil(t, c, 5*time.Second, "r1's MS PIC", func(typ string, data []byte) bool {
		var m stateMsg
		json.Unmarshal(data, &m)
		r1 := m.Nodes["r1"]
		if typ != "state" || r1 == nil || len(r1.Services) != 1 {
			return false
		}
		if p := r1.Services[0]; p.Name != "ms-4/0/0" || !p.Online || p.Sets != 1 {
			t.Errorf("r1 services %+v", r1.Services)
		}
		if len(r1.Cards) != 2 || r1.Cards[1].Slot != 4 || r1.Cards[1].State != "Online" || r1.Cards[1].PICs[0].State != "Online" {
			t.Errorf("r1 cards %+v", r1.Cards)
		}
		if len(r1.Alarms) != 0 || len(m.Links) != 3 || m.Links[0].Known {
			t.Errorf("state %s", data)
		}
		return true
	})
	if _, err := f.routers["r1"].Chassis.PICOnline(4, 0, false); err != nil {
		t.Fatal(err)
	}
	readUntil(t, c, 5*time.Second, "the PIC offline", func(typ string, data []byte) bool {
		var m stateMsg
		json.Unmarshal(data, &m)
		r1 := m.Nodes["r1"]
		return typ == "state" && r1 != nil && len(r1.Alarms) == 1 && r1.Alarms[0].Desc == "FPC 4 PIC 0 offline" &&
			r1.Alarms[0].Class == "Minor" && r1.Cards[1].PICs[0].State == "Offline" && len(r1.Services) == 1 && !r1.Services[0].Online
	})
	sh, done := f.routers["r2"].NewShell(router.ShellOptions{In: strings.NewReader(""), Out: io.Discard, User: "alice", Line: f.NewLine()})
	if sh.RunCommands(context.Background(), `configure; set interfaces ge-0/0/0 description "to h2"; commit comment "describe the LAN"`) {
		t.Fatal("commit failed")
	}
	done()
	readUntil(t, c, 5*time.Second, "the commit", func(typ string, data []byte) bool {
		if typ != "event" {
			return false
		}
		var m eventMsg
		json.Unmarshal(data, &m)
		e := m.Event
		if e.Router != "r2" || e.User != "alice" || e.Via != "cli" || e.Comment != "describe the LAN" || time.Since(e.Time) > time.Minute ||
			e.Diff != "[edit interfaces ge-0/0/0]\n+    description \"to h2\";\n" {
			t.Errorf("event %+v", e)
		}
		return true
	})
	// A page that opens later gets the commit too.
	c2 := dialState(t, s)
	readUntil(t, c2, 5*time.Second, "the commit on a new page", func(typ string, data []byte) bool {
		return typ == "event" && strings.Contains(string(data), "describe the LAN")
	})
}

// TestClientQueue: a state waiting to be sent is replaced by a newer one;
// events queue in order; a page that reads nothing is closed.
func TestClientQueue(t *testing.T) {
	c := newClient()
	c.send([]byte("topo"), false)
	c.send([]byte("s1"), true)
	c.send([]byte("e1"), false)
	c.send([]byte("s2"), true)
	msgs, closed := c.next()
	if got := string(bytes.Join(msgs, []byte(","))); got != "topo,s2,e1" || closed {
		t.Errorf("next: %s %v", got, closed)
	}
	for i := range maxQueue + 1 {
		c.send([]byte(fmt.Sprint(i)), false)
	}
	if msgs, closed := c.next(); len(msgs) != maxQueue || !closed {
		t.Errorf("overflow: %d messages, closed %v", len(msgs), closed)
	}
}

// TestRates: rates from the counters of the first end, or of the second.
func TestRates(t *testing.T) {
	end := func(tx, rx uint64) linkEnd {
		return linkEnd{ok: true, stats: netns.LinkStats{TxPackets: tx, RxPackets: rx, TxBytes: tx * 100, RxBytes: rx * 100}}
	}
	for _, tc := range []struct {
		name         string
		a, a0, b, b0 linkEnd
		pps, bps     [2]uint64
	}{
		{"a", end(30, 12), end(10, 2), linkEnd{}, linkEnd{}, [2]uint64{10, 5}, [2]uint64{8000, 4000}},
		{"b", linkEnd{}, linkEnd{}, end(12, 30), end(2, 10), [2]uint64{10, 5}, [2]uint64{8000, 4000}},
		{"counters reset", end(1, 1), end(10, 2), linkEnd{}, linkEnd{}, [2]uint64{0, 0}, [2]uint64{0, 0}},
		{"unknown", linkEnd{}, linkEnd{}, linkEnd{}, linkEnd{}, [2]uint64{}, [2]uint64{}},
	} {
		pps, bps := rates(tc.a, tc.a0, tc.b, tc.b0, 2)
		if pps != tc.pps || bps != tc.bps {
			t.Errorf("%s: %v %v, want %v %v", tc.name, pps, bps, tc.pps, tc.bps)
		}
	}
}

// TestPcap checks the file and record headers byte by byte.
func TestPcap(t *testing.T) {
	var b bytes.Buffer
	writePcapHeader(&b, 65535)
	writePcapRecord(&b, time.Unix(1700000000, 123456789), []byte{1, 2, 3}, 3)
	want := []byte{
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
		0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00, 3, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3,
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("pcap\n% x\nwant\n% x", b.Bytes(), want)
	}
}

// FuzzWindow: any text message of a page is a window size or an error.
func FuzzWindow(f *testing.F) {
	for _, s := range []string{`{"cols":80,"rows":24}`, `{"cols":9,"rows":24}`, `{"cols":1e9}`, `[]`, ``, `{"cols":"80"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cols, rows, err := parseWindow(data)
		if err == nil && checkWindow(cols, rows) != nil {
			t.Errorf("%q: %dx%d accepted", data, cols, rows)
		}
	})
}
