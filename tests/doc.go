// Package tests drives the mxlab binary with the clients network engineers
// use: Tcl expect scripts (tests/expect) through a pseudo-terminal, and
// netmiko (tests/netmiko) through its Juniper driver; and it parses
// mxlab's output with the TextFSM templates of ntc-templates
// (tests/textfsm), as netmiko's use_textfsm=True and Ansible's cli_parse
// do, checking the fields against the router's state. The tests build the
// binary into a temporary directory and skip, with the reason, when a
// client is not installed (scripts/deps installs them).
package tests
