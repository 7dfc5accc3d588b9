package ospf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"mxlab/shell/cmdtree"
)

// ErrBadArgument reports a show or clear argument that does not parse.
var ErrBadArgument = errors.New("invalid argument")

// Register adds the OSPF commands to r. get finds the OSPF process of the
// router a command runs on (nil when the router has none).
func Register(r *cmdtree.Registry, get func(*cmdtree.Env) *Process) {
	r.Group([]string{"show"}, "Show system information")
	r.Group([]string{"clear"}, "Clear information in the system")
	r.Group([]string{"show", "ospf"}, "Show information about OSPF")
	r.Group([]string{"clear", "ospf"}, "Clear OSPF information")
	names := func(rt any) []string {
		p := get(&cmdtree.Env{Router: rt})
		out := []string{"master"}
		if p != nil {
			for _, in := range p.Instances() {
				if in.name != "" {
					out = append(out, in.name)
				}
			}
		}
		return out
	}
	inst := cmdtree.Param{Name: "instance", Help: "Name of OSPF instance", Value: "<instance>", Values: names}
	levels := func(more ...cmdtree.Param) []cmdtree.Param {
		ps := []cmdtree.Param{
			{Name: "brief", Help: "Display brief output (default)"},
			{Name: "detail", Help: "Display detailed output"},
			{Name: "extensive", Help: "Display extensive output"},
			inst,
		}
		return append(more, ps...)
	}
	run := func(f func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error) cmdtree.RunFunc {
		return func(env *cmdtree.Env, args cmdtree.Args) error {
			p := get(env)
			name := args.Get("instance", "master")
			var in *Instance
			if p != nil {
				in = p.Instance(name)
			}
			if in == nil {
				// What Junos prints (and scripts look for) when the
				// instance has no OSPF.
				_, err := fmt.Fprintln(env.Out, "OSPF instance is not running")
				return err
			}
			return f(env, in, args)
		}
	}
	r.Register([]string{"show", "ospf", "neighbor"}, "Show OSPF neighbor status",
		levels(cmdtree.Param{Name: "neighbor", Help: "IP address of neighbor", Value: "<neighbor>", Positional: true, Check: checkAddr},
			cmdtree.Param{Name: "area", Help: "OSPF area ID", Value: "<area>", Check: checkAddr},
			cmdtree.Param{Name: "interface", Help: "Name of interface", Value: "<interface>"}),
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			f := NeighborFilter{Address: args.Get("neighbor", ""), Area: normArea(args.Get("area", "")), Interface: args.Get("interface", "")}
			return render(env, in, func(w *bytes.Buffer) { in.ShowNeighbors(w, level(args), f) })
		}))
	r.Register([]string{"show", "ospf", "interface"}, "Show OSPF interface status",
		levels(cmdtree.Param{Name: "interface-name", Help: "Name of interface", Value: "<interface-name>", Positional: true}),
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			return render(env, in, func(w *bytes.Buffer) { in.ShowInterfaces(w, level(args), args.Get("interface-name", "")) })
		}))
	dbTypes := []struct{ name, help string }{
		{"router", "Display router link-state advertisements"},
		{"network", "Display network link-state advertisements"},
		{"netsummary", "Display network summary link-state advertisements"},
		{"asbrsummary", "Display AS boundary router summary link-state advertisements"},
		{"external", "Display external link-state advertisements"},
		{"nssa", "Display not-so-stubby area link-state advertisements"},
	}
	dbParams := levels(
		cmdtree.Param{Name: "summary", Help: "Display summary output"},
		cmdtree.Param{Name: "area", Help: "OSPF area ID", Value: "<area>", Check: checkAddr},
		cmdtree.Param{Name: "advertising-router", Help: "Router ID of advertising router", Value: "<advertising-router>",
			Values: func(any) []string { return []string{"self"} }, Check: checkAddrOrSelf},
		cmdtree.Param{Name: "lsa-id", Help: "Link-state advertisement ID", Value: "<lsa-id>", Check: checkAddr})
	for _, t := range dbTypes {
		dbParams = append(dbParams, cmdtree.Param{Name: t.name, Help: t.help})
	}
	r.Register([]string{"show", "ospf", "database"}, "Show the OSPF link-state database", dbParams,
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			f := DBFilter{Area: normArea(args.Get("area", "")), AdvRtr: args.Get("advertising-router", ""), LSAID: args.Get("lsa-id", "")}
			typeOf := map[string]LSAType{"router": RouterLSA, "network": NetworkLSA, "netsummary": SummaryLSA,
				"asbrsummary": ASBRSummaryLSA, "external": ExternalLSA, "nssa": NSSALSA}
			for _, t := range dbTypes {
				if args.Has(t.name) {
					f.Types = append(f.Types, typeOf[t.name])
				}
			}
			lv := level(args)
			if args.Has("summary") {
				lv = Summary
			}
			return render(env, in, func(w *bytes.Buffer) { in.ShowDatabase(w, lv, f) })
		}))
	r.Register([]string{"show", "ospf", "route"}, "Show OSPF routing table",
		levels(cmdtree.Param{Name: "destination", Help: "Destination address or prefix", Value: "<destination>", Positional: true, Check: checkDest},
			cmdtree.Param{Name: "abr", Help: "Display routes to area border routers"},
			cmdtree.Param{Name: "asbr", Help: "Display routes to AS border routers"},
			cmdtree.Param{Name: "network", Help: "Display routes to networks"},
			cmdtree.Param{Name: "external", Help: "Display external routes"},
			cmdtree.Param{Name: "inter", Help: "Display inter-area routes"},
			cmdtree.Param{Name: "intra", Help: "Display intra-area routes"}),
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			f := RouteFilter{Prefix: args.Get("destination", "")}
			for _, k := range []string{"abr", "asbr", "network", "external", "inter", "intra"} {
				if args.Has(k) {
					f.Kind = k
				}
			}
			return render(env, in, func(w *bytes.Buffer) { in.ShowRoutes(w, level(args), f) })
		}))
	r.Register([]string{"show", "ospf", "overview"}, "Show OSPF overview",
		[]cmdtree.Param{{Name: "extensive", Help: "Display extensive output"}, inst},
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			return render(env, in, func(w *bytes.Buffer) { in.ShowOverview(w) })
		}))
	r.Register([]string{"show", "ospf", "statistics"}, "Show OSPF statistics", []cmdtree.Param{inst},
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			return render(env, in, func(w *bytes.Buffer) { in.ShowStatistics(w) })
		}))
	r.Register([]string{"clear", "ospf", "neighbor"}, "Clear OSPF neighbors",
		[]cmdtree.Param{{Name: "neighbor", Help: "IP address of neighbor", Value: "<neighbor>", Positional: true, Check: checkAddr},
			{Name: "area", Help: "OSPF area ID", Value: "<area>", Check: checkAddr},
			{Name: "interface", Help: "Name of interface", Value: "<interface>"}, inst},
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			f := NeighborFilter{Address: args.Get("neighbor", ""), Area: normArea(args.Get("area", "")), Interface: args.Get("interface", "")}
			return in.Do(env.Ctx, func(in *Instance) { in.ClearNeighbors(f) })
		}))
	r.Register([]string{"clear", "ospf", "database"}, "Clear OSPF database entries",
		[]cmdtree.Param{{Name: "purge", Help: "Flush the entries from the network too"}, inst},
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			return in.Do(env.Ctx, func(in *Instance) { in.ClearDatabase(args.Has("purge")) })
		}))
	r.Register([]string{"clear", "ospf", "statistics"}, "Clear OSPF statistics", []cmdtree.Param{inst},
		run(func(env *cmdtree.Env, in *Instance, args cmdtree.Args) error {
			return in.Do(env.Ctx, func(in *Instance) { in.ClearStatistics() })
		}))
}

func level(args cmdtree.Args) Level {
	switch {
	case args.Has("extensive"):
		return Extensive
	case args.Has("detail"):
		return Detail
	}
	return Brief
}

// render runs a display in the instance's goroutine and copies it out.
func render(env *cmdtree.Env, in *Instance, f func(*bytes.Buffer)) error {
	var b bytes.Buffer
	ctx := env.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := in.Do(ctx, func(*Instance) { f(&b) }); err != nil {
		return err
	}
	_, err := env.Out.Write(b.Bytes())
	return err
}

func checkAddr(v string) error {
	if a, err := netip.ParseAddr(v); err != nil || !a.Is4() {
		if _, err := netip.ParseAddr(normArea(v)); err == nil && v != "" && isNumber(v) {
			return nil
		}
		return fmt.Errorf("%q is not an IPv4 address: %w", v, ErrBadArgument)
	}
	return nil
}

func checkAddrOrSelf(v string) error {
	if v == "self" {
		return nil
	}
	return checkAddr(v)
}

func checkDest(v string) error {
	if _, err := netip.ParsePrefix(v); err == nil {
		return nil
	}
	return checkAddr(v)
}

func isNumber(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// normArea turns an area given as a number ("1") into its dotted form.
func normArea(s string) string {
	if isNumber(s) && len(s) <= 10 {
		var n uint64
		fmt.Sscan(s, &n)
		if n <= 0xffffffff {
			return ID(uint32(n)).String()
		}
	}
	return s
}

func mustAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

// ClearNeighbors takes the matching neighbors down; they form again from
// their next hellos ("clear ospf neighbor").
func (in *Instance) ClearNeighbors(f NeighborFilter) {
	in.eachNeighbor(f, func(_ *area, _ *iface, n *nbr) { in.nbrEvent(n, evKill) })
}

// eachNeighbor calls fn for each neighbor f selects, in area and
// interface order; fn may take the neighbor down.
func (in *Instance) eachNeighbor(f NeighborFilter, fn func(a *area, i *iface, n *nbr)) {
	for _, a := range in.areas {
		if f.Area != "" && a.id.String() != f.Area {
			continue
		}
		for _, i := range a.ifaces {
			if f.Interface != "" && i.name != f.Interface {
				continue
			}
			for _, n := range slices.Clone(i.nbrs) {
				if f.Address == "" || n.addr.String() == f.Address {
					fn(a, i, n)
				}
			}
		}
	}
}

// ClearDatabase forgets the LSAs of other routers and forms every
// adjacency again, which loads them afresh ("clear ospf database"). With
// purge our own LSAs are flushed and originated anew.
func (in *Instance) ClearDatabase(purge bool) {
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			for _, n := range slices.Clone(i.nbrs) {
				in.nbrEvent(n, evKill)
			}
		}
	}
	keep := func(d *lsdb) {
		for k, e := range d.m {
			if purge || !in.selfOriginated(k) && !e.ours {
				d.remove(k)
			}
		}
	}
	for _, a := range in.areas {
		keep(a.db)
	}
	keep(in.ext)
	in.spfLater()
	in.dirty()
}

// ClearStatistics resets the counters of "show ospf statistics".
func (in *Instance) ClearStatistics() {
	in.stats.clear()
	in.dropped.Store(0)
}
