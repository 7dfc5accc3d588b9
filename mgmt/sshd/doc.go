// Package sshd is the SSH server of a router, built on
// golang.org/x/crypto/ssh: host keys kept in the router's state directory,
// password, keyboard-interactive and public-key authentication against the
// router's accounts, failed logins paced, logged (SSHD_LOGIN_FAILED) and
// cut off as the retry options say, and session channels (pty-req,
// window-change, shell, exec, subsystem) handed to a Handler.
//
// A Server serves any number of listeners, each for one Kind: SSH (the
// CLI, exec and the netconf subsystem) or NETCONF (the netconf subsystem
// only, as on port 830). The listeners may live in any network namespace:
// the router's management interface, the host's loopback, or a socket
// passed in by a parent process.
package sshd
