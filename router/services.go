package router

import (
	"context"

	"mxlab/chassis"
	"mxlab/pic"
	"mxlab/services"
	"mxlab/shell/cmdtree"
)

// newServices builds the IPsec services of the router (its MS PICs) and
// returns them as the configuration owner that must prepare before the
// forwarding plane: the devices of the service units exist before routes
// point at them.
func (r *Router) newServices() *services.Services {
	o := services.Options{Hardware: hardware{c: r.Chassis}, StateDir: r.dir, Now: r.now}
	if r.Netns != nil {
		o.Namespace = r.Netns
	}
	r.svc = services.New(o)
	return r.svc
}

// registerServices adds the services commands.
func registerServices(reg *cmdtree.Registry) {
	services.Register(reg, func(env *cmdtree.Env) *services.Services { return env.Router.(*Router).svc })
}

// hardware lets the services follow the chassis.
type hardware struct{ c *chassis.Chassis }

func (h hardware) Present(ifd string) bool {
	st, ok := h.c.Interface(ifd)
	return ok && st.Present
}

func (h hardware) Watch(ctx context.Context) <-chan pic.Event { return h.c.Watch(ctx) }
