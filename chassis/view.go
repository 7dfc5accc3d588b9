package chassis

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"mxlab/fpc"
	"mxlab/pic"
)

// view is a consistent picture of the chassis taken for one command.
type view struct {
	at       time.Time
	start    time.Time
	cfg      Config
	counters Counters
	rates    *rates
	reClear  map[string]pic.Baseline
	fpcs     []fpcView
	width    int // screen width for the lines Junos wraps; 0: no limit
}

type fpcView struct {
	hw   fpcHW
	st   fpc.Status
	pics []picView
}

type picView struct {
	hw picHW
	st pic.Status
}

func (c *Chassis) snapshot() *view {
	c.mu.Lock()
	v := &view{at: c.now(), start: c.start, cfg: c.cfg, counters: c.counters, rates: &c.rates, reClear: c.reClear}
	c.reClear = cloneBaselines(c.reClear)
	c.mu.Unlock()
	for _, f := range c.hw.fpcs {
		card := c.cards[f.slot]
		fv := fpcView{hw: f}
		var err error
		if fv.st, err = card.Status(); err != nil {
			fv.st = fpc.Status{Slot: f.slot, State: pic.Offline}
		}
		for _, p := range f.pics {
			pv := picView{hw: p}
			if pv.st, err = card.PIC(p.slot).Status(); err != nil {
				pv.st = pic.Status{FPC: f.slot, Slot: p.slot, State: pic.Offline}
			}
			fv.pics = append(fv.pics, pv)
		}
		v.fpcs = append(v.fpcs, fv)
	}
	return v
}

func cloneBaselines(m map[string]pic.Baseline) map[string]pic.Baseline {
	out := make(map[string]pic.Baseline, len(m))
	for k, b := range m {
		out[k] = b
	}
	return out
}

func (c *Chassis) hardwareNames() []string {
	var names []string
	for _, f := range c.hw.fpcs {
		for _, p := range f.pics {
			names = append(names, pic.PortNames(pic.Spec{FPC: f.slot, Slot: p.slot, Kind: p.kind})...)
		}
	}
	return names
}

// IfState is an interface as other subsystems see it.
type IfState struct {
	Name    string // "ge-1/0/0" or "ge-1/0/0.0"
	Logical bool
	// Present: the hardware exists and is online. Only present interfaces
	// show in "show interfaces".
	Present     bool
	Configured  bool
	AdminUp     bool
	LinkUp      bool
	Description string
	FPC, PIC    int // -1 for Routing Engine interfaces (lo0, fxp0) and unknown hardware
}

// phys is a physical interface in a view.
type phys struct {
	IfState
	port  *pic.Port // nil for Routing Engine interfaces and absent hardware
	pv    *picView
	cfg   *Interface
	index ifIndex
	soft  *softIf // an internal interface (Routing Engine, MPC): its fixed lines
}

// physicals lists the physical interfaces of the view in the order Junos
// lists them: per FPC the hardware ports (present or not) and, when the
// FPC is online, its internal interfaces, by PIC and port; then the
// Routing Engine and software interfaces by name; then configured
// interfaces the chassis does not have.
func (v *view) physicals(c *Chassis) []phys {
	cfgs := map[string]*Interface{}
	for i := range v.cfg.Interfaces {
		cfgs[v.cfg.Interfaces[i].Name] = &v.cfg.Interfaces[i]
	}
	lr, _ := v.counters.(LinkReporter)
	var out []phys
	seen := map[string]bool{}
	add := func(p phys) {
		p.cfg = cfgs[p.Name]
		p.Configured = p.cfg != nil
		p.AdminUp = p.cfg == nil || !p.cfg.Disable
		if p.cfg != nil {
			p.Description = p.cfg.Description
		}
		p.LinkUp = p.Present && p.AdminUp && (p.port == nil || lr == nil || lr.LinkUp(p.Name))
		p.index = c.idx.phys[p.Name]
		seen[p.Name] = true
		out = append(out, p)
	}
	for fi := range v.fpcs {
		f := &v.fpcs[fi]
		var slot []phys
		for pi := range f.pics {
			pv := &f.pics[pi]
			ports := map[string]*pic.Port{}
			for k := range pv.st.Ports {
				ports[pv.st.Ports[k].Name] = &pv.st.Ports[k]
			}
			for _, n := range pic.PortNames(pic.Spec{FPC: f.hw.slot, Slot: pv.hw.slot, Kind: pv.hw.kind}) {
				slot = append(slot, phys{IfState: IfState{Name: n, Present: ports[n] != nil, FPC: f.hw.slot, PIC: pv.hw.slot},
					port: ports[n], pv: pv})
			}
		}
		if f.st.State == pic.Online {
			for i := range c.idx.pfe[f.hw.slot] {
				s := &c.idx.pfe[f.hw.slot][i]
				slot = append(slot, phys{IfState: IfState{Name: s.name, Present: true, FPC: f.hw.slot, PIC: 0}, soft: s})
			}
		}
		slices.SortStableFunc(slot, func(a, b phys) int { return compareSlotNames(a.Name, b.Name) })
		for _, p := range slot {
			add(p)
		}
	}
	for i := range c.idx.soft {
		s := &c.idx.soft[i]
		add(phys{IfState: IfState{Name: s.name, Present: true, FPC: -1, PIC: -1}, soft: s})
	}
	for _, i := range v.cfg.Interfaces {
		if !seen[i.Name] {
			add(phys{IfState: IfState{Name: i.Name, FPC: -1, PIC: -1}})
		}
	}
	return out
}

// Interfaces lists the physical interfaces of the chassis and the logical
// interfaces configured on them, with their state.
func (c *Chassis) Interfaces() []IfState {
	v := c.snapshot()
	var out []IfState
	for _, p := range v.physicals(c) {
		out = append(out, p.IfState)
		for _, u := range p.units() {
			st := IfState{Name: fmt.Sprintf("%s.%d", p.Name, u.number), Logical: true,
				Present: p.Present, AdminUp: true, LinkUp: p.LinkUp, FPC: p.FPC, PIC: p.PIC}
			if u.cfg != nil {
				st.Configured, st.AdminUp, st.Description = true, !u.cfg.Disable, u.cfg.Description
			}
			out = append(out, st)
		}
	}
	return out
}

// Interface returns the state of the named physical or logical interface.
func (c *Chassis) Interface(name string) (IfState, bool) {
	all := c.Interfaces()
	i := slices.IndexFunc(all, func(s IfState) bool { return s.Name == name })
	if i < 0 {
		return IfState{}, false
	}
	return all[i], true
}

// splitName splits "ge-1/0/0.5" into "ge-1/0/0" and 5; unit is -1 when the
// name has none. ok is false for a malformed unit.
func splitName(name string) (physical string, unit int, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return name, -1, name != ""
	}
	n, err := strconv.Atoi(name[i+1:])
	if err != nil || n < 0 || n > 1073741823 || name[i+1] == '+' || i == 0 {
		return "", 0, false
	}
	return name[:i], n, true
}

// compareSlotNames orders the interfaces of one FPC as Junos lists them:
// by PIC and port, then by name ("ge-0/0/0", "lc-0/0/0", "pfe-0/0/0",
// "ge-0/0/1").
func compareSlotNames(a, b string) int {
	return cmp.Or(slices.Compare(slotNumbers(a), slotNumbers(b)), strings.Compare(a, b))
}

func slotNumbers(name string) []int {
	_, rest, _ := strings.Cut(name, "-")
	var out []int
	for _, f := range strings.Split(rest, "/") {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}
