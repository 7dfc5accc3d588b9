package services

import (
	"fmt"
	"slices"

	"mxlab/shell/cmdtree"
)

// Register adds the services commands to r; get finds the services of
// the router a command runs on.
func Register(r *cmdtree.Registry, get func(*cmdtree.Env) *Services) {
	r.Group([]string{"show", "services"}, "Show services information")
	r.Group([]string{"show", "services", "ipsec-vpn"}, "Show IPSec VPN information")
	r.Group([]string{"show", "services", "ipsec-vpn", "ipsec"}, "Show IPSec information")
	r.Group([]string{"clear", "services"}, "Clear services information")
	r.Group([]string{"clear", "services", "ipsec-vpn"}, "Clear IPSec VPN information")
	r.Group([]string{"clear", "services", "ipsec-vpn", "ipsec"}, "Clear IPSec information")
	r.Group([]string{"show", "services", "service-sets"}, "Show service set information")
	setParam := func(help string) cmdtree.Param {
		return cmdtree.Param{Name: "service-set", Help: help, Value: "<service-set>",
			Values: func(router any) []string { return get(&cmdtree.Env{Router: router}).SetNames() }}
	}
	levels := []cmdtree.Param{{Name: "brief", Help: "Display brief output"}, {Name: "detail", Help: "Display detailed output"}}
	set := setParam("Name of service set")
	r.RegisterReply([]string{"show", "services", "ipsec-vpn", "ipsec", "security-associations"},
		"Show IPSec security associations", append(slices.Clone(levels), set),
		"get-services-security-associations-information",
		func(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) { return get(env).saReply(env, args) })
	r.RegisterReply([]string{"show", "services", "ipsec-vpn", "ipsec", "statistics"},
		"Show IPSec statistics", append(slices.Clone(levels), set),
		"get-services-ipsec-statistics-information",
		func(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) {
			return get(env).statsReply(env, args)
		})
	r.Register([]string{"show", "services", "service-sets", "summary"}, "Show service sets summary", nil,
		cmdtree.Func(func(env *cmdtree.Env) error {
			ShowSummary(env.Out, get(env).Status())
			return nil
		}))
	r.Register([]string{"clear", "services", "ipsec-vpn", "ipsec", "security-associations"},
		"Clear IPSec security associations", []cmdtree.Param{setParam("Name of service set")},
		func(env *cmdtree.Env, args cmdtree.Args) error {
			s := get(env)
			if err := s.checkSet(args); err != nil {
				return err
			}
			return s.ClearSAs(args.Get("service-set", ""))
		})
	r.Register([]string{"clear", "services", "ipsec-vpn", "ipsec", "statistics"},
		"Clear IPSec statistics", []cmdtree.Param{setParam("Name of service set")},
		func(env *cmdtree.Env, args cmdtree.Args) error {
			s := get(env)
			if err := s.checkSet(args); err != nil {
				return err
			}
			return s.ClearStats(args.Get("service-set", ""))
		})
}

func level(args cmdtree.Args) int {
	switch {
	case args.Has("detail"):
		return levelDetail
	case args.Has("brief"):
		return levelBrief
	}
	return levelNone
}

// checkSet refuses a service set that is not configured.
func (s *Services) checkSet(args cmdtree.Args) error {
	name := args.Get("service-set", "")
	if name == "" || slices.Contains(s.SetNames(), name) {
		return nil
	}
	return fmt.Errorf("service-set %s not found", name)
}

// SetNames returns the IPsec service sets of the committed configuration.
func (s *Services) SetNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ss := range s.plan.Sets {
		out = append(out, ss.Name)
	}
	return out
}

// ClearSAs tears down and reinstalls the SAs of a service set ("" for all).
func (s *Services) ClearSAs(set string) error {
	for _, c := range s.cardList() {
		if err := c.ClearSAs(set); err != nil {
			return err
		}
	}
	return nil
}

// ClearStats resets the IPsec statistics of a service set ("" for all).
func (s *Services) ClearStats(set string) error {
	for _, c := range s.cardList() {
		if err := c.ClearStats(set); err != nil {
			return err
		}
	}
	return nil
}
