package ospf

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"mxlab/config"
	"mxlab/config/secret"
	"mxlab/routing/policy"
)

// Parse returns the OSPF configuration of every routing instance of root
// that has one: [edit protocols ospf] first, then each
// [edit routing-instances NAME protocols ospf].
func Parse(root *config.Node) []Config {
	pols := policy.Parse(root)
	var out []Config
	inInstance := map[string]string{}
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		for _, i := range ri.Entries("interface") {
			inInstance[i.Key()] = ri.Key()
		}
	}
	master := routerID(root, root.Get("routing-options"), func(ifl string) bool { return inInstance[ifl] == "" })
	if o := root.Get("protocols", "ospf"); o != nil {
		c := parseOSPF(o)
		expandAll(&c, root, func(ifl string) bool { return inInstance[ifl] == "" })
		c.RouterID, c.Policies = master, pols
		out = append(out, c)
	}
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		o := ri.Get("protocols", "ospf")
		if o == nil {
			continue
		}
		c := parseOSPF(o)
		c.Instance, c.Policies = ri.Key(), pols
		name := ri.Key()
		expandAll(&c, root, func(ifl string) bool { return inInstance[ifl] == name })
		c.RouterID = routerID(root, ri.Get("routing-options"), func(ifl string) bool { return inInstance[ifl] == name })
		if c.RouterID == 0 {
			c.RouterID = master
		}
		out = append(out, c)
	}
	return out
}

// expandAll replaces "interface all" by every logical interface of the
// instance with family inet that the area does not name itself (the
// management interfaces excepted), with the options of "all".
func expandAll(c *Config, root *config.Node, mine func(ifl string) bool) {
	named := map[string]bool{}
	for _, a := range c.Areas {
		for _, i := range a.Interfaces {
			named[i.Name] = true
		}
	}
	for ai := range c.Areas {
		a := &c.Areas[ai]
		var out []IfConfig
		for _, ic := range a.Interfaces {
			if ic.Name != "all" {
				out = append(out, ic)
				continue
			}
			for _, ifd := range root.Get("interfaces").Entries("interface") {
				if n := ifd.Key(); n == "fxp0" || n == "em0" || n == "me0" {
					continue
				}
				for _, u := range ifd.Entries("unit") {
					ifl := ifd.Key() + "." + u.Key()
					if u.Get("family", "inet") == nil || named[ifl] || !mine(ifl) {
						continue
					}
					x := ic
					x.Name = ifl
					x.P2P = ic.P2P || pointToPoint(ifl)
					out = append(out, x)
					named[ifl] = true
				}
			}
		}
		a.Interfaces = out
	}
}

// routerID is routing-options router-id, else the first lo0 address of
// the instance, else its lowest interface address (0 when none).
func routerID(root, ro *config.Node, mine func(ifl string) bool) ID {
	if v, ok := ro.Leaf("router-id"); ok {
		if a, err := netip.ParseAddr(v); err == nil {
			return IDOf(a)
		}
	}
	var best ID
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		for _, u := range ifd.Entries("unit") {
			ifl := ifd.Key() + "." + u.Key()
			if !mine(ifl) {
				continue
			}
			for _, a := range u.Get("family", "inet").Entries("address") {
				p, err := netip.ParsePrefix(a.Key())
				if err != nil || p.Addr().IsLoopback() {
					continue
				}
				if ifd.Key() == "lo0" {
					return IDOf(p.Addr())
				}
				if id := IDOf(p.Addr()); best == 0 || id < best {
					best = id
				}
			}
		}
	}
	return best
}

func parseOSPF(o *config.Node) Config {
	var c Config
	_, c.Disable = o.Leaf("disable")
	for _, a := range o.Entries("area") {
		c.Areas = append(c.Areas, parseArea(a))
	}
	if e := o.Get("export"); e != nil {
		c.Export = slices.Clone(e.Values)
	}
	if e := o.Get("import"); e != nil {
		c.Import = slices.Clone(e.Values)
	}
	if v, ok := o.Leaf("reference-bandwidth"); ok {
		c.RefBandwidth, _ = ParseBandwidth(v)
	}
	if ov := o.Get("overload"); ov != nil {
		c.Overload = true
		c.OverloadUntil = time.Duration(num(ov, "timeout")) * time.Second
	}
	c.Preference = num(o, "preference")
	c.ExtPreference = num(o, "external-preference")
	if s := o.Get("spf-options"); s != nil {
		c.SPFDelay = time.Duration(num(s, "delay")) * time.Millisecond
		c.SPFHolddown = time.Duration(num(s, "holddown")) * time.Millisecond
		c.SPFRapidRuns = num(s, "rapid-runs")
	}
	c.RefreshMinutes = num(o, "lsa-refresh-interval")
	_, c.NoRFC1583 = o.Leaf("no-rfc-1583")
	if t := o.Get("traceoptions"); t != nil {
		c.Trace.File, _ = t.Leaf("file", "filename")
		if v, ok := t.Leaf("file", "size"); ok {
			if n, err := ParseBandwidth(v); err == nil {
				c.Trace.Size = int64(n)
			}
		}
		c.Trace.Files = num(t.Get("file"), "files")
		for _, f := range t.Entries("flag") {
			if _, off := f.Leaf("disable"); !off {
				c.Trace.Flags = append(c.Trace.Flags, f.Key())
			}
		}
	}
	return c
}

func parseArea(a *config.Node) AreaConfig {
	ac := AreaConfig{}
	if ip, err := netip.ParseAddr(a.Key()); err == nil {
		ac.ID = IDOf(ip)
	}
	if s := a.Get("stub"); s != nil {
		ac.Stub = true
		_, ac.NoSummaries = s.Leaf("no-summaries")
		ac.DefaultMetric = uint32(num(s, "default-metric"))
	}
	if n := a.Get("nssa"); n != nil {
		ac.NSSA = true
		_, ac.NoSummaries = n.Leaf("no-summaries")
		d := n.Get("default-lsa")
		if d != nil || n.Get("default-metric") != nil {
			nd := &NSSADefault{MetricType: 1}
			src := n
			if d != nil {
				src = d
				_, nd.Type7 = d.Leaf("type-7")
			}
			nd.Metric = uint32(num(src, "default-metric"))
			nd.MetricType = cmp.Or(num(src, "metric-type"), 1)
			ac.NSSADefault = nd
		}
		ac.NSSARanges = ranges(n.Entries("area-range"))
	}
	ac.Ranges = ranges(a.Entries("area-range"))
	for _, i := range a.Entries("interface") {
		ac.Interfaces = append(ac.Interfaces, parseIface(i))
	}
	return ac
}

func ranges(es []*config.Node) []Range {
	var out []Range
	for _, r := range es {
		p, err := netip.ParsePrefix(r.Key())
		if err != nil {
			continue
		}
		rg := Range{Prefix: p.Masked()}
		_, rg.Restrict = r.Leaf("restrict")
		_, rg.Exact = r.Leaf("exact")
		if om := r.Get("override-metric"); om != nil {
			if om.Value != "" {
				rg.Override = uint32(atoi(om.Value))
			} else {
				rg.Override = uint32(num(om, "metric"))
			}
		}
		out = append(out, rg)
	}
	return out
}

func parseIface(i *config.Node) IfConfig {
	c := IfConfig{Name: i.Key(), Priority: DefaultPriority}
	_, c.Disable = i.Leaf("disable")
	switch v, ok := i.Leaf("interface-type"); {
	case v == "p2p":
		c.P2P = true
	case !ok && pointToPoint(c.Name):
		c.P2P = true
	}
	c.Passive = i.Get("passive") != nil
	c.Metric = uint16(num(i, "metric"))
	if v, ok := i.Leaf("priority"); ok {
		c.Priority = atoi(v)
	}
	c.Hello = uint16(num(i, "hello-interval"))
	c.Dead = uint32(num(i, "dead-interval"))
	c.Rxmt = uint16(num(i, "retransmit-interval"))
	c.Auth = parseAuth(i)
	return c
}

// pointToPoint reports whether an interface is point-to-point by nature:
// the units of services and tunnel interfaces (an ms- inside unit is a
// TUN device), which OSPF runs on as p2p unless interface-type says
// otherwise.
func pointToPoint(ifl string) bool {
	for _, p := range []string{"ms-", "sp-", "gr-", "ip-", "st0", "lt-"} {
		if strings.HasPrefix(ifl, p) {
			return p != "lt-"
		}
	}
	return false
}

// parseAuth reads authentication simple-password or md5 keys (and the
// deprecated authentication-key).
func parseAuth(i *config.Node) Auth {
	var a Auth
	au := i.Get("authentication")
	if v, ok := au.Leaf("simple-password"); ok {
		a.Type = AuthSimple
		copy(a.Password[:], reveal(v))
		return a
	}
	type keyed struct {
		start string
		k     MD5Key
	}
	var keys []keyed
	for _, list := range []string{"md5", "multi-active-md5"} {
		for _, m := range au.Entries(list) {
			var k MD5Key
			k.ID = uint8(atoi(m.Key()))
			v, _ := m.Leaf("key")
			copy(k.Key[:], reveal(v))
			st, _ := m.Leaf("start-time")
			keys = append(keys, keyed{st, k})
		}
	}
	if len(keys) > 0 {
		a.Type = AuthCrypto
		// The key that sends is the one with the latest start time.
		slices.SortStableFunc(keys, func(x, y keyed) int { return strings.Compare(x.start, y.start) })
		for _, k := range keys {
			a.Keys = append(a.Keys, k.k)
		}
		return a
	}
	if ak := i.Get("authentication-key"); ak != nil {
		v, _ := ak.Leaf("keyname")
		if id, ok := ak.Leaf("key-id"); ok {
			var k MD5Key
			k.ID = uint8(atoi(id))
			copy(k.Key[:], reveal(v))
			a.Type, a.Keys = AuthCrypto, []MD5Key{k}
		} else {
			a.Type = AuthSimple
			copy(a.Password[:], reveal(v))
		}
	}
	return a
}

// reveal decodes a $9$ secret (the configuration stores them encoded).
func reveal(v string) string {
	if secret.IsEncoded(v) {
		if p, err := secret.Decode(v); err == nil {
			return p
		}
	}
	return v
}

func num(n *config.Node, leaf string) int {
	v, ok := n.Leaf(leaf)
	if !ok {
		return 0
	}
	return atoi(v)
}

func atoi(v string) int {
	n, _ := strconv.Atoi(v)
	return n
}

// ParseBandwidth parses a Junos bandwidth or size: "100m", "10g",
// "1000000", "64k".
func ParseBandwidth(s string) (uint64, error) {
	mult := uint64(1)
	t := strings.ToLower(s)
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1_000, t[:len(t)-1]
	case strings.HasSuffix(t, "m"):
		mult, t = 1_000_000, t[:len(t)-1]
	case strings.HasSuffix(t, "g"):
		mult, t = 1_000_000_000, t[:len(t)-1]
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("bandwidth %q: not a number with an optional k, m or g", s)
	}
	return n * mult, nil
}
