package chassis

import (
	"fmt"
	"net/netip"
	"strings"

	"mxlab/pic"
	"mxlab/shell/cmdtree"
)

// level is how much "show interfaces" prints.
type level int

const (
	levelBrief level = iota
	levelNormal
	levelDetail
	levelExtensive
)

func registerInterfaces(r *cmdtree.Registry, g getFunc) {
	names := func(router any) []string {
		c := g(&cmdtree.Env{Router: router})
		if c == nil {
			return nil
		}
		var out []string
		for _, i := range c.Interfaces() {
			if i.Present {
				out = append(out, i.Name)
			}
		}
		return out
	}
	name := cmdtree.Param{Name: "interface-name", Help: "Name of physical or logical interface",
		Value: "<interface-name>", Positional: true, Values: names}
	instance := cmdtree.Param{Name: "routing-instance", Help: "Name of routing instance", Value: "<routing-instance>",
		Values: func(any) []string { return []string{"all"} }}
	flag := func(n, h string) cmdtree.Param { return cmdtree.Param{Name: n, Help: h} }
	helps := []string{"Show system information", "Show interface information"}
	r.RegisterReply([]string{"show", "interfaces"}, "Show interface information",
		[]cmdtree.Param{name, flag("brief", "Display brief output"), flag("detail", "Display detailed output"),
			flag("extensive", "Display extensive output"), instance, flag("terse", "Display terse output")},
		"get-interface-information", g.reply(interfacesReply), helps...)
	r.RegisterReply([]string{"show", "interfaces", "terse"}, "Display terse output",
		[]cmdtree.Param{name, instance}, "get-interface-information terse", g.reply(terseReply), helps...)
	r.Register([]string{"show", "interfaces", "descriptions"}, "Show interface description strings",
		[]cmdtree.Param{name}, g.run(showDescriptions), helps...)
	chelps := []string{"Clear information in the system", "Clear interface information", "Clear interface statistics"}
	r.Register([]string{"clear", "interfaces", "statistics"}, "Clear interface statistics",
		[]cmdtree.Param{name}, g.run(clearStats), chelps...)
	r.Register([]string{"clear", "interfaces", "statistics", "all"}, "Clear statistics on all interfaces",
		nil, g.run(clearStats), chelps...)
}

func showInterfaces(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	v := c.snapshot()
	v.width = env.Width
	ps, unit, err := v.selected(c, args.Get("interface-name", ""))
	if err != nil {
		return err
	}
	var b strings.Builder
	v.writeInterfaces(&b, c, ps, unit, args)
	return write(env.Out, &b)
}

// writeInterfaces renders "show interfaces" of the selected interfaces
// at the level the arguments ask for.
func (v *view) writeInterfaces(b *strings.Builder, c *Chassis, ps []phys, unit int, args cmdtree.Args) {
	if args.Has("terse") {
		writeTerse(b, c, ps, unit)
		return
	}
	lv := levelNormal
	switch {
	case args.Has("extensive"):
		lv = levelExtensive
	case args.Has("detail"):
		lv = levelDetail
	case args.Has("brief"):
		lv = levelBrief
	}
	for i, p := range ps {
		if unit < 0 {
			if i > 0 {
				b.WriteString("\n")
			}
			if p.soft != nil {
				v.softPhysical(b, c, p, lv)
			} else {
				v.physical(b, c, p, lv)
			}
		}
		for _, u := range p.units() {
			switch {
			case unit >= 0 && u.number != unit:
				continue
			case unit < 0:
				b.WriteString("\n")
			}
			if u.soft != nil {
				v.softLogical(b, c, p, u.soft, lv)
			} else {
				v.logical(b, c, p, *u.cfg, lv)
			}
		}
	}
}

// media are the fixed link properties of an interface type.
type media struct {
	typ, llt string
	mtu      int
	flags    string
	speed    string
}

func mediaOf(c *Chassis, p phys) media {
	switch {
	case p.Name == "lo0":
		return media{typ: "Loopback", flags: "SNMP-Traps"}
	case p.Name == "fxp0":
		return media{typ: "Ethernet", llt: "Ethernet", mtu: 1514, flags: "SNMP-Traps", speed: "1000mbps"}
	case strings.HasPrefix(p.Name, "ms-") || strings.HasPrefix(p.Name, "sp-"):
		return media{typ: "Adaptive-Services", llt: "Adaptive-Services", mtu: 9192,
			flags: "Point-To-Point SNMP-Traps Internal: 0x4000", speed: "800mbps"}
	case strings.HasPrefix(p.Name, "so-"):
		return media{llt: "PPP", mtu: 4474, flags: "Point-To-Point SNMP-Traps Internal: 0x4000", speed: "OC3"}
	}
	speed := "1000mbps"
	if p.pv != nil {
		speed = p.pv.hw.typ.speed
	}
	return media{llt: "Ethernet", mtu: 1514, flags: "SNMP-Traps Internal: 0x4000", speed: speed}
}

func (m media) mtuFor(p phys) int {
	if p.cfg != nil && p.cfg.MTU > 0 {
		return p.cfg.MTU
	}
	if p.cfg != nil && p.cfg.VlanTagging && m.llt == "Ethernet" {
		return m.mtu + 4
	}
	return m.mtu
}

func (v *view) physical(b *strings.Builder, c *Chassis, p phys, lv level) {
	m := mediaOf(c, p)
	admin := "Enabled"
	if !p.AdminUp {
		admin = "Administratively down"
	}
	fmt.Fprintf(b, "Physical interface: %s, %s, Physical link is %s\n", p.Name, admin, titleUpDown(p.LinkUp))
	gen := ""
	if lv >= levelDetail {
		gen = fmt.Sprintf(", Generation: %d", p.index.index+2840)
	}
	if lv >= levelNormal {
		fmt.Fprintf(b, "  Interface index: %d, SNMP ifIndex: %d%s\n", p.index.index, p.index.snmp, gen)
	}
	if p.Description != "" {
		fmt.Fprintf(b, "  Description: %s\n", p.Description)
	}
	v.linkLines(b, p, m)
	devFlags, ifFlags := "Present Running", m.flags
	switch {
	case !p.AdminUp:
		devFlags, ifFlags = "Present Running Down", "Down "+ifFlags
	case !p.LinkUp:
		devFlags, ifFlags = "Present Running Down", "Hardware-Down "+ifFlags
	}
	if p.Name == "lo0" {
		devFlags += " Loopback"
	}
	fmt.Fprintf(b, "  Device flags   : %s\n", devFlags)
	fmt.Fprintf(b, "  Interface flags: %s\n", ifFlags)
	if m.typ == "Adaptive-Services" || p.Name == "fxp0" {
		b.WriteString("  Link type      : Full-Duplex\n")
	}
	b.WriteString("  Link flags     : None\n")
	if lv == levelBrief {
		return
	}
	if m.llt == "Ethernet" && p.Name != "fxp0" {
		b.WriteString("  CoS queues     : 8 supported, 8 maximum usable queues\n")
	}
	if m.llt == "Ethernet" {
		mac := c.ser.mac(p.Name)
		fmt.Fprintf(b, "  Current address: %s, Hardware address: %s\n", mac, mac)
	}
	v.flapLine(b, p)
	v.physStats(b, p, m, lv)
}

func titleUpDown(up bool) string {
	if up {
		return "Up"
	}
	return "Down"
}

func (v *view) linkLines(b *strings.Builder, p phys, m media) {
	mtu := m.mtuFor(p)
	switch {
	case m.typ == "Loopback":
		b.WriteString("  Type: Loopback, MTU: Unlimited\n")
	case m.typ != "":
		fmt.Fprintf(b, "  Type: %s, Link-level type: %s, MTU: %d,", m.typ, m.llt, mtu)
		if m.typ == "Adaptive-Services" {
			fmt.Fprintf(b, "\n  Speed: %s\n", m.speed)
		} else {
			fmt.Fprintf(b, " Speed: %s\n", m.speed)
		}
	case m.llt == "PPP":
		wrapList(b, v.width, "Link-level type: PPP", fmt.Sprintf("MTU: %d", mtu), "Clocking: Internal", "SONET mode",
			"Speed: "+m.speed, "Loopback: None", "FCS: 16", "Payload scrambler: Enabled")
	default:
		wrapList(b, v.width, "Link-level type: Ethernet", fmt.Sprintf("MTU: %d", mtu), fmt.Sprintf("MRU: %d", mtu+8),
			"LAN-PHY mode", "Speed: "+m.speed, "BPDU Error: None", "Loop Detect PDU Error: None",
			"Ethernet-Switching Error: None", "MAC-REWRITE Error: None", "Loopback: Disabled",
			"Source filtering: Disabled", "Flow control: Enabled", "Auto-negotiation: Enabled", "Remote fault: Online")
		b.WriteString("  Pad to minimum frame size: Disabled\n")
	}
}

// wrapList writes the items of a physical interface's comma-separated
// line the way Junos does: on one line, or wrapped before an item that
// would go past the screen width (0: no limit), each line indented two
// blanks and ended by a comma when the list goes on.
func wrapList(b *strings.Builder, width int, items ...string) {
	line := "  " + items[0]
	for _, it := range items[1:] {
		if width > 0 && len(line)+len(it)+3 > width {
			b.WriteString(line + ",\n")
			line = "  " + it
			continue
		}
		line += ", " + it
	}
	b.WriteString(line + "\n")
}

func (v *view) flapLine(b *strings.Builder, p phys) {
	if p.port == nil {
		b.WriteString("  Last flapped   : Never\n")
		return
	}
	fmt.Fprintf(b, "  Last flapped   : %s (%s)\n", junosTime(p.port.Flapped), ago(v.at.Sub(p.port.Flapped)))
}

func (v *view) cleared(b *strings.Builder, indent string, base pic.Baseline) {
	if base.At.IsZero() {
		fmt.Fprintf(b, "%sStatistics last cleared: Never\n", indent)
		return
	}
	fmt.Fprintf(b, "%sStatistics last cleared: %s (%s)\n", indent, junosTime(base.At), ago(v.at.Sub(base.At)))
}

func (v *view) physStats(b *strings.Builder, p phys, m media, lv level) {
	s, base := v.stats(p, p.Name)
	r := v.rates.rate(p.Name)
	if lv >= levelDetail {
		v.cleared(b, "  ", base)
		traffic(b, "  ", s, &r)
	} else if m.typ == "Loopback" || p.Name == "fxp0" {
		fmt.Fprintf(b, "    Input packets : %d\n    Output packets: %d\n", s.InPackets, s.OutPackets)
	} else {
		fmt.Fprintf(b, "  Input rate     : %d bps (%d pps)\n  Output rate    : %d bps (%d pps)\n", r.InBPS, r.InPPS, r.OutBPS, r.OutPPS)
	}
	if lv >= levelExtensive {
		fmt.Fprintf(b, "  Input errors:\n    Errors: %d, Drops: %d, Framing errors: 0, Runts: 0, Policed discards: 0, L3 incompletes: 0, L2 channel errors: 0, L2 mismatch timeouts: 0, FIFO errors: 0, Resource errors: 0\n", s.InErrors, s.InDrops)
		fmt.Fprintf(b, "  Output errors:\n    Carrier transitions: 0, Errors: %d, Drops: %d, Collisions: 0, Aged packets: 0, FIFO errors: 0, HS link CRC errors: 0, MTU errors: 0, Resource errors: 0\n", s.OutErrors, s.OutDrops)
	}
	if m.llt == "Ethernet" && p.Name != "fxp0" {
		alarm := "None"
		if p.AdminUp && !p.LinkUp {
			alarm = "LINK"
		}
		fmt.Fprintf(b, "  Active alarms  : %s\n  Active defects : %s\n", alarm, alarm)
		if lv >= levelNormal {
			b.WriteString("  Interface transmit statistics: Disabled\n")
		}
	}
}

// traffic writes a "Traffic statistics:" block; rates are printed for
// physical interfaces.
func traffic(b *strings.Builder, indent string, s pic.Stats, r *Rate) {
	fmt.Fprintf(b, "%sTraffic statistics:\n", indent)
	rows := []struct {
		k    string
		n    uint64
		unit string
		rate uint64
	}{{"Input  bytes  :", s.InBytes, "bps", 0}, {"Output bytes  :", s.OutBytes, "bps", 0},
		{"Input  packets:", s.InPackets, "pps", 0}, {"Output packets:", s.OutPackets, "pps", 0}}
	if r != nil {
		rows[0].rate, rows[1].rate, rows[2].rate, rows[3].rate = r.InBPS, r.OutBPS, r.InPPS, r.OutPPS
	}
	for _, row := range rows {
		if r != nil {
			fmt.Fprintf(b, "%s %s%21d%21d %s\n", indent, row.k, row.n, row.rate, row.unit)
		} else {
			fmt.Fprintf(b, "%s %s%21d\n", indent, row.k, row.n)
		}
	}
}

func (v *view) logical(b *strings.Builder, c *Chassis, p phys, u Unit, lv level) {
	name := fmt.Sprintf("%s.%d", p.Name, u.Number)
	c.mu.Lock()
	idx := c.idx.logical[name]
	c.mu.Unlock()
	gen := ""
	if lv >= levelDetail {
		gen = fmt.Sprintf(" (Generation %d)", idx.index+30000)
	}
	if lv == levelBrief {
		fmt.Fprintf(b, "  Logical interface %s\n", name)
	} else {
		fmt.Fprintf(b, "  Logical interface %s (Index %d) (SNMP ifIndex %d)%s\n", name, idx.index, idx.snmp, gen)
	}
	if u.Description != "" {
		fmt.Fprintf(b, "    Description: %s\n", u.Description)
	}
	fmt.Fprintf(b, "    Flags: %s\n", unitFlags(p, u))
	s, _ := v.stats(p, name)
	switch lv {
	case levelBrief:
	case levelNormal:
		fmt.Fprintf(b, "    Input packets : %d\n    Output packets: %d\n", s.InPackets, s.OutPackets)
	default:
		traffic(b, "    ", s, nil)
	}
	for _, f := range u.families() {
		unitFamily(b, p, u, f, lv)
	}
	if isEthernet(p.Name) {
		if lv == levelBrief {
			b.WriteString("    multiservice\n")
		} else {
			b.WriteString("    Protocol multiservice, MTU: Unlimited\n")
		}
	}
}

func unitFlags(p phys, u Unit) string {
	state := "Up"
	if u.Disable || !p.LinkUp {
		state = "Down"
	}
	switch {
	case p.Name == "lo0" && state == "Up":
		return "SNMP-Traps Encapsulation: Unspecified"
	case p.Name == "lo0":
		return state + " SNMP-Traps Encapsulation: Unspecified"
	case p.Name == "fxp0":
		return state + " SNMP-Traps 0x4000000 Encapsulation: ENET2"
	case strings.HasPrefix(p.Name, "ms-") || strings.HasPrefix(p.Name, "sp-"):
		return state + " Point-To-Point SNMP-Traps Encapsulation: Adaptive-Services"
	case strings.HasPrefix(p.Name, "so-"):
		return state + " Point-To-Point SNMP-Traps 0x4000 Encapsulation: PPP"
	case u.VlanID > 0:
		return fmt.Sprintf("%s SNMP-Traps 0x4000 VLAN-Tag [ 0x8100.%d ]  Encapsulation: ENET2", state, u.VlanID)
	}
	return state + " SNMP-Traps 0x4004000 Encapsulation: ENET2"
}

func unitFamily(b *strings.Builder, p phys, u Unit, f string, lv level) {
	addrs := map[string][]netip.Prefix{"inet": u.Inet, "inet6": u.Inet6}[f]
	if lv == levelBrief {
		var s []string
		for _, a := range addrs {
			s = append(s, a.String())
		}
		line(b, fmt.Sprintf("    %-6s%s", f, strings.Join(s, " ")))
		return
	}
	mtu := "1500"
	switch {
	case p.Name == "lo0":
		mtu = "Unlimited"
	case strings.HasPrefix(p.Name, "ms-") || strings.HasPrefix(p.Name, "sp-"):
		mtu = "9178"
	case strings.HasPrefix(p.Name, "so-"):
		mtu = "4470"
	case p.cfg != nil && p.cfg.MTU > 0:
		mtu = fmt.Sprint(p.cfg.MTU - 14)
	}
	fmt.Fprintf(b, "    Protocol %s, MTU: %s\n", f, mtu)
	if f != "inet" && f != "inet6" {
		return
	}
	if p.Name == "lo0" {
		b.WriteString("    " + nhZero + "\n")
	} else {
		b.WriteString("    " + nhFull + "\n")
	}
	if f == "inet" {
		b.WriteString("      Flags: Sendbcast-pkt-to-re\n")
	}
	for i, a := range addrs {
		flags := "Is-Preferred"
		if i == 0 {
			flags = "Is-Preferred Is-Primary"
			if p.Name == "lo0" {
				flags = "Is-Default Is-Primary"
			}
		}
		fmt.Fprintf(b, "      Addresses, Flags: %s\n", flags)
		b.WriteString("        " + addrLine(a) + "\n")
	}
}

// addrLine describes an address: destination network, local address and,
// for IPv4 networks, the broadcast address.
func addrLine(a netip.Prefix) string {
	if a.Bits() == a.Addr().BitLen() {
		return "Local: " + a.Addr().String()
	}
	dst := a.Masked().String()
	if a.Addr().Is6() {
		return fmt.Sprintf("Destination: %s, Local: %s", dst, a.Addr())
	}
	dst = shortNetwork(a.Masked())
	bc := a.Masked().Addr().As4()
	host := uint32(1)<<(32-a.Bits()) - 1
	v := uint32(bc[0])<<24 | uint32(bc[1])<<16 | uint32(bc[2])<<8 | uint32(bc[3]) | host
	return fmt.Sprintf("Destination: %s, Local: %s, Broadcast: %d.%d.%d.%d", dst, a.Addr(), v>>24, v>>16&255, v>>8&255, v&255)
}

// shortNetwork writes an IPv4 network the way Junos does in "Destination:"
// lines: the bytes the prefix length covers ("10/8", "128/2",
// "192.168.1/24", "10.0.1.0/30").
func shortNetwork(p netip.Prefix) string {
	a := p.Addr().As4()
	n := max((p.Bits()+7)/8, 1)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprint(a[i])
	}
	return fmt.Sprintf("%s/%d", strings.Join(parts, "."), p.Bits())
}
