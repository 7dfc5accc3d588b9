package services

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"mxlab/config"
	"mxlab/services/ipsec"
)

// Validate returns the commit errors of the IPsec service sets of a
// configuration: what the plan cannot be built from (ipsec.Parse) and the
// semantic rules the YANG constraints do not express (spec S3, O1, O3, O4,
// O5, O11, O13, H2). It needs no kernel, so that "commit check" and
// "commit" give the same verdict with or without a forwarding plane.
//
// Messages the Junos documentation does not quote are our wording, in the
// Junos style.
func Validate(root *config.Node) []*config.CommitError {
	_, errs := ipsec.Parse(root)
	errs = append(errs, checkServiceSets(root)...)
	return append(errs, ValidateIKE(root)...)
}

// Validate is the package Validate for the router's services: it keeps
// the plan it parsed, which the commit's Prepare then takes as it is (the
// same configuration tree) instead of parsing it again.
func (s *Services) Validate(root *config.Node) []*config.CommitError {
	p := s.parse(root)
	errs := append(slices.Clone(p.errs), checkServiceSets(root)...)
	return append(errs, ValidateIKE(root)...)
}

// parsed is the plan of one configuration tree.
type parsed struct {
	root *config.Node
	plan *ipsec.Plan
	errs []*config.CommitError
}

func (s *Services) parse(root *config.Node) *parsed {
	if p := s.last.Load(); p != nil && p.root == root {
		return p
	}
	plan, errs := ipsec.Parse(root)
	p := &parsed{root: root, plan: plan, errs: errs}
	s.last.Store(p)
	return p
}

func checkServiceSets(root *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	addrs := interfaceAddresses(root)
	sets := root.Get("services").Entries("service-set")
	gwUsers := map[string][]string{} // local-gateway address -> service sets
	for _, ss := range sets {
		opts := ss.Get("ipsec-vpn-options")
		if lg := opts.Get("local-gateway"); lg != nil {
			if a, ok := lg.Leaf("address"); ok {
				gwUsers[a] = append(gwUsers[a], ss.Key())
			}
		}
	}
	for _, ss := range sets {
		errs = append(errs, checkServiceSet(root, ss, addrs, gwUsers)...)
	}
	return errs
}

func checkServiceSet(root, ss *config.Node, addrs map[string][]string, gwUsers map[string][]string) []*config.CommitError {
	var errs []*config.CommitError
	opts := ss.Get("ipsec-vpn-options")
	rules := ss.Entries("ipsec-vpn-rules")
	if opts == nil {
		return nil
	}
	// O1: the local gateway must be an address of this router.
	gwAddr := ""
	if lg := opts.Get("local-gateway"); lg != nil {
		if a, ok := lg.Leaf("address"); ok {
			gwAddr = a
			if _, ok := addrs[a]; !ok {
				errs = append(errs, config.ErrorAt(lg, fmt.Sprintf("Local gateway address %s is not configured on any interface", a)))
			} else {
				errs = append(errs, checkGatewayInstance(root, lg, a, addrs[a])...)
			}
		}
		// O3: gw-interface must carry the local-gateway address.
		if gw := lg.Get("gw-interface"); gw != nil && gwAddr != "" {
			ifl := logicalName(gw.Value)
			if !slices.Contains(addrs[gwAddr], ifl) {
				errs = append(errs, config.ErrorAt(gw, fmt.Sprintf("gw-interface %s does not carry the local gateway address %s", gw.Value, gwAddr)))
			}
		}
	}
	// O4: a service set with an IKE access profile owns its local gateway.
	if ap := opts.Get("ike-access-profile"); ap != nil {
		if prof := findEntry(root.Get("access").Entries("profile"), ap.Value); prof != nil && !hasIKEClient(prof) {
			errs = append(errs, config.ErrorAt(ap, fmt.Sprintf("access profile %s has no ike client", ap.Value)))
		} else if prof != nil {
			errs = append(errs, checkProfile(root, ss, ap, prof)...)
		}
		if gwAddr != "" && len(gwUsers[gwAddr]) > 1 {
			errs = append(errs, config.ErrorAt(ap, fmt.Sprintf("local gateway %s of a service set with an IKE access profile cannot be shared with another service set", gwAddr)))
		}
	}
	// O5: trusted CAs must be defined PKI CA profiles.
	if tc := opts.Get("trusted-ca"); tc != nil {
		for _, ca := range tc.Values {
			if findEntry(root.Get("security", "pki").Entries("ca-profile"), ca) == nil {
				errs = append(errs, config.ErrorAt(tc, fmt.Sprintf("Referenced ca-profile %s must be defined under [edit security pki ca-profile]", ca)))
			}
		}
	}
	// O11: header integrity checks and passive mode exclude each other.
	if opts.Get("passive-mode-tunneling") != nil && ss.Get("service-set-options", "header-integrity-check", "enable-all") != nil {
		errs = append(errs, config.ErrorAt(opts.Get("passive-mode-tunneling"), "passive-mode-tunneling cannot be configured with header-integrity-check enable-all"))
	}
	// O13: the UDP encapsulation port may not be the NAT-T port.
	if ue := opts.Get("udp-encapsulate"); ue != nil {
		if p, ok := ue.Leaf("dest-port"); ok && p == "4500" {
			errs = append(errs, config.ErrorAt(ue.Get("dest-port"), "dest-port 4500 is reserved for NAT traversal"))
		}
	}
	inside, _ := ss.Leaf("next-hop-service", "inside-service-interface")
	svcIfd := serviceInterface(ss)
	for _, r := range rules {
		rule := findEntry(root.Get("services", "ipsec-vpn").Entries("rule"), r.Key())
		if rule == nil {
			continue
		}
		for _, term := range rule.Entries("term") {
			// S3: ipsec-inside-interface must be the service set's inside interface.
			if iif := term.Get("from", "ipsec-inside-interface"); iif != nil && inside != "" && logicalName(iif.Value) != logicalName(inside) {
				errs = append(errs, config.ErrorAt(iif, fmt.Sprintf("ipsec-inside-interface %s does not match inside-service-interface %s of service-set %s", iif.Value, inside, ss.Key())))
			}
			// H2: MS-MIC and MS-MPC (ms- interfaces) have no AH or bundle.
			if strings.HasPrefix(svcIfd, "ms-") {
				for _, dir := range term.Get("then", "manual").Entries("direction") {
					if p, _ := dir.Leaf("protocol"); p == "ah" || p == "bundle" {
						errs = append(errs, config.ErrorAt(dir.Get("protocol"), fmt.Sprintf("protocol %s is not supported on MS-MIC/MS-MPC service interface %s", p, svcIfd)))
					}
				}
			}
		}
	}
	return errs
}

// checkGatewayInstance checks that the local gateway a, configured on
// the logical interfaces ifls, lives in the routing instance that
// local-gateway names (the master instance when it names none; O1).
func checkGatewayInstance(root, lg *config.Node, a string, ifls []string) []*config.CommitError {
	owner := map[string]string{}
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		for _, i := range ri.Entries("interface") {
			owner[logicalName(i.Key())] = ri.Key()
		}
	}
	want, _ := lg.Leaf("routing-instance")
	if want == "default" {
		want = ""
	}
	for _, ifl := range ifls {
		if owner[ifl] == want {
			return nil
		}
	}
	if want == "" {
		return []*config.CommitError{config.ErrorAt(lg, fmt.Sprintf("Local gateway address %s is in routing instance %s: configure local-gateway %s routing-instance %s", a, owner[ifls[0]], a, owner[ifls[0]]))}
	}
	return []*config.CommitError{config.ErrorAt(lg, fmt.Sprintf("Local gateway address %s is not configured on any interface of routing instance %s", a, want))}
}

// checkProfile checks the ike client of the access profile prof that
// service set ss names (A1): its interface-id must name the unit that
// carries the set's tunnels (dial-options ipsec-interface-id), and dynamic
// peers need a pre-shared key from somewhere.
func checkProfile(root, ss, ap, prof *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	var ike *config.Node
	for _, c := range prof.Entries("client") {
		if c.Get("ike") != nil {
			ike = c.Get("ike")
		}
	}
	id, ok := ike.Leaf("interface-id")
	if !ok {
		return append(errs, config.ErrorAt(ike, fmt.Sprintf("interface-id must be configured in access profile %s", prof.Key())))
	}
	unit, ok := ss.Leaf("next-hop-service", "inside-service-interface")
	if !ok {
		v, _ := ss.Leaf("interface-service", "service-interface")
		unit = logicalName(v)
	}
	var named []string
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		for _, u := range ifd.Entries("unit") {
			if v, ok := u.Leaf("dial-options", "ipsec-interface-id"); ok && v == id {
				named = append(named, ifd.Key()+"."+u.Key())
			}
		}
	}
	switch {
	case len(named) == 0:
		errs = append(errs, config.WarningAt(ike.Get("interface-id"), fmt.Sprintf("no interface unit has dial-options ipsec-interface-id %s: the dynamic tunnels of service-set %s use its inside interface %s", id, ss.Key(), unit)))
	case unit != "" && !slices.Contains(named, unit):
		errs = append(errs, config.ErrorAt(ike.Get("interface-id"), fmt.Sprintf("interface-id %s does not name %s, the inside interface of service-set %s (dial-options ipsec-interface-id)", id, unit, ss.Key())))
	}
	if ike.Get("pre-shared-key") != nil {
		return errs
	}
	vpn := root.Get("services", "ipsec-vpn")
	pols := []string{}
	if v, ok := ike.Leaf("ike-policy"); ok {
		pols = append(pols, v)
	}
	for _, r := range ss.Entries("ipsec-vpn-rules") {
		for _, t := range findEntry(vpn.Entries("rule"), r.Key()).Entries("term") {
			if rg, ok := t.Leaf("then", "remote-gateway"); (!ok || rg == "0.0.0.0") && t.Get("then", "dynamic") != nil {
				if v, ok := t.Leaf("then", "dynamic", "ike-policy"); ok {
					pols = append(pols, v)
				}
			}
		}
	}
	for _, name := range pols {
		if pol := findEntry(vpn.Get("ike").Entries("policy"), name); pol != nil && (pol.Get("pre-shared-key") != nil || pol.Get("local-certificate") != nil) {
			return errs
		}
	}
	return append(errs, config.ErrorAt(ap, fmt.Sprintf("access profile %s: dynamic peers need a pre-shared-key (in the profile or its IKE policy)", prof.Key())))
}

// serviceInterface returns the physical service interface of a service set.
func serviceInterface(ss *config.Node) string {
	v, ok := ss.Leaf("next-hop-service", "inside-service-interface")
	if !ok {
		v, _ = ss.Leaf("interface-service", "service-interface")
	}
	if i := strings.IndexByte(v, '.'); i >= 0 {
		v = v[:i]
	}
	return v
}

func findEntry(entries []*config.Node, key string) *config.Node {
	for _, e := range entries {
		if e.Key() == key {
			return e
		}
	}
	return nil
}

func hasIKEClient(prof *config.Node) bool {
	for _, c := range prof.Entries("client") {
		if c.Get("ike") != nil {
			return true
		}
	}
	return false
}

// logicalName adds ".0" to a physical interface name.
func logicalName(ifname string) string {
	if ifname == "" || strings.Contains(ifname, ".") {
		return ifname
	}
	return ifname + ".0"
}

// interfaceAddresses maps each IPv4/IPv6 address configured on an interface
// unit to the logical interfaces holding it.
func interfaceAddresses(root *config.Node) map[string][]string {
	out := map[string][]string{}
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		for _, unit := range ifd.Entries("unit") {
			ifl := ifd.Key() + "." + unit.Key()
			for _, fam := range []string{"inet", "inet6"} {
				for _, a := range unit.Get("family", fam).Entries("address") {
					if p, err := netip.ParsePrefix(a.Key()); err == nil {
						out[p.Addr().String()] = append(out[p.Addr().String()], ifl)
					} else if ad, err := netip.ParseAddr(a.Key()); err == nil {
						out[ad.String()] = append(out[ad.String()], ifl)
					}
				}
			}
		}
	}
	return out
}
