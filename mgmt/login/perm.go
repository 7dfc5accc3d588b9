package login

// Perm is a set of Junos login permission bits.
type Perm uint32

// The permission bits mxlab distinguishes (a subset of the Junos ones).
const (
	View        Perm = 1 << iota // show commands
	Clear                        // clear commands
	Network                      // ping, traceroute, ssh, telnet
	Reset                        // restart processes
	Trace                        // traceoptions, monitor
	Maintenance                  // request commands, file management
	Configure                    // configuration mode and configuration RPCs
	Shell                        // start shell

	All = ^Perm(0)
)

// classes are the predefined Junos login classes.
var classes = map[string]Perm{
	"super-user":   All,
	"operator":     Clear | Network | Reset | Trace | View,
	"read-only":    View,
	"unauthorized": 0,
}

// ClassPerm returns the permissions of a predefined login class; an
// unknown class has none.
func ClassPerm(class string) Perm { return classes[class] }

// Has reports whether p holds every bit of need.
func (p Perm) Has(need Perm) bool { return p&need == need }

// CommandPerm returns the permission an operational command needs, from
// its words ("configure", "clear ...", "ping ..."); commands that need
// none (quit, help, set cli) return 0.
func CommandPerm(words []string) Perm {
	if len(words) == 0 {
		return 0
	}
	switch words[0] {
	case "configure":
		return Configure
	case "clear":
		return Clear
	case "ping", "traceroute", "ssh", "telnet":
		return Network
	case "restart":
		return Reset
	case "monitor":
		return Trace
	case "request":
		return Maintenance
	case "start":
		return Shell
	case "file":
		if len(words) > 1 && (words[1] == "list" || words[1] == "show") {
			return View
		}
		return Maintenance
	case "show":
		return View
	}
	return 0
}
