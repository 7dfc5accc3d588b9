package ui

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"mxlab/lab"
	"mxlab/netns"
	"mxlab/router"
)

//go:embed static
var static embed.FS

// Lab is what the page shows and reaches: *lab.Lab.
type Lab interface {
	Topology() *lab.Topology
	Router(name string) *router.Router   // nil for a host
	Namespace(node string) *netns.Handle // nil when the node has none
	NewLine() string                     // a terminal line for a console session
}

// Adjacency is an OSPF neighbour of a router, as the page shows it.
type Adjacency struct {
	Neighbor  string `json:"neighbor"`  // router ID
	Address   string `json:"address"`   // the neighbour's address
	Interface string `json:"interface"` // Junos name
	State     string `json:"state"`     // "Full", "2Way", "Init", ...
}

// Options tune the server.
type Options struct {
	// Token is the access token; empty draws a random one.
	Token string
	// Adjacencies returns the neighbours of a router for the page's OSPF
	// badge, nil when it runs no OSPF (the badge is hidden); nil reads
	// the router's OSPF instances.
	Adjacencies func(router string) []Adjacency
	// Interval is how often the state is read and pushed; default 1 s.
	Interval time.Duration
	// Shell is the program a host console runs; default bash, else sh.
	Shell string
}

// Server is the web page of one lab.
type Server struct {
	lab   Lab
	opts  Options
	token string
	log   *logger
	hub   *hub
	loop  bool // the listener is on a loopback address: Host is checked

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // WebSocket handlers and captures
	caps   int            // captures running
}

// maxCaptures bounds the captures running at once.
const maxCaptures = 4

// Listen opens the page's listener on addr ("127.0.0.1:0" when empty; a
// port alone listens on 127.0.0.1). An address that is not a loopback one
// is refused unless public is set.
func Listen(addr string, public bool) (*net.TCPListener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if _, err := strconv.Atoi(addr); err == nil {
		addr = "127.0.0.1:" + addr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("web page address %q: %w", addr, err)
	}
	if !public && !loopbackHost(host) {
		return nil, fmt.Errorf("web page address %q is not a loopback address: the page gives router CLIs, root shells on this machine and captures to whoever has its URL; --ui-public (lab up) or --public (lab ui) serves it there", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return ln.(*net.TCPListener), nil
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Serve serves the page of l on ln until ctx ends: it prints the page's
// URL to out (and, for an address other than loopback, what it exposes),
// then one line per refused request. It closes ln and returns when every
// goroutine it started has ended.
func Serve(ctx context.Context, l Lab, ln net.Listener, out io.Writer, o Options) error {
	s, err := New(l, ln, out, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "web page of lab %s: %s\n", l.Topology().Name, s.URL(ln.Addr()))
	if !s.loop {
		fmt.Fprintf(out, "the page listens on %s, beyond this machine: whoever has its URL gets the routers' CLIs (configuration and commit), root shells in the hosts' namespaces (root on this machine) and captures of every link\n", ln.Addr())
	}
	return s.Run(ctx, ln)
}

// New returns the server of l's page for ln; Run serves it.
func New(l Lab, ln net.Listener, out io.Writer, o Options) (*Server, error) {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		o.Token = hex.EncodeToString(b)
	}
	if o.Shell == "" {
		o.Shell = "/bin/sh"
		if _, err := os.Stat("/bin/bash"); err == nil {
			o.Shell = "/bin/bash"
		}
	}
	s := &Server{lab: l, opts: o, token: o.Token, log: newLogger(out, time.Now)}
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		s.loop = a.IP.IsLoopback()
	}
	s.hub = newHub(l, o)
	return s, nil
}

// URL returns the page's address with its token. An unspecified address
// (0.0.0.0) is named by the machine's host name.
func (s *Server) URL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/?token=" + s.token
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/?token=" + s.token
}

// Run serves on ln until ctx ends, then closes ln and waits for every
// goroutine it started.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hubDone := make(chan struct{})
	go func() {
		defer close(hubDone)
		s.hub.run(ctx)
	}()
	srv := &http.Server{
		Handler:           s.routes(),
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-srvErr:
	}
	cancel()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	srv.Shutdown(sctx)
	scancel()
	srv.Close()
	if err == nil {
		<-srvErr
	}
	s.wg.Wait()
	<-hubDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// enter counts a long-running handler (a WebSocket, a capture) that Run
// waits for; it reports false when the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *Server) leave() { s.wg.Done() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	files, _ := fs.Sub(static, "static")
	fileServer := http.FileServerFS(files)
	mux.Handle("GET /", fileServer)
	mux.HandleFunc("GET /ws/state", s.serveState)
	mux.HandleFunc("GET /ws/console", s.serveConsole)
	mux.HandleFunc("GET /capture", s.serveCapture)
	mux.HandleFunc("GET /keys", s.serveKeys)
	return s.guard(mux)
}

// serveKeys sends the ESP SAs of every router, with their keys, as
// Wireshark's esp_sa file.
func (s *Server) serveKeys(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="esp_sa"`)
	seen := map[string]bool{} // both ends of a tunnel hold its SAs
	for _, n := range s.lab.Topology().Nodes {
		rt := s.lab.Router(n.Name)
		if rt == nil {
			continue
		}
		for _, line := range rt.ESPSAs() {
			if !seen[line] {
				seen[line] = true
				io.WriteString(w, line+"\n")
			}
		}
	}
}
