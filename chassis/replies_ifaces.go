package chassis

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// ifInfo is "show interfaces" (get-interface-information): the
// interfaces selected from one snapshot of the chassis.
type ifInfo struct {
	c       *Chassis
	args    cmdtree.Args
	v       *view
	ps      []phys
	unit    int
	release string
}

func interfacesReply(env *cmdtree.Env, c *Chassis, args cmdtree.Args) (cmdtree.Reply, error) {
	v := c.snapshot()
	v.width = env.Width
	ps, unit, err := v.selected(c, args.Get("interface-name", ""))
	if err != nil {
		return nil, err
	}
	if ps, err = inInstance(ps, args); err != nil {
		return nil, err
	}
	return &ifInfo{c: c, args: args, v: v, ps: ps, unit: unit, release: env.Version}, nil
}

// privateInstance is the routing instance of the Routing Engines'
// internal network.
const privateInstance = "__juniper_private1__"

// inInstance keeps the interfaces of the routing instance the arguments
// name: the internal em1 for the private instance, all of them for "all".
func inInstance(ps []phys, args cmdtree.Args) ([]phys, error) {
	ri, ok := args["routing-instance"]
	switch {
	case !ok || ri == "all":
		return ps, nil
	case ri == privateInstance:
		var out []phys
		for _, p := range ps {
			if p.Name == "em1" {
				out = append(out, p)
			}
		}
		return out, nil
	}
	return nil, &CLIError{Msg: fmt.Sprintf("routing instance %s: interfaces by routing instance are shown for %s and all only", ri, privateInstance)}
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
	var b strings.Builder
	r.v.writeInterfaces(&b, r.c, r.ps, r.unit, r.args)
	return write(w, &b)
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
			for _, u := range p.units() {
				if u.number == r.unit {
					info.Add(r.logical(p, u, style))
				}
			}
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
	for _, u := range p.units() {
		e.Add(r.logical(p, u, style))
	}
	return e
}

func (r *ifInfo) logical(p phys, ur unitRef, style string) *junosxml.Elem {
	e := junosxml.New("logical-interface", junosxml.Leaf("name", fmt.Sprintf("%s.%d", p.Name, ur.number)))
	if ur.soft != nil {
		if style == "terse" {
			e.AddLeaf("admin-status", "up").AddLeaf("oper-status", updown(p.LinkUp))
		}
		mac := r.c.ser.mac(p.Name)
		for _, pr := range ur.soft.protos {
			af := junosxml.New("address-family", junosxml.Leaf("address-family-name", pr.family))
			for _, a := range pr.terse {
				ia := junosxml.New("interface-address", junosxml.Leaf("ifa-local", p.soft.fill(a.local, mac, "")).SetAttr("junos:emit", "emit"))
				if a.remote != "" {
					ia.AddLeaf("ifa-destination", strings.TrimSpace(strings.TrimPrefix(a.remote, "-->")))
				}
				af.Add(ia)
			}
			e.Add(af)
		}
		return e
	}
	u := *ur.cfg
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
