package netconf

import (
	"bytes"
	"errors"
	"strings"

	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// command runs a CLI command line: <command format="text|xml|json">.
func (s *session) command(op *junosxml.Elem) string {
	line := strings.TrimSpace(op.Text)
	format, _ := op.Attr("format")
	rep, err := s.o.Ops.Command(s.ctx, line)
	if err != nil {
		return s.opErr(err, "command")
	}
	if format == "text" && isShowConfiguration(line) {
		var b bytes.Buffer
		rep.Text(&b)
		return "<configuration-information>\n<configuration-output>" + junosxml.Escape(b.String()) +
			"</configuration-output>\n</configuration-information>\n"
	}
	return s.render(rep, format)
}

// isShowConfiguration tells the command lines whose text Junos returns in
// <configuration-output>.
func isShowConfiguration(line string) bool {
	f := strings.Fields(line)
	return len(f) >= 2 && f[0] == "show" && f[1] == "configuration"
}

// operational runs the command registered for an RPC: the child elements
// are its arguments.
func (s *session) operational(op *junosxml.Elem) string {
	args := map[string]string{}
	for _, k := range op.Kids {
		if len(k.Kids) > 0 {
			return s.rpcErr(rpcError{Message: "syntax error", BadElement: k.Name})
		}
		args[k.Name] = strings.TrimSpace(k.Text)
	}
	rep, err := s.o.Ops.RPC(s.ctx, op.Name, args)
	if err != nil {
		return s.opErr(err, op.Name)
	}
	format, _ := op.Attr("format")
	return s.render(rep, format)
}

// opErr renders an error of Ops.
func (s *session) opErr(err error, elem string) string {
	var oe *OpError
	switch {
	case errors.Is(err, ErrUnknownRPC):
		return s.rpcErr(rpcError{Message: "syntax error", BadElement: elem})
	case errors.As(err, &oe):
		return s.rpcErr(rpcError{Message: oe.Msg, BadElement: oe.BadElement})
	}
	return s.rpcErr(rpcError{Message: err.Error()})
}

// render writes a reply in a format: the XML elements (the default), the
// CLI text in <output>, or the JSON document as the reply's text.
func (s *session) render(rep cmdtree.Reply, format string) string {
	switch format {
	case "text", "ascii":
		var b bytes.Buffer
		if err := rep.Text(&b); err != nil {
			return s.rpcErr(rpcError{Message: err.Error()})
		}
		text := b.String()
		if !strings.HasPrefix(text, "\n") {
			text = "\n" + text
		}
		return "<output>" + junosxml.Escape(text) + "</output>\n"
	case "json":
		return junosxml.Escape(junosxml.JSON(rep.XML()...))
	}
	var b strings.Builder
	for _, e := range rep.XML() {
		b.WriteString(e.XML("", 0))
	}
	return b.String()
}
