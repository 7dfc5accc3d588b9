package sshd

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// maxKeyQueries bounds the public keys a client may offer on one
// connection (ncclient and paramiko offer every key they find).
const maxKeyQueries = 32

// connState is one connection during authentication.
type connState struct {
	s        *Server
	nc       net.Conn
	kind     Kind
	pid      int
	failures int // failed passwords
	queries  int // public keys offered
}

var errDenied = errors.New("permission denied")

// config returns the server configuration of this connection: its
// callbacks count and pace the failures of this connection.
func (cs *connState) config() *ssh.ServerConfig {
	cfg := &ssh.ServerConfig{
		MaxAuthTries:                -1, // counted by the callbacks: passwords only
		ServerVersion:               cs.s.opts.Version,
		PasswordCallback:            cs.password,
		KeyboardInteractiveCallback: cs.keyboard,
		PublicKeyCallback:           cs.publicKey,
		AuthLogCallback:             cs.authLog,
		BannerCallback: func(ssh.ConnMetadata) string {
			if b := cs.s.opts.Users.Policy().Banner; b != "" {
				return strings.TrimRight(b, "\n") + "\n"
			}
			return ""
		},
	}
	for _, k := range cs.s.hostKeys {
		cfg.AddHostKey(k)
	}
	return cfg
}

func permissions(a Account, method string) *ssh.Permissions {
	return &ssh.Permissions{Extensions: map[string]string{"class": a.Class, "method": method}}
}

func (cs *connState) password(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
	if a, ok := cs.s.opts.Users.Password(c.User(), string(pw)); ok {
		return permissions(a, "password"), nil
	}
	return nil, cs.fail(c, "password")
}

// keyboard asks for the password the way Junos does ("Password:").
func (cs *connState) keyboard(c ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
	answers, err := ask("", "", []string{"Password:"}, []bool{false})
	if err != nil {
		return nil, err
	}
	if len(answers) == 1 {
		if a, ok := cs.s.opts.Users.Password(c.User(), answers[0]); ok {
			return permissions(a, "keyboard-interactive/pam"), nil
		}
	}
	return nil, cs.fail(c, "keyboard-interactive/pam")
}

func (cs *connState) publicKey(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	if a, ok := cs.s.opts.Users.PublicKey(c.User(), key); ok {
		return permissions(a, "publickey"), nil
	}
	cs.queries++
	if cs.queries > maxKeyQueries {
		cs.nc.Close()
	}
	return nil, errDenied
}

// fail logs a failed password, waits as the retry options say and drops
// the connection after the last allowed try.
func (cs *connState) fail(c ssh.ConnMetadata, method string) error {
	cs.failures++
	r := cs.s.opts.Users.Policy().Retry
	addr := c.RemoteAddr()
	user := c.User()
	invalid := ""
	if !cs.s.opts.Users.Known(user) {
		invalid = "invalid user "
	}
	log := cs.s.opts.Log
	log.Log("sshd", cs.pid, fmt.Sprintf("SSHD_LOGIN_FAILED: Login failed for user '%s' from host '%s'", user, host(addr)))
	log.Log("sshd", cs.pid, fmt.Sprintf("Failed %s for %s%s from %s port %d ssh2", method, invalid, user, host(addr), port(addr)))
	delay := cs.s.opts.FailDelay
	if r.Threshold >= 0 && cs.failures > r.Threshold {
		delay += time.Duration(r.Factor*(cs.failures-r.Threshold)) * cs.s.opts.BackoffUnit
	}
	t := time.NewTimer(delay)
	select {
	case <-t.C:
	case <-cs.s.ctx.Done():
		t.Stop()
	}
	if r.Tries > 0 && cs.failures >= r.Tries {
		log.Log("sshd", cs.pid, fmt.Sprintf("error: maximum authentication attempts exceeded for %s%s from %s port %d ssh2 [preauth]",
			invalid, user, host(addr), port(addr)))
		cs.nc.Close()
	}
	return errDenied
}

// authLog logs the accepted login.
func (cs *connState) authLog(c ssh.ConnMetadata, method string, err error) {
	if err != nil {
		return
	}
	if method == "keyboard-interactive" {
		method = "keyboard-interactive/pam"
	}
	cs.s.opts.Log.Log("sshd", cs.pid, fmt.Sprintf("Accepted %s for %s from %s port %d ssh2",
		method, c.User(), host(c.RemoteAddr()), port(c.RemoteAddr())))
}

// handshakeFailed logs a connection that ended before a login.
func (cs *connState) handshakeFailed(err error) {
	if cs.failures == 0 {
		return
	}
	cs.s.opts.Log.Log("sshd", cs.pid, fmt.Sprintf("Connection closed by %s port %d [preauth]",
		host(cs.nc.RemoteAddr()), port(cs.nc.RemoteAddr())))
}
