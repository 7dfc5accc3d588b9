package chassis

import (
	"cmp"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"mxlab/pic"
)

// zeroStats are the counters of an interface that carries nothing.
var zeroStats pic.Stats

// softIf is an interface every MX lists whatever its configuration: the
// Routing Engine's own and Junos's software interfaces, and the internal
// interfaces of each MPC (lc-, pfe-, pfh-). Their lines, indexes and
// units are those of a vMX (CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowInterfaces/cli/equal/golden_output_1_output.txt
// for "show interfaces", .../golden_output_2_output.txt for "extensive").
type softIf struct {
	name  string
	index ifIndex
	// normal are the "show interfaces" lines after the index line, before
	// the packet counters: "%mac" is the interface's MAC address and
	// "%flapped" when it last flapped.
	normal  []string
	packets bool // "Input packets"/"Output packets" follow
	// The "extensive" form: its Type line and flags.
	typ, llt, mtu, clocking, speed string
	devFlags, ifFlags, linkType    string
	linkFlags, mac, bootFlap       bool
	units                          []softUnit
}

// softUnit is an internal logical interface.
type softUnit struct {
	number int
	index  ifIndex
	flags  string   // "Up SNMP-Traps Encapsulation: ENET2"
	head   []string // lines between the flags and the packet counters
	protos []softProto
}

// softProto is a protocol family of an internal unit, with the lines
// "show interfaces" prints under it and its terse addresses.
type softProto struct {
	family, mtu string
	lines       []string       // indented by the caller; "%fe80" is the link-local address
	terse       []terseAddress // the Local and Remote columns of "terse"
}

type terseAddress struct{ local, remote string }

const (
	hdrLinkFlags = "Link flags     : None"
	hdrLinkType  = "Link type      : Full-Duplex"
	hdrIfSNMP    = "Interface flags: SNMP-Traps"
	hdrIfP2P     = "Interface flags: Point-To-Point SNMP-Traps"
	hdrDevice    = "Device flags   : Present Running"
	hdrMAC       = "Current address: %mac, Hardware address: %mac"
	hdrFlapped   = "Last flapped   : %flapped"
	nhZero       = "Max nh cache: 0, New hold nh limit: 0, Curr nh cnt: 0, Curr new hold cnt: 0, NH drop cnt: 0"
	nhFull       = "Max nh cache: 75000, New hold nh limit: 75000, Curr nh cnt: 0, Curr new hold cnt: 0, NH drop cnt: 0"
)

// pseudo is a software interface with no link-level address.
func pseudo(name string, idx ifIndex, llt, ifFlags string, linkType bool) softIf {
	s := softIf{name: name, index: idx, typ: "Software-Pseudo", llt: llt, mtu: "Unlimited", speed: "Unlimited",
		clocking: "Unspecified", devFlags: "Present Running", ifFlags: ifFlags, linkType: "Unspecified", linkFlags: true, packets: true}
	s.normal = []string{fmt.Sprintf("Type: Software-Pseudo, Link-level type: %s, MTU: Unlimited, Speed: Unlimited", llt), hdrDevice}
	if ifFlags != "" {
		s.normal = append(s.normal, "Interface flags: "+ifFlags)
	}
	if linkType {
		s.linkType = "Full-Duplex"
		s.normal = append(s.normal, hdrLinkType)
	}
	s.normal = append(s.normal, hdrLinkFlags, "Last flapped   : Never")
	return s
}

// softEthernet is an internal Ethernet interface (a MAC address of its own).
func softEthernet(name string, idx ifIndex, mtu string, ifFlags bool) softIf {
	s := softIf{name: name, index: idx, typ: "Ethernet", llt: "Ethernet", mtu: mtu, clocking: "Unspecified", speed: "Unspecified",
		devFlags: "Present Running", linkType: "Full-Duplex", linkFlags: true, mac: true, packets: true}
	s.normal = []string{"Type: Ethernet, Link-level type: Ethernet, MTU: " + mtu, hdrDevice}
	if ifFlags {
		s.ifFlags = "SNMP-Traps"
		s.normal = append(s.normal, hdrIfSNMP)
	}
	s.normal = append(s.normal, hdrLinkType, hdrLinkFlags, hdrMAC, "Last flapped   : Never")
	return s
}

// tunnel is a tunnel or multicast interface with few lines.
func tunnel(name string, idx ifIndex, typ, llt, ifFlags string) softIf {
	s := softIf{name: name, index: idx, typ: typ, llt: llt, mtu: "Unlimited", clocking: "Unspecified", speed: "Unlimited",
		devFlags: "Present Running", ifFlags: ifFlags, linkType: "Unspecified", packets: true}
	s.normal = []string{fmt.Sprintf("Type: %s, Link-level type: %s, MTU: Unlimited, Speed: Unlimited", typ, llt), hdrDevice}
	if ifFlags != "" {
		s.normal = append(s.normal, "Interface flags: "+ifFlags)
	}
	return s
}

// reInterfaces are the interfaces of the Routing Engine and of Junos
// itself, in the order Junos lists them (by name).
var reInterfaces = func() []softIf {
	var fti []softIf
	for i := range 8 {
		s := pseudo(fmt.Sprintf("fti%d", i), ifIndex{136 + i, 504 + i}, "Flexible-tunnel-Interface", "SNMP-Traps", true)
		s.typ = "FTI"
		s.normal[0] = "Type: FTI, Link-level type: Flexible-tunnel-Interface, MTU: Unlimited, Speed: Unlimited"
		fti = append(fti, s)
	}
	demux := softIf{name: "demux0", index: ifIndex{128, 502}, typ: "Software-Pseudo", llt: "Unspecified", mtu: "9192", clocking: "1",
		speed: "Unspecified", devFlags: "Present Running", ifFlags: "Point-To-Point SNMP-Traps", linkType: "Full-Duplex", linkFlags: true, packets: true,
		normal: []string{"Type: Software-Pseudo, MTU: 9192, Clocking: 1", hdrDevice, hdrIfP2P, hdrLinkType, hdrLinkFlags, "Last flapped   : Never"}}
	dsc := softIf{name: "dsc", index: ifIndex{5, 5}, typ: "Software-Pseudo", llt: "Unspecified", mtu: "Unlimited", clocking: "Unspecified",
		speed: "Unspecified", devFlags: "Present Running", ifFlags: "Point-To-Point SNMP-Traps", linkType: "Unspecified", linkFlags: true, packets: true,
		normal: []string{"Type: Software-Pseudo, MTU: Unlimited", hdrDevice, hdrIfP2P, hdrLinkFlags, "Last flapped   : Never"}}
	em1 := softIf{name: "em1", index: ifIndex{65, 23}, typ: "Ethernet", llt: "Ethernet", mtu: "1514", clocking: "Unspecified",
		speed: "Unspecified", devFlags: "Present Running", ifFlags: "SNMP-Traps", linkType: "Unspecified", mac: true, bootFlap: true, packets: true,
		normal: []string{"Type: Ethernet, Link-level type: Ethernet, MTU: 1514", hdrDevice, hdrIfSNMP, hdrMAC, hdrFlapped},
		units: []softUnit{{number: 0, index: ifIndex{3, 24}, flags: "Up SNMP-Traps 0x4000000 Encapsulation: ENET2", protos: []softProto{
			{family: "inet", mtu: "1500", lines: []string{nhFull, "  Flags: Is-Primary",
				"  Addresses, Flags: Is-Preferred", "    Destination: 10/8, Local: 10.0.0.4, Broadcast: 10.255.255.255",
				"  Addresses, Flags: Preferred Kernel Is-Preferred", "    Destination: 128/2, Local: 128.0.0.1, Broadcast: 191.255.255.255",
				"  Addresses, Flags: Primary Is-Default Is-Primary", "    Destination: 128/2, Local: 128.0.0.4, Broadcast: 191.255.255.255"},
				terse: []terseAddress{{"10.0.0.4/8", ""}, {"128.0.0.1/2", ""}, {"128.0.0.4/2", ""}}},
			{family: "inet6", mtu: "1500", lines: []string{nhFull, "  Flags: Is-Primary",
				"  Addresses, Flags: Is-Preferred", "    Destination: fe80::/64, Local: %fe80",
				"  Addresses, Flags: Is-Default Is-Preferred Is-Primary", "    Destination: fec0::/64, Local: fec0::a:0:0:4"},
				terse: []terseAddress{{"%fe80/64", ""}, {"fec0::a:0:0:4/64", ""}}},
			{family: "tnp", mtu: "1500", lines: []string{"  Flags: Primary, Is-Primary", "  Addresses", "    Local: 0x4"},
				terse: []terseAddress{{"0x4", ""}}},
		}}}}
	fxp0 := softIf{name: "fxp0", index: ifIndex{64, 1}, typ: "Ethernet", llt: "Ethernet", mtu: "1514", clocking: "Unspecified",
		speed: "Unspecified", devFlags: "Present Running", ifFlags: "SNMP-Traps", linkType: "Unspecified", mac: true, bootFlap: true, packets: true,
		normal: []string{"Type: Ethernet, Link-level type: Ethernet, MTU: 1514", hdrDevice, hdrIfSNMP, hdrMAC, hdrFlapped}}
	jsrv := softEthernet("jsrv", ifIndex{144, 513}, "1514", false)
	jsrv.units = []softUnit{{number: 1, index: ifIndex{325, 514}, flags: "Up 0x24004000 Encapsulation: unknown",
		head: []string{"Bandwidth: 1Gbps", "Routing Instance: None Bridging Domain: None"},
		protos: []softProto{{family: "inet", mtu: "1514", lines: []string{nhFull, "  Flags: Is-Primary",
			"  Addresses, Flags: Primary Is-Default Is-Preferred Is-Primary", "    Destination: 128/2, Local: 128.0.0.127, Broadcast: 191.255.255.255"},
			terse: []terseAddress{{"128.0.0.127/2", ""}}}}}}
	lo0 := softIf{name: "lo0", index: ifIndex{6, 6}, typ: "Loopback", llt: "Unspecified", mtu: "Unlimited", clocking: "Unspecified",
		speed: "Unspecified", devFlags: "Present Running Loopback", ifFlags: "SNMP-Traps", linkType: "Unspecified", linkFlags: true, packets: true,
		normal: []string{"Type: Loopback, MTU: Unlimited", "Device flags   : Present Running Loopback", hdrIfSNMP, hdrLinkFlags, "Last flapped   : Never"},
		units: []softUnit{
			{number: 16384, index: ifIndex{322, 21}, flags: "SNMP-Traps Encapsulation: Unspecified", protos: []softProto{
				{family: "inet", mtu: "Unlimited", lines: []string{nhZero, "  Addresses", "    Local: 127.0.0.1"},
					terse: []terseAddress{{"127.0.0.1", "--> 0/0"}}}}},
			{number: 16385, index: ifIndex{321, 22}, flags: "SNMP-Traps Encapsulation: Unspecified", protos: []softProto{
				{family: "inet", mtu: "Unlimited", lines: []string{nhZero}}}},
		}}
	pp0 := softIf{name: "pp0", index: ifIndex{131, 516}, typ: "PPPoE", llt: "PPPoE", mtu: "1532", clocking: "Unspecified", speed: "Unspecified",
		devFlags: "Present Running", ifFlags: "Point-To-Point SNMP-Traps", linkType: "Full-Duplex", linkFlags: true,
		normal: []string{"Type: PPPoE, Link-level type: PPPoE, MTU: 1532", hdrDevice, hdrIfP2P, hdrLinkType, hdrLinkFlags}}
	lsi := pseudo("lsi", ifIndex{4, 4}, "LSI", "", false)
	out := []softIf{
		softEthernet("cbp0", ifIndex{129, 501}, "9192", true), demux, dsc, em1,
		pseudo("esi", ifIndex{134, 503}, "VxLAN-Tunnel-Endpoint", "SNMP-Traps", true),
	}
	out = append(out, fti...)
	out = append(out, fxp0,
		tunnel("gre", ifIndex{10, 8}, "GRE", "GRE", "Point-To-Point SNMP-Traps"),
		tunnel("ipip", ifIndex{11, 9}, "IPIP", "IP-over-IP", "SNMP-Traps"),
		softEthernet("irb", ifIndex{132, 512}, "1514", true), jsrv, lo0, lsi,
		tunnel("mtun", ifIndex{66, 12}, "Multicast-GRE", "GRE", "SNMP-Traps"),
		tunnel("pimd", ifIndex{26, 11}, "PIMD", "PIM-Decapsulator", ""),
		tunnel("pime", ifIndex{25, 10}, "PIME", "PIM-Encapsulator", ""),
		softEthernet("pip0", ifIndex{130, 515}, "9192", true), pp0,
		pseudo("rbeb", ifIndex{135, 517}, "Remote-BEB", "", true),
		pseudo("tap", ifIndex{12, 7}, "Interface-Specific", "SNMP-Traps", false),
		pseudo("vtep", ifIndex{133, 518}, "VxLAN-Tunnel-Endpoint", "", true),
	)
	return out
}()

// pfeInterfaces are the internal interfaces of an MPC in slot fpc: its
// line-card (lc-), packet forwarding engine (pfe-) and host path (pfh-)
// interfaces and their units, with the indexes of idx in this order: lc,
// pfh, pfe, lc.32769, pfe.16383, pfh.16383, pfh.16384.
func pfeInterfaces(fpc int, idx [7]ifIndex) []softIf {
	card := func(prefix string, idx ifIndex) softIf {
		return softIf{name: fmt.Sprintf("%s-%d/0/0", prefix, fpc), index: idx, typ: "Unspecified", llt: "Unspecified", mtu: "0",
			clocking: "Unspecified", speed: "800mbps", devFlags: "Present Running", linkType: "Unspecified", linkFlags: true, packets: true,
			normal: []string{"Speed: 800mbps", hdrDevice, hdrLinkFlags, "Last flapped   : Never"}}
	}
	inet := func(flags string) softProto {
		return softProto{family: "inet", mtu: "Unlimited", lines: []string{nhZero, "  Flags: " + flags}}
	}
	lc := card("lc", idx[0])
	lc.units = []softUnit{{number: 32769, index: idx[3], flags: "Up Encapsulation: ENET2",
		head: []string{"Bandwidth: 0"}, protos: []softProto{{family: "vpls", mtu: "Unlimited", lines: []string{"  Flags: Is-Primary"}}}}}
	pfe := card("pfe", idx[2])
	inet6 := inet("None")
	inet6.family = "inet6"
	pfe.units = []softUnit{{number: 16383, index: idx[4], flags: "Up SNMP-Traps Encapsulation: ENET2",
		head: []string{"Bandwidth: 0"}, protos: []softProto{inet("None"), inet6}}}
	pfh := card("pfh", idx[1])
	pfh.units = []softUnit{
		{number: 16383, index: idx[5], flags: "Up SNMP-Traps Encapsulation: ENET2",
			head: []string{"Bandwidth: 0"}, protos: []softProto{inet("None")}},
		{number: 16384, index: idx[6], flags: "Up SNMP-Traps Encapsulation: ENET2",
			head: []string{"Bandwidth: 0"}, protos: []softProto{inet("Is-Primary")}},
	}
	return []softIf{lc, pfe, pfh}
}

// fill replaces the placeholders of an internal interface's line.
func (s *softIf) fill(line string, mac net.HardwareAddr, flapped string) string {
	line = strings.ReplaceAll(line, "%mac", mac.String())
	line = strings.ReplaceAll(line, "%flapped", flapped)
	return strings.ReplaceAll(line, "%fe80", linkLocal(mac).String())
}

// linkLocal is the IPv6 link-local address a MAC address gives (modified
// EUI-64).
func linkLocal(mac net.HardwareAddr) netip.Addr {
	if len(mac) != 6 {
		return netip.Addr{}
	}
	b := [16]byte{0xfe, 0x80, 8: mac[0] ^ 2, 9: mac[1], 10: mac[2], 11: 0xff, 12: 0xfe, 13: mac[3], 14: mac[4], 15: mac[5]}
	return netip.AddrFrom16(b)
}

// softByName finds an internal interface of the router.
func softByName(list []softIf, name string) *softIf {
	for i := range list {
		if list[i].name == name {
			return &list[i]
		}
	}
	return nil
}

// unitRef is a logical interface of a physical one: configured, or one
// of the internal units of an internal interface.
type unitRef struct {
	number int
	cfg    *Unit
	soft   *softUnit
}

// units lists the logical interfaces of p in unit order.
func (p *phys) units() []unitRef {
	var out []unitRef
	if p.cfg != nil {
		for i := range p.cfg.Units {
			out = append(out, unitRef{number: p.cfg.Units[i].Number, cfg: &p.cfg.Units[i]})
		}
	}
	if p.soft != nil {
		for i := range p.soft.units {
			out = append(out, unitRef{number: p.soft.units[i].number, soft: &p.soft.units[i]})
		}
	}
	slices.SortStableFunc(out, func(a, b unitRef) int { return cmp.Compare(a.number, b.number) })
	return out
}

// hasUnit reports whether p has logical interface n.
func (p *phys) hasUnit(n int) bool {
	return slices.ContainsFunc(p.units(), func(u unitRef) bool { return u.number == n })
}

// softTerse writes the terse rows of an internal unit.
func softTerse(b *strings.Builder, p phys, u *softUnit, mac net.HardwareAddr) {
	head := fmt.Sprintf("%-24s%-6s%-5s", fmt.Sprintf("%s.%d", p.Name, u.number), "up", updown(p.LinkUp))
	if len(u.protos) == 0 {
		line(b, head)
		return
	}
	for i, pr := range u.protos {
		if i > 0 {
			head = strings.Repeat(" ", 35)
		}
		if len(pr.terse) == 0 {
			line(b, head+pr.family)
			continue
		}
		for j, a := range pr.terse {
			local := p.soft.fill(a.local, mac, "")
			if j == 0 {
				line(b, fmt.Sprintf("%s%-9s%-20s%s", head, pr.family, local, a.remote))
			} else {
				line(b, fmt.Sprintf("%s%-20s%s", strings.Repeat(" ", 44), local, a.remote))
			}
		}
	}
}

// softPhysical writes the physical block of an internal interface.
func (v *view) softPhysical(b *strings.Builder, c *Chassis, p phys, lv level) {
	s := p.soft
	mac := c.ser.mac(p.Name)
	flapped := "Never"
	if s.bootFlap {
		flapped = fmt.Sprintf("%s (%s)", junosTime(v.start), ago(v.at.Sub(v.start)))
	}
	admin := "Enabled"
	if !p.AdminUp {
		admin = "Administratively down"
	}
	fmt.Fprintf(b, "Physical interface: %s, %s, Physical link is %s\n", p.Name, admin, titleUpDown(p.LinkUp))
	st, base := v.stats(p, p.Name)
	if lv < levelDetail {
		fmt.Fprintf(b, "  Interface index: %d, SNMP ifIndex: %d\n", s.index.index, s.index.snmp)
		for _, l := range s.normal {
			if lv == levelBrief && strings.HasPrefix(l, "Last flapped") {
				break
			}
			b.WriteString("  " + s.fill(l, mac, flapped) + "\n")
		}
		if s.packets && lv == levelNormal {
			fmt.Fprintf(b, "    Input packets : %d\n    Output packets: %d\n", st.InPackets, st.OutPackets)
		}
		return
	}
	fmt.Fprintf(b, "  Interface index: %d, SNMP ifIndex: %d, Generation: %d\n", s.index.index, s.index.snmp, s.index.index+2840)
	llt := cmp.Or(s.llt, "Unspecified")
	fmt.Fprintf(b, "  Type: %s, Link-level type: %s, MTU: %s, Clocking: %s, Speed: %s\n", s.typ, llt, s.mtu, s.clocking, s.speed)
	fmt.Fprintf(b, "  Device flags   : %s\n", s.devFlags)
	if s.ifFlags != "" {
		fmt.Fprintf(b, "  Interface flags: %s\n", s.ifFlags)
	}
	fmt.Fprintf(b, "  Link type      : %s\n", s.linkType)
	if s.linkFlags {
		b.WriteString("  " + hdrLinkFlags + "\n")
	}
	b.WriteString("  Physical info  : Unspecified\n  Hold-times     : Up 0 ms, Down 0 ms\n")
	b.WriteString("  Damping        : half-life: 0 sec, max-suppress: 0 sec, reuse: 0, suppress: 0, state: unsuppressed\n")
	if s.mac {
		fmt.Fprintf(b, "  Current address: %s, Hardware address: %s\n", mac, mac)
	} else {
		b.WriteString("  Current address: Unspecified, Hardware address: Unspecified\n")
	}
	b.WriteString("  Alternate link address: Unspecified\n")
	fmt.Fprintf(b, "  Last flapped   : %s\n", flapped)
	v.cleared(b, "  ", base)
	traffic(b, "  ", st, nil)
	b.WriteString("  IPv6 transit statistics:\n")
	traffic(b, "  ", zeroStats, nil)
	if lv == levelExtensive {
		b.WriteString("  Input errors:\n    Errors: 0, Drops: 0, Framing errors: 0, Runts: 0, Giants: 0, Policed discards: 0, Resource errors: 0\n")
		b.WriteString("  Output errors:\n    Carrier transitions: 0, Errors: 0, Drops: 0, MTU errors: 0, Resource errors: 0\n")
	}
}

// softLogical writes the block of an internal unit.
func (v *view) softLogical(b *strings.Builder, c *Chassis, p phys, u *softUnit, lv level) {
	name := fmt.Sprintf("%s.%d", p.Name, u.number)
	mac := c.ser.mac(p.Name)
	switch lv {
	case levelBrief:
		fmt.Fprintf(b, "  Logical interface %s\n", name)
	case levelNormal:
		fmt.Fprintf(b, "  Logical interface %s (Index %d) (SNMP ifIndex %d)\n", name, u.index.index, u.index.snmp)
	default:
		fmt.Fprintf(b, "  Logical interface %s (Index %d) (SNMP ifIndex %d) (Generation %d)\n", name, u.index.index, u.index.snmp, u.index.index+30000)
	}
	fmt.Fprintf(b, "    Flags: %s\n", u.flags)
	for _, l := range u.head {
		b.WriteString("    " + l + "\n")
	}
	st, _ := v.stats(p, name)
	switch lv {
	case levelBrief:
	case levelNormal:
		fmt.Fprintf(b, "    Input packets : %d\n    Output packets: %d\n", st.InPackets, st.OutPackets)
	default:
		traffic(b, "    ", st, nil)
		b.WriteString("    Local statistics:\n")
		traffic(b, "    ", st, nil)
	}
	for _, pr := range u.protos {
		if lv == levelBrief {
			line(b, "    "+pr.family)
			continue
		}
		fmt.Fprintf(b, "    Protocol %s, MTU: %s\n", pr.family, pr.mtu)
		for _, l := range pr.lines {
			b.WriteString("    " + p.soft.fill(l, mac, "") + "\n")
		}
	}
}
