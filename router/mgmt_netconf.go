package router

import (
	"context"
	"errors"
	"io"

	"mxlab/config"
	"mxlab/mgmt/login"
	"mxlab/mgmt/netconf"
	"mxlab/mgmt/sshd"
	"mxlab/shell"
	"mxlab/shell/cmdtree"
)

// ncSession is a running NETCONF session, which kill-session can end.
type ncSession struct{ cancel context.CancelFunc }

// ncFraming is what [edit system services netconf] says of framing.
type ncFraming struct{ rfc, v11 bool }

func netconfFraming(root *config.Node) ncFraming {
	nc := root.Get("system", "services", "netconf")
	return ncFraming{rfc: nc.Get("rfc-compliant") != nil, v11: nc.Get("rfc-compliant") != nil && nc.Get("version-1.1") != nil}
}

// netconf runs a NETCONF session on an SSH channel; its operational
// RPCs and <command> run in a CLI session of the user (without a
// terminal, so "show system users" does not list it).
func (m *Management) netconf(ctx context.Context, s *sshd.Session) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	id, ok := m.addNETCONF(cancel)
	if !ok {
		return 1
	}
	defer m.removeNETCONF(id)
	sh, done := m.r.NewShell(ShellOptions{User: s.User, From: addrHost(s.Remote), Allow: allow(s.Class),
		Class: s.Class, Conn: connString(s), Mode: "netconf"})
	m.r.unlist(sh.Session())
	defer done()
	fr := m.framing.Load()
	err := netconf.Serve(ctx, channel{Input: s.In, Writer: s.Out}, netconf.Options{
		ID:        id,
		Who:       config.Who{User: s.User, Terminal: "netconf", PID: s.PID, Since: m.r.now()},
		DB:        m.r.DB,
		Ops:       shellOps{sh: sh},
		Configure: login.ClassPerm(s.Class).Has(login.Configure),
		Chunked:   fr.v11,
		RFC:       fr.rfc,
		Release:   Junos,
		Kill:      m.killNETCONF,
	})
	if err != nil {
		return 1
	}
	return 0
}

// channel is the session channel as NETCONF reads and writes it; the
// input's SetReadDeadline lets the session end while a read waits.
type channel struct {
	*sshd.Input
	io.Writer
}

// addNETCONF numbers a new session (its session-id).
func (m *Management) addNETCONF(cancel context.CancelFunc) (int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return 0, false
	}
	m.ncID++
	m.ncs[m.ncID] = &ncSession{cancel: cancel}
	return m.ncID, true
}

func (m *Management) removeNETCONF(id int) {
	m.mu.Lock()
	delete(m.ncs, id)
	m.mu.Unlock()
}

// killNETCONF ends another NETCONF session (kill-session).
func (m *Management) killNETCONF(id int) error {
	m.mu.Lock()
	s := m.ncs[id]
	m.mu.Unlock()
	if s == nil {
		return errors.New("no such session")
	}
	s.cancel()
	return nil
}

// shellOps runs NETCONF's operational requests in a CLI session.
type shellOps struct{ sh *shell.Shell }

func (o shellOps) Command(ctx context.Context, line string) (cmdtree.Reply, error) {
	rep, err := o.sh.Command(ctx, line)
	return rep, opError(err)
}

func (o shellOps) RPC(ctx context.Context, name string, args map[string]string) (cmdtree.Reply, error) {
	rep, err := o.sh.RPC(ctx, name, args)
	return rep, opError(err)
}

// opError maps the shell's errors to NETCONF's.
func opError(err error) error {
	var ce *shell.CommandError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, shell.ErrNoRPC):
		return netconf.ErrUnknownRPC
	case errors.As(err, &ce):
		return &netconf.OpError{Msg: ce.Msg, BadElement: ce.Token}
	}
	return err
}
