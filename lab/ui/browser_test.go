package ui

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// browser is a headless Chromium driven over the DevTools protocol: one
// page, commands and their answers as JSON over a WebSocket.
type browser struct {
	t    testing.TB
	cmd  *exec.Cmd
	conn *websocket.Conn
	id   atomic.Int64
	done chan struct{} // the reader has ended

	mu      sync.Mutex
	pending map[int64]chan cdpAnswer
}

type cdpAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// chromium finds the browser, or skips.
func chromium(t testing.TB) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("skipping: chromium is not installed (scripts/deps installs it)")
	return ""
}

// newBrowser starts a headless Chromium with a new empty profile and
// connects to its page. It is stopped at the end of the test.
func newBrowser(t testing.TB) *browser {
	t.Helper()
	bin := chromium(t)
	profile := t.TempDir()
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "--window-size=1400,900", "about:blank")
	cmd.Stdout, cmd.Stderr = nil, nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers go with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, cmd: cmd, pending: map[int64]chan cdpAnswer{}, done: make(chan struct{})}
	t.Cleanup(b.close)
	port := ""
	deadline := time.Now().Add(20 * time.Second)
	for port == "" {
		if time.Now().After(deadline) {
			t.Fatal("chromium did not open its DevTools port")
		}
		if data, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort")); err == nil {
			if line, _, ok := strings.Cut(string(data), "\n"); ok {
				port = line
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	var targets []struct {
		Type string `json:"type"`
		WS   string `json:"webSocketDebuggerUrl"`
	}
	resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
	if err != nil {
		t.Fatalf("DevTools targets: %v", err)
	}
	err = json.NewDecoder(resp.Body).Decode(&targets)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("DevTools targets: %v", err)
	}
	ws := ""
	for _, tg := range targets {
		if tg.Type == "page" {
			ws = tg.WS
			break
		}
	}
	if ws == "" {
		t.Fatalf("no page among the DevTools targets %+v", targets)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b.conn, _, err = websocket.Dial(ctx, ws, nil)
	if err != nil {
		t.Fatalf("DevTools WebSocket: %v", err)
	}
	b.conn.SetReadLimit(64 << 20) // screenshots
	go b.read()
	b.call("Page.enable", nil, nil)
	b.call("Runtime.enable", nil, nil)
	return b
}

func (b *browser) read() {
	defer close(b.done)
	for {
		_, data, err := b.conn.Read(context.Background())
		if err != nil {
			return
		}
		var m struct {
			ID int64 `json:"id"`
			cdpAnswer
		}
		if json.Unmarshal(data, &m) != nil || m.ID == 0 {
			continue // an event
		}
		b.mu.Lock()
		ch := b.pending[m.ID]
		delete(b.pending, m.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- m.cdpAnswer
		}
	}
}

func (b *browser) close() {
	if b.conn != nil {
		b.conn.Close(websocket.StatusNormalClosure, "")
		<-b.done
	}
	pgid := b.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGKILL)
	b.cmd.Wait()
	// The renderers and helpers write to the profile until they are gone.
	for deadline := time.Now().Add(10 * time.Second); syscall.Kill(-pgid, 0) == nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
}

// call sends a command and decodes its result into out (when not nil).
func (b *browser) call(method string, params any, out any) {
	b.t.Helper()
	if err := b.try(method, params, out); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
}

func (b *browser) try(method string, params any, out any) error {
	id := b.id.Add(1)
	ch := make(chan cdpAnswer, 1)
	b.mu.Lock()
	b.pending[id] = ch
	b.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return err
	}
	select {
	case a := <-ch:
		if a.Error != nil {
			return fmt.Errorf("%s", a.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(a.Result, out)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into out.
func (b *browser) eval(expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := b.try("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r); err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("%s: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if out != nil && r.Result.Value != nil {
		return json.Unmarshal(r.Result.Value, out)
	}
	return nil
}

// value evaluates expr and returns its value, failing the test on an error.
func (b *browser) value(expr string, out any) {
	b.t.Helper()
	if err := b.eval(expr, out); err != nil {
		b.t.Fatal(err)
	}
}

// waitFor polls expr (a boolean expression) until it is true.
func (b *browser) waitFor(what, expr string, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for {
		var ok bool
		err := b.eval(expr, &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			var consoles string
			b.eval(`Object.entries(window.mxlabConsoles || {}).map(([id, t]) => "--- " + id + "\n" + t.text()).join("\n")`, &consoles)
			b.t.Fatalf("waiting %v for %s: %s is not true (%v)\n%s", d, what, expr, err, consoles)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) navigate(url string) {
	b.t.Helper()
	b.call("Page.navigate", map[string]any{"url": url}, nil)
	b.waitFor("the page to load", `document.readyState === "complete"`, 20*time.Second)
}

// click presses and releases the mouse at the centre of the element sel.
func (b *browser) click(sel string, count int) {
	b.t.Helper()
	var r struct{ X, Y float64 }
	b.value(fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return {X: r.x + r.width / 2, Y: r.y + r.height / 2}; })()`, sel), &r)
	for i := 1; i <= count; i++ {
		for _, typ := range []string{"mousePressed", "mouseReleased"} {
			b.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": r.X, "y": r.Y, "button": "left", "clickCount": i}, nil)
		}
	}
}

// typeText types text key by key into the focused element; "\r" is
// Enter, "\b" Backspace and "\x03" Ctrl-C.
func (b *browser) typeText(text string) {
	b.t.Helper()
	for _, r := range text {
		ev := map[string]any{"type": "keyDown", "key": string(r), "text": string(r)}
		switch r {
		case '\r':
			ev = map[string]any{"type": "keyDown", "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}
		case '\b':
			ev = map[string]any{"type": "keyDown", "key": "Backspace", "code": "Backspace", "windowsVirtualKeyCode": 8}
		case 3:
			ev = map[string]any{"type": "keyDown", "key": "c", "code": "KeyC", "windowsVirtualKeyCode": 67, "modifiers": 2}
		}
		b.call("Input.dispatchKeyEvent", ev, nil)
		ev["type"] = "keyUp"
		delete(ev, "text")
		b.call("Input.dispatchKeyEvent", ev, nil)
	}
}

// screenshot saves the page as PNG in the test's artifact directory.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	var r struct {
		Data string `json:"data"`
	}
	b.call("Page.captureScreenshot", map[string]any{"format": "png"}, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// lines returns the lines of a file, for reading a log.
func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestTermJS runs the page's terminal (static/term.js) in Chromium on the
// byte sequences of the CLI's editor and pager and of a host's shell, and
// its key map.
func TestTermJS(t *testing.T) {
	src, err := static.ReadFile("static/term.js")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	b.value(string(src)+`; window.Term = Term; window.keyBytes = keyBytes; true`, new(bool))
	for _, tc := range []struct {
		name       string
		cols, rows int
		input      string
		want       string
	}{
		{"backspace", 20, 4, "abc\b\bX", "aXc"},
		{"editor erase", 20, 4, "show verz\b \bsion", "show version"},
		{"crlf", 20, 4, "a\r\nb", "a\nb"},
		{"wrap", 5, 4, "abcdefg", "abcde\nfg"},
		{"back across a wrap", 5, 4, "abcdefg\b\b\bX", "abcdX\nfg"},
		{"no back across a newline", 5, 4, "ab\r\ncd\b\b\bX", "ab\nXd"},
		{"pager prompt erased", 40, 4, "---(more 50%)---\r                \rnext", "next"},
		{"erase in line", 20, 4, "hello\r\x1b[Kbye", "bye"},
		{"cursor moves", 20, 4, "abc\x1b[2Dz\x1b[Cq", "azcq"},
		{"scroll to scrollback", 20, 2, "1\r\n2\r\n3", "1\n2\n3"},
		{"clear screen", 20, 4, "x\r\nyy\x1b[2J\x1b[Hz", "z"},
		{"cursor position", 20, 4, "\x1b[2;3Hp", "\n  p"},
		{"modes ignored", 20, 4, "\x1b[?2004hh1:~# \x1b[?2004l", "h1:~#"},
		{"colours ignored", 20, 4, "\x1b[1;31mred\x1b[0m", "red"},
		{"title ignored", 20, 4, "\x1b]0;title\x07ok", "ok"},
		{"tab", 20, 4, "a\tb", "a       b"},
		{"insert and delete characters", 20, 4, "abcd\r\x1b[C\x1b[2@XY\x1b[P", "aXYcd"},
		{"utf-8", 20, 4, "caf\u00e9 \u2192", "caf\u00e9 \u2192"},
		{"scroll region", 20, 4, "1\r\n2\r\n3\r\n4\x1b[2;3r\x1b[3;1H\n", "1\n3\n\n4"},
	} {
		var got string
		enc, _ := json.Marshal(tc.input)
		b.value(fmt.Sprintf(`(() => { const t = new Term(document.createElement("pre"), %d, %d); t.write(%s); return t.text(); })()`, tc.cols, tc.rows, enc), &got)
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	var resized string
	b.value(`(() => { const t = new Term(document.createElement("pre"), 10, 3); t.write("1\r\n2\r\n3"); t.resize(5, 2); t.write("\r\n4"); return t.text(); })()`, &resized)
	if resized != "1\n2\n3\n4" {
		t.Errorf("resize: %q", resized)
	}
	for _, tc := range []struct {
		event string
		want  any
	}{
		{`{key: "a"}`, "a"},
		{`{key: "Enter"}`, "\r"},
		{`{key: "Backspace"}`, "\x7f"},
		{`{key: "Tab"}`, "\t"},
		{`{key: "ArrowUp"}`, "\x1b[A"},
		{`{key: "c", ctrlKey: true}`, "\x03"},
		{`{key: "u", ctrlKey: true}`, "\x15"},
		{`{key: "b", altKey: true}`, "\x1bb"},
		{`{key: "v", ctrlKey: true}`, nil},
		{`{key: "Shift"}`, nil},
	} {
		var got any
		b.value(`keyBytes(`+tc.event+`)`, &got)
		if got != tc.want {
			t.Errorf("keyBytes(%s) = %q, want %q", tc.event, got, tc.want)
		}
	}
}
