package routing

import (
	"io"
	"strconv"
	"time"

	"mxlab/internal/junosxml"
	"mxlab/netns"
	"mxlab/shell/cmdtree"
)

// routeInfo is "show route" (get-route-information): one RIB snapshot and
// the query, rendered as the text or as Junos XML.
type routeInfo struct {
	rib     *RIB
	q       Query
	now     time.Time
	krt     KernelView
	release string
}

func (r *Router) routeReply(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) {
	q, err := ParseQuery(args)
	if err != nil {
		return nil, err
	}
	rib := r.RIB()
	if q.Table != "" && !anyTable(rib, q.Table) {
		return nil, errInvalidTable(q.Table)
	}
	return &routeInfo{rib: rib, q: q, now: r.now(), krt: r.inKernel, release: env.Version}, nil
}

func (ri *routeInfo) Text(w io.Writer) error {
	ShowRoute(w, ri.rib, ri.q, ri.now, ri.krt)
	return nil
}

func (ri *routeInfo) style() string {
	switch ri.q.Format {
	case Terse:
		return "terse"
	case Detail:
		return "detail"
	case Extensive:
		return "extensive"
	}
	return "brief"
}

func (ri *routeInfo) XML() []*junosxml.Elem {
	info := junosxml.New("route-information").SetAttr("xmlns", junosxml.Namespace(ri.release, "routing"))
	for _, t := range ri.rib.Tables {
		if !tableMatches(ri.q.Table, t.Name) {
			continue
		}
		d, n, a, h := t.Counts()
		tab := junosxml.New("route-table",
			junosxml.Leaf("table-name", t.Name),
			junosxml.Leaf("destination-count", strconv.Itoa(d)),
			junosxml.Leaf("total-route-count", strconv.Itoa(n)),
			junosxml.Leaf("active-route-count", strconv.Itoa(a)),
			junosxml.Leaf("holddown-route-count", "0"),
			junosxml.Leaf("hidden-route-count", strconv.Itoa(h)))
		for _, dest := range ri.q.shownDests(t) {
			rt := junosxml.New("rt", junosxml.Leaf("rt-destination", dest.Prefix.String())).SetAttr("junos:style", ri.style())
			for _, r := range dest.Routes {
				if ri.q.routeShown(r) {
					rt.Add(ri.entry(r))
				}
			}
			tab.Add(rt)
		}
		info.Add(tab)
	}
	return []*junosxml.Elem{info}
}

// entry is one route: its tags, protocol, preference, age and next hops.
func (ri *routeInfo) entry(r *Route) *junosxml.Elem {
	e := junosxml.New("rt-entry", junosxml.Leaf("active-tag", marker(r)))
	if r.Active {
		e.Add(junosxml.New("current-active"), junosxml.New("last-active"))
	}
	age := ri.now.Sub(r.Since)
	e.AddLeaf("protocol-name", r.Protocol.String()).
		AddLeaf("preference", strconv.Itoa(r.Preference)).
		Add(junosxml.Leaf("age", briefAge(age)).SetAttr("junos:seconds", strconv.FormatInt(int64(age/time.Second), 10)))
	switch {
	case r.Kind == netns.Discard:
		e.AddLeaf("nh-type", "Discard")
	case r.Kind != 0:
		e.AddLeaf("nh-type", "Reject")
	case r.Protocol == Local:
		e.AddLeaf("nh-local-interface", r.Hops[0].Interface)
	default:
		for i, h := range r.Hops {
			nh := junosxml.New("nh")
			if i == r.Selected && !r.Hidden {
				nh.Add(junosxml.New("selected-next-hop"))
			}
			if h.Gateway.IsValid() {
				nh.AddLeaf("to", h.Gateway.String())
			}
			if h.Interface != "" {
				nh.AddLeaf("via", h.Interface)
			}
			e.Add(nh)
		}
	}
	return e
}

// arpInfo is "show arp" (get-arp-table-information).
type arpInfo struct {
	ns        []netns.Neighbor
	noResolve bool
	release   string
}

func (r *Router) arpReply(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) {
	ns, err := r.dp.Neighbors()
	if err != nil {
		return nil, err
	}
	return &arpInfo{ns: ns, noResolve: args.Has("no-resolve"), release: env.Version}, nil
}

func (a *arpInfo) Text(w io.Writer) error {
	ShowARP(w, a.ns, a.noResolve)
	return nil
}

func (a *arpInfo) XML() []*junosxml.Elem {
	info := junosxml.New("arp-table-information").SetAttr("xmlns", junosxml.Namespace(a.release, "arp")).
		SetAttr("junos:style", map[bool]string{true: "no-resolve", false: "normal"}[a.noResolve])
	for _, n := range sortedNeighbors(a.ns) {
		flags := "none"
		if n.Permanent {
			flags = "permanent"
		}
		e := junosxml.New("arp-table-entry",
			junosxml.Leaf("mac-address", n.MAC.String()),
			junosxml.Leaf("ip-address", n.Addr.String()))
		if !a.noResolve {
			e.AddLeaf("hostname", n.Addr.String())
		}
		e.AddLeaf("interface-name", n.Interface).
			Add(junosxml.New("arp-table-entry-flags", junosxml.New(flags)))
		info.Add(e)
	}
	info.AddLeaf("arp-entry-count", strconv.Itoa(len(a.ns)))
	return []*junosxml.Elem{info}
}
