package routing

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"mxlab/netns"
	"mxlab/shell/cmdtree"
)

// Register adds the routing commands to r. get finds the routing engine of
// the router a command runs on.
func Register(r *cmdtree.Registry, get func(*cmdtree.Env) *Router) {
	r.Group([]string{"show"}, "Show system information")
	r.RegisterReply([]string{"show", "route"}, "Show routing table information", routeParams(), "get-route-information",
		func(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) {
			return get(env).routeReply(env, args)
		})
	r.Register([]string{"show", "route", "summary"}, "Show route summary information", nil,
		cmdtree.Func(func(env *cmdtree.Env) error {
			WriteSummary(env.Out, get(env).Summary())
			return nil
		}))
	r.Register([]string{"show", "route", "forwarding-table"}, "Show forwarding table information",
		[]cmdtree.Param{
			{Name: "family", Help: "Protocol family", Value: "<family>", Values: func(any) []string { return []string{"inet"} },
				ValueHelp: map[string]string{"inet": "IPv4"}, Check: checkFamily},
			{Name: "table", Help: "Name of routing table", Value: "<table>"},
		},
		func(env *cmdtree.Env, args cmdtree.Args) error { return get(env).cmdForwardingTable(env, args) })
	r.RegisterReply([]string{"show", "arp"}, "Show system Address Resolution Protocol table entries",
		[]cmdtree.Param{{Name: "no-resolve", Help: "Don't attempt to print addresses symbolically"}}, "get-arp-table-information",
		func(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) { return get(env).arpReply(env, args) })
	r.Register([]string{"ping"}, "Ping remote target", pingParams(),
		func(env *cmdtree.Env, args cmdtree.Args) error { return get(env).cmdPing(env, args) })
	r.Register([]string{"traceroute"}, "Trace route to remote host", traceParams(),
		func(env *cmdtree.Env, args cmdtree.Args) error { return get(env).cmdTraceroute(env, args) })
}

// checkFamily accepts the protocol families mxlab forwards: IPv4 only.
func checkFamily(v string) error {
	if v != "inet" {
		return fmt.Errorf("family %q: mxlab forwards family inet only: %w", v, ErrBadArgument)
	}
	return nil
}

func checkDest(v string) error { _, _, err := ParseDestination(v); return err }

func checkUint(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("value %q is not a number in range %d..%d: %w", v, lo, hi, ErrBadArgument)
		}
		return nil
	}
}

func checkAddr(v string) error {
	if a, err := netip.ParseAddr(v); err != nil || !a.Is4() {
		return fmt.Errorf("%q is not an IPv4 address: %w", v, ErrBadArgument)
	}
	return nil
}

func routeParams() []cmdtree.Param {
	return []cmdtree.Param{
		{Name: "destination", Help: "IP address and optional prefix length of destination", Value: "<destination>", Positional: true, Check: checkDest},
		{Name: "exact", Help: "Exact route match"},
		{Name: "longer", Help: "Routes more specific than the destination"},
		{Name: "protocol", Help: "Name of protocol", Value: "<protocol>", Values: func(any) []string { return []string{"direct", "local", "ospf", "static"} },
			ValueHelp: map[string]string{"direct": "Directly connected route", "local": "Local address", "ospf": "OSPF route", "static": "Static route"}},
		{Name: "table", Help: "Name of routing table", Value: "<table>"},
		{Name: "terse", Help: "Display terse output"},
		{Name: "detail", Help: "Display detailed output"},
		{Name: "extensive", Help: "Display extensive output"},
		{Name: "hidden", Help: "Hidden routes"},
	}
}

func pingParams() []cmdtree.Param {
	return []cmdtree.Param{
		{Name: "host", Help: "Hostname or IP address of remote host", Value: "<host>", Positional: true, Required: true, Check: checkAddr},
		{Name: "count", Help: "Number of ping requests to send", Value: "<count>", Check: checkUint(1, 2000000000)},
		{Name: "size", Help: "Size of request packets", Value: "<size>", Check: checkUint(0, 65468)},
		{Name: "rapid", Help: "Send requests rapidly"},
		{Name: "ttl", Help: "IP time-to-live value", Value: "<ttl>", Check: checkUint(1, 255)},
		{Name: "source", Help: "Source address of echo request", Value: "<source>", Check: checkAddr},
		{Name: "interface", Help: "Name of interface to send pings from", Value: "<interface>"},
		{Name: "routing-instance", Help: "Routing instance for ping attempt", Value: "<routing-instance>"},
		{Name: "do-not-fragment", Help: "Don't fragment echo request packets"},
		{Name: "wait", Help: "Delay after sending last packet", Value: "<seconds>", Check: checkUint(1, 3600)},
	}
}

func traceParams() []cmdtree.Param {
	return []cmdtree.Param{
		{Name: "host", Help: "Hostname or IP address of remote host", Value: "<host>", Positional: true, Required: true, Check: checkAddr},
		{Name: "ttl", Help: "Maximum IP time-to-live value", Value: "<ttl>", Check: checkUint(1, 255)},
		{Name: "source", Help: "Source address of outgoing packets", Value: "<source>", Check: checkAddr},
		{Name: "routing-instance", Help: "Name of routing instance for traceroute attempt", Value: "<routing-instance>"},
		{Name: "no-resolve", Help: "Don't attempt to print addresses symbolically"},
	}
}

func errInvalidTable(table string) error {
	return fmt.Errorf("invalid table %s: %w", table, ErrBadArgument)
}

func anyTable(rib *RIB, arg string) bool {
	for _, t := range rib.Tables {
		if tableMatches(arg, t.Name) {
			return true
		}
	}
	return false
}

// inKernel lists the next hops the kernel holds for each prefix of t (for
// the KRT lines of `show route extensive`).
func (r *Router) inKernel(t *Table) map[netip.Prefix][]string {
	krs, err := r.dp.KernelRoutes(t.ID)
	if err != nil {
		return nil
	}
	out := map[netip.Prefix][]string{}
	for _, kr := range krs {
		switch {
		case kr.Gateway.IsValid():
			out[kr.Prefix] = append(out[kr.Prefix], kr.Gateway.String())
		case kr.Interface != "" && kr.Kind == netns.Unicast:
			out[kr.Prefix] = append(out[kr.Prefix], kr.Interface)
		case kr.Kind == netns.Discard:
			out[kr.Prefix] = append(out[kr.Prefix], "discard")
		case kr.Kind == netns.Reject && kr.Metric == 0:
			out[kr.Prefix] = append(out[kr.Prefix], "reject")
		}
	}
	return out
}

func (r *Router) cmdForwardingTable(env *cmdtree.Env, args cmdtree.Args) error {
	rib := r.RIB()
	instIfs := map[string]bool{}
	for _, t := range rib.Tables[1:] {
		for _, ifl := range t.Interfaces {
			instIfs[ifl] = true
		}
	}
	arg := args.Get("table", "")
	first := true
	for _, t := range rib.Tables {
		name := t.Instance
		if name == "" {
			name = "default"
		}
		if arg != "" && arg != name && !tableMatches(arg, t.Name) {
			continue
		}
		ft, err := r.forwardingTable(t, instIfs)
		if err != nil {
			return err
		}
		if !first {
			fmt.Fprintln(env.Out)
		}
		first = false
		writeForwardingTable(env.Out, ft)
	}
	return nil
}

// instanceMark returns the table of a routing instance, for SO_MARK.
func (r *Router) instanceMark(name string) (int, error) {
	if name == "" {
		return 0, nil
	}
	for _, t := range r.RIB().Tables {
		if t.Instance == name {
			return t.ID, nil
		}
	}
	return 0, fmt.Errorf("routing instance %s: not found: %w", name, ErrBadArgument)
}

func (r *Router) cmdPing(env *cmdtree.Env, args cmdtree.Args) error {
	o, err := r.pingOptions(args)
	if err != nil {
		return err
	}
	return Ping(env.Ctx, env.Out, r.dp.Do, o)
}

func (r *Router) pingOptions(args cmdtree.Args) (PingOptions, error) {
	var o PingOptions
	var err error
	if o.Host, err = netip.ParseAddr(args.Get("host", "")); err != nil || !o.Host.Is4() {
		return o, fmt.Errorf("ping: %q: %w", args.Get("host", ""), ErrBadArgument)
	}
	o.Count, _ = strconv.Atoi(args.Get("count", "0"))
	o.Size, _ = strconv.Atoi(args.Get("size", "56"))
	o.TTL, _ = strconv.Atoi(args.Get("ttl", "0"))
	o.Rapid, o.DF = args.Has("rapid"), args.Has("do-not-fragment")
	if s := args.Get("source", ""); s != "" {
		if o.Source, err = netip.ParseAddr(s); err != nil {
			return o, fmt.Errorf("ping: source %q: %w", s, ErrBadArgument)
		}
	}
	if w, _ := strconv.Atoi(args.Get("wait", "0")); w > 0 {
		o.Wait = time.Duration(w) * time.Second
	}
	if ifl := args.Get("interface", ""); ifl != "" {
		if o.Device, err = r.dp.LinuxIFL(ifl); err != nil {
			return o, fmt.Errorf("ping: interface %s: %w", ifl, err)
		}
	}
	o.Mark, err = r.instanceMark(args.Get("routing-instance", ""))
	return o, err
}

func (r *Router) cmdTraceroute(env *cmdtree.Env, args cmdtree.Args) error {
	var o TracerouteOptions
	var err error
	if o.Host, err = netip.ParseAddr(args.Get("host", "")); err != nil || !o.Host.Is4() {
		return fmt.Errorf("traceroute: %q: %w", args.Get("host", ""), ErrBadArgument)
	}
	o.MaxTTL, _ = strconv.Atoi(args.Get("ttl", "30"))
	o.NoResolve = args.Has("no-resolve")
	if s := args.Get("source", ""); s != "" {
		if o.Source, err = netip.ParseAddr(s); err != nil {
			return fmt.Errorf("traceroute: source %q: %w", s, ErrBadArgument)
		}
	}
	if o.Mark, err = r.instanceMark(args.Get("routing-instance", "")); err != nil {
		return err
	}
	return Traceroute(env.Ctx, env.Out, r.dp.Do, o)
}
