package router

import (
	"context"

	"mxlab/chassis"
	"mxlab/config"
)

// chassisOwner applies [edit interfaces] and [edit chassis] to the chassis.
type chassisOwner struct{ c *chassis.Chassis }

// Prepare converts the committed statements; the chassis cannot refuse.
func (o chassisOwner) Prepare(_ context.Context, _, new *config.Node) (config.Pending, error) {
	return chassisApply{c: o.c, cfg: chassis.ParseConfig(new)}, nil
}

type chassisApply struct {
	c   *chassis.Chassis
	cfg chassis.Config
}

func (a chassisApply) Apply() { a.c.Configure(a.cfg) }
func (a chassisApply) Abort() {}
