package services

import (
	"fmt"
	"net/netip"
	"slices"

	"mxlab/netns"
	"mxlab/services/ipsec"
	"mxlab/services/kernel"
)

// syncRules programs the policy rules of the interface-style service sets
// (s.mu held): every term's cleartext selector, on the interfaces that
// apply the set as input, and everywhere for output, goes to the table of
// the set's service device.
func (s *Services) syncRules() error {
	if s.opts.Namespace == nil {
		return nil
	}
	rules, routes, err := planRules(s.plan, s.devs)
	if err != nil {
		return err
	}
	var gws []netip.Addr
	for _, ss := range s.plan.Sets {
		if ss.GatewayInstance != "" && !slices.Contains(gws, ss.LocalGateway) {
			gws = append(gws, ss.LocalGateway)
		}
	}
	return kernel.SyncRules(s.opts.Namespace.Do, rules, routes, gws)
}

func planRules(plan *ipsec.Plan, devs map[string]device) ([]kernel.Rule, []kernel.TableRoute, error) {
	var rules []kernel.Rule
	var routes []kernel.TableRoute
	tables := map[string]int{}
	for _, ss := range plan.Sets {
		if ss.Style != ipsec.Interface || devs[ss.Device()] == nil {
			continue
		}
		dev := devs[ss.Device()].Name()
		t, ok := tables[dev]
		if !ok {
			t = kernel.FirstTable + len(tables)
			tables[dev] = t
			routes = append(routes, kernel.TableRoute{Table: t, Device: dev})
		}
		iifs := []string{""}
		if len(ss.Output) == 0 {
			iifs = iifs[:0]
			for _, ifl := range ss.Input {
				linux, err := linuxPort(ifl)
				if err != nil {
					return nil, nil, fmt.Errorf("service set %s: %w", ss.Name, err)
				}
				iifs = append(iifs, linux)
			}
		}
		for _, term := range ss.Terms {
			src, dst := term.Selector(ss.Style)
			for _, iif := range iifs {
				r := kernel.Rule{IIF: iif, Src: src, Dst: dst, Table: t}
				if !slices.Contains(rules, r) {
					rules = append(rules, r)
				}
			}
		}
	}
	return rules, routes, nil
}

// linuxPort is the Linux link of a port's logical interface: unit 0 is the
// port's own link.
func linuxPort(ifl string) (string, error) {
	phys, unit := netns.SplitUnit(ifl)
	if unit == 0 {
		return netns.LinuxName(phys)
	}
	return netns.LinuxName(ifl)
}
