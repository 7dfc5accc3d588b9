// Package tests drives the mxlab binary with the clients network engineers
// use: Tcl expect scripts (tests/expect) through a pseudo-terminal, and
// netmiko (tests/netmiko) through its Juniper driver. The tests build the
// binary into a temporary directory and skip, with the reason, when a
// client is not installed (scripts/deps installs them).
package tests
