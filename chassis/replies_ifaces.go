package chassis

import (
	"fmt"
	"io"
	"strconv"

	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// ifInfo is "show interfaces" (get-interface-information): the
// interfaces selected from one snapshot of the chassis.
type ifInfo struct {
	env     cmdtree.Env
	c       *Chassis
	args    cmdtree.Args
	v       *view
	ps      []phys
	unit    int
	release string
}

func interfacesReply(env *cmdtree.Env, c *Chassis, args cmdtree.Args) (cmdtree.Reply, error) {
	v := c.snapshot()
	ps, unit, err := v.selected(c, args.Get("interface-name", ""))
	if err != nil {
		return nil, err
	}
	return &ifInfo{env: *env, c: c, args: args, v: v, ps: ps, unit: unit, release: env.Version}, nil
}

// terseReply is "show interfaces terse": "show interfaces" with terse.
func terseReply(env *cmdtree.Env, c *Chassis, args cmdtree.Args) (cmdtree.Reply, error) {
	a := cmdtree.Args{"terse": ""}
	for k, v := range args {
		a[k] = v
	}
	return interfacesReply(env, c, a)
}

func (r *ifInfo) Text(w io.Writer) error {
	env := r.env
	env.Out = w
	return showInterfaces(&env, r.c, r.args)
}

func (r *ifInfo) style() string {
	switch {
	case r.args.Has("terse"):
		return "terse"
	case r.args.Has("extensive"):
		return "extensive"
	case r.args.Has("detail"):
		return "detail"
	case r.args.Has("brief"):
		return "brief"
	}
	return "normal"
}

func (r *ifInfo) XML() []*junosxml.Elem {
	style := r.style()
	info := junosxml.New("interface-information").SetAttr("xmlns", junosxml.Namespace(r.release, "interface")).
		SetAttr("junos:style", style)
	for _, p := range r.ps {
		if r.unit >= 0 {
			info.Add(r.logical(p, *p.unit(r.unit), style))
			continue
		}
		info.Add(r.physical(p, style))
	}
	return []*junosxml.Elem{info}
}

func (r *ifInfo) physical(p phys, style string) *junosxml.Elem {
	e := junosxml.New("physical-interface", junosxml.Leaf("name", p.Name),
		junosxml.Leaf("admin-status", updown(p.AdminUp)), junosxml.Leaf("oper-status", updown(p.LinkUp)))
	if style != "terse" {
		m := mediaOf(r.c, p)
		if p.Description != "" {
			e.AddLeaf("description", p.Description)
		}
		e.AddLeaf("local-index", strconv.Itoa(p.index.index))
		e.AddLeaf("snmp-index", strconv.Itoa(p.index.snmp))
		if m.llt != "" {
			e.AddLeaf("link-level-type", m.llt)
		}
		if m.typ != "" {
			e.AddLeaf("if-type", m.typ)
		}
		if m.mtu > 0 {
			e.AddLeaf("mtu", strconv.Itoa(m.mtu))
		}
		if m.speed != "" {
			e.AddLeaf("speed", m.speed)
		}
	}
	if p.cfg != nil {
		for _, u := range p.cfg.Units {
			e.Add(r.logical(p, u, style))
		}
	}
	return e
}

func (r *ifInfo) logical(p phys, u Unit, style string) *junosxml.Elem {
	e := junosxml.New("logical-interface", junosxml.Leaf("name", fmt.Sprintf("%s.%d", p.Name, u.Number)))
	if style == "terse" {
		e.AddLeaf("admin-status", updown(!u.Disable)).AddLeaf("oper-status", updown(p.LinkUp))
	}
	if u.Description != "" {
		e.AddLeaf("description", u.Description)
	}
	protos := u.families()
	if isEthernet(p.Name) {
		protos = append(append([]string(nil), protos...), "multiservice")
	}
	for _, f := range protos {
		af := junosxml.New("address-family", junosxml.Leaf("address-family-name", f))
		addrs := u.Inet
		if f == "inet6" {
			addrs = u.Inet6
		} else if f != "inet" {
			addrs = nil
		}
		for _, a := range addrs {
			local, _ := terseAddr(p.Name, a)
			af.Add(junosxml.New("interface-address", junosxml.Leaf("ifa-local", local).SetAttr("junos:emit", "emit")))
		}
		e.Add(af)
	}
	return e
}
