package netconf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mxlab/config"
	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// Namespaces.
const (
	BaseNS = "urn:ietf:params:xml:ns:netconf:base:1.0"
	base10 = "urn:ietf:params:netconf:base:1.0"
	base11 = "urn:ietf:params:netconf:base:1.1"
)

// capabilities are those a Junos router advertises.
var capabilities = []string{
	base10,
	"urn:ietf:params:netconf:capability:candidate:1.0",
	"urn:ietf:params:netconf:capability:confirmed-commit:1.0",
	"urn:ietf:params:netconf:capability:validate:1.0",
	"urn:ietf:params:netconf:capability:url:1.0?scheme=http,ftp,file",
	"urn:ietf:params:xml:ns:netconf:base:1.0",
	"urn:ietf:params:xml:ns:netconf:capability:candidate:1.0",
	"urn:ietf:params:xml:ns:netconf:capability:confirmed-commit:1.0",
	"urn:ietf:params:xml:ns:netconf:capability:validate:1.0",
	"urn:ietf:params:xml:ns:netconf:capability:url:1.0?scheme=http,ftp,file",
	"urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring",
	"http://xml.juniper.net/netconf/junos/1.0",
	"http://xml.juniper.net/dmi/system/1.0",
}

// Ops runs the operational side of RPCs: CLI command lines (<command>)
// and the RPCs of commands that have a data model.
type Ops interface {
	Command(ctx context.Context, line string) (cmdtree.Reply, error)
	// RPC returns ErrUnknownRPC for a name no command has.
	RPC(ctx context.Context, name string, args map[string]string) (cmdtree.Reply, error)
}

// ErrUnknownRPC is returned by Ops.RPC for an RPC no command has.
var ErrUnknownRPC = errors.New("unknown RPC")

// OpError is a command or RPC that Ops rejects: Msg is the CLI's message,
// BadElement the word or element it points at.
type OpError struct {
	Msg, BadElement string
}

func (e *OpError) Error() string { return e.Msg }

// Options describe a NETCONF session.
type Options struct {
	ID  int // session-id
	Who config.Who
	DB  *config.DB
	Ops Ops
	// Configure says the user's class may change the configuration.
	Configure bool
	// Chunked offers base:1.1 (rfc-compliant and version-1.1 configured):
	// chunked framing when the client offers it too.
	Chunked bool
	// RFC qualifies the NETCONF elements of replies with the nc prefix
	// (rfc-compliant).
	RFC     bool
	Release string // the Junos release, for xmlns:junos
	// Kill ends another session of the router (kill-session).
	Kill func(id int) error
	// Max is the largest message read (MaxMessage when 0).
	Max int
}

// deadliner is an input whose blocked read can be stopped.
type deadliner interface{ SetReadDeadline(time.Time) error }

// Serve runs a session on rw until the client closes it (close-session,
// end of input), a framing error, or ctx is done. It returns nil for an
// orderly end.
func Serve(ctx context.Context, rw io.ReadWriter, o Options) error {
	s := &session{o: o, ctx: ctx, r: NewReader(rw, o.Max), w: NewWriter(rw), p: ""}
	if o.RFC {
		s.p = "nc:"
	}
	if d, ok := rw.(deadliner); ok {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	defer s.closeConfig()
	// The hello ends at its marker: with base:1.1 offered, what follows it
	// may be chunked at once.
	if _, err := io.WriteString(rw, s.hello()+eom); err != nil {
		return err
	}
	if err := s.readHello(); err != nil {
		return err
	}
	for {
		msg, err := s.r.ReadMsg()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, ErrTooBig):
			s.send(nil, s.rpcErr(rpcError{Type: "rpc", Tag: "too-big",
				Message: fmt.Sprintf("message larger than %d bytes", s.r.max)}))
			return err
		case err != nil:
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if done := s.handle(msg); done {
			return nil
		}
	}
}

// session is one NETCONF session; only its goroutine touches it.
type session struct {
	o   Options
	ctx context.Context
	r   *Reader
	w   *Writer
	p   string // prefix of NETCONF elements in replies ("" or "nc:")

	cs      *config.Session // the configuration session, opened when needed
	locked  bool            // cs is the exclusive lock of this session
	private bool            // cs is a private candidate (open-configuration)
}

func (s *session) hello() string {
	var b strings.Builder
	p := s.p
	if p == "" {
		fmt.Fprintf(&b, "<hello xmlns=%q>\n", BaseNS)
	} else {
		fmt.Fprintf(&b, "<nc:hello xmlns:nc=%q>\n", BaseNS)
	}
	b.WriteString("  <" + p + "capabilities>\n")
	caps := capabilities
	if s.o.Chunked {
		caps = append([]string{caps[0], base11}, caps[1:]...)
	}
	for _, c := range caps {
		fmt.Fprintf(&b, "    <%scapability>%s</%scapability>\n", p, junosxml.Escape(c), p)
	}
	b.WriteString("  </" + p + "capabilities>\n")
	fmt.Fprintf(&b, "  <%ssession-id>%d</%ssession-id>\n</%shello>", p, s.o.ID, p, p)
	return b.String()
}

// readHello reads the client's hello and chooses the framing.
func (s *session) readHello() error {
	msg, err := s.r.ReadMsg()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	e, err := junosxml.Parse(msg, junosxml.Limits{Depth: 8, Elements: 1000})
	if err != nil || e.Name != "hello" {
		s.send(nil, s.rpcErr(rpcError{Type: "protocol", Tag: "operation-failed",
			Message: "expected a <hello> message"}))
		return fmt.Errorf("netconf: no hello from the client")
	}
	v11 := false
	for _, c := range e.Kid("capabilities").Kids {
		if c.Name == "capability" && strings.TrimSpace(c.Text) == base11 {
			v11 = true
		}
	}
	if v11 && s.o.Chunked {
		s.r.SetChunked()
		s.w.SetChunked()
	}
	return nil
}

// handle answers one message; it reports whether the session ends.
func (s *session) handle(msg []byte) bool {
	e, err := junosxml.Parse(msg, junosxml.Limits{})
	if err != nil {
		s.send(nil, s.rpcErr(rpcError{Type: "protocol", Tag: "operation-failed",
			Message: "XML parse error: " + err.Error()}))
		return false
	}
	if e.Name != "rpc" {
		s.send(nil, s.rpcErr(rpcError{Type: "protocol", Tag: "operation-failed",
			Message: "syntax error, expecting <rpc>", BadElement: e.Name}))
		return false
	}
	if len(e.Kids) == 0 {
		s.send(e, s.rpcErr(rpcError{Type: "protocol", Tag: "operation-failed", Message: "syntax error, expecting an operation"}))
		return false
	}
	var body strings.Builder
	done := false
	for _, op := range e.Kids {
		out, end := s.dispatch(op)
		body.WriteString(out)
		if end {
			done = true
			break
		}
	}
	s.send(e, body.String())
	return done
}

// send writes an rpc-reply echoing the attributes of the rpc.
func (s *session) send(rpc *junosxml.Elem, body string) {
	var b strings.Builder
	p := s.p
	if p == "" {
		fmt.Fprintf(&b, "<rpc-reply xmlns=%q xmlns:junos=\"http://xml.juniper.net/junos/%s/junos\"", BaseNS, s.o.Release)
	} else {
		fmt.Fprintf(&b, "<nc:rpc-reply xmlns:nc=%q xmlns:junos=\"http://xml.juniper.net/junos/%s/junos\"", BaseNS, s.o.Release)
	}
	if rpc != nil {
		for _, a := range rpc.Attrs {
			if strings.Contains(a.Name, ":") || a.Name == "xmlns" {
				continue // namespace declarations, and names whose prefix the reply does not declare
			}
			fmt.Fprintf(&b, " %s=\"%s\"", a.Name, attrEscape(a.Value))
		}
	}
	b.WriteString(">\n")
	b.WriteString(body)
	if body != "" && !strings.HasSuffix(body, "\n") {
		b.WriteString("\n")
	}
	b.WriteString("</" + p + "rpc-reply>")
	s.w.WriteMsg([]byte(b.String()))
}

func attrEscape(v string) string {
	// Escape makes the text valid XML; the quotes are the attribute's part.
	return strings.ReplaceAll(junosxml.Escape(v), `"`, "&quot;")
}

// ok is the <ok/> element.
func (s *session) ok() string { return "<" + s.p + "ok/>\n" }

// rpcError is one <rpc-error>.
type rpcError struct {
	Type       string // transport, rpc, protocol, application
	Tag        string // operation-failed, lock-denied, ...
	Warning    bool
	Path       string // "[edit system]"
	Message    string
	BadElement string
	SessionID  int // lock-denied: the holder
}

func (s *session) rpcErr(errs ...rpcError) string {
	var b strings.Builder
	p := s.p
	for _, e := range errs {
		if e.Type == "" {
			e.Type = "protocol"
		}
		if e.Tag == "" {
			e.Tag = "operation-failed"
		}
		sev := "error"
		if e.Warning {
			sev = "warning"
		}
		b.WriteString("<" + p + "rpc-error>\n")
		fmt.Fprintf(&b, "<%serror-type>%s</%serror-type>\n", p, e.Type, p)
		fmt.Fprintf(&b, "<%serror-tag>%s</%serror-tag>\n", p, e.Tag, p)
		fmt.Fprintf(&b, "<%serror-severity>%s</%serror-severity>\n", p, sev, p)
		if e.Path != "" {
			fmt.Fprintf(&b, "<%serror-path>%s</%serror-path>\n", p, junosxml.Escape(e.Path), p)
		}
		fmt.Fprintf(&b, "<%serror-message>%s</%serror-message>\n", p, junosxml.Escape(e.Message), p)
		if e.BadElement != "" || e.SessionID != 0 {
			b.WriteString("<" + p + "error-info>\n")
			if e.BadElement != "" {
				fmt.Fprintf(&b, "<%sbad-element>%s</%sbad-element>\n", p, junosxml.Escape(e.BadElement), p)
			}
			if e.SessionID != 0 {
				fmt.Fprintf(&b, "<%ssession-id>%d</%ssession-id>\n", p, e.SessionID, p)
			}
			b.WriteString("</" + p + "error-info>\n")
		}
		b.WriteString("</" + p + "rpc-error>\n")
	}
	return b.String()
}

// errText renders a Go error as rpc-errors: the check-out errors of a
// commit one by one, a load error with its token, anything else as its
// message.
func (s *session) errText(err error) string {
	var ce *config.CheckError
	var le *config.LoadError
	var oe *OpError
	switch {
	case errors.As(err, &ce):
		var errs []rpcError
		for _, e := range ce.Errors {
			errs = append(errs, rpcError{Type: "application", Warning: e.Warning,
				Path: "[edit " + strings.Join(e.Path, " ") + "]", Message: e.Msg, BadElement: e.Statement})
		}
		msg := "configuration check-out failed"
		if ce.Reason != "" {
			msg += ": (" + ce.Reason + ")"
		}
		errs = append(errs, rpcError{Type: "application", Message: msg})
		return s.rpcErr(errs...)
	case errors.As(err, &le):
		return s.rpcErr(rpcError{Message: le.Msg, BadElement: le.Token})
	case errors.As(err, &oe):
		return s.rpcErr(rpcError{Message: oe.Msg, BadElement: oe.BadElement})
	}
	return s.rpcErr(rpcError{Message: err.Error()})
}

// dispatch runs one operation; end is set by close-session.
func (s *session) dispatch(op *junosxml.Elem) (out string, end bool) {
	if h, ok := configOps[op.Name]; ok {
		if h.write && !s.o.Configure {
			return s.rpcErr(rpcError{Type: "protocol", Message: "permission denied", BadElement: op.Name}), false
		}
		return h.run(s, op), false
	}
	switch op.Name {
	case "close-session":
		return s.ok(), true
	case "kill-session":
		return s.killSession(op), false
	case "command":
		return s.command(op), false
	}
	return s.operational(op), false
}

func (s *session) killSession(op *junosxml.Elem) string {
	v, _ := op.KidText("session-id")
	id, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || id <= 0 {
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: "invalid session-id", BadElement: "session-id"})
	}
	if id == s.o.ID {
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: "cannot kill own session", BadElement: "session-id"})
	}
	if s.o.Kill == nil || s.o.Kill(id) != nil {
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: fmt.Sprintf("session %d does not exist", id), BadElement: "session-id"})
	}
	return s.ok()
}

// closeConfig leaves configuration mode at the end of the session: a
// lock or a private candidate goes with its uncommitted changes.
func (s *session) closeConfig() {
	if s.cs != nil {
		s.cs.Close()
		s.cs = nil
	}
}
