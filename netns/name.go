package netns

import (
	"errors"
	"fmt"
	"strings"
)

// Linux interface names are at most 15 bytes and cannot hold '/', ':' or
// white space, so Junos names are mapped as follows (both ways, exactly):
//
//	Junos          Linux
//	ge-1/0/0       ge-1_0_0      '/' becomes '_'
//	ge-1/0/0.100   ge-1_0_0.100  a unit keeps its '.'
//	et-0/0/4:2     et-0_0_4+2    a channel's ':' becomes '+'
//	lo0, lo0.0     lo            the loopback
//
// Junos names never hold '_' or '+', which keeps the mapping reversible. A
// name whose Linux form is longer than 15 bytes is refused with
// ErrNameTooLong.
const maxLinuxName = 15

// ErrNameTooLong reports a Junos interface name whose Linux form does not
// fit the 15 bytes Linux allows.
var ErrNameTooLong = errors.New("interface name too long for linux")

// ErrBadName reports a name that is not a Junos (or mapped Linux) interface name.
var ErrBadName = errors.New("invalid interface name")

// LinuxName returns the Linux name of the Junos interface name (physical
// "ge-1/0/0" or logical "ge-1/0/0.100").
func LinuxName(junos string) (string, error) {
	if junos == "lo0" || junos == "lo0.0" {
		return "lo", nil
	}
	if junos == "lo" { // the Linux name of lo0, not a Junos name
		return "", fmt.Errorf("%q: %w", junos, ErrBadName)
	}
	if err := checkChars(junos, "/:"); err != nil {
		return "", err
	}
	s := strings.NewReplacer("/", "_", ":", "+").Replace(junos)
	if len(s) > maxLinuxName {
		return "", fmt.Errorf("%q (%d bytes as %q): %w", junos, len(s), s, ErrNameTooLong)
	}
	return s, nil
}

// JunosName returns the Junos name of a Linux interface name made by
// LinuxName ("lo" gives "lo0").
func JunosName(linux string) (string, error) {
	if linux == "lo" {
		return "lo0", nil
	}
	if len(linux) > maxLinuxName {
		return "", fmt.Errorf("%q: %w", linux, ErrNameTooLong)
	}
	if err := checkChars(linux, "_+"); err != nil {
		return "", err
	}
	return strings.NewReplacer("_", "/", "+", ":").Replace(linux), nil
}

// checkChars accepts lower-case letters, digits, '-', '.' and the
// separators given.
func checkChars(name, seps string) error {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return fmt.Errorf("%q: %w", name, ErrBadName)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' ||
			strings.ContainsRune(seps, c)
		if !ok {
			return fmt.Errorf("%q: %w", name, ErrBadName)
		}
	}
	return nil
}

// SplitUnit splits a logical interface name "ge-1/0/0.100" into its
// physical name and unit number; a name without a unit gives unit -1.
func SplitUnit(ifl string) (phys string, unit int) {
	i := strings.LastIndexByte(ifl, '.')
	if i < 0 {
		return ifl, -1
	}
	n := 0
	for _, c := range ifl[i+1:] {
		if c < '0' || c > '9' || n > 1<<30 {
			return ifl, -1
		}
		n = n*10 + int(c-'0')
	}
	if i+1 == len(ifl) {
		return ifl, -1
	}
	return ifl[:i], n
}
