package chassis

import (
	"net/netip"
	"strconv"

	"mxlab/config"
)

// ParseConfig reads what the chassis uses from the active statements of a
// configuration: [edit interfaces] and [edit chassis].
func ParseConfig(root *config.Node) Config {
	var cfg Config
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		cfg.Interfaces = append(cfg.Interfaces, interfaceConfig(ifd))
	}
	if ns, ok := root.Leaf("chassis", "network-services"); ok {
		cfg.NetworkServices = ns
	}
	for _, f := range root.Get("chassis").Entries("fpc") {
		slot, err := strconv.Atoi(f.Key())
		if err != nil {
			continue
		}
		fc := FPCConfig{PIC: map[int]PICConfig{}}
		for _, p := range f.Entries("pic") {
			ps, err := strconv.Atoi(p.Key())
			if err != nil {
				continue
			}
			var pc PICConfig
			if sp := p.Get("adaptive-services", "service-package"); sp != nil {
				for _, k := range sp.Kids {
					pc.ServicePackage = k.Name()
				}
			}
			fc.PIC[ps] = pc
		}
		if cfg.FPC == nil {
			cfg.FPC = map[int]FPCConfig{}
		}
		cfg.FPC[slot] = fc
	}
	return cfg
}

func interfaceConfig(ifd *config.Node) Interface {
	in := Interface{Name: ifd.Key()}
	in.Description, _ = ifd.Leaf("description")
	_, in.Disable = ifd.Leaf("disable")
	_, in.VlanTagging = ifd.Leaf("vlan-tagging")
	if v, ok := ifd.Leaf("mtu"); ok {
		in.MTU, _ = strconv.Atoi(v)
	}
	for _, u := range ifd.Entries("unit") {
		in.Units = append(in.Units, unitConfig(u))
	}
	return in
}

func unitConfig(u *config.Node) Unit {
	var un Unit
	un.Number, _ = strconv.Atoi(u.Key())
	un.Description, _ = u.Leaf("description")
	_, un.Disable = u.Leaf("disable")
	if v, ok := u.Leaf("vlan-id"); ok {
		un.VlanID, _ = strconv.Atoi(v)
	}
	un.ServiceDomain, _ = u.Leaf("service-domain")
	un.Families = []string{}
	if fam := u.Get("family"); fam != nil {
		for _, f := range fam.Kids {
			un.Families = append(un.Families, f.Name())
		}
	}
	un.Inet = Prefixes(u.Get("family", "inet"))
	un.Inet6 = Prefixes(u.Get("family", "inet6"))
	return un
}

// Prefixes returns the addresses of a family statement (family inet or
// inet6) as prefixes; an address without a length is a host prefix.
func Prefixes(fam *config.Node) []netip.Prefix {
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
