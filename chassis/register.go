package chassis

import (
	"errors"
	"fmt"
	"strconv"

	"mxlab/fpc"
	"mxlab/shell/cmdtree"
)

// CLIError is an error whose text is what Junos prints after "error: ".
type CLIError struct{ Msg string }

func (e *CLIError) Error() string { return e.Msg }

// errNoChassis is returned when a command runs without a router.
var errNoChassis = errors.New("no chassis for this session")

type getFunc func(*cmdtree.Env) *Chassis

// Register adds the chassis and interface commands to r. get finds the
// chassis of the router a command runs on.
func Register(r *cmdtree.Registry, get func(*cmdtree.Env) *Chassis) {
	g := getFunc(get)
	detail := cmdtree.Param{Name: "detail", Help: "Display detailed output"}
	slot := cmdtree.Param{Name: "slot", Help: "FPC slot number", Value: "<slot>", Positional: true, Check: checkSlot}
	fpcSlot := cmdtree.Param{Name: "fpc-slot", Help: "FPC slot number", Value: "<fpc-slot>", Required: true, Check: checkSlot}
	picSlot := cmdtree.Param{Name: "pic-slot", Help: "PIC slot number", Value: "<pic-slot>", Required: true, Check: checkSlot}
	helps := []string{"Show system information", "Show chassis information"}
	r.RegisterReply([]string{"show", "chassis", "hardware"}, "Show installed hardware components",
		[]cmdtree.Param{detail}, "get-chassis-inventory", g.reply(hardwareReply), helps...)
	r.Register([]string{"show", "chassis", "fpc"}, "Show Flexible PIC Concentrator status",
		[]cmdtree.Param{slot, detail}, g.run(showFPC), helps...)
	r.Register([]string{"show", "chassis", "fpc", "pic-status"}, "Show PIC status",
		[]cmdtree.Param{slot}, g.run(showPICStatus), helps...)
	r.Register([]string{"show", "chassis", "pic"}, "Show Physical Interface Card information",
		[]cmdtree.Param{fpcSlot, picSlot}, g.run(showPIC), helps...)
	r.Register([]string{"show", "chassis", "alarms"}, "Show alarm status", nil, g.run(showAlarms), helps...)
	r.RegisterReply([]string{"show", "chassis", "routing-engine"}, "Show Routing Engine status",
		nil, "get-route-engine-information", g.reply(routingEngineReply), helps...)
	reqHelps := []string{"Make system-level requests", "Perform chassis-specific operations"}
	op := func(name, help string) cmdtree.Param { return cmdtree.Param{Name: name, Help: help} }
	r.Register([]string{"request", "chassis", "fpc"}, "Change Flexible PIC Concentrator status",
		[]cmdtree.Param{{Name: "slot", Help: "FPC slot number", Value: "<slot>", Required: true, Check: checkSlot},
			op("offline", "Take FPC offline"), op("online", "Bring FPC online"), op("restart", "Restart FPC")},
		g.run(requestFPC), reqHelps...)
	r.Register([]string{"request", "chassis", "pic"}, "Change Physical Interface Card status",
		[]cmdtree.Param{fpcSlot, picSlot, op("offline", "Take PIC offline"), op("online", "Bring PIC online")},
		g.run(requestPIC), reqHelps...)
	registerInterfaces(r, g)
}

// run adapts a renderer into a RunFunc.
func (g getFunc) run(f func(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error) cmdtree.RunFunc {
	return func(env *cmdtree.Env, args cmdtree.Args) error {
		c := g(env)
		if c == nil {
			return errNoChassis
		}
		return f(env, c, args)
	}
}

func checkSlot(v string) error {
	if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 255 {
		return fmt.Errorf("invalid slot %q", v)
	}
	return nil
}

// intArg reads an integer argument; def when absent.
func intArg(args cmdtree.Args, name string, def int) (int, error) {
	v, ok := args[name]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &CLIError{Msg: fmt.Sprintf("invalid %s: %s", name, v)}
	}
	return n, nil
}

func asSlotError(err error, se **SlotError) bool { return errors.As(err, se) }

func isNotOnline(err error) bool { return errors.Is(err, fpc.ErrNotOnline) }
