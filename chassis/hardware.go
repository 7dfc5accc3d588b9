package chassis

import (
	"fmt"
	"strings"

	"mxlab/shell/cmdtree"
)

// InventoryItem is a row of "show chassis hardware": a field-replaceable
// unit.
type InventoryItem struct {
	Name    string // "Chassis", "FPC 1", "PIC 0", "Xcvr 3"
	Depth   int    // nesting: 0 for chassis-level items, 1 for a card's parts...
	Version string // "REV 07"; "" for none
	Part    string // "750-047862", "BUILTIN", "" for the chassis itself
	Serial  string
	Desc    string
	// Detail are the extra rows of "show chassis hardware detail" (the
	// storage of a Routing Engine), already laid out.
	Detail []string
}

// Inventory returns the hardware of the chassis, in the order "show
// chassis hardware" lists it.
func (c *Chassis) Inventory() []InventoryItem {
	m, s := c.hw.model, c.ser
	var out []InventoryItem
	add := func(depth int, name string, it item, serial string) {
		if it.Part == builtin {
			serial = builtin
		}
		out = append(out, InventoryItem{Name: name, Depth: depth, Version: it.Version, Part: it.Part, Serial: serial, Desc: it.Desc})
	}
	out = append(out, InventoryItem{Name: "Chassis", Serial: s.chassis(), Desc: m.Desc})
	add(0, "Midplane", m.midplane, s.board("midplane"))
	if m.fpm != nil {
		add(0, "FPM Board", *m.fpm, s.board("fpm"))
	}
	for i := range m.pems {
		add(0, fmt.Sprintf("PEM %d", i), m.pem, s.pem(fmt.Sprintf("pem %d", i)))
	}
	for i := range m.REs {
		add(0, fmt.Sprintf("Routing Engine %d", i), m.re, c.reSerial(i))
		out[len(out)-1].Detail = c.reDetail(i)
	}
	for i := range m.cbs {
		add(0, fmt.Sprintf("CB %d", i), *m.cb, s.board(fmt.Sprintf("cb %d", i)))
	}
	if m.afeb != nil {
		add(0, "AFEB 0", *m.afeb, "")
	}
	for _, f := range c.hw.fpcs {
		c.fpcInventory(add, f)
	}
	for i := range m.fans {
		add(0, fmt.Sprintf("Fan Tray %d", i), m.fan, s.board(fmt.Sprintf("fan %d", i)))
	}
	return out
}

func showHardware(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	var b strings.Builder
	writeInventory(&b, c.Inventory(), args.Has("detail"))
	return write(env.Out, &b)
}

// writeInventory renders "show chassis hardware [detail]": columns Item
// (17), Version (9), Part number (13), Serial number (18), Description;
// sub-items indented two blanks a level.
func writeInventory(b *strings.Builder, items []InventoryItem, detail bool) {
	b.WriteString("Hardware inventory:\n")
	b.WriteString("Item             Version  Part number  Serial number     Description\n")
	for _, it := range items {
		fmt.Fprintf(b, "%-17s%-9s%-13s%-18s%s\n", strings.Repeat("  ", it.Depth)+it.Name, it.Version, it.Part, it.Serial, it.Desc)
		if detail {
			for _, l := range it.Detail {
				b.WriteString(l + "\n")
			}
		}
	}
}

// reDetail are the storage rows "show chassis hardware detail" adds
// under a Routing Engine.
func (c *Chassis) reDetail(slot int) []string {
	cf := strings.ToUpper(fmt.Sprintf("%020x", c.ser.sum(fmt.Sprintf("re %d ad0", slot))))[:20]
	disk := c.ser.xcvr(fmt.Sprintf("re %d ad1", slot))
	return []string{
		fmt.Sprintf("  ad0    3919 MB  604784               %s Compact Flash", cf),
		fmt.Sprintf("  ad1   28496 MB  StorFly - VSFA18PI032G- P1T%s Disk 1", disk[2:]),
	}
}

func (c *Chassis) fpcInventory(add func(depth int, name string, it item, serial string), f fpcHW) {
	s := c.ser
	id := func(what string) string { return s.board(fmt.Sprintf("fpc %d %s", f.slot, what)) }
	add(0, fmt.Sprintf("FPC %d", f.slot), f.typ.board, id("board"))
	if f.typ.cpu != (item{}) {
		add(1, "CPU", f.typ.cpu, id("cpu"))
	}
	lastMIC := -1
	for _, p := range f.pics {
		if p.typ.mic != (item{}) && p.slot/2 != lastMIC {
			lastMIC = p.slot / 2
			add(1, fmt.Sprintf("MIC %d", lastMIC), p.typ.mic, id(fmt.Sprintf("mic %d", lastMIC)))
		}
		depth := 1
		if p.typ.mic != (item{}) {
			depth = 2
		}
		add(depth, fmt.Sprintf("PIC %d", p.slot), item{Part: builtin, Desc: p.typ.desc}, "")
		if p.typ.xcvr == nil {
			continue
		}
		for port := range p.kind.Ports {
			add(depth+1, fmt.Sprintf("Xcvr %d", port), *p.typ.xcvr,
				s.xcvr(fmt.Sprintf("xcvr %d/%d/%d", f.slot, p.slot, port)))
		}
	}
}
