package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"

	"mxlab/mgmt/login"
	"mxlab/mgmt/sshd"
	"mxlab/router"
)

// The ports a router run alone listens on, on the loopback only: 22 and
// 830 need root and would clash with the host's sshd.
const (
	defaultSSH     = "127.0.0.1:2222"
	defaultNETCONF = "127.0.0.1:8830"
)

// mgmtFlags are the addresses of the management ports ("off" for none).
type mgmtFlags struct{ ssh, netconf string }

// serveManagement starts the router's SSH server on the ports of the
// flags and, on a terminal, prints where it listens (a session on a pipe
// stays a clean transcript). A default port that is taken (another router
// runs) is replaced by a free one.
func serveManagement(r *router.Router, mg mgmtFlags, tell bool) (stop func(), err error) {
	m, err := r.StartManagement(router.MgmtOptions{})
	if err != nil {
		return nil, err
	}
	var where []string
	for _, p := range []struct {
		addr, def, what string
		kind            sshd.Kind
	}{{mg.ssh, defaultSSH, "SSH", sshd.SSH}, {mg.netconf, defaultNETCONF, "NETCONF", sshd.NETCONF}} {
		if p.addr == "off" || p.addr == "" {
			continue
		}
		ln, err := listen(p.addr, p.def)
		if err != nil {
			m.Stop()
			return nil, fmt.Errorf("%s: %w", p.what, err)
		}
		m.Serve(ln, p.kind)
		where = append(where, fmt.Sprintf("%s on %s", p.what, ln.Addr()))
	}
	if len(where) > 0 && tell {
		login := ""
		if r.FactoryLogin() {
			login = fmt.Sprintf(" (factory login %s/%s)", loginUser, loginPassword)
		}
		fmt.Fprintf(os.Stderr, "mxlab: %s%s\n", strings.Join(where, ", "), login)
	}
	return m.Stop, nil
}

const (
	loginUser     = login.FactoryUser
	loginPassword = login.FactoryPassword
)

// listen listens on addr; when addr is the default and its port is in
// use, on a free port of the same address.
func listen(addr, def string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil && addr == def && errors.Is(err, syscall.EADDRINUSE) {
		host, _, _ := net.SplitHostPort(addr)
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	return ln, err
}
