// Command mxlab runs a Junos-style MX router: a CLI over a virtual chassis.
//
//	mxlab [--name NAME] [--user USER] [--state-dir DIR] [--config FILE] [--chassis FILE] [-c "cmd; cmd"]
//	      [--ssh ADDR] [--netconf ADDR]
//	mxlab --version
//
// Unless -c is given, the router serves SSH (--ssh, default
// 127.0.0.1:2222) and NETCONF over SSH (--netconf, default
// 127.0.0.1:8830); "off" turns one off, a default port in use is replaced
// by a free one, and on a terminal mxlab prints where it listens.
//
// With -c the exit status is 1 when a command failed. On a terminal with
// TERM=dumb the terminal stays in cooked mode and Ctrl-C (SIGINT) stops
// the running command. MXLAB_CONFIRM_UNIT (a duration such as "1s") sets
// the length of a "commit confirmed" minute, for tests that watch the
// automatic rollback.
//
// Labs of several routers and hosts (package lab) run under the lab
// subcommand:
//
//	mxlab lab up FILE [--ui [ADDR]] [--ui-public]
//	mxlab lab ui [NAME] [--addr ADDR] [--public]
//	mxlab lab console NODE [--lab NAME] [-c "cmd; cmd"] [--user USER]
//	mxlab lab exec NODE [--lab NAME] -- CMD...
//	mxlab lab inspect [NAME] [--inventory FILE] [--ssh-config FILE]
//	mxlab lab down [NAME]
//	mxlab lab list
//
// --ui and "lab ui" serve the lab's web page (package lab/ui) on
// 127.0.0.1 and a free port unless ADDR says otherwise; an address that is
// not loopback needs --ui-public (--public).
//
// MXLAB_DEBUG_ADDR (a loopback address and port, such as 127.0.0.1:6060)
// makes "lab up" serve the Go runtime's profiles (net/http/pprof, under
// /debug/pprof/) there while the lab runs: its heap, goroutines, CPU. It
// is unset by default, and then nothing is served.
//
// The wiring lives in package router; this command only reads flags and
// files and connects the terminal.
package main
