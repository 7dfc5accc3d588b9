package chassis

import (
	"fmt"
	"net/netip"
	"sort"

	"mxlab/pic"
)

// Config is the part of the committed configuration the chassis uses. The
// wiring code fills it from [edit interfaces] and [edit chassis]; it has
// been validated before Configure sees it.
type Config struct {
	Interfaces []Interface
	FPC        map[int]FPCConfig
	// NetworkServices is [edit chassis network-services]. Every card of the
	// catalogue (Trio MPCs, MS-MPC, MS-DPC) is powered on in every mode, so
	// the mode changes no card state.
	NetworkServices string
}

// FPCConfig is [edit chassis fpc N].
type FPCConfig struct {
	PIC map[int]PICConfig
}

// PICConfig is [edit chassis fpc N pic M].
type PICConfig struct {
	// ServicePackage is [adaptive-services service-package]: "layer-2" or
	// "layer-3" (the default). MS-MIC and MS-MPC PICs always run
	// extension-provider and ignore it.
	ServicePackage string
}

// Interface is [edit interfaces NAME].
type Interface struct {
	Name        string
	Description string
	Disable     bool
	MTU         int
	VlanTagging bool
	Units       []Unit
}

// Unit is [edit interfaces NAME unit N].
type Unit struct {
	Number        int
	Description   string
	Disable       bool
	VlanID        int
	Inet          []netip.Prefix
	Inet6         []netip.Prefix
	ServiceDomain string // "inside" or "outside" on ms- and sp- units
	// Families are the configured families in order ("inet", "inet6");
	// when nil they follow the addresses.
	Families []string
}

// families returns the protocol families of a unit.
func (u Unit) families() []string {
	if u.Families != nil {
		return u.Families
	}
	var f []string
	if len(u.Inet) > 0 {
		f = append(f, "inet")
	}
	if len(u.Inet6) > 0 {
		f = append(f, "inet6")
	}
	return f
}

// Configure applies a committed configuration: interface settings, and
// the service packages of adaptive-services PICs (a change reboots the
// PIC). It never fails; interfaces absent from the chassis are kept and
// show up if the hardware appears.
func (c *Chassis) Configure(cfg Config) {
	cfg = cloneConfig(cfg)
	c.mu.Lock()
	c.cfg = cfg
	c.idx.allocate(cfg)
	c.mu.Unlock()
	disabled := map[string]bool{}
	for _, i := range cfg.Interfaces {
		if i.Disable {
			disabled[i.Name] = true
		}
	}
	for _, f := range c.hw.fpcs {
		for _, p := range f.pics {
			pc := cfg.FPC[f.slot].PIC[p.slot]
			card := c.cards[f.slot].PIC(p.slot)
			// A stopped card belongs to a stopping router: nothing to apply.
			_ = card.Configure(picConfig(card.Names(), disabled, pc.ServicePackage))
		}
	}
}

func picConfig(names []string, disabled map[string]bool, pkg string) pic.Config {
	d := map[string]bool{}
	for _, n := range names {
		if disabled[n] {
			d[n] = true
		}
	}
	return pic.Config{Package: pkg, Disabled: d}
}

func cloneConfig(cfg Config) Config {
	out := cfg
	out.Interfaces = make([]Interface, len(cfg.Interfaces))
	for i, it := range cfg.Interfaces {
		it.Units = append([]Unit(nil), it.Units...)
		sort.Slice(it.Units, func(a, b int) bool { return it.Units[a].Number < it.Units[b].Number })
		out.Interfaces[i] = it
	}
	return out
}

// ifIndex is the kernel and SNMP index of an interface.
type ifIndex struct{ index, snmp int }

// ifIndexes numbers interfaces the way Junos does: physical interfaces when
// the hardware is known, logical ones when first configured; numbers are
// never reused while the router runs.
type ifIndexes struct {
	phys     map[string]ifIndex // fixed at init
	logical  map[string]ifIndex // guarded by Chassis.mu
	nextLog  int
	nextSNMP int
	// soft are the internal interfaces: the Routing Engine's, then the
	// MPCs' (fixed at init).
	soft []softIf
	pfe  map[int][]softIf // an MPC's lc-, pfe- and pfh- interfaces, by slot
}

// The indexes Junos gives the interfaces of the first MPC, its ports and
// the first configured unit (as on a vMX).
var (
	firstPFE  = [7]ifIndex{{145, 519}, {146, 521}, {147, 522}, {329, 520}, {330, 523}, {331, 524}, {332, 525}}
	firstPort = ifIndex{148, 526}
	firstUnit = 333
)

func (x *ifIndexes) init(c *Chassis) {
	x.phys = map[string]ifIndex{}
	x.logical = map[string]ifIndex{}
	x.soft = reInterfaces
	x.pfe = map[int][]softIf{}
	for _, s := range x.soft {
		x.phys[s.name] = s.index
	}
	n, snmp := firstPort.index, firstPort.snmp
	for _, name := range c.hardwareNames() {
		x.phys[name] = ifIndex{n, snmp}
		n++
		snmp++
	}
	x.nextLog, x.nextSNMP = firstUnit, snmp+10
	first := true
	for _, f := range c.hw.fpcs {
		if f.typ.pics != nil {
			continue // a services card: no forwarding engine of its own
		}
		idx := firstPFE
		if !first {
			for i := range idx[:3] {
				idx[i] = ifIndex{n, snmp}
				n++
				snmp++
			}
			for i := range idx[3:] {
				idx[3+i] = ifIndex{x.nextLog, x.nextSNMP}
				x.nextLog++
				x.nextSNMP++
			}
		}
		first = false
		x.pfe[f.slot] = pfeInterfaces(f.slot, idx)
		for _, s := range x.pfe[f.slot] {
			x.phys[s.name] = s.index
		}
	}
}

func (x *ifIndexes) allocate(cfg Config) {
	for _, i := range cfg.Interfaces {
		for _, u := range i.Units {
			name := fmt.Sprintf("%s.%d", i.Name, u.Number)
			if _, ok := x.logical[name]; ok {
				continue
			}
			if idx, ok := fixedUnits[name]; ok {
				x.logical[name] = idx
				continue
			}
			x.logical[name] = ifIndex{x.nextLog, x.nextSNMP}
			x.nextLog++
			x.nextSNMP++
		}
	}
}

// fixedUnits are the indexes Junos gives the management and loopback
// units, which it creates at boot.
var fixedUnits = map[string]ifIndex{"fxp0.0": {4, 13}, "lo0.0": {320, 16}}

// SNMPIndex returns the SNMP ifIndex of a physical interface, as the
// system log and "show interfaces" give it.
func (c *Chassis) SNMPIndex(ifd string) (int, bool) {
	x, ok := c.idx.phys[ifd]
	return x.snmp, ok
}
