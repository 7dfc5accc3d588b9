package chassis

import (
	"fmt"
	"net/netip"
	"strings"

	"mxlab/pic"
	"mxlab/shell/cmdtree"
)

// deviceNotFound is returned for an interface the chassis does not have
// (or whose card is not online).
func deviceNotFound(name string) error {
	return &CLIError{Msg: fmt.Sprintf("device %s not found", name)}
}

// selected returns the present physical interfaces matching name ("" for
// all, a trailing '*' for a prefix, or a physical or logical name) and the
// unit asked for (-1 for all).
func (v *view) selected(c *Chassis, name string) ([]phys, int, error) {
	all := v.physicals(c)
	var out []phys
	unit := -1
	switch {
	case name == "":
	case strings.HasSuffix(name, "*"):
	default:
		pn, u, ok := splitName(name)
		if !ok {
			return nil, 0, deviceNotFound(name)
		}
		name, unit = pn, u
	}
	for _, p := range all {
		if !p.Present || !matchName(name, p.Name) {
			continue
		}
		if unit >= 0 && !p.hasUnit(unit) {
			continue
		}
		out = append(out, p)
	}
	if name != "" && len(out) == 0 {
		if unit >= 0 {
			name = fmt.Sprintf("%s.%d", name, unit)
		}
		return nil, 0, deviceNotFound(name)
	}
	return out, unit, nil
}

func matchName(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, p)
	}
	return pattern == name
}

func (p *phys) unit(n int) *Unit {
	if p.cfg == nil {
		return nil
	}
	for i := range p.cfg.Units {
		if p.cfg.Units[i].Number == n {
			return &p.cfg.Units[i]
		}
	}
	return nil
}

func updown(b bool) string {
	if b {
		return "up"
	}
	return "down"
}

func showTerse(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	v := c.snapshot()
	ps, unit, err := v.selected(c, args.Get("interface-name", ""))
	if err != nil {
		return err
	}
	var b strings.Builder
	writeTerse(&b, c, ps, unit)
	return write(env.Out, &b)
}

// writeTerse renders "show interfaces terse" of the selected interfaces.
func writeTerse(b *strings.Builder, c *Chassis, ps []phys, unit int) {
	b.WriteString("Interface               Admin Link Proto    Local                 Remote\n")
	for _, p := range ps {
		if unit < 0 {
			line(b, fmt.Sprintf("%-24s%-6s%s", p.Name, updown(p.AdminUp), updown(p.LinkUp)))
		}
		for _, u := range p.units() {
			switch {
			case unit >= 0 && u.number != unit:
			case u.soft != nil:
				softTerse(b, p, u.soft, c.ser.mac(p.Name))
			default:
				terseUnit(b, p, *u.cfg)
			}
		}
	}
}

// line writes s without trailing blanks.
func line(b *strings.Builder, s string) {
	b.WriteString(strings.TrimRight(s, " "))
	b.WriteByte('\n')
}

func terseUnit(b *strings.Builder, p phys, u Unit) {
	head := fmt.Sprintf("%-24s%-6s%-5s", fmt.Sprintf("%s.%d", p.Name, u.Number), updown(!u.Disable), updown(p.LinkUp))
	protos := u.families()
	if isEthernet(p.Name) {
		protos = append(append([]string(nil), protos...), "multiservice")
	}
	if len(protos) == 0 {
		line(b, head)
		return
	}
	for i, f := range protos {
		if i > 0 {
			head = strings.Repeat(" ", 35)
		}
		addrs := u.Inet
		if f == "inet6" {
			addrs = u.Inet6
		} else if f != "inet" {
			addrs = nil
		}
		if len(addrs) == 0 {
			line(b, head+f)
			continue
		}
		for j, a := range addrs {
			local, remote := terseAddr(p.Name, a)
			// Junos pads the local address to 20 columns before the remote
			// one ("127.0.0.1           --> 0/0").
			if j == 0 {
				line(b, fmt.Sprintf("%s%-9s%-20s%s", head, f, local, remote))
			} else {
				line(b, fmt.Sprintf("%s%-20s%s", strings.Repeat(" ", 44), local, remote))
			}
		}
	}
}

// terseAddr returns the Local and Remote columns of an address; host
// addresses of lo0 show without a length and "--> 0/0".
func terseAddr(ifname string, a netip.Prefix) (string, string) {
	if ifname == "lo0" && a.Bits() == a.Addr().BitLen() {
		return a.Addr().String(), "--> 0/0"
	}
	return a.String(), ""
}

func isEthernet(name string) bool {
	return strings.HasPrefix(name, "ge-") || strings.HasPrefix(name, "xe-")
}

func showDescriptions(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	v := c.snapshot()
	ps, _, err := v.selected(c, args.Get("interface-name", ""))
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, p := range ps {
		if p.Description != "" {
			fmt.Fprintf(&b, "%-16s%-6s%-5s%s\n", p.Name, updown(p.AdminUp), updown(p.LinkUp), p.Description)
		}
		if p.cfg == nil {
			continue
		}
		for _, u := range p.cfg.Units {
			if u.Description != "" {
				fmt.Fprintf(&b, "%-16s%-6s%-5s%s\n", fmt.Sprintf("%s.%d", p.Name, u.Number),
					updown(!u.Disable), updown(p.LinkUp), u.Description)
			}
		}
	}
	if b.Len() == 0 {
		return nil
	}
	var out strings.Builder
	out.WriteString("Interface       Admin Link Description\n")
	out.WriteString(b.String())
	return write(env.Out, &out)
}

// stats returns the counters of an interface since it was last cleared,
// and when that was (zero time for never).
func (v *view) stats(p phys, name string) (pic.Stats, pic.Baseline) {
	var base pic.Baseline
	if p.pv != nil {
		base = p.pv.st.Cleared[name]
	} else {
		base = v.reClear[name]
	}
	if v.counters == nil {
		return pic.Stats{}, base
	}
	s, _ := v.counters.Stats(name)
	return s.Sub(base.Stats), base
}

func clearStats(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	name := args.Get("interface-name", "")
	v := c.snapshot()
	ps, unit, err := v.selected(c, name)
	if err != nil {
		return err
	}
	for _, p := range ps {
		names := []string{p.Name}
		if p.cfg != nil {
			for _, u := range p.cfg.Units {
				if unit < 0 || u.Number == unit {
					names = append(names, fmt.Sprintf("%s.%d", p.Name, u.Number))
				}
			}
		}
		if unit >= 0 {
			names = names[1:]
		}
		c.clear(v, p, names)
	}
	return nil
}

func (c *Chassis) clear(v *view, p phys, names []string) {
	cur := map[string]pic.Stats{}
	for _, n := range names {
		var s pic.Stats
		if v.counters != nil {
			s, _ = v.counters.Stats(n)
		}
		cur[n] = s
	}
	if p.pv != nil {
		_ = c.cards[p.FPC].PIC(p.PIC).ClearStats(cur) // a stopped card has nothing to clear
		return
	}
	c.mu.Lock()
	for n, s := range cur {
		c.reClear[n] = pic.Baseline{At: v.at, Stats: s}
	}
	c.mu.Unlock()
}
