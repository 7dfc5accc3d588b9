package router

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"mxlab/config"
	"mxlab/mgmt/login"
	"mxlab/mgmt/rootsh"
	"mxlab/mgmt/sshd"
	"mxlab/shell"
	"mxlab/syslog"
)

// Management is the SSH and NETCONF service of a router: the SSH server,
// the accounts it checks, and the sessions it runs (the CLI, the root
// shell, NETCONF). The caller that starts it gives it listeners and stops
// it before the router.
type Management struct {
	r    *Router
	srv  *sshd.Server
	acct atomic.Pointer[login.Accounts]

	mu      sync.Mutex
	ptys    map[int]bool         // pts numbers in use
	last    map[string]lastLogin // for "Last login:"
	ncs     map[int]*ncSession   // NETCONF sessions by session-id
	ncID    int                  // the last session-id given
	stopped bool

	framing atomic.Pointer[ncFraming]
}

// lastLogin is when and from where a user last logged in.
type lastLogin struct {
	at   time.Time
	from string
}

// MgmtOptions tune the management service; the zero value is Junos's
// behaviour.
type MgmtOptions struct {
	// FailDelay and BackoffUnit pace failed logins (see sshd.Options);
	// tests shorten them.
	FailDelay, BackoffUnit time.Duration
}

// StartManagement starts the router's SSH server (its host keys live in
// STATE/etc/ssh) with the accounts and services of the committed
// configuration, which it follows from then on. Serve gives it ports.
func (r *Router) StartManagement(o MgmtOptions) (*Management, error) {
	m := &Management{r: r, ptys: map[int]bool{}, last: map[string]lastLogin{}, ncs: map[int]*ncSession{}}
	srv, err := sshd.New(sshd.Options{
		KeyDir: filepath.Join(r.dir, "etc", "ssh"), Users: users{m}, Handler: m, Log: sshdLog{r.Log},
		Subsystems: []string{"netconf"}, FailDelay: o.FailDelay, BackoffUnit: o.BackoffUnit,
	})
	if err != nil {
		return nil, fmt.Errorf("router %s: %w", r.name, err)
	}
	m.srv = srv
	if err := writeHostsJunos(filepath.Join(r.dir, "etc", "hosts.junos")); err != nil {
		srv.Close()
		return nil, fmt.Errorf("router %s: %w", r.name, err)
	}
	m.apply(r.DB.Effective())
	r.DB.AddOwner(m)
	return m, nil
}

// hostsJunos names the addresses of the Routing Engines' internal network
// (em1, routing instance __juniper_private1__), as /etc/hosts.junos does
// on a router: PyEZ reads it to tell which Routing Engine it talks to.
const hostsJunos = `#
# Internal addresses of the Routing Engines
#
10.0.0.1	master
10.0.0.4	re0
10.0.0.5	re1
128.0.0.1	master node fwdd member pfem
128.0.0.4	re0
128.0.0.5	re1
`

func writeHostsJunos(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	return os.WriteFile(path, []byte(hostsJunos), 0o644)
}

// Serve accepts SSH (sshd.SSH) or NETCONF (sshd.NETCONF) connections on
// ln until Stop.
func (m *Management) Serve(ln net.Listener, kind sshd.Kind) error { return m.srv.Serve(ln, kind) }

// HostKeys returns the router's public SSH host keys.
func (m *Management) HostKeys() []ssh.PublicKey { return m.srv.HostKeys() }

// Stop ends every session and listener and waits for them.
func (m *Management) Stop() {
	m.mu.Lock()
	m.stopped = true
	m.mu.Unlock()
	m.srv.Close()
}

// Prepare follows a commit: the accounts and the services of the new
// configuration apply to the logins that follow.
func (m *Management) Prepare(_ context.Context, _, new *config.Node) (config.Pending, error) {
	return applyFunc(func() { m.apply(new) }), nil
}

type applyFunc func()

func (f applyFunc) Apply() { f() }
func (f applyFunc) Abort() {}

// apply takes the accounts and services of a configuration.
func (m *Management) apply(root *config.Node) {
	m.acct.Store(login.FromConfig(root))
	fr := netconfFraming(root)
	m.framing.Store(&fr)
	m.srv.Configure(serviceSettings(root))
}

// serviceSettings reads [edit system services]. A configuration that
// says nothing of services runs SSH and NETCONF, as the factory
// configuration of a lab router does.
func serviceSettings(root *config.Node) sshd.Settings {
	svc := root.Get("system", "services")
	if svc == nil {
		return sshd.Settings{SSH: true, NETCONF: true}
	}
	ssh := svc.Get("ssh")
	st := sshd.Settings{SSH: ssh != nil, NETCONF: svc.Get("netconf", "ssh") != nil}
	if ssh != nil {
		st.ConnectionLimit = atoi(ssh, "connection-limit")
		st.RateLimit = atoi(ssh, "rate-limit")
		st.MaxSessions = atoi(ssh, "max-sessions-per-connection")
	}
	return st
}

func atoi(n *config.Node, leaf string) int {
	v, _ := n.Leaf(leaf)
	i, _ := strconv.Atoi(v)
	return i
}

// users checks credentials against the committed accounts. A
// configuration with no account at all (no login user, no
// root-authentication) accepts the factory lab login.
type users struct{ m *Management }

func (u users) accounts() *login.Accounts {
	a := u.m.acct.Load()
	if a.Empty() {
		return login.FactoryAccounts()
	}
	return a
}

func (u users) Password(user, pw string) (sshd.Account, bool) {
	a, ok := u.accounts().Password(user, pw)
	return sshd.Account{User: a.Name, Class: a.Class}, ok
}

func (u users) PublicKey(user string, key ssh.PublicKey) (sshd.Account, bool) {
	a, ok := u.accounts().PublicKey(user, key)
	return sshd.Account{User: a.Name, Class: a.Class}, ok
}

func (u users) Known(user string) bool {
	_, ok := u.accounts().Lookup(user)
	return ok
}

func (u users) Policy() sshd.Policy {
	a := u.accounts()
	return sshd.Policy{Retry: sshd.Retry(a.Retry), Banner: a.Message}
}

// Session runs a session channel: NETCONF (the subsystem, or "xml-mode
// netconf need-trailer"), the root shell for root, otherwise the CLI or
// one CLI command line.
func (m *Management) Session(ctx context.Context, s *sshd.Session) int {
	switch {
	case s.Run == sshd.RunSubsystem || (s.Run == sshd.RunExec && netconfExec(s.Command)):
		return m.netconf(ctx, s)
	case s.User == login.Root:
		return m.rootShell(ctx, s)
	case s.Run == sshd.RunExec:
		return m.exec(ctx, s, s.Command)
	}
	return m.cli(ctx, s)
}

// netconfExec reports whether an exec command starts a NETCONF session,
// as ncclient's Junos fallback does.
func netconfExec(cmd string) bool {
	return cmd == "xml-mode netconf need-trailer" || cmd == "xml-mode netconf" || cmd == "netconf"
}

func connString(s *sshd.Session) string {
	return fmt.Sprintf("%s %d %s %d", addrHost(s.Remote), addrPort(s.Remote), addrHost(s.Local), addrPort(s.Local))
}

func addrHost(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	return a.String()
}

func addrPort(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	return 0
}

// allow returns the command filter of a login class.
func allow(class string) func([]string) bool {
	perm := login.ClassPerm(class)
	if perm == login.All {
		return nil
	}
	return func(words []string) bool { return perm.Has(login.CommandPerm(words)) }
}

// cli runs the interactive CLI on a session.
func (m *Management) cli(ctx context.Context, s *sshd.Session) int {
	line, release := m.terminal(s)
	defer release()
	if s.PTY {
		m.greet(s)
	}
	return m.runCLI(ctx, s, s.User, line)
}

// runCLI runs a CLI session until the user leaves it or is logged out.
func (m *Management) runCLI(ctx context.Context, s *sshd.Session, user, line string) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sh, done := m.r.NewShell(ShellOptions{In: s.In, Out: s.Out, TTY: s.PTY, Term: s.Term, User: user,
		Line: line, From: addrHost(s.Remote), Size: s.Size, Allow: allow(s.Class), Class: s.Class, Conn: connString(s)})
	defer done()
	if line == "" {
		m.r.unlist(sh.Session()) // no terminal: not a login "show system users" lists
	} else {
		m.r.setLogout(sh.Session(), cancel)
	}
	if err := sh.Run(ctx); err != nil && ctx.Err() == nil {
		return 1
	}
	return 0
}

// exec runs one CLI command line ("ssh router show version").
func (m *Management) exec(ctx context.Context, s *sshd.Session, cmds string) int {
	sh, done := m.r.NewShell(ShellOptions{In: s.In, Out: s.Out, TTY: s.PTY, Term: s.Term, User: s.User,
		From: addrHost(s.Remote), Size: s.Size, Allow: allow(s.Class), Class: s.Class, Conn: connString(s)})
	m.r.unlist(sh.Session())
	defer done()
	if sh.RunCommands(ctx, cmds) {
		return 1
	}
	return 0
}

// rootShell runs the FreeBSD shell of root: "cli" starts the CLI.
func (m *Management) rootShell(ctx context.Context, s *sshd.Session) int {
	line, release := m.terminal(s)
	defer release()
	o := rootsh.Options{Host: m.r.Hostname, In: s.In, Out: s.Out, TTY: s.PTY,
		CLI: func(ctx context.Context) int { return m.runCLI(ctx, s, login.Root, line) },
		Commands: func(ctx context.Context, cmds string) int {
			return m.exec(ctx, s, cmds)
		},
	}
	if s.Run == sshd.RunExec {
		return rootsh.Exec(ctx, o, s.Command)
	}
	if s.PTY {
		m.greet(s)
	}
	return rootsh.Run(ctx, o)
}

// greet prints what Junos prints after an interactive login: the last
// login of the user, then the banner line of the software.
func (m *Management) greet(s *sshd.Session) {
	from := addrHost(s.Remote)
	m.mu.Lock()
	prev, ok := m.last[s.User]
	m.last[s.User] = lastLogin{at: m.r.now(), from: from}
	m.mu.Unlock()
	var b []byte
	if ok {
		b = fmt.Appendf(b, "Last login: %s from %s\r\n", prev.at.Format("Mon Jan _2 15:04:05 2006"), prev.from)
	}
	b = fmt.Appendf(b, "--- JUNOS %s Kernel 64-bit  mxlab-%s\r\n", Junos, Version)
	s.Out.Write(b)
}

// terminal gives an interactive session with a pty its line ("pts/0",
// the lowest number free); the returned function frees it.
func (m *Management) terminal(s *sshd.Session) (string, func()) {
	if !s.PTY || s.Run != sshd.RunShell {
		return "", func() {}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for m.ptys[n] {
		n++
	}
	m.ptys[n] = true
	return fmt.Sprintf("pts/%d", n), func() {
		m.mu.Lock()
		delete(m.ptys, n)
		m.mu.Unlock()
	}
}

// loginEntry is a session "show system users" lists; end, when set,
// logs it out.
type loginEntry struct {
	login func() shell.Login
	end   func()
}

// unlist removes a session from the logins (a session without a
// terminal, which Junos does not list).
func (r *Router) unlist(key any) {
	r.mu.Lock()
	delete(r.logins, key)
	r.mu.Unlock()
}

// setLogout makes a listed session one "request system logout" can end.
func (r *Router) setLogout(key any, end func()) {
	r.mu.Lock()
	if e := r.logins[key]; e != nil {
		e.end = end
	}
	r.mu.Unlock()
}

// logout ends the sessions that match; it returns how many it ended.
func (r *Router) logout(match func(shell.Login) bool) int {
	r.mu.Lock()
	var ends []func()
	for _, e := range r.logins {
		if e.end != nil && match(e.login()) {
			ends = append(ends, e.end)
		}
	}
	r.mu.Unlock()
	for _, end := range ends {
		end()
	}
	return len(ends)
}

// sortLogins orders the logins by terminal line, as utmp lists them.
func sortLogins(l []shell.Login) {
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Since.Before(l[j].Since)
	})
}

// sshdLog writes the SSH server's lines to the router's system log; a
// line that starts with an event tag ("SSHD_LOGIN_FAILED: ...") carries it.
type sshdLog struct{ l *syslog.Log }

func (w sshdLog) Log(process string, pid int, msg string) {
	tag := ""
	if t, rest, ok := strings.Cut(msg, ": "); ok && t != "" && strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == "" {
		tag, msg = t, rest
	}
	w.l.Event(syslog.Process{Name: process, PID: pid}, tag, "%s", msg)
}

// FactoryLogin reports whether the router takes the factory lab login:
// its configuration has no account.
func (r *Router) FactoryLogin() bool {
	var empty bool
	r.DB.ActiveView(func(root *config.Node) { empty = login.FromConfig(root).Empty() })
	return empty
}
