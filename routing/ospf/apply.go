package ospf

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"

	"mxlab/routing"
	"mxlab/routing/policy"
)

// pending is what the process handed the instance since it last looked:
// the newest configuration, interface states and routing table.
type pending struct {
	cfg   *Config
	ifs   []IfState
	table *routing.Table
	has   bool
}

// apply takes the pending changes (run goroutine).
func (in *Instance) apply(p pending) {
	if p.cfg != nil {
		in.cfg = withDefaults(*p.cfg)
		in.log.configure(in.cfg.Trace)
	}
	if p.ifs != nil {
		in.ifs = map[string]IfState{}
		for _, s := range p.ifs {
			in.ifs[s.Name] = s
		}
	}
	if p.cfg != nil || p.ifs != nil {
		in.reconcile()
	}
	if p.table != nil {
		in.ribView = p.table
	}
	in.export()
}

func withDefaults(c Config) Config {
	c.Preference = cmp.Or(c.Preference, DefaultPreference)
	c.ExtPreference = cmp.Or(c.ExtPreference, DefaultExtPref)
	c.SPFDelay = cmp.Or(c.SPFDelay, DefaultSPFDelay)
	c.SPFHolddown = cmp.Or(c.SPFHolddown, DefaultSPFHolddown)
	c.SPFRapidRuns = cmp.Or(c.SPFRapidRuns, DefaultSPFRapidRuns)
	c.RefreshMinutes = cmp.Or(c.RefreshMinutes, DefaultRefresh)
	if c.Policies == nil {
		c.Policies = &policy.Set{}
	}
	return c
}

// reconcile makes areas and interfaces follow the configuration and the
// interface states.
func (in *Instance) reconcile() {
	now := in.now()
	rid := in.cfg.RouterID
	if rid == 0 {
		rid = in.defaultRouterID()
	}
	if rid != in.rid {
		if in.rid != 0 {
			in.trace("state", "router ID changed from %s to %s: restarting", in.rid, rid)
		}
		in.reset()
		in.rid = rid
	}
	if in.conn == nil && !in.cfg.Disable {
		c, err := in.net.Listen(in.deliver)
		in.connErr = err
		if err == nil {
			in.conn = c
		}
	}
	old := in.areas
	in.areas = nil
	for _, ac := range in.cfg.Areas {
		a := findArea(old, ac.ID)
		if a == nil {
			a = &area{id: ac.ID, db: newLSDB()}
		}
		typeChanged := a.cfg.Stub != ac.Stub || a.cfg.NSSA != ac.NSSA
		a.cfg = ac
		var ifs []*iface
		for _, ic := range ac.Interfaces {
			if findIface(in.areas, ic.Name) != nil || findIface([]*area{{ifaces: ifs}}, ic.Name) != nil {
				continue // one area per interface
			}
			i := findIface([]*area{a}, ic.Name)
			if i == nil {
				i = &iface{name: ic.Name, area: a, loop: strings.HasPrefix(ic.Name, "lo")}
			}
			in.updateIface(i, ic, typeChanged, now)
			ifs = append(ifs, i)
		}
		for _, i := range a.ifaces {
			if !slices.Contains(ifs, i) {
				in.ifDownEvent(i)
			}
		}
		a.ifaces = ifs
		in.areas = append(in.areas, a)
	}
	for _, a := range old {
		if !slices.Contains(in.areas, a) {
			for _, i := range a.ifaces {
				in.ifDownEvent(i)
			}
		}
	}
	slices.SortFunc(in.areas, func(x, y *area) int { return cmp.Compare(x.id, y.id) })
	in.dirty()
	in.spfLater()
}

func findArea(as []*area, id ID) *area {
	for _, a := range as {
		if a.id == id {
			return a
		}
	}
	return nil
}

func findIface(as []*area, name string) *iface {
	for _, a := range as {
		for _, i := range a.ifaces {
			if i.name == name {
				return i
			}
		}
	}
	return nil
}

// updateIface applies an interface's configuration and state: it goes
// down and up again when what its neighbors see changed.
func (in *Instance) updateIface(i *iface, ic IfConfig, typeChanged bool, now time.Time) {
	ic.Priority = cmpPriority(ic)
	st := in.ifs[i.name]
	var addr = firstV4(st)
	up := !in.cfg.Disable && !ic.Disable && st.Up && (addr.IsValid() || ic.P2P) && in.conn != nil
	var link Link
	if up && !i.loop {
		l, err := in.net.Link(i.name)
		if err != nil {
			up = false
		}
		link = l
	}
	reset := typeChanged || i.cfg.P2P != ic.P2P || i.cfg.Passive != ic.Passive || i.cfg.Hello != ic.Hello ||
		i.cfg.Dead != ic.Dead || i.cfg.Auth.Type != ic.Auth.Type || i.addr != addr || i.link != link
	prioChanged := i.cfg.Priority != ic.Priority
	i.cfg = ic
	i.cost = ifCost(ic, i.name, in.cfg.RefBandwidth, i.loop)
	if i.state != ifDown && (!up || reset) {
		in.ifDownEvent(i)
	}
	i.addr, i.link = addr, link
	if up && i.state == ifDown {
		if !i.loop && i.joined != link.Index {
			if err := in.conn.Join(link.Index); err != nil {
				in.trace("error", "join multicast groups on %s: %v", i.name, err)
			}
			i.joined = link.Index
		}
		in.ifUp(i, now)
	} else if prioChanged && i.state >= ifDROther {
		in.electLater(i)
	}
}

func cmpPriority(ic IfConfig) int {
	if ic.Priority < 0 {
		return DefaultPriority
	}
	return ic.Priority
}

func firstV4(st IfState) (p netip.Prefix) {
	for _, a := range st.Addrs {
		if a.Addr().Is4() {
			return a
		}
	}
	return p
}

// defaultRouterID is the router ID Junos chooses without router-id: the
// first address of lo0, else the lowest interface address.
func (in *Instance) defaultRouterID() ID {
	var best ID
	names := make([]string, 0, len(in.ifs))
	for n := range in.ifs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		for _, a := range in.ifs[n].Addrs {
			if !a.Addr().Is4() || a.Addr().IsLoopback() {
				continue
			}
			id := IDOf(a.Addr())
			if strings.HasPrefix(n, "lo0.") {
				return id
			}
			if best == 0 || id < best {
				best = id
			}
		}
	}
	return best
}

// reset forgets every neighbor and LSA (a new router ID, or a "clear ospf
// database").
func (in *Instance) reset() {
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			in.ifDownEvent(i)
		}
		a.db = newLSDB()
	}
	in.ext = newLSDB()
	in.rt = nil
	in.spfLater()
}

// runSPF calculates the routing table, installs it and lets the
// originations that depend on it follow.
func (in *Instance) runSPF() {
	start := in.now()
	in.rt = in.calculate()
	in.lastSPF = start
	in.spfRecent = append(in.spfRecent, start)
	if len(in.spfRecent) > 8 {
		in.spfRecent = in.spfRecent[1:]
	}
	for _, a := range in.areas {
		if t := in.electTranslator(a); t != a.translator {
			a.translator = t
		}
	}
	in.installRoutes()
	in.dirty()
	in.trace("spf", "SPF run %s: %d routes", in, len(in.rt.nets))
}

// installRoutes gives the RIB the routes that go through a neighbor (the
// networks we are attached to are Direct routes already).
func (in *Instance) installRoutes() {
	if in.rib == nil || in.rt == nil {
		return
	}
	var out []*routing.Route
	for _, r := range in.sortedRoutes() {
		var hops []routing.Hop
		for _, h := range r.hops {
			switch {
			case h.gw != 0:
				hops = append(hops, routing.Hop{Gateway: h.gw.Addr(), Interface: h.ifc.name})
			case !h.ifc.addr.IsValid() && !h.ifc.loop:
				// Through an unnumbered point-to-point interface (an
				// IPsec inside unit): the interface is the next hop.
				hops = append(hops, routing.Hop{Interface: h.ifc.name})
			}
		}
		if len(hops) == 0 {
			continue
		}
		rr := &routing.Route{Prefix: r.prefix, Protocol: routing.OSPF, Preference: in.cfg.Preference, Hops: hops, Multipath: len(hops) > 1}
		metric := r.cost
		if r.path >= pathExt1 {
			rr.Preference = in.cfg.ExtPreference
			if r.path == pathExt2 {
				metric = r.cost2
			}
			tag := r.tag
			rr.Tag = &tag
			if !in.imported(r) {
				continue
			}
		}
		rr.Metric = &metric
		out = append(out, rr)
	}
	if sameRoutes(out, in.installed) {
		return
	}
	if err := in.rib.SetRoutes(in.name, routing.OSPF, out); err != nil {
		in.trace("error", "install routes: %v", err)
		return
	}
	in.installed = out
}

// imported applies the import policies to an external route.
func (in *Instance) imported(r *route) bool {
	if len(in.cfg.Import) == 0 {
		return true
	}
	ext := 1
	if r.path == pathExt2 {
		ext = 2
	}
	res := in.cfg.Policies.Evaluate(in.cfg.Import, policy.Route{Prefix: r.prefix, Protocol: "ospf", External: ext,
		Metric: r.cost, Tag: r.tag, Area: r.area.Addr()})
	return res.Action != policy.Reject
}

func (in *Instance) sortedRoutes() []*route {
	if in.rt == nil {
		return nil
	}
	out := make([]*route, 0, len(in.rt.nets))
	for _, r := range in.rt.nets {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b *route) int { return comparePrefix(a.prefix, b.prefix) })
	return out
}

func sameRoutes(a, b []*routing.Route) bool {
	return slices.EqualFunc(a, b, func(x, y *routing.Route) bool {
		return x.Prefix == y.Prefix && x.Preference == y.Preference && slices.Equal(x.Hops, y.Hops) &&
			eqU32(x.Metric, y.Metric) && eqU32(x.Tag, y.Tag)
	})
}

func eqU32(a, b *uint32) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// export evaluates the export policies over the instance's routing table
// and originates again when the result changed.
func (in *Instance) export() {
	var out []extRoute
	if in.ribView != nil && len(in.cfg.Export) > 0 {
		for _, d := range in.ribView.Dests {
			for _, r := range d.Routes {
				if !r.Active || r.Protocol == routing.OSPF || r.Hidden {
					continue
				}
				pr := policy.Route{Prefix: d.Prefix, Protocol: strings.ToLower(r.Protocol.String()), Preference: r.Preference, Active: true}
				if len(r.Hops) > 0 {
					pr.Interface, pr.NextHop = r.Hops[0].Interface, r.Hops[0].Gateway
				}
				if r.Metric != nil {
					pr.Metric = *r.Metric
				}
				if r.Tag != nil {
					pr.Tag = *r.Tag
				}
				res := in.cfg.Policies.Evaluate(in.cfg.Export, pr)
				if res.Action != policy.Accept {
					continue
				}
				e := extRoute{prefix: d.Prefix, metric: pr.Metric, e2: res.External != 1, tag: pr.Tag}
				if res.Metric != nil {
					e.metric = *res.Metric
				}
				if res.Tag != nil {
					e.tag = *res.Tag
				}
				out = append(out, e)
			}
		}
	}
	if !slices.Equal(out, in.exported) {
		in.exported = out
		in.dirty()
	}
}
