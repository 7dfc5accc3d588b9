package router

import (
	"context"

	"mxlab/chassis"
	"mxlab/pic"
	"mxlab/services"
	"mxlab/shell/cmdtree"
	"mxlab/syslog"
)

// newServices builds the IPsec services of the router (its MS PICs) and
// returns them as the configuration owner that must prepare before the
// forwarding plane: the devices of the service units exist before routes
// point at them.
func (r *Router) newServices() *services.Services {
	o := services.Options{Hardware: hardware{c: r.Chassis}, StateDir: r.dir, Now: r.now,
		Event: func(tag, msg string) { r.Log.Event(syslog.Kmd, tag, "%s", msg) }}
	if r.pki != nil {
		o.PKI = r.pki
	}
	if r.Netns != nil {
		o.Namespace = r.Netns
	}
	r.svc = services.New(o)
	r.Chassis.AddAlarmSource(func() []chassis.Alarm {
		var out []chassis.Alarm
		for _, a := range r.svc.Alarms() {
			out = append(out, chassis.Alarm{Time: a.Time, Class: a.Class, Desc: a.Desc})
		}
		return out
	})
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
