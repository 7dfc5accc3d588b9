package routing

import (
	"net/netip"
	"strconv"
	"strings"

	"mxlab/config"
)

// LinkState tells whether a physical interface is present (its PIC online)
// and, for a port, whether its link is up.
type LinkState func(ifd string) (present, up bool)

// ParseConfig reads routing-options, routing-instances and the interface
// addresses from the active statements of a configuration.
func ParseConfig(root *config.Node, link LinkState) Config {
	var cfg Config
	if v, ok := root.Leaf("routing-options", "router-id"); ok {
		cfg.RouterID, _ = netip.ParseAddr(v)
	}
	cfg.Static = parseStatic(root.Get("routing-options", "static"))
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		_, down := ifd.Leaf("disable")
		present, linkUp := link(ifd.Key())
		up := !down && (ifd.Key() == "lo0" || present)
		if up && isPort(ifd.Key()) {
			up = linkUp
		}
		for _, u := range ifd.Entries("unit") {
			_, udown := u.Leaf("disable")
			inet := u.Get("family", "inet")
			if inet == nil {
				continue
			}
			ifl := ifd.Key() + "." + u.Key()
			addrs := chassisPrefixes(inet)
			if len(addrs) == 0 {
				cfg.Interfaces = append(cfg.Interfaces, IfAddr{Name: ifl, Up: up && !udown})
			}
			for _, p := range addrs {
				cfg.Interfaces = append(cfg.Interfaces, IfAddr{Name: ifl, Prefix: p, Up: up && !udown})
			}
		}
	}
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		in := Instance{Name: ri.Key()}
		in.Type, _ = ri.Leaf("instance-type")
		for _, i := range ri.Entries("interface") {
			in.Interfaces = append(in.Interfaces, i.Key())
		}
		in.RD, _ = ri.Leaf("route-distinguisher", "rd-type")
		if x := ri.Get("vrf-import"); x != nil {
			in.VRFImport = x.Values
		}
		if x := ri.Get("vrf-export"); x != nil {
			in.VRFExport = x.Values
		}
		in.Static = parseStatic(ri.Get("routing-options", "static"))
		cfg.Instances = append(cfg.Instances, in)
	}
	return cfg
}

func parseStatic(static *config.Node) []StaticRoute {
	var out []StaticRoute
	for _, r := range static.Entries("route") {
		p, err := netip.ParsePrefix(r.Key())
		if err != nil {
			continue
		}
		sr := StaticRoute{Prefix: p}
		if nh := r.Get("next-hop"); nh != nil {
			for _, v := range nh.Values {
				sr.NextHops = append(sr.NextHops, parseNextHop(v))
			}
		}
		for _, q := range r.Entries("qualified-next-hop") {
			qn := QualifiedNextHop{NextHop: parseNextHop(q.Key())}
			if v, ok := q.Leaf("preference"); ok {
				qn.Preference, _ = strconv.Atoi(v)
			}
			sr.Qualified = append(sr.Qualified, qn)
		}
		_, sr.Discard = r.Leaf("discard")
		_, sr.Reject = r.Leaf("reject")
		if v, ok := r.Leaf("preference", "metric-value"); ok {
			sr.Preference, _ = strconv.Atoi(v)
		}
		out = append(out, sr)
	}
	return out
}

func parseNextHop(v string) NextHop {
	if a, err := netip.ParseAddr(v); err == nil {
		return NextHop{Addr: a}
	}
	return NextHop{Interface: v}
}

// isPort reports whether an interface is a network port (ge-, xe-, et-,
// so-), whose link can go down.
func isPort(name string) bool {
	for _, p := range []string{"ge-", "xe-", "et-", "so-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// chassisPrefixes returns the addresses of a family statement.
func chassisPrefixes(fam *config.Node) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range fam.Entries("address") {
		if p, err := netip.ParsePrefix(a.Key()); err == nil {
			out = append(out, p)
		} else if ad, err := netip.ParseAddr(a.Key()); err == nil {
			out = append(out, netip.PrefixFrom(ad, ad.BitLen()))
		}
	}
	return out
}
