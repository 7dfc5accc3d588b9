package ospf

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// DBFilter selects the LSAs of "show ospf database".
type DBFilter struct {
	Types  []LSAType // none: every type
	Area   string
	AdvRtr string // an address, or "self"
	LSAID  string
}

func (f DBFilter) match(in *Instance, e *entry) bool {
	l := e.lsa
	if len(f.Types) > 0 {
		ok := false
		for _, t := range f.Types {
			ok = ok || t == l.Type
		}
		if !ok {
			return false
		}
	}
	switch {
	case f.AdvRtr == "self" && l.Adv != in.rid,
		f.AdvRtr != "" && f.AdvRtr != "self" && l.Adv.String() != f.AdvRtr,
		f.LSAID != "" && l.ID.String() != f.LSAID:
		return false
	}
	return true
}

const dbHeader = " Type       ID               Adv Rtr           Seq      Age  Opt  Cksum  Len \n"

// ShowDatabase writes "show ospf database".
func (in *Instance) ShowDatabase(w io.Writer, level Level, f DBFilter) {
	now := in.now()
	if level == Summary {
		in.showDBSummary(w, f)
		return
	}
	io.WriteString(w, "\n")
	for _, a := range in.areas {
		if f.Area != "" && a.id.String() != f.Area {
			continue
		}
		var es []*entry
		for _, e := range a.db.sorted() {
			if f.match(in, e) {
				es = append(es, e)
			}
		}
		if len(es) == 0 && (len(f.Types) > 0 || f.AdvRtr != "" || f.LSAID != "") {
			continue
		}
		fmt.Fprintf(w, "    OSPF database, Area %s\n", a.id)
		io.WriteString(w, dbHeader)
		for _, e := range es {
			in.writeLSA(w, e, level, now)
		}
	}
	if f.Area != "" {
		return
	}
	var es []*entry
	for _, e := range in.ext.sorted() {
		if f.match(in, e) {
			es = append(es, e)
		}
	}
	if len(es) > 0 {
		io.WriteString(w, "    OSPF AS SCOPE link state database\n")
		io.WriteString(w, dbHeader)
		for _, e := range es {
			in.writeLSA(w, e, level, now)
		}
	}
}

func (in *Instance) writeLSA(w io.Writer, e *entry, level Level, now time.Time) {
	l := e.lsa
	mark := " "
	if in.selfOriginated(l.Key()) {
		mark = "*"
	}
	fmt.Fprintf(w, "%-8s%s%-16s %-16s 0x%08x %5d  0x%-2x 0x%-4x %3d\n", l.Type.Name(), mark, l.ID, l.Adv, uint32(l.Seq),
		e.age(now), l.Options, l.Checksum, l.Length)
	if level < Detail {
		return
	}
	switch {
	case l.Router != nil:
		fmt.Fprintf(w, "  bits 0x%x, link count %d\n", l.Router.Flags, len(l.Router.Links))
		for _, lk := range l.Router.Links {
			fmt.Fprintf(w, "  id %s, data %s, Type %s (%d)\n", lk.ID, lk.Data, linkTypeName(lk.Type), lk.Type)
			fmt.Fprintf(w, "    Topology count: 0, Default metric: %d\n", lk.Metric)
		}
		io.WriteString(w, "  Topology default (ID 0)\n")
		for _, lk := range l.Router.Links {
			if lk.Type == LinkP2P || lk.Type == LinkTransit {
				fmt.Fprintf(w, "    Type: %s, Node ID: %s\n", linkTypeName(lk.Type), lk.ID)
				fmt.Fprintf(w, "      Metric: %d, Bidirectional\n", lk.Metric)
			}
		}
	case l.Network != nil:
		fmt.Fprintf(w, "  mask %s\n", l.Network.Mask)
		for _, r := range l.Network.Routers {
			fmt.Fprintf(w, "  attached router %s\n", r)
		}
		io.WriteString(w, "  Topology default (ID 0)\n")
		for _, r := range l.Network.Routers {
			fmt.Fprintf(w, "    Type: Transit, Node ID: %s\n      Metric: 0, Bidirectional\n", r)
		}
	case l.Summary != nil && l.Type == SummaryLSA:
		fmt.Fprintf(w, "  mask %s\n  Topology default (ID 0) -> Metric: %d\n", l.Summary.Mask, l.Summary.Metric)
	case l.Summary != nil:
		fmt.Fprintf(w, "  Topology default (ID 0) -> Metric: %d\n", l.Summary.Metric)
	case l.External != nil:
		t := 1
		if l.External.E2 {
			t = 2
		}
		fmt.Fprintf(w, "  mask %s\n  Topology default (ID 0)\n    Type: %d, Metric: %d, Fwd addr: %s, Tag: %s\n",
			l.External.Mask, t, l.External.Metric, l.External.Forward, ID(l.External.Tag))
	}
	if level < Extensive {
		return
	}
	age := time.Duration(e.age(now)) * time.Second
	left := time.Duration(MaxAge)*time.Second - age
	if e.ours {
		gen := time.Duration(in.refreshSeconds())*time.Second - age
		fmt.Fprintf(w, "  Gen timer %s\n", junosAge(max(gen, 0)))
	}
	fmt.Fprintf(w, "  Aging timer %s\n", junosAge(left))
	inst := fmt.Sprintf("  Installed %s ago, expires in %s", junosAge(now.Sub(e.installed)), junosAge(left))
	if !e.sent.IsZero() {
		inst += fmt.Sprintf(", sent %s ago", junosAge(now.Sub(e.sent)))
	}
	fmt.Fprintln(w, inst)
	ours := ""
	if e.ours {
		ours = ", Ours"
	}
	fmt.Fprintf(w, "  Last changed %s ago, Change count: %d%s\n", junosAge(now.Sub(e.changed)), e.changes, ours)
}

func linkTypeName(t uint8) string {
	switch t {
	case LinkP2P:
		return "PointToPoint"
	case LinkTransit:
		return "Transit"
	case LinkStub:
		return "Stub"
	case LinkVirtual:
		return "Virtual"
	}
	return "Unknown"
}

// showDBSummary writes "show ospf database summary": LSA counts by area
// and type.
func (in *Instance) showDBSummary(w io.Writer, f DBFilter) {
	count := func(d *lsdb) ([]LSAType, map[LSAType]int) {
		n := map[LSAType]int{}
		var order []LSAType
		for _, e := range d.sorted() {
			if !f.match(in, e) {
				continue
			}
			if n[e.lsa.Type] == 0 {
				order = append(order, e.lsa.Type)
			}
			n[e.lsa.Type]++
		}
		return order, n
	}
	for _, a := range in.areas {
		if f.Area != "" && a.id.String() != f.Area {
			continue
		}
		fmt.Fprintf(w, "Area %s:\n", a.id)
		order, n := count(a.db)
		for _, t := range order {
			fmt.Fprintf(w, "   %d %s LSAs\n", n[t], t.Name())
		}
	}
	io.WriteString(w, "Externals:\n")
	order, n := count(in.ext)
	for _, t := range order {
		fmt.Fprintf(w, "   %d %s LSAs\n", n[t], t.Name())
	}
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			fmt.Fprintf(w, "Interface %s:\nArea %s:\n", i.name, a.id)
		}
	}
}

// RouteFilter selects the routes of "show ospf route".
type RouteFilter struct {
	Prefix string // a prefix or an address
	Kind   string // "", abr, asbr, network, external, inter, intra
}

// ShowRoutes writes "show ospf route".
func (in *Instance) ShowRoutes(w io.Writer, level Level, f RouteFilter) {
	io.WriteString(w, "Topology default Route Table:\n\n")
	io.WriteString(w, "Prefix             Path  Route      NH       Metric NextHop       Nexthop      \n")
	io.WriteString(w, "                   Type  Type       Type            Interface     Address/LSP\n")
	if in.rt == nil {
		return
	}
	line := func(s string) { fmt.Fprintln(w, strings.TrimRight(s, " ")) }
	hops := func(dest, path, typ string, metric uint32, hs []nexthop) {
		head := fmt.Sprintf("%-18s %-5s %-10s %-8s%7d", dest, path, typ, "IP", metric)
		if len(hs) == 0 {
			line(head)
		}
		for j, h := range hs {
			gw := ""
			if h.gw != 0 {
				gw = h.gw.String()
			}
			if j == 0 {
				line(fmt.Sprintf("%s %-13s %s", head, h.ifc.name, gw))
			} else {
				line(fmt.Sprintf("%52s%-13s %s", "", h.ifc.name, gw))
			}
		}
	}
	if f.Kind == "" || f.Kind == "abr" || f.Kind == "asbr" {
		for _, r := range in.rt.rtrs {
			if f.Kind == "abr" && !r.abr || f.Kind == "asbr" && !r.asbr || f.Prefix != "" && r.id.String() != f.Prefix {
				continue
			}
			typ := "Router"
			switch {
			case r.abr && r.asbr:
				typ = "Area/AS BR"
			case r.abr:
				typ = "Area BR"
			case r.asbr:
				typ = "AS BR"
			}
			if f.Kind != "" && typ == "Router" {
				continue
			}
			hops(r.id.String(), r.path.String(), typ, r.cost, r.hops)
			if level >= Detail {
				fmt.Fprintf(w, "  area %s, origin %s, optional-capability 0x%x\n", r.area, r.id, r.options)
			}
		}
	}
	if f.Kind == "abr" || f.Kind == "asbr" {
		return
	}
	for _, r := range in.sortedRoutes() {
		switch f.Kind {
		case "external":
			if r.path < pathExt1 {
				continue
			}
		case "inter":
			if r.path != pathInter {
				continue
			}
		case "intra":
			if r.path != pathIntra {
				continue
			}
		}
		if f.Prefix != "" && !matchPrefix(f.Prefix, r) {
			continue
		}
		metric := r.cost
		if r.path == pathExt2 {
			metric = r.cost2
		}
		hops(r.prefix.String(), r.path.String(), "Network", metric, r.hops)
		if level >= Detail {
			prio := "medium"
			if len(r.hops) > 0 && r.hops[0].gw == 0 {
				prio = "low"
			}
			fmt.Fprintf(w, "  area %s, origin %s, priority %s\n", r.area, r.origin, prio)
		}
	}
}

func matchPrefix(arg string, r *route) bool {
	if strings.Contains(arg, "/") {
		return r.prefix.String() == arg
	}
	return r.prefix.Contains(mustAddr(arg))
}
