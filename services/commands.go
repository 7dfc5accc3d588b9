package services

import (
	"fmt"
	"net/netip"
	"slices"

	"mxlab/services/ike"
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
	r.Group([]string{"show", "services", "ipsec-vpn", "ike"}, "Show Internet Key Exchange information")
	r.Group([]string{"clear", "services", "ipsec-vpn", "ike"}, "Clear Internet Key Exchange information")
	peerParam := cmdtree.Param{Name: "peer-address", Help: "Address of the IKE peer", Value: "<peer-address>",
		Positional: true, Check: func(v string) error {
			if _, err := netip.ParseAddr(v); err != nil {
				return fmt.Errorf("invalid address: %s", v)
			}
			return nil
		}}
	peer := func(args cmdtree.Args) netip.Addr {
		a, _ := netip.ParseAddr(args.Get("peer-address", ""))
		return a
	}
	r.Register([]string{"show", "services", "ipsec-vpn", "ike", "security-associations"},
		"Show IKE security associations", append(slices.Clone(levels), peerParam),
		func(env *cmdtree.Env, args cmdtree.Args) error {
			s := get(env)
			ShowIKESAs(env.Out, s.IKEStatus(), peer(args), level(args), s.opts.Now())
			return nil
		})
	r.Register([]string{"show", "services", "ipsec-vpn", "ike", "statistics"},
		"Show IKE statistics", []cmdtree.Param{peerParam},
		func(env *cmdtree.Env, args cmdtree.Args) error {
			ShowIKEStats(env.Out, get(env).IKEStatus(), peer(args))
			return nil
		})
	r.Register([]string{"clear", "services", "ipsec-vpn", "ike", "security-associations"},
		"Clear IKE security associations", []cmdtree.Param{peerParam},
		func(env *cmdtree.Env, args cmdtree.Args) error {
			return get(env).ClearIKE(peer(args))
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

// ClearSAs tears down the SAs of a service set ("" for all): manual SAs
// are installed again at once, negotiated ones are deleted (the peer is
// told) and come back per establish-tunnels.
func (s *Services) ClearSAs(set string) error {
	for _, c := range s.cardList() {
		if err := c.ClearSAs(set); err != nil {
			return err
		}
	}
	s.mu.Lock()
	kmds := make([]*ike.KMD, 0, len(s.kmds))
	for _, k := range s.kmds {
		kmds = append(kmds, k)
	}
	s.mu.Unlock()
	for _, k := range kmds {
		if err := k.ClearIPsec(set); err != nil {
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
