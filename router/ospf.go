package router

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"mxlab/config"
	"mxlab/routing"
	"mxlab/routing/ospf"
	"mxlab/routing/policy"
)

// newOSPF makes the router's OSPF process: its packets go through raw
// sockets in the router's namespace, its routes to the routing engine,
// which tells it the interface states and the routing table.
func (r *Router) newOSPF(dp routing.Dataplane) {
	r.OSPF = ospf.New(ospf.NewNet(dp), r.Routing, ospf.WithClock(r.now),
		ospf.WithLogDir(filepath.Join(r.dir, "var", "log")))
	r.Routing.Watch(func(cfg routing.Config, rib *routing.RIB) {
		r.OSPF.SetInterfaces(ifStates(cfg))
		r.OSPF.SetRIB(rib)
	})
	r.DB.AddValidator(ospf.Validate)
	r.DB.AddValidator(policy.Validate)
	r.DB.AddOwner(ospfOwner{p: r.OSPF})
}

// ifStates groups the interface addresses of the routing configuration by
// logical interface.
func ifStates(cfg routing.Config) []ospf.IfState {
	var out []ospf.IfState
	idx := map[string]int{}
	for _, a := range cfg.Interfaces {
		i, ok := idx[a.Name]
		if !ok {
			i = len(out)
			idx[a.Name] = i
			out = append(out, ospf.IfState{Name: a.Name, Up: a.Up})
		}
		if a.Prefix.IsValid() {
			out[i].Addrs = append(out[i].Addrs, a.Prefix)
		}
	}
	return out
}

// ospfOwner applies protocols ospf (and the policies it exports with) at
// commit; the process takes the new configuration asynchronously.
type ospfOwner struct{ p *ospf.Process }

func (o ospfOwner) Prepare(_ context.Context, _, new *config.Node) (config.Pending, error) {
	return ospfPending{p: o.p, cfgs: ospf.Parse(new)}, nil
}

type ospfPending struct {
	p    *ospf.Process
	cfgs []ospf.Config
}

func (p ospfPending) Apply() { p.p.Configure(p.cfgs) }
func (p ospfPending) Abort() {}

// watchLinks follows the carrier of the router's ports: a link going down
// or up (its lab peer gone, a cable cut with "ip link set down") changes
// the routing table at once, as on a real router, and OSPF follows.
func (r *Router) watchLinks(ctx context.Context) {
	if r.Netns == nil {
		return
	}
	kick := make(chan struct{}, 1)
	wait, err := r.Netns.Handle().WatchLinks(ctx, func(name string) {
		if !isPort(strings.ReplaceAll(name, "_", "/")) {
			return
		}
		select {
		case kick <- struct{}{}:
		default:
		}
	})
	if err != nil {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer wait()
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
				// Let a burst of changes settle into one recomputation.
				time.Sleep(10 * time.Millisecond)
				r.fwd.do(r.fwd.reprogram)
			}
		}
	}()
}
