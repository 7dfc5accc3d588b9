package kernel

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Policy routing of interface-style service sets.
const (
	// BypassPriority is the rule that lets the PICs' own ESP (Mark)
	// follow the main table.
	BypassPriority = 900
	// RulePriority is the priority of the service-set rules; it comes
	// before the routing instances' rules (1000).
	RulePriority = 901
	// GatewayPriority is the rule that sends the PICs' own ESP and IKE
	// from a local gateway in a routing instance on to the instances'
	// rules (at netns.RulePriority), past BypassPriority.
	GatewayPriority  = 899
	instancePriority = 1000
	// FirstTable is the first kernel table of a service device.
	FirstTable = 30000
	lastTable  = FirstTable + 999
)

// Rule sends the traffic from Src to Dst (invalid: any), arriving on IIF
// when set (Linux link name), to Table.
type Rule struct {
	IIF      string
	Src, Dst netip.Prefix
	Table    int
}

// TableRoute is the default route of a service table: out of Device.
type TableRoute struct {
	Table  int
	Device string
}

// SyncRules replaces the service-set rules and tables of the namespace
// with rules and routes. With no rules, everything is removed.
//
// vrfGateways are the local gateways that live in a routing instance:
// the ESP and IKE the PICs send from them go on to the instances' rules,
// which select the instance's table by source address, instead of the
// main table the bypass rule gives the PICs' other ESP.
func SyncRules(do DoFunc, rules []Rule, routes []TableRoute, vrfGateways []netip.Addr) error {
	return do(func() error {
		var errs []error
		if err := flushRules(); err != nil {
			errs = append(errs, err)
		}
		if err := flushTables(); err != nil {
			errs = append(errs, err)
		}
		if len(rules) == 0 {
			return errors.Join(errs...)
		}
		for _, gw := range vrfGateways {
			nr := netlink.NewRule()
			nr.Family, nr.Priority, nr.Mark, nr.Goto = netlink.FAMILY_V4, GatewayPriority, Mark, instancePriority
			nr.Src = ipNet(netip.PrefixFrom(gw, 32))
			if err := netlink.RuleAdd(nr); err != nil {
				errs = append(errs, fmt.Errorf("gateway %v: %w", gw, err))
			}
		}
		for _, r := range routes {
			l, err := netlink.LinkByName(r.Device)
			if err != nil {
				errs = append(errs, fmt.Errorf("table %d: %w", r.Table, err))
				continue
			}
			_, all, _ := net.ParseCIDR("0.0.0.0/0")
			rt := &netlink.Route{Table: r.Table, Dst: all, LinkIndex: l.Attrs().Index, Scope: netlink.SCOPE_LINK}
			if err := netlink.RouteAdd(rt); err != nil {
				errs = append(errs, fmt.Errorf("table %d: %w", r.Table, err))
			}
		}
		bypass := netlink.NewRule()
		bypass.Priority, bypass.Mark, bypass.Table = BypassPriority, Mark, unix.RT_TABLE_MAIN
		errs = append(errs, netlink.RuleAdd(bypass))
		for _, r := range rules {
			nr := netlink.NewRule()
			nr.Family, nr.Priority, nr.Table, nr.IifName = netlink.FAMILY_V4, RulePriority, r.Table, r.IIF
			nr.Src, nr.Dst = ipNet(r.Src), ipNet(r.Dst)
			if err := netlink.RuleAdd(nr); err != nil {
				errs = append(errs, fmt.Errorf("rule %+v: %w", r, err))
			}
		}
		return errors.Join(errs...)
	})
}

func ipNet(p netip.Prefix) *net.IPNet {
	if !p.IsValid() {
		return nil
	}
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func flushRules() error {
	rules, err := netlink.RuleList(netlink.FAMILY_V4)
	if err != nil {
		return err
	}
	var errs []error
	for i := range rules {
		r := &rules[i]
		if r.Priority == BypassPriority || r.Priority == RulePriority || r.Priority == GatewayPriority {
			errs = append(errs, netlink.RuleDel(r))
		}
	}
	return errors.Join(errs...)
}

func flushTables() error {
	routes, err := netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return err
	}
	var errs []error
	for i := range routes {
		r := &routes[i]
		if r.Table >= FirstTable && r.Table <= lastTable {
			errs = append(errs, netlink.RouteDel(r))
		}
	}
	return errors.Join(errs...)
}
