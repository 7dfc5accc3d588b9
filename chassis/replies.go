package chassis

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// reply adapts a model builder into a ReplyFunc.
func (g getFunc) reply(f func(env *cmdtree.Env, c *Chassis, args cmdtree.Args) (cmdtree.Reply, error)) cmdtree.ReplyFunc {
	return func(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) {
		c := g(env)
		if c == nil {
			return nil, errNoChassis
		}
		return f(env, c, args)
	}
}

// inventory is "show chassis hardware" (get-chassis-inventory): the items
// of Chassis.Inventory.
type inventory struct {
	items   []InventoryItem
	detail  bool
	release string
}

func hardwareReply(env *cmdtree.Env, c *Chassis, args cmdtree.Args) (cmdtree.Reply, error) {
	return &inventory{items: c.Inventory(), detail: args.Has("detail"), release: env.Version}, nil
}

func (inv *inventory) Text(w io.Writer) error {
	var b strings.Builder
	writeInventory(&b, inv.items, inv.detail)
	return write(w, &b)
}

// moduleTags are the elements of the module levels: a module, its
// sub-modules, theirs...
var moduleTags = []string{"chassis-module", "chassis-sub-module", "chassis-sub-sub-module", "chassis-sub-sub-sub-module"}

func (inv *inventory) XML() []*junosxml.Elem {
	ch := junosxml.New("chassis").SetAttr("junos:style", "inventory")
	parents := []*junosxml.Elem{ch}
	for i, it := range inv.items {
		if i == 0 && it.Name == "Chassis" {
			ch.AddLeaf("name", it.Name).AddLeaf("serial-number", it.Serial).AddLeaf("description", it.Desc)
			continue
		}
		if it.Depth >= len(moduleTags) || it.Depth >= len(parents) {
			continue
		}
		e := junosxml.New(moduleTags[it.Depth]).AddLeaf("name", it.Name)
		if it.Version != "" {
			e.AddLeaf("version", it.Version)
		}
		if it.Part != "" {
			e.AddLeaf("part-number", it.Part)
		}
		if it.Serial != "" {
			e.AddLeaf("serial-number", it.Serial)
		}
		e.AddLeaf("description", it.Desc)
		parents[it.Depth].Add(e)
		parents = append(parents[:it.Depth+1], e)
	}
	return []*junosxml.Elem{junosxml.New("chassis-inventory", ch).SetAttr("xmlns", junosxml.Namespace(inv.release, "chassis"))}
}

// reInfo is "show chassis routing-engine" (get-route-engine-information).
type reInfo struct {
	release string
	res     []reEntry
}

type reEntry struct {
	slot                     int
	state, prio              string
	dram, installed          int
	model, serial            string
	start                    time.Time
	up                       time.Duration
	temp, cpuTemp, mem       int
	user, kernel, intr, idle int
}

func routingEngineReply(env *cmdtree.Env, c *Chassis, _ cmdtree.Args) (cmdtree.Reply, error) {
	v := c.snapshot()
	m := c.hw.model
	out := &reInfo{release: env.Version}
	for s := 0; s < m.REs; s++ {
		state, prio := "Master", "Master (default)"
		if s > 0 {
			state, prio = "Backup", "Backup (default)"
		}
		n := reNominal
		out.res = append(out.res, reEntry{slot: s, state: state, prio: prio,
			dram: m.reDRAM - m.reDRAM/512, installed: m.reDRAM, model: m.re.Desc, serial: c.reSerial(s),
			start: v.start, up: v.at.Sub(v.start), temp: n.temp, cpuTemp: n.cpuTemp, mem: n.mem,
			user: n.user, kernel: n.kernel, intr: n.intr, idle: n.idle})
	}
	return out, nil
}

func (ri *reInfo) Text(w io.Writer) error {
	var b strings.Builder
	for i, r := range ri.res {
		if i == 0 {
			b.WriteString("Routing Engine status:\n")
		}
		fmt.Fprintf(&b, "  Slot %d:\n", r.slot)
		fmt.Fprintf(&b, "    %-31s%s\n", "Current state", r.state)
		fmt.Fprintf(&b, "    %-31s%s\n", "Election priority", r.prio)
		fmt.Fprintf(&b, "    %-27s%3d degrees C / %d degrees F\n", "Temperature", r.temp, fahrenheit(r.temp))
		fmt.Fprintf(&b, "    %-27s%3d degrees C / %d degrees F\n", "CPU temperature", r.cpuTemp, fahrenheit(r.cpuTemp))
		fmt.Fprintf(&b, "    %-26s%5d MB (%d MB installed)\n", "DRAM", r.dram, r.installed)
		fmt.Fprintf(&b, "    %-27s%3d percent\n", "Memory utilization", r.mem)
		for _, span := range []string{"5 sec", "1 min", "5 min", "15 min"} {
			fmt.Fprintf(&b, "    %s CPU utilization:\n", span)
			for _, u := range []struct {
				k string
				v int
			}{{"User", r.user}, {"Background", 0}, {"Kernel", r.kernel}, {"Interrupt", r.intr}, {"Idle", r.idle}} {
				fmt.Fprintf(&b, "      %-23s%3d percent\n", u.k, u.v)
			}
		}
		fmt.Fprintf(&b, "    %-31s%s\n", "Model", r.model)
		fmt.Fprintf(&b, "    %-31s%s\n", "Serial ID", r.serial)
		fmt.Fprintf(&b, "    %-31s%s\n", "Start time", junosTime(r.start))
		fmt.Fprintf(&b, "    %-31s%s\n", "Uptime", uptime(r.up))
		fmt.Fprintf(&b, "    %-31s%s\n", "Last reboot reason", "Router rebooted after a normal shutdown.")
		fmt.Fprintf(&b, "    %-31s%s\n", "Load averages:", "1 minute   5 minute  15 minute")
		fmt.Fprintf(&b, "%40.2f%11.2f%11.2f\n", 0.12, 0.08, 0.06)
	}
	return write(w, &b)
}

func (ri *reInfo) XML() []*junosxml.Elem {
	info := junosxml.New("route-engine-information").SetAttr("xmlns", junosxml.Namespace(ri.release, "chassis"))
	for _, r := range ri.res {
		deg := func(name string, c int) *junosxml.Elem {
			return junosxml.Leaf(name, fmt.Sprintf("%d degrees C / %d degrees F", c, fahrenheit(c))).
				SetAttr("junos:celsius", strconv.Itoa(c))
		}
		info.Add(junosxml.New("route-engine",
			junosxml.Leaf("slot", strconv.Itoa(r.slot)),
			junosxml.Leaf("mastership-state", strings.ToLower(r.state)),
			junosxml.Leaf("mastership-priority", strings.ToLower(r.prio)),
			deg("temperature", r.temp),
			deg("cpu-temperature", r.cpuTemp),
			junosxml.Leaf("memory-dram-size", fmt.Sprintf("%d MB", r.dram)),
			junosxml.Leaf("memory-installed-size", fmt.Sprintf("(%d MB installed)", r.installed)),
			junosxml.Leaf("memory-buffer-utilization", strconv.Itoa(r.mem)),
			junosxml.Leaf("cpu-user", strconv.Itoa(r.user)),
			junosxml.Leaf("cpu-background", "0"),
			junosxml.Leaf("cpu-system", strconv.Itoa(r.kernel)),
			junosxml.Leaf("cpu-interrupt", strconv.Itoa(r.intr)),
			junosxml.Leaf("cpu-idle", strconv.Itoa(r.idle)),
			junosxml.Leaf("model", r.model),
			junosxml.Leaf("serial-number", r.serial),
			junosxml.Leaf("start-time", junosTime(r.start)).SetAttr("junos:seconds", strconv.FormatInt(r.start.Unix(), 10)),
			junosxml.Leaf("up-time", uptime(r.up)).SetAttr("junos:seconds", strconv.FormatInt(int64(r.up/time.Second), 10)),
			junosxml.Leaf("last-reboot-reason", "Router rebooted after a normal shutdown."),
			junosxml.Leaf("load-average-one", "0.12"),
			junosxml.Leaf("load-average-five", "0.08"),
			junosxml.Leaf("load-average-fifteen", "0.06"),
			junosxml.Leaf("status", "OK"),
		))
	}
	return []*junosxml.Elem{info}
}
