package router

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mxlab/chassis"
	"mxlab/config"
	"mxlab/mgmt/login"
	"mxlab/netns"
	"mxlab/pic"
	"mxlab/routing"
	"mxlab/routing/ospf"
	"mxlab/services"
	"mxlab/services/mspic"
	"mxlab/services/pki"
	"mxlab/shell"
	"mxlab/shell/cfgmode"
	"mxlab/shell/cmdtree"
	"mxlab/syslog"
)

// Junos is the release mxlab reports ("show version").
const Junos = "24.4R1.9"

// Version is the version of mxlab itself, set by the build.
var Version = "0.1.0"

// Options describe a router.
type Options struct {
	Name     string         // the router's name (serial numbers, default state directory)
	Layout   chassis.Layout // the hardware; the zero Layout is the default MX480
	StateDir string         // committed configurations, rollbacks, /var/log; required
	// Config is a configuration (curly-brace text or set commands) to
	// commit at start, when not empty.
	Config string
	Now    func() time.Time
	// Netns is the router's network namespace; nil runs the router without
	// a forwarding plane (NoPlane says why).
	Netns   *netns.Handle
	NoPlane error
	// HostFiles lets the CLI sessions copy files of the host into the
	// router ("file copy /home/me/ca.crt /var/tmp/"): for a router run
	// standalone or in a lab by the user who owns it.
	HostFiles bool
}

// Router is one running router.
type Router struct {
	name    string
	dir     string
	booted  time.Time
	now     func() time.Time
	DB      *config.DB
	Chassis *chassis.Chassis
	Config  *cfgmode.Config
	Routing *routing.Router
	OSPF    *ospf.Process
	Netns   *netns.Router // nil without a namespace
	fwd     *forwarding
	svc     *services.Services
	pki     *pki.Store
	hostFS  bool
	Log     *syslog.Log // /var/log/messages
	lock    *os.File    // the state directory's lock
	wg      sync.WaitGroup
	cancel  context.CancelFunc // ends the goroutines New and Start started
	ctx     context.Context

	host atomic.Pointer[string] // the committed host-name

	mu     sync.Mutex
	logins map[any]*loginEntry // the sessions "show system users" lists
}

// New builds a router from its state directory; Start runs it.
func New(opts Options) (*Router, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.StateDir == "" {
		return nil, fmt.Errorf("router %s: no state directory", opts.Name)
	}
	// The state directory holds configurations, keys and logs: the owner's
	// only.
	for _, d := range []string{"config", "var/log", "var/tmp", "var/home"} {
		if err := os.MkdirAll(filepath.Join(opts.StateDir, d), 0o700); err != nil {
			return nil, err
		}
	}
	os.Chmod(opts.StateDir, 0o700)
	r := &Router{name: opts.Name, dir: opts.StateDir, booted: opts.Now(), now: opts.Now, hostFS: opts.HostFiles,
		logins: map[any]*loginEntry{}}
	lock, err := Lock(filepath.Join(opts.StateDir, "lock"))
	if err != nil {
		return nil, fmt.Errorf("router %s: state directory %s: %w", opts.Name, opts.StateDir, err)
	}
	r.lock = lock
	ok := false
	defer func() {
		if !ok {
			r.Log.Close()
			Unlock(lock)
		}
	}()
	store, err := config.NewStore(filepath.Join(opts.StateDir, "config"))
	if err != nil {
		return nil, err
	}
	r.Log, err = syslog.Open(syslog.Options{Dir: filepath.Join(opts.StateDir, "var", "log"), Host: r.Hostname, Now: opts.Now})
	if err != nil {
		return nil, fmt.Errorf("router %s: %w", opts.Name, err)
	}
	r.Config = &cfgmode.Config{Version: "24.4R1.9", Now: opts.Now, HashPassword: login.Hash}
	db, err := config.Open(config.Options{Store: store, Now: opts.Now,
		Notify: func(msg string) { r.Config.Broadcast("root@"+r.Hostname(), msg) },
		Log: func(who config.Who, tag, msg string) {
			pid := who.PID
			if pid == 0 {
				pid = os.Getpid()
			}
			r.Log.Event(syslog.Mgd(pid), tag, "%s", msg)
		}})
	if err != nil {
		return nil, fmt.Errorf("router %s: %w", opts.Name, err)
	}
	r.DB, r.Config.DB = db, db
	ch, err := chassis.New(opts.Name, opts.Layout)
	if err != nil {
		return nil, err
	}
	r.Chassis = ch
	var dp routing.Dataplane = noPlane{reason: opts.NoPlane}
	if opts.NoPlane == nil {
		dp = noPlane{reason: errNoNamespace}
	}
	if opts.Netns != nil {
		nr, err := netns.NewRouter(opts.Netns)
		if err != nil {
			return nil, fmt.Errorf("router %s: %w", opts.Name, err)
		}
		r.Netns, dp = nr, nr
		ch.SetCounters(counters{ns: nr, pic: func(ifd string) (uint64, uint64) { return r.svc.Drops(ifd) }})
	}
	r.Routing = routing.New(dp, routing.WithClock(opts.Now))
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.fwd = &forwarding{ns: r.Netns, rt: r.Routing, chassis: ch, log: r.Log, ops: make(chan func()), quit: r.ctx.Done()}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.fwd.run(r.ctx)
	}()
	if err := r.newPKI(); err != nil {
		return nil, err
	}
	svc := r.newServices()
	db.AddValidator(chassis.Validate)
	db.AddValidator(routing.Validate)
	db.AddValidator(svc.Validate)
	db.AddValidator(support.Validator())
	r.setHost(db.Effective())
	db.AddOwner(systemOwner{r: r})
	db.AddOwner(chassisOwner{c: ch})
	db.AddOwner(svc)
	db.AddOwner(r.fwd)
	r.newOSPF(dp)
	ok = true
	return r, nil
}

// Start starts the hardware, applies the committed configuration and, when
// a startup configuration was given, loads and commits it.
func (r *Router) Start(ctx context.Context, startup string) error {
	if err := r.Chassis.Start(ctx); err != nil {
		return err
	}
	eff := r.DB.Effective()
	r.Chassis.Configure(chassis.ParseConfig(eff))
	r.startPKI(ctx, eff)
	if err := r.svc.Start(ctx, eff); err != nil {
		return err
	}
	if err := r.applyCommitted(ctx, eff); err != nil {
		return err
	}
	events := r.Chassis.Watch(r.ctx)
	r.watchLinks(r.ctx)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.runEvents(r.ctx, events)
	}()
	if len(r.DB.History()) == 0 {
		if err := r.commitFactory(ctx); err != nil {
			return err
		}
	}
	if startup == "" {
		return nil
	}
	s, _, _, err := r.DB.Begin(config.Who{User: "root", Terminal: "console", PID: os.Getpid(), Since: r.booted}, config.Private)
	if err != nil {
		return err
	}
	defer s.Close()
	mode := config.LoadOverride
	if looksLikeSetLines(startup) {
		if err := s.Load(config.LoadOverride, "", "startup", false); err != nil {
			return err
		}
		mode = config.LoadSet
	}
	if err := s.Load(mode, startup, "startup", false); err != nil {
		return fmt.Errorf("startup configuration: %w", err)
	}
	if _, err := s.Commit(ctx, config.CommitOptions{Via: "other", Comment: "startup configuration"}); err != nil {
		return fmt.Errorf("startup configuration:\n%w", err)
	}
	return nil
}

// looksLikeSetLines tells set commands from curly-brace text.
func looksLikeSetLines(text string) bool {
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		for _, verb := range []string{"set ", "delete ", "deactivate ", "activate "} {
			if strings.HasPrefix(line, verb) {
				return true
			}
		}
		return false
	}
	return false
}

// Stop stops the router's goroutines and timers. It is safe to call more
// than once.
func (r *Router) Stop() {
	r.cancel()
	r.wg.Wait()
	r.OSPF.Stop()
	r.svc.Stop()
	r.Chassis.Stop()
	r.pki.Close()
	r.DB.Close()
	r.Log.Close()
	Unlock(r.lock)
	r.lock = nil
}

// applyCommitted programs the forwarding plane with the configuration the
// router starts with.
func (r *Router) applyCommitted(ctx context.Context, eff *config.Node) error {
	p, err := r.fwd.Prepare(ctx, nil, eff)
	if err != nil {
		return err
	}
	p.Apply()
	return nil
}

// runEvents follows the hardware: ports of a card that goes offline go
// down in the namespace, and the forwarding plane is programmed again
// from the committed configuration, by its owner goroutine.
func (r *Router) runEvents(ctx context.Context, events <-chan chassis.Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			r.logEvent(ev)
			r.fwd.do(func() {
				if r.Netns != nil {
					for _, ifd := range ev.Interfaces {
						if isPort(ifd) {
							r.Netns.SetLinkUp(ifd, ev.State == pic.Online)
						}
					}
				}
				r.fwd.reprogram()
			})
		}
	}
}

// ESPSAs returns the router's installed ESP SAs with their keys, as
// lines of Wireshark's esp_sa file (for the host: mxlab lab keys).
func (r *Router) ESPSAs() []string { return r.svc.WiresharkSAs() }

// ServiceStatus returns the state of every PIC running service sets (its
// service sets, tunnels and SAs), in interface order.
func (r *Router) ServiceStatus() []mspic.Status { return r.svc.Status() }

// Name returns the router's name.
func (r *Router) Name() string { return r.name }

// Hostname returns the committed system host-name, "mxlab" when none. It
// takes no lock: the system log calls it while a commit runs.
func (r *Router) Hostname() string {
	if h := r.host.Load(); h != nil {
		return *h
	}
	return "mxlab"
}

// systemOwner applies [edit system host-name] to the router.
type systemOwner struct{ r *Router }

func (o systemOwner) Prepare(_ context.Context, _, new *config.Node) (config.Pending, error) {
	return hostApply{r: o.r, root: new}, nil
}

type hostApply struct {
	r    *Router
	root *config.Node
}

func (a hostApply) Apply() { a.r.setHost(a.root) }
func (a hostApply) Abort() {}

func (r *Router) setHost(root *config.Node) {
	h := "mxlab"
	if v, ok := root.Leaf("system", "host-name"); ok && v != "" {
		h = v
	}
	r.host.Store(&h)
}

// ShellOptions describe a CLI session.
type ShellOptions struct {
	In   io.Reader
	Out  io.Writer
	TTY  bool
	Term string
	User string
	Line string // terminal line ("p0", "pts/1")
	From string
	Size func() (int, int)
	// Allow tells which commands the user's login class permits (nil:
	// all); Class names the class and Conn the connection in the login
	// event (super-user and From by default).
	Allow       func(words []string) bool
	Class, Conn string
	Mode        string // the client-mode of the login event ("cli" by default)
}

// NewShell returns a CLI session on the router. Close it with the
// function returned when the session ends.
func (r *Router) NewShell(o ShellOptions) (*shell.Shell, func()) {
	sh := shell.New(shell.Options{
		Registry: Commands(), Router: r, User: o.User, Hostname: r.Hostname,
		Version: shell.Version{Model: r.Chassis.Model(), Junos: Junos, Mxlab: Version},
		In:      o.In, Out: o.Out, TTY: o.TTY, Term: o.Term, Size: o.Size,
		ConfigMode: r.Config, StateDir: r.dir, Hidden: internalPaths, HostFiles: r.hostFS, Booted: r.booted, Now: r.now,
		LastConfigured: func() (time.Time, string, bool) { return lastCommit(r.DB) },
		Logins:         r.Logins, From: o.From, Line: o.Line, Allow: o.Allow,
	})
	s := sh.Session()
	r.mu.Lock()
	r.logins[s] = &loginEntry{login: s.Login}
	r.mu.Unlock()
	conn, class, mode := o.Conn, o.Class, o.Mode
	if conn == "" {
		conn = o.From
	}
	if class == "" {
		class = "super-user"
	}
	if mode == "" {
		mode = "cli"
	}
	r.Log.Event(syslog.Mgd(os.Getpid()), "UI_LOGIN_EVENT", "User '%s' login, class 'j-%s' [%d], ssh-connection '%s', client-mode '%s'", o.User, class, os.Getpid(), conn, mode)
	var once sync.Once
	return sh, func() {
		once.Do(func() {
			r.mu.Lock()
			delete(r.logins, s)
			r.mu.Unlock()
			r.Log.Event(syslog.Mgd(os.Getpid()), "UI_LOGOUT_EVENT", "User '%s' logout", o.User)
		})
	}
}

// Logins lists the CLI sessions of the router.
func (r *Router) Logins() []shell.Login {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]shell.Login, 0, len(r.logins))
	for _, e := range r.logins {
		out = append(out, e.login())
	}
	sortLogins(out)
	return out
}

func lastCommit(db *config.DB) (time.Time, string, bool) {
	h := db.History()
	if len(h) == 0 {
		return time.Time{}, "", false
	}
	return h[0].Time, h[0].User, true
}

var (
	commandsOnce sync.Once
	commands     *cmdtree.Registry
)

// Commands returns the operational command tree shared by every router of
// the process.
func Commands() *cmdtree.Registry {
	commandsOnce.Do(func() {
		r := cmdtree.New()
		shell.RegisterBuiltins(r)
		chassis.Register(r, func(env *cmdtree.Env) *chassis.Chassis { return env.Router.(*Router).Chassis })
		cfgmode.Register(r, func(env *cmdtree.Env) *cfgmode.Config { return env.Router.(*Router).Config })
		routing.Register(r, func(env *cmdtree.Env) *routing.Router { return env.Router.(*Router).Routing })
		ospf.Register(r, func(env *cmdtree.Env) *ospf.Process { return env.Router.(*Router).OSPF })
		registerServices(r)
		registerNotYet(r)
		registerPKI(r)
		registerMgmt(r)
		commands = r
	})
	return commands
}

// internalPaths are the router's own files under its state directory,
// which no CLI file command (file show/list/copy/delete, "| save", load)
// may reach: the commit history, the PKI store (private keys), the
// sequence numbers of the manual SAs, the lock, the SSH host keys.
var internalPaths = []string{"/config", pkiPath, "/db", "/lock", "/etc/ssh"}
