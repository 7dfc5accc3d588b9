package pic

import (
	"errors"
	"fmt"
	"time"
)

// State is the state of a PIC or an FPC.
type State int

// The states of a card. Booting is shown as "Present" by Junos while a card
// is being brought up.
const (
	Empty State = iota
	Offline
	Booting
	Online
)

// String returns the word Junos shows in "show chassis fpc" and
// "show chassis fpc pic-status".
func (s State) String() string {
	switch s {
	case Empty:
		return "Empty"
	case Offline:
		return "Offline"
	case Booting:
		return "Present"
	case Online:
		return "Online"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// ErrStopped is returned by a Card whose goroutine has ended.
var ErrStopped = errors.New("card stopped")

// Kind is what a PIC is: which interfaces it carries.
type Kind struct {
	// Prefix is the interface media type of the ports ("ge", "xe", "so") or
	// of the service interface ("ms", "sp").
	Prefix string
	// Ports is the number of ports; a services PIC has one (port 0).
	Ports int
	// Services marks a services PIC (its port is a service interface).
	Services bool
	// Package is the fixed service package of the PIC ("extension-provider"
	// on MS-MIC and MS-MPC); empty when the package follows the
	// configuration ([edit chassis fpc N pic M adaptive-services]).
	Package string
	// Aliases are further service interface prefixes of the same PIC.
	Aliases []string
}

// DefaultPackage is the service package of an adaptive-services PIC whose
// configuration names none.
const DefaultPackage = "layer-3"

// Stats are the traffic counters of an interface.
type Stats struct {
	InBytes, OutBytes     uint64
	InPackets, OutPackets uint64
	InErrors, OutErrors   uint64
	InDrops, OutDrops     uint64
}

// Sub returns s minus base, counter by counter, never below zero.
func (s Stats) Sub(base Stats) Stats {
	d := func(a, b uint64) uint64 {
		if a < b {
			return 0
		}
		return a - b
	}
	return Stats{d(s.InBytes, base.InBytes), d(s.OutBytes, base.OutBytes),
		d(s.InPackets, base.InPackets), d(s.OutPackets, base.OutPackets),
		d(s.InErrors, base.InErrors), d(s.OutErrors, base.OutErrors),
		d(s.InDrops, base.InDrops), d(s.OutDrops, base.OutDrops)}
}

// Baseline is what "clear interfaces statistics" recorded for an interface.
type Baseline struct {
	At    time.Time
	Stats Stats
}

// Port is the state of one physical interface of a PIC.
type Port struct {
	Name     string // "ge-1/0/0"
	Disabled bool   // administratively down ("disable" in the configuration)
	Flapped  time.Time
}

// Status is a snapshot of a PIC, owned by the caller.
type Status struct {
	FPC, Slot int
	State     State
	Since     time.Time // when the PIC entered State
	Package   string    // service package of a services PIC
	Ports     []Port    // empty unless the PIC is Online
	Cleared   map[string]Baseline
}

// Event tells that a card changed state. PIC is -1 for an FPC event.
type Event struct {
	FPC, PIC int
	State    State
	Time     time.Time
	// Interfaces are the physical interfaces that appeared (Online) or went
	// away (any other state).
	Interfaces []string
}

// Config is what the configuration sets on a PIC.
type Config struct {
	// Package is [edit chassis fpc N pic M adaptive-services service-package];
	// empty for the default.
	Package string
	// Disabled lists the physical interfaces configured with "disable".
	Disabled map[string]bool
}
