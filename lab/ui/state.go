package ui

import (
	"context"
	"time"

	"mxlab/lab"
	"mxlab/netns"
	"mxlab/router"
)

// The messages the state WebSocket carries (JSON): a topology first, then
// states when they change and events as they come.

type topoMsg struct {
	Type  string     `json:"type"` // "topology"
	Lab   string     `json:"lab"`
	Nodes []topoNode `json:"nodes"`
	Links []topoLink `json:"links"`
}

type topoNode struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`            // lab.KindRouter or lab.KindHost
	Model string `json:"model,omitempty"` // "mx480"
}

type topoLink struct {
	ID int      `json:"id"`
	A  endpoint `json:"a"`
	B  endpoint `json:"b"`
}

type endpoint struct {
	Node string `json:"node"`
	Port string `json:"port"`
}

type stateMsg struct {
	Type  string                `json:"type"` // "state"
	Nodes map[string]*nodeState `json:"nodes"`
	Links []linkState           `json:"links"`
}

type nodeState struct {
	Cards    []cardState `json:"cards,omitempty"`
	Alarms   []alarm     `json:"alarms"`
	Services []svcPIC    `json:"services,omitempty"`
	OSPF     []Adjacency `json:"ospf"`  // null: the router runs no OSPF
	Users    int         `json:"users"` // CLI sessions
}

type cardState struct {
	Slot  int        `json:"slot"`
	State string     `json:"state"`
	Desc  string     `json:"desc"`
	PICs  []picState `json:"pics"`
}

type picState struct {
	Slot  int    `json:"slot"`
	State string `json:"state"`
	Desc  string `json:"desc"`
}

type alarm struct {
	Time  time.Time `json:"time"`
	Class string    `json:"class"`
	Desc  string    `json:"desc"`
}

// svcPIC is an MS PIC: its SAs installed (one per direction) and its
// tunnels with at least one.
type svcPIC struct {
	Name    string `json:"name"`
	Online  bool   `json:"online"`
	SAs     int    `json:"sas"`
	Tunnels int    `json:"tunnels"`
	Sets    int    `json:"sets"`
	Fault   string `json:"fault,omitempty"`
}

type linkState struct {
	ID    int       `json:"id"`
	Known bool      `json:"known"` // an end was read
	Up    bool      `json:"up"`    // both ends up
	AUp   bool      `json:"aUp"`   // each end: administratively up with a carrier
	BUp   bool      `json:"bUp"`
	PPS   [2]uint64 `json:"pps"` // packets per second, a to b and b to a
	BPS   [2]uint64 `json:"bps"`
}

type eventMsg struct {
	Type  string `json:"type"` // "event"
	Event event  `json:"event"`
}

// event is a commit of a router.
type event struct {
	Time    time.Time `json:"time"`
	Router  string    `json:"router"`
	User    string    `json:"user"`
	Via     string    `json:"via"` // "cli", "netconf", "other"
	Comment string    `json:"comment,omitempty"`
	Confirm int       `json:"confirm,omitempty"` // minutes of a commit confirmed
	Diff    string    `json:"diff"`
}

// topology describes the lab's nodes and links.
func topology(l Lab) topoMsg {
	t := l.Topology()
	m := topoMsg{Type: "topology", Lab: t.Name}
	for _, n := range t.Nodes {
		tn := topoNode{Name: n.Name, Kind: n.Kind}
		if r := l.Router(n.Name); r != nil {
			tn.Model = r.Chassis.Model()
		}
		m.Nodes = append(m.Nodes, tn)
	}
	for i, k := range t.Links {
		m.Links = append(m.Links, topoLink{ID: i, A: endpoint{k.A.Node, k.A.Port}, B: endpoint{k.B.Node, k.B.Port}})
	}
	return m
}

// routerState reads what the page shows of a router.
func routerState(r *router.Router, adj func(string) []Adjacency) *nodeState {
	ns := &nodeState{Alarms: []alarm{}}
	for _, c := range r.Chassis.Cards() {
		cs := cardState{Slot: c.Slot, State: c.State.String(), Desc: c.Desc, PICs: []picState{}}
		for _, p := range c.PICs {
			cs.PICs = append(cs.PICs, picState{Slot: p.Slot, State: p.State.String(), Desc: p.Desc})
		}
		ns.Cards = append(ns.Cards, cs)
	}
	for _, a := range r.Chassis.Alarms() {
		ns.Alarms = append(ns.Alarms, alarm{Time: a.Time.UTC(), Class: a.Class, Desc: a.Desc})
	}
	for _, st := range r.ServiceStatus() {
		sp := svcPIC{Name: st.Name, Online: st.Online, Sets: len(st.Sets)}
		for _, set := range st.Sets {
			if set.Fault != "" && sp.Fault == "" {
				sp.Fault = set.Fault
			}
			for _, t := range set.Tunnels {
				n := 0
				for _, sa := range t.SAs {
					if sa.Installed {
						n++
					}
				}
				sp.SAs += n
				if n > 0 {
					sp.Tunnels++
				}
			}
		}
		ns.Services = append(ns.Services, sp)
	}
	if adj != nil {
		ns.OSPF = adj(r.Name())
	} else {
		ns.OSPF = ospfAdjacencies(r)
	}
	ns.Users = len(r.Logins())
	return ns
}

// linkEnd is what the kernel says of one end of a link.
type linkEnd struct {
	ok    bool // the end was read
	up    bool
	stats netns.LinkStats
}

// readEnds reads every link end of the lab: one dump of the links of each
// namespace that holds one.
func readEnds(l Lab) map[lab.Endpoint]linkEnd {
	t := l.Topology()
	byNode := map[string][]lab.Endpoint{}
	for _, k := range t.Links {
		byNode[k.A.Node] = append(byNode[k.A.Node], k.A)
		byNode[k.B.Node] = append(byNode[k.B.Node], k.B)
	}
	out := map[lab.Endpoint]linkEnd{}
	for node, eps := range byNode {
		h := l.Namespace(node)
		if h == nil {
			continue
		}
		links, err := h.Links()
		isRouter := t.Node(node).Kind == lab.KindRouter
		if !isRouter {
			h.Release() // hosts hold no file between reads (a lab may have thousands)
		}
		if err != nil {
			continue
		}
		byName := make(map[string]netns.LinkInfo, len(links))
		for _, li := range links {
			byName[li.Name] = li
		}
		for _, e := range eps {
			name := e.Port
			if isRouter {
				var err error
				if name, err = netns.LinuxName(e.Port); err != nil {
					continue
				}
			}
			if li, ok := byName[name]; ok {
				out[e] = linkEnd{ok: true, up: li.AdminUp && li.OperUp, stats: li.Stats}
			}
		}
	}
	return out
}

// ospfAdjacencies lists the OSPF neighbours of every instance of a router;
// nil when it runs no OSPF.
func ospfAdjacencies(r *router.Router) []Adjacency {
	if r.OSPF == nil {
		return nil
	}
	var out []Adjacency
	for _, in := range r.OSPF.Instances() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		adj, err := in.Adjacencies(ctx)
		cancel()
		if err != nil {
			continue
		}
		if out == nil {
			out = []Adjacency{}
		}
		for _, a := range adj {
			out = append(out, Adjacency{Neighbor: a.ID.String(), Address: a.Address.String(), Interface: a.Interface, State: a.State})
		}
	}
	return out
}
