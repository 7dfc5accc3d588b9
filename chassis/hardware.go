package chassis

import (
	"fmt"
	"strings"

	"mxlab/shell/cmdtree"
)

// invRow adds one inventory row. depth indents the item.
func invRow(b *inventory, depth int, name string, it item, serial string) {
	if it.Part == builtin {
		serial = builtin
	}
	b.rows = append(b.rows, invLine{depth: depth, name: name, it: it, serial: serial})
}

func hardwareReply(env *cmdtree.Env, c *Chassis, args cmdtree.Args) (cmdtree.Reply, error) {
	m, s := c.hw.model, c.ser
	b := &inventory{serial: s.chassis(), desc: m.Desc, release: env.Version}
	invRow(b, 0, "Midplane", m.midplane, s.board("midplane"))
	if m.fpm != nil {
		invRow(b, 0, "FPM Board", *m.fpm, s.board("fpm"))
	}
	for i := range m.pems {
		invRow(b, 0, fmt.Sprintf("PEM %d", i), m.pem, s.pem(fmt.Sprintf("pem %d", i)))
	}
	for i := range m.REs {
		invRow(b, 0, fmt.Sprintf("Routing Engine %d", i), m.re, c.reSerial(i))
		if args.Has("detail") {
			c.reDetail(b, i)
		}
	}
	for i := range m.cbs {
		invRow(b, 0, fmt.Sprintf("CB %d", i), *m.cb, s.board(fmt.Sprintf("cb %d", i)))
	}
	if m.afeb != nil {
		invRow(b, 0, "AFEB 0", *m.afeb, "")
	}
	for _, f := range c.hw.fpcs {
		c.fpcInventory(b, f)
	}
	for i := range m.fans {
		invRow(b, 0, fmt.Sprintf("Fan Tray %d", i), m.fan, s.board(fmt.Sprintf("fan %d", i)))
	}
	return b, nil
}

// reDetail writes the storage rows "show chassis hardware detail" adds
// under a Routing Engine.
func (c *Chassis) reDetail(b *inventory, slot int) {
	cf := strings.ToUpper(fmt.Sprintf("%020x", c.ser.sum(fmt.Sprintf("re %d ad0", slot))))[:20]
	disk := c.ser.xcvr(fmt.Sprintf("re %d ad1", slot))
	b.rows = append(b.rows,
		invLine{raw: fmt.Sprintf("  ad0    3919 MB  604784               %s Compact Flash\n", cf)},
		invLine{raw: fmt.Sprintf("  ad1   28496 MB  StorFly - VSFA18PI032G- P1T%s Disk 1\n", disk[2:])})
}

func (c *Chassis) fpcInventory(b *inventory, f fpcHW) {
	s := c.ser
	id := func(what string) string { return s.board(fmt.Sprintf("fpc %d %s", f.slot, what)) }
	invRow(b, 0, fmt.Sprintf("FPC %d", f.slot), f.typ.board, id("board"))
	if f.typ.cpu != (item{}) {
		invRow(b, 1, "CPU", f.typ.cpu, id("cpu"))
	}
	lastMIC := -1
	for _, p := range f.pics {
		if p.typ.mic != (item{}) && p.slot/2 != lastMIC {
			lastMIC = p.slot / 2
			invRow(b, 1, fmt.Sprintf("MIC %d", lastMIC), p.typ.mic, id(fmt.Sprintf("mic %d", lastMIC)))
		}
		depth := 1
		if p.typ.mic != (item{}) {
			depth = 2
		}
		invRow(b, depth, fmt.Sprintf("PIC %d", p.slot), item{Part: builtin, Desc: p.typ.desc}, "")
		if p.typ.xcvr == nil {
			continue
		}
		for port := range p.kind.Ports {
			invRow(b, depth+1, fmt.Sprintf("Xcvr %d", port), *p.typ.xcvr,
				s.xcvr(fmt.Sprintf("xcvr %d/%d/%d", f.slot, p.slot, port)))
		}
	}
}
