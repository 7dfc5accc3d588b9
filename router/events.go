package router

import (
	"context"
	"os"

	"mxlab/chassis"
	"mxlab/config"
	"mxlab/pic"
	"mxlab/syslog"
)

// logEvent writes a card state change to the system log, as chassisd and
// mib2d do: the PIC, then each of its interfaces.
func (r *Router) logEvent(ev chassis.Event) {
	switch ev.State {
	case pic.Online:
		r.Log.Event(syslog.Chassisd, "CHASSISD_IFDEV_CREATE_NOTICE", "PIC %d in FPC %d online", ev.PIC, ev.FPC)
	default:
		r.Log.Event(syslog.Chassisd, "CHASSISD_IFDEV_DETACH_PIC", "PIC %d in FPC %d %s", ev.PIC, ev.FPC, ev.State)
	}
	tag, oper := "SNMP_TRAP_LINK_DOWN", "down(2)"
	if ev.State == pic.Online {
		tag, oper = "SNMP_TRAP_LINK_UP", "up(1)"
	}
	for _, ifd := range ev.Interfaces {
		idx, _ := r.Chassis.SNMPIndex(ifd)
		r.Log.Event(syslog.Mib2d, tag, "ifIndex %d, ifAdminStatus up(1), ifOperStatus %s, ifName %s", idx, oper, ifd)
	}
}

// factoryConfig is the configuration a new router commits first, as a
// real one ships with its factory-default configuration: "rollback 1" and
// "commit confirmed" work from the first commit of the user.
const factoryConfig = "version " + Junos + ";\n"

// commitFactory commits the factory-default configuration of a router
// whose state directory has no commit yet.
func (r *Router) commitFactory(ctx context.Context) error {
	s, _, _, err := r.DB.Begin(config.Who{User: "root", Terminal: "console", PID: os.Getpid(), Since: r.booted}, config.Private)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Load(config.LoadOverride, factoryConfig, "factory", false); err != nil {
		return err
	}
	_, err = s.Commit(ctx, config.CommitOptions{Via: "other"})
	return err
}
