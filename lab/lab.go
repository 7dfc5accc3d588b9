package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"mxlab/netns"
	"mxlab/router"
)

// DefaultRunDir is where the run directories of labs live when root runs
// them: /run/mxlab/<lab>/ holds the control socket, the process id, the
// list of namespaces and the routers' state directories.
const DefaultRunDir = "/run/mxlab"

// ErrRunning reports a lab of the same name that is already running.
var ErrRunning = errors.New("lab is already running")

// Options describe how a lab runs.
type Options struct {
	// RunDir is the directory of run directories; default DefaultRunDir.
	RunDir string
	// Now is the routers' clock; default time.Now.
	Now func() time.Time
	// Parallel is how many nodes are set up at once; default twice the
	// number of CPUs.
	Parallel int
	// UI serves the lab's web page on ln until ctx ends, writing what it
	// has to tell the user (the page's address, refused requests) to out:
	// "mxlab lab ui" asks a running lab for it over the control socket,
	// handing it a listener opened in the caller's network namespace. Nil
	// refuses such requests.
	UI func(ctx context.Context, l *Lab, ln net.Listener, out io.Writer) error
	// Forwards are the loopback listeners of the routers (OpenForwards);
	// the lab closes them. Nil: none.
	Forwards Forwards
	// MgmtNetwork creates the management network: a bridge on the host
	// and an fxp0 address in every router (root only; "mxlab lab up" asks
	// for it).
	MgmtNetwork bool
	// Mgmt tunes the routers' SSH servers.
	Mgmt router.MgmtOptions
}

// Lab is a running lab: its namespaces, links, routers and control socket.
type Lab struct {
	topo    *Topology
	dir     string
	handles map[string]*netns.Handle // node -> namespace
	routers map[string]*router.Router
	opts    Options
	mnet    *mgmtNet // the management network, nil without one
	bridges []string // the management bridges and links between them made
	ln      net.Listener
	ui      func(ctx context.Context, l *Lab, ln net.Listener, out io.Writer) error
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	stop    chan struct{} // closed by the first "down" request
	once    sync.Once     // closes stop
	closed  sync.Once

	mu      sync.Mutex
	conns   map[net.Conn]bool             // console sessions, closed by Close
	downers []net.Conn                    // "down" requests, answered when Close is done
	lines   int                           // console sessions so far (terminal line names)
	mgmt    map[string]*router.Management // SSH servers, by router
}

// Up starts a lab: it removes what a killed run of the same lab left,
// creates a namespace per node, the links, the hosts' addresses and
// routes, starts the routers with their startup configurations and opens
// the control socket. A failure removes everything that was made.
func Up(ctx context.Context, t *Topology, o Options) (*Lab, error) {
	if err := netns.Available(); err != nil {
		return nil, err
	}
	if err := checkFiles(t, o.Forwards); err != nil {
		o.Forwards.Close()
		return nil, err
	}
	if o.RunDir == "" {
		o.RunDir = DefaultRunDir
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Parallel <= 0 {
		o.Parallel = 2 * runtime.NumCPU()
	}
	if err := EnsureRunRoot(o.RunDir); err != nil {
		o.Forwards.Close()
		return nil, err
	}
	dir := filepath.Join(o.RunDir, t.Name)
	if err := clearLeftovers(dir, t); err != nil {
		o.Forwards.Close()
		return nil, err
	}
	l := &Lab{topo: t, dir: dir, handles: map[string]*netns.Handle{}, routers: map[string]*router.Router{},
		stop: make(chan struct{}), conns: map[net.Conn]bool{}, opts: o, ui: o.UI, mgmt: map[string]*router.Management{}}
	if err := l.start(ctx, o); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Lab) start(ctx context.Context, o Options) error {
	if err := writeRunDir(l.dir, l.topo); err != nil {
		return err
	}
	if err := l.createNamespaces(o.Parallel); err != nil {
		return err
	}
	for _, link := range l.topo.Links {
		if err := l.connect(link); err != nil {
			return err
		}
		l.releaseHost(link.A.Node)
		l.releaseHost(link.B.Node)
	}
	for _, n := range l.topo.Nodes {
		if n.Kind == KindHost {
			if err := setupHost(l.handles[n.Name], n); err != nil {
				return err
			}
			l.releaseHost(n.Name)
		}
	}
	var err error
	if l.mnet, err = l.setupMgmtNet(); err != nil {
		return fmt.Errorf("management network: %w", err)
	}
	rctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	if err := l.startRouters(ctx, rctx, o); err != nil {
		return err
	}
	return l.listen(rctx)
}

// createNamespaces makes "<lab>-<node>" for every node.
func (l *Lab) createNamespaces(parallel int) error {
	var mu sync.Mutex
	return forEach(l.topo.Nodes, parallel, func(n *Node) error {
		h, err := netns.Create(l.topo.Namespace(n.Name))
		if err != nil {
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
		if n.Kind == KindHost {
			h.Release()
		}
		mu.Lock()
		l.handles[n.Name] = h
		mu.Unlock()
		return nil
	})
}

// releaseHost gives back the descriptors of a host's namespace once a
// step of its setup is done: a host is seldom touched after the lab is up,
// and ten thousand of them would otherwise hold twenty thousand files.
// Nothing else uses the handles before the lab listens.
func (l *Lab) releaseHost(node string) {
	if l.topo.Node(node).Kind == KindHost {
		l.handles[node].Release()
	}
}

// connect makes the veth pair of a link; a router's end is named after
// its port (netns.LinuxName).
func (l *Lab) connect(link Link) error {
	an, err := l.linuxName(link.A)
	if err != nil {
		return err
	}
	bn, err := l.linuxName(link.B)
	if err != nil {
		return err
	}
	return netns.Connect(l.handles[link.A.Node], an, l.handles[link.B.Node], bn)
}

func (l *Lab) linuxName(e Endpoint) (string, error) {
	if l.topo.Node(e.Node).Kind == KindHost {
		return e.Port, nil
	}
	return netns.LinuxName(e.Port)
}

// startRouters builds and starts every router; each commits its startup
// configuration. The routers run until Close (rctx).
func (l *Lab) startRouters(ctx, rctx context.Context, o Options) error {
	var routers []*Node
	for _, n := range l.topo.Nodes {
		if n.Kind == KindRouter {
			routers = append(routers, n)
		}
	}
	var mu sync.Mutex
	return forEach(routers, o.Parallel, func(n *Node) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		state := n.StateDir
		if state == "" {
			state = filepath.Join(l.dir, n.Name)
		}
		r, err := router.New(router.Options{Name: n.Name, Layout: n.Layout, StateDir: state, Now: o.Now, Netns: l.handles[n.Name], HostFiles: true})
		if err != nil {
			return fmt.Errorf("router %s: %w", n.Name, err)
		}
		mu.Lock()
		l.routers[n.Name] = r
		mu.Unlock()
		if err := copyFiles(r, n.Files); err != nil {
			return fmt.Errorf("router %s: %w", n.Name, err)
		}
		startup := n.Config
		if l.mnet != nil {
			startup += mgmtConfig(n.Config, netip.PrefixFrom(l.mnet.addrs[n.Name], l.mnet.gateway.Bits()))
		}
		if err := r.Start(rctx, startup); err != nil {
			return fmt.Errorf("router %s: %w", n.Name, err)
		}
		if err := l.checkPorts(n, r); err != nil {
			return err
		}
		if err := l.serveMgmt(n, r); err != nil {
			return fmt.Errorf("router %s: %w", n.Name, err)
		}
		return nil
	})
}

// checkPorts refuses a link to a port the router's chassis does not have
// (the chassis answers once started).
func (l *Lab) checkPorts(n *Node, r *router.Router) error {
	for _, link := range l.topo.Links {
		for _, e := range []Endpoint{link.A, link.B} {
			if e.Node != n.Name {
				continue
			}
			if st, ok := r.Chassis.Interface(e.Port); !ok || !st.Present {
				return fmt.Errorf("%w: link endpoint %s: router %s (%s) has no port %s", ErrTopology, e, n.Name, r.Chassis.Model(), e.Port)
			}
		}
	}
	return nil
}

// forEach runs fn on every item, at most parallel at once, and returns
// the first error.
func forEach[T any](items []T, parallel int, fn func(T) error) error {
	sem := make(chan struct{}, parallel)
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(it)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Topology returns the lab's topology.
func (l *Lab) Topology() *Topology { return l.topo }

// Dir returns the lab's run directory.
func (l *Lab) Dir() string { return l.dir }

// Socket returns the path of the control socket.
func (l *Lab) Socket() string { return socketPath(l.dir) }

// Router returns a router of the lab, nil when there is none of that name.
func (l *Lab) Router(name string) *router.Router { return l.routers[name] }

// Management returns the SSH server of a router, nil when there is none.
func (l *Lab) Management(name string) *router.Management {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mgmt[name]
}

// Namespace returns the namespace of a node, nil when there is none.
func (l *Lab) Namespace(node string) *netns.Handle { return l.handles[node] }

// NewLine returns the name of a new terminal line for a console session
// ("p0", "p1"...), as "show system users" lists them.
func (l *Lab) NewLine() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines++
	return fmt.Sprintf("p%d", l.lines-1)
}

// Stopping is closed when a "down" request arrives on the control socket.
func (l *Lab) Stopping() <-chan struct{} { return l.stop }

// Ready returns the line a lab prints when every router's CLI is ready.
func (l *Lab) Ready() string {
	r, h := l.topo.Count()
	return fmt.Sprintf("lab %s ready: %s, %s", l.topo.Name, plural(r, "router"), plural(h, "host"))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Close stops the lab and removes everything it made: console sessions,
// routers, processes left in its namespaces, namespaces (and with them
// every link) and the run directory. It answers pending "down" requests
// when done. Calling it again does nothing.
func (l *Lab) Close() error {
	var err error
	l.closed.Do(func() { err = l.close() })
	return err
}

func (l *Lab) close() error {
	if l.ln != nil {
		l.ln.Close()
	}
	if l.cancel != nil {
		l.cancel()
	}
	l.mu.Lock()
	for c := range l.conns {
		c.Close()
	}
	l.conns = nil
	l.mu.Unlock()
	l.wg.Wait()
	l.mu.Lock()
	mgmt := l.mgmt
	l.mgmt = nil
	l.mu.Unlock()
	for _, m := range mgmt {
		m.Stop()
	}
	l.opts.Forwards.Close() // those no server took
	for _, r := range l.routers {
		r.Stop()
	}
	var errs []error
	if len(l.bridges) > 0 {
		if host, err := netns.Host(); err == nil {
			for _, name := range l.bridges {
				if err := host.DeleteLink(name); err != nil {
					errs = append(errs, err)
				}
			}
			host.Close()
		}
	}
	for name, h := range l.handles {
		killProcesses(filepath.Join(netns.RunDir, l.topo.Namespace(name)))
		if err := h.Delete(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(l.dir); err != nil {
		errs = append(errs, err)
	}
	l.mu.Lock()
	for _, c := range l.downers {
		writeFrame(c, frameExit, []byte{0})
		c.Close()
	}
	l.downers = nil
	l.mu.Unlock()
	return errors.Join(errs...)
}
