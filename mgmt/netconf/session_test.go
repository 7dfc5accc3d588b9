package netconf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"mxlab/config"
	"mxlab/internal/junosxml"
	"mxlab/internal/leakcheck"
	"mxlab/shell/cmdtree"
)

// fakeOps answers get-software-information and "show version".
type fakeOps struct{}

type version struct{}

func (version) Text(w io.Writer) error {
	_, err := io.WriteString(w, "Hostname: r1\nJunos: 24.4R1.9\n")
	return err
}
func (version) XML() []*junosxml.Elem {
	return []*junosxml.Elem{junosxml.New("software-information", junosxml.Leaf("host-name", "r1"))}
}

func (fakeOps) Command(_ context.Context, line string) (cmdtree.Reply, error) {
	if line == "show version" {
		return version{}, nil
	}
	return nil, &OpError{Msg: "syntax error, expecting <command>", BadElement: strings.Fields(line + " x")[0]}
}

func (fakeOps) RPC(_ context.Context, name string, args map[string]string) (cmdtree.Reply, error) {
	if name != "get-software-information" {
		return nil, ErrUnknownRPC
	}
	for k := range args {
		return nil, &OpError{Msg: "syntax error", BadElement: k}
	}
	return version{}, nil
}

// client is the client side of a session under test.
type client struct {
	t    *testing.T
	r    *Reader
	w    *Writer
	c    net.Conn
	done chan error
	id   int
}

func newDB(t testing.TB) *config.DB {
	db, err := config.Open(config.Options{Now: func() time.Time { return time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// start runs a session on a pipe and exchanges hellos (with base:1.1 in
// the client's when v11).
func start(t *testing.T, o Options, v11 bool) *client {
	t.Helper()
	if o.DB == nil {
		o.DB = newDB(t)
	}
	if o.Ops == nil {
		o.Ops = fakeOps{}
	}
	if o.ID == 0 {
		o.ID = 7
	}
	o.Release = "24.4R1.9"
	o.Who = config.Who{User: "lab", Terminal: "netconf"}
	a, b := net.Pipe()
	cl := &client{t: t, r: NewReader(a, 0), w: NewWriter(a), c: a, done: make(chan error, 1), id: o.ID}
	go func() { cl.done <- Serve(context.Background(), b, o); b.Close() }()
	t.Cleanup(func() { a.Close(); <-cl.done })
	hello, err := cl.r.ReadMsg()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(hello, []byte(fmt.Sprintf("session-id>%d</", o.ID))) {
		t.Fatalf("hello: %s", hello)
	}
	caps := "<capability>urn:ietf:params:netconf:base:1.0</capability>"
	if v11 {
		caps += "<capability>urn:ietf:params:netconf:base:1.1</capability>"
	}
	cl.w.WriteMsg([]byte(`<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>` + caps + `</capabilities></hello>`))
	if v11 && o.Chunked {
		cl.r.SetChunked()
		cl.w.SetChunked()
	}
	return cl
}

var msgID int

// call sends an rpc (its body in the nc namespace or not) and returns the
// parsed reply.
func (c *client) call(body string) *junosxml.Elem {
	c.t.Helper()
	msgID++
	id := fmt.Sprintf("urn:uuid:%d", msgID)
	c.w.WriteMsg([]byte(fmt.Sprintf(`<nc:rpc xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="%s">%s</nc:rpc>`, id, body)))
	return c.reply(id)
}

func (c *client) reply(id string) *junosxml.Elem {
	c.t.Helper()
	m, err := c.r.ReadMsg()
	if err != nil {
		c.t.Fatalf("reading the reply: %v", err)
	}
	e, err := junosxml.Parse(m, junosxml.Limits{})
	if err != nil {
		c.t.Fatalf("reply does not parse: %v\n%s", err, m)
	}
	if got, _ := e.Attr("message-id"); id != "" && got != id {
		c.t.Fatalf("message-id %q, want %q:\n%s", got, id, m)
	}
	if e.Name != "rpc-reply" || e.Space != BaseNS {
		c.t.Fatalf("reply root {%s}%s:\n%s", e.Space, e.Name, m)
	}
	return e
}

// errs returns the messages of the rpc-errors anywhere in a reply (in the
// base namespace, as ncclient looks for them).
func errs(e *junosxml.Elem) []string {
	var out []string
	var walk func(x *junosxml.Elem)
	walk = func(x *junosxml.Elem) {
		if x.Name == "rpc-error" && x.Space == BaseNS {
			m, _ := x.KidText("error-message")
			out = append(out, m)
		}
		for _, k := range x.Kids {
			walk(k)
		}
	}
	walk(e)
	return out
}

func ok(t *testing.T, e *junosxml.Elem) {
	t.Helper()
	if es := errs(e); len(es) > 0 || (!e.Has("ok") && !e.Has("load-configuration-results") && !e.Has("commit-results")) {
		t.Fatalf("not ok: %v\n%s", es, e.XML("  ", 0))
	}
}

func noErrs(t *testing.T, e *junosxml.Elem) {
	t.Helper()
	if es := errs(e); len(es) > 0 {
		t.Fatalf("errors: %v\n%s", es, e.XML("  ", 0))
	}
}

func TestHelloAndOperational(t *testing.T) {
	leakcheck.Check(t)
	c := start(t, Options{}, true)
	e := c.call(`<get-software-information/>`)
	if h, _ := e.Kid("software-information").KidText("host-name"); h != "r1" {
		t.Errorf("reply:\n%s", e.XML("  ", 0))
	}
	e = c.call(`<nc:get-software-information format="text"/>`)
	if o, _ := e.KidText("output"); !strings.Contains(o, "Hostname: r1") {
		t.Errorf("text reply:\n%s", e.XML("  ", 0))
	}
	e = c.call(`<command format="text">show version</command>`)
	if o, _ := e.KidText("output"); !strings.Contains(o, "Junos: 24.4R1.9") {
		t.Errorf("command:\n%s", e.XML("  ", 0))
	}
	e = c.call(`<get-virtual-chassis-information/>`)
	if es := errs(e); len(es) != 1 || es[0] != "syntax error" {
		t.Errorf("unknown RPC: %v", es)
	}
	if b, _ := e.Kid("rpc-error").Kid("error-info").KidText("bad-element"); b != "get-virtual-chassis-information" {
		t.Errorf("bad-element %q", b)
	}
	e = c.call(`<command>show version invoke-on all-routing-engines</command>`)
	if len(errs(e)) != 1 {
		t.Errorf("bad command: %s", e.XML("  ", 0))
	}
	e = c.call(`<close-session/>`)
	ok(t, e)
	if err := <-c.done; err != nil {
		t.Errorf("Serve after close-session: %v", err)
	}
	c.done <- nil
}

func TestChunkedOnlyWhenOffered(t *testing.T) {
	c := start(t, Options{Chunked: false, Configure: true}, true)
	ok(t, c.call(`<lock-configuration/>`)) // base:1.0 framing: reads fine
	c2 := start(t, Options{Chunked: true, Configure: true}, true)
	ok(t, c2.call(`<lock><target><candidate/></target></lock>`)) // chunked both ways
}

func TestMalformedAndBadMessages(t *testing.T) {
	c := start(t, Options{}, false)
	c.w.WriteMsg([]byte(`<rpc message-id="1"><get-config>`))
	if e := c.reply(""); len(errs(e)) != 1 {
		t.Errorf("malformed XML: %s", e.XML("  ", 0))
	}
	c.w.WriteMsg([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><rpc/>`))
	if e := c.reply(""); len(errs(e)) != 1 {
		t.Errorf("DTD: %s", e.XML("  ", 0))
	}
	c.w.WriteMsg([]byte(`<hello/>`))
	if e := c.reply(""); len(errs(e)) != 1 {
		t.Errorf("not an rpc: %s", e.XML("  ", 0))
	}
	e := c.call(``)
	if len(errs(e)) != 1 {
		t.Errorf("empty rpc: %s", e.XML("  ", 0))
	}
	noErrs(t, c.call(`<get-configuration/>`)) // the session goes on
}

func TestTooBig(t *testing.T) {
	c := start(t, Options{Max: 1000}, false)
	c.w.WriteMsg(bytes.Repeat([]byte("x"), 2000))
	e := c.reply("")
	if tag, _ := e.Kid("rpc-error").KidText("error-tag"); tag != "too-big" {
		t.Errorf("reply: %s", e.XML("  ", 0))
	}
	if err := <-c.done; !errors.Is(err, ErrTooBig) {
		t.Errorf("Serve: %v, want ErrTooBig", err)
	}
	c.done <- nil
}

func TestUnterminated(t *testing.T) {
	c := start(t, Options{}, false)
	c.c.Write([]byte(`<rpc message-id="1"><get-config>`))
	c.c.Close()
	if err := <-c.done; !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Serve: %v, want ErrUnexpectedEOF", err)
	}
	c.done <- nil
}

// TestConfigurationWorkflow is what PyEZ and Ansible do: lock, load,
// validate, compare, commit, unlock.
func TestConfigurationWorkflow(t *testing.T) {
	db := newDB(t)
	c := start(t, Options{DB: db, Configure: true}, false)
	ok(t, c.call(`<lock-configuration/>`))
	ok(t, c.call(`<nc:load-configuration action="set" format="text"><nc:configuration-set>set system host-name r2
set interfaces ge-1/0/0 description x</nc:configuration-set></nc:load-configuration>`))
	ok(t, c.call(`<nc:validate><nc:source><nc:candidate/></nc:source></nc:validate>`))
	e := c.call(`<get-configuration compare="rollback" rollback="0" format="text"/>`)
	diff, _ := e.Kid("configuration-information").KidText("configuration-output")
	if !strings.Contains(diff, "+      host-name r2;") {
		t.Errorf("compare:\n%s", diff)
	}
	e = c.call(`<commit-configuration><log>from test</log></commit-configuration>`)
	if !e.Kid("commit-results").Kid("routing-engine").Has("commit-success") {
		t.Errorf("commit: %s", e.XML("  ", 0))
	}
	ok(t, c.call(`<unlock-configuration/>`))
	if h := db.History(); len(h) != 1 || h[0].Comment != "from test" || h[0].Via != "netconf" {
		t.Errorf("history %+v", h)
	}
	e = c.call(`<get-configuration compare="rollback" rollback="0" format="text"/>`)
	if diff, _ := e.Kid("configuration-information").KidText("configuration-output"); diff != "\n" {
		t.Errorf("compare after the commit: %q, want \"\\n\"", diff)
	}
	for format, want := range map[string]string{
		"text": "host-name r2;", "set": "set system host-name r2", "json": `"host-name" : "r2"`,
	} {
		e = c.call(fmt.Sprintf(`<get-configuration database="committed" format="%s"/>`, format))
		if !strings.Contains(e.XML("", 0)+e.Text, want) {
			t.Errorf("format %s: %s%s", format, e.XML("  ", 0), e.Text)
		}
	}
	e = c.call(`<get-configuration database="committed"><configuration><system><host-name/></system></configuration></get-configuration>`)
	cfg := e.Kid("configuration")
	if h, _ := cfg.Kid("system").KidText("host-name"); h != "r2" || cfg.Has("interfaces") {
		t.Errorf("filtered: %s", e.XML("  ", 0))
	}
	if u, _ := cfg.Attr("commit-user"); u != "lab" {
		t.Errorf("commit-user %q", u)
	}
}

func TestLocks(t *testing.T) {
	db := newDB(t)
	a := start(t, Options{DB: db, Configure: true, ID: 1}, false)
	b := start(t, Options{DB: db, Configure: true, ID: 2}, false)
	ok(t, a.call(`<lock><target><candidate/></target></lock>`))
	e := b.call(`<lock><target><candidate/></target></lock>`)
	if tag, _ := e.Kid("rpc-error").KidText("error-tag"); tag != "lock-denied" {
		t.Errorf("second lock: %s", e.XML("  ", 0))
	}
	e = b.call(`<load-configuration action="set"><configuration-set>set system host-name b</configuration-set></load-configuration>`)
	if len(errs(e)) == 0 {
		t.Errorf("load under another session's lock: %s", e.XML("  ", 0))
	}
	ok(t, a.call(`<load-configuration action="set"><configuration-set>set system host-name a</configuration-set></load-configuration>`))
	ok(t, a.call(`<unlock><target><candidate/></target></unlock>`)) // the changes go with the lock
	ok(t, b.call(`<lock><target><candidate/></target></lock>`))
	e = b.call(`<get-configuration><configuration><system/></configuration></get-configuration>`)
	if e.Kid("configuration").Has("system") {
		t.Errorf("uncommitted changes survived the unlock: %s", e.XML("  ", 0))
	}
	e = a.call(`<commit/>`)
	if len(errs(e)) == 0 {
		t.Errorf("commit under another session's lock: %s", e.XML("  ", 0))
	}
}

func TestErrors(t *testing.T) {
	db := newDB(t)
	c := start(t, Options{DB: db, Configure: true}, false)
	e := c.call(`<load-configuration format="text"><configuration-text>system { nosuch 1; }</configuration-text></load-configuration>`)
	res := e.Kid("load-configuration-results")
	if n, _ := res.KidText("load-error-count"); n != "1" || len(errs(e)) != 1 {
		t.Errorf("load error: %s", e.XML("  ", 0))
	}
	e2, err := os.ReadFile("../../services/testdata/examples/e2-r1.set")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(e2), "\n") {
		if !strings.Contains(l, "local-gateway") {
			lines = append(lines, l)
		}
	}
	ok(t, c.call(`<load-configuration action="set"><configuration-set>`+junosxml.Escape(strings.Join(lines, "\n"))+`</configuration-set></load-configuration>`))
	e = c.call(`<commit-configuration><check/></commit-configuration>`)
	if es := errs(e); len(es) < 2 || es[len(es)-1] != "configuration check-out failed" {
		t.Errorf("commit check without a local gateway: %v\n%s", es, e.XML("  ", 0))
	}
	ok(t, c.call(`<discard-changes/>`))
	ok(t, c.call(`<commit-configuration><check/></commit-configuration>`))
	ro := start(t, Options{DB: db, Configure: false}, false)
	e = ro.call(`<lock-configuration/>`)
	if es := errs(e); len(es) != 1 || es[0] != "permission denied" {
		t.Errorf("read-only lock: %v", es)
	}
	noErrs(t, ro.call(`<get-configuration/>`))
	noErrs(t, ro.call(`<validate><source><candidate/></source></validate>`))
}

func TestEditConfigAndGetConfig(t *testing.T) {
	c := start(t, Options{Configure: true}, false)
	ok(t, c.call(`<edit-config><target><candidate/></target><config><configuration><system><host-name>e1</host-name></system></configuration></config></edit-config>`))
	e := c.call(`<get-config><source><running/></source></get-config>`)
	if e.Kid("data").Kid("configuration").Has("system") {
		t.Errorf("running has the uncommitted change: %s", e.XML("  ", 0))
	}
	e = c.call(`<get-config><source><candidate/></source><filter type="subtree"><configuration><system/></configuration></filter></get-config>`)
	if h, _ := e.Kid("data").Kid("configuration").Kid("system").KidText("host-name"); h != "e1" {
		t.Errorf("candidate: %s", e.XML("  ", 0))
	}
	ok(t, c.call(`<commit><confirmed/><confirm-timeout>120</confirm-timeout></commit>`))
	ok(t, c.call(`<commit/>`)) // confirms
	e = c.call(`<edit-config><target><running/></target><config/></edit-config>`)
	if len(errs(e)) != 1 {
		t.Errorf("edit of running: %s", e.XML("  ", 0))
	}
}

func TestConfirmedCommitRollsBack(t *testing.T) {
	t.Setenv(config.ConfirmUnitEnv, "50ms")
	db := newDB(t)
	c := start(t, Options{DB: db, Configure: true}, false)
	ok(t, c.call(`<load-configuration action="set"><configuration-set>set system host-name before</configuration-set></load-configuration>`))
	ok(t, c.call(`<commit-configuration/>`))
	ok(t, c.call(`<load-configuration action="set"><configuration-set>set system host-name after</configuration-set></load-configuration>`))
	ok(t, c.call(`<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout></commit-configuration>`))
	deadline := time.Now().Add(5 * time.Second)
	for {
		var h string
		db.ActiveView(func(root *config.Node) { h, _ = root.Leaf("system", "host-name") })
		if h == "before" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("host-name %q: the unconfirmed commit was not rolled back", h)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRFCCompliant(t *testing.T) {
	c := start(t, Options{RFC: true, Configure: true}, false)
	c.w.WriteMsg([]byte(`<rpc message-id="9"><lock-configuration/></rpc>`))
	m, _ := c.r.ReadMsg()
	if !bytes.Contains(m, []byte(`<nc:rpc-reply xmlns:nc=`)) || !bytes.Contains(m, []byte(`<nc:ok/>`)) {
		t.Errorf("reply: %s", m)
	}
}

func TestKillSession(t *testing.T) {
	killed := 0
	c := start(t, Options{Kill: func(id int) error {
		if id != 3 {
			return errors.New("no such session")
		}
		killed = id
		return nil
	}}, false)
	ok(t, c.call(`<kill-session><session-id>3</session-id></kill-session>`))
	if killed != 3 {
		t.Errorf("killed %d", killed)
	}
	for _, id := range []string{"7", "4", "x"} {
		if e := c.call(`<kill-session><session-id>` + id + `</session-id></kill-session>`); len(errs(e)) != 1 {
			t.Errorf("kill-session %s: %s", id, e.XML("  ", 0))
		}
	}
}

// FuzzSession feeds one message to a session after the hello: whatever it
// is, the session answers with a well-formed rpc-reply or ends, and
// never panics.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		`<rpc message-id="1"><get-configuration format="set"/></rpc>`,
		`<rpc><load-configuration action="merge"><configuration><system><host-name>x</host-name></system></configuration></load-configuration></rpc>`,
		`<rpc><load-configuration format="json"><configuration-json>{"configuration":{"system":{"host-name":"j"}}}</configuration-json></load-configuration></rpc>`,
		`<rpc><edit-config><target><candidate/></target><config><configuration><interfaces><interface><name>ge-1/0/0</name><disable/></interface></interfaces></configuration></config></edit-config></rpc>`,
		`<rpc><commit-configuration><confirmed/><confirm-timeout>2</confirm-timeout></commit-configuration></rpc>`,
		`<rpc><get-config><source><candidate/></source><filter><configuration><system/></configuration></filter></get-config></rpc>`,
		`<rpc><command format="json">show version</command></rpc>`,
		`<rpc><kill-session><session-id>1</session-id></kill-session></rpc>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(bytes.TrimSpace(bytes.ReplaceAll(msg, []byte(eom), nil))) == 0 {
			return // empty messages are skipped: there is nothing to answer
		}
		db, _ := config.Open(config.Options{})
		defer db.Close()
		a, b := net.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- Serve(context.Background(), b, Options{ID: 1, DB: db, Ops: fakeOps{}, Configure: true,
				Release: "24.4R1.9", Max: 1 << 16})
			b.Close()
		}()
		r, w := NewReader(a, 0), NewWriter(a)
		if _, err := r.ReadMsg(); err != nil {
			t.Fatal(err)
		}
		w.WriteMsg([]byte(`<hello><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>`))
		a.SetDeadline(time.Now().Add(10 * time.Second))
		go func() { a.Write(msg); a.Write([]byte(eom)) }()
		if reply, err := r.ReadMsg(); err == nil {
			if _, perr := junosxml.Parse(reply, junosxml.Limits{}); perr != nil {
				t.Fatalf("reply does not parse: %v\n%s", perr, reply)
			}
		} else if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("no reply: %v", err)
		}
		a.Close()
		<-done
	})
}
