package sshd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Kind is what a listening port serves.
type Kind int

const (
	// SSH is the SSH service (port 22): shell, exec and the netconf
	// subsystem.
	SSH Kind = iota
	// NETCONF is the NETCONF-over-SSH port (830): the netconf subsystem
	// only.
	NETCONF
)

func (k Kind) String() string {
	if k == NETCONF {
		return "netconf"
	}
	return "ssh"
}

// Account is an authenticated user.
type Account struct {
	User  string
	Class string // the login class, handed to the session
}

// Retry paces failed logins on one connection: each failure waits
// FailDelay, failures past Threshold wait Factor seconds more per failure,
// and the connection is dropped after Tries failures.
type Retry struct {
	Tries, Threshold, Factor int
}

// Users checks credentials against the router's accounts.
type Users interface {
	Password(user, password string) (Account, bool)
	PublicKey(user string, key ssh.PublicKey) (Account, bool)
	// Known reports whether the user has an account (for the log).
	Known(user string) bool
	Policy() Policy
}

// Policy is what the configuration says of logins.
type Policy struct {
	Retry  Retry
	Banner string // shown before authentication ("" for none)
}

// Handler runs what a client asks for on a session channel and returns
// its exit status. It returns when the session is over or ctx is done
// (the connection went away, the server stops, or the session was
// logged out).
type Handler interface {
	Session(ctx context.Context, s *Session) int
}

// Syslog receives the lines the server logs, as sshd writes them to
// /var/log/messages.
type Syslog interface {
	Log(process string, pid int, msg string)
}

// Settings are what the configuration says of the services; zero limits
// are no limits.
type Settings struct {
	SSH, NETCONF    bool // system services ssh, system services netconf ssh
	ConnectionLimit int  // concurrent connections per service
	RateLimit       int  // connections per minute per service
	MaxSessions     int  // session channels per connection
}

// Options configure a Server.
type Options struct {
	KeyDir  string // the host keys; made on first use
	Users   Users
	Handler Handler
	Log     Syslog
	// Subsystems are the subsystem names offered on the SSH port
	// ("netconf"); the NETCONF port offers "netconf" only.
	Subsystems []string
	// FailDelay is the wait after every failed password (default 1 s);
	// BackoffUnit is the length of one second of backoff-factor (default
	// 1 s; tests shorten it).
	FailDelay, BackoffUnit time.Duration
	// LoginGrace is how long a client has to authenticate (default 2 min).
	LoginGrace time.Duration
	// WriteTimeout ends a connection whose client has stopped reading for
	// that long (default 2 min).
	WriteTimeout time.Duration
	// Version is the SSH identification string; default "SSH-2.0-mxlab".
	Version string
}

// Server is the SSH server of one router. It serves any number of
// listeners; Close stops them and every connection, and waits.
type Server struct {
	opts     Options
	hostKeys []ssh.Signer
	settings atomic.Pointer[Settings]
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu        sync.Mutex
	listeners map[net.Listener]bool
	conns     map[net.Conn]bool
	active    [2]int         // connections per Kind
	recent    [2][]time.Time // connection times per Kind, for the rate limit
	closed    bool
}

// pids numbers connections the way sshd processes are numbered in the
// log ("sshd[10042]").
var pids atomic.Int64

func init() { pids.Store(10000) }

// New loads (or makes) the host keys and returns a server with every
// service enabled until Configure says otherwise.
func New(o Options) (*Server, error) {
	if o.Users == nil || o.Handler == nil {
		return nil, errors.New("sshd: Users and Handler are required")
	}
	if o.FailDelay == 0 {
		o.FailDelay = time.Second
	}
	if o.BackoffUnit == 0 {
		o.BackoffUnit = time.Second
	}
	if o.LoginGrace == 0 {
		o.LoginGrace = 2 * time.Minute
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = 2 * time.Minute
	}
	if o.Version == "" {
		o.Version = "SSH-2.0-mxlab"
	}
	if o.Log == nil {
		o.Log = nopLog{}
	}
	keys, err := loadHostKeys(o.KeyDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{opts: o, hostKeys: keys, ctx: ctx, cancel: cancel,
		listeners: map[net.Listener]bool{}, conns: map[net.Conn]bool{}}
	s.settings.Store(&Settings{SSH: true, NETCONF: true})
	return s, nil
}

type nopLog struct{}

func (nopLog) Log(string, int, string) {}

// HostKeys returns the public host keys.
func (s *Server) HostKeys() []ssh.PublicKey {
	out := make([]ssh.PublicKey, len(s.hostKeys))
	for i, k := range s.hostKeys {
		out[i] = k.PublicKey()
	}
	return out
}

// Configure applies the service settings to new connections.
func (s *Server) Configure(st Settings) { s.settings.Store(&st) }

// Serve accepts connections on ln for the service kind until Close; the
// listener is closed by Close.
func (s *Server) Serve(ln net.Listener, kind Kind) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		ln.Close()
		return errors.New("sshd: server closed")
	}
	s.listeners[ln] = true
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.runAccept(ln, kind)
	}()
	return nil
}

// Close stops every listener and connection and waits for their
// goroutines. Calling it again does nothing.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

func (s *Server) runAccept(ln net.Listener, kind Kind) {
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && s.ctx.Err() == nil {
				// Out of file descriptors and the like: wait, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return
		}
		backoff = 0
		if !s.admit(c, kind) {
			c.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.release(c, kind)
			s.runConn(c, kind)
		}()
	}
}

// admit records a new connection, or refuses it when the service is off,
// at its connection limit or over its rate limit.
func (s *Server) admit(c net.Conn, kind Kind) bool {
	st := s.settings.Load()
	on := st.SSH
	if kind == NETCONF {
		on = st.NETCONF
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !on {
		return false
	}
	if st.ConnectionLimit > 0 && s.active[kind] >= st.ConnectionLimit {
		return false
	}
	if st.RateLimit > 0 {
		now := time.Now()
		kept := s.recent[kind][:0]
		for _, t := range s.recent[kind] {
			if now.Sub(t) < time.Minute {
				kept = append(kept, t)
			}
		}
		s.recent[kind] = kept
		if len(kept) >= st.RateLimit {
			return false
		}
		s.recent[kind] = append(s.recent[kind], now)
	}
	s.active[kind]++
	s.conns[c] = true
	return true
}

func (s *Server) release(c net.Conn, kind Kind) {
	s.mu.Lock()
	s.active[kind]--
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// runConn runs one connection: the handshake and authentication, then
// its session channels, until the client or the server ends it.
func (s *Server) runConn(nc net.Conn, kind Kind) {
	cs := &connState{s: s, nc: nc, kind: kind, pid: int(pids.Add(1))}
	nc.SetDeadline(time.Now().Add(s.opts.LoginGrace))
	sc, chans, reqs, err := ssh.NewServerConn(nc, cs.config())
	if err != nil {
		cs.handshakeFailed(err)
		return
	}
	nc.SetDeadline(time.Time{})
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for r := range reqs {
			if r.WantReply {
				r.Reply(false, nil)
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		sc.Close()
	}()
	sessions := 0
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.Prohibited, "administratively prohibited")
			continue
		}
		if max := s.settings.Load().MaxSessions; max > 0 && sessions >= max {
			nch.Reject(ssh.ResourceShortage, "too many sessions")
			continue
		}
		sessions++
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.runSession(ctx, cs, sc, nch)
		}()
	}
	cancel()
	wg.Wait()
	s.opts.Log.Log("sshd", cs.pid, fmt.Sprintf("Disconnected from %s port %d", host(nc.RemoteAddr()), port(nc.RemoteAddr())))
}

// host and port split a TCP address for the log lines.
func host(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	return a.String()
}

func port(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	return 0
}
