package netns

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/vishvananda/netlink"
)

// State is the desired interface configuration of a router namespace, as
// the committed configuration gives it.
type State struct {
	Ports    []Port
	Loopback []netip.Prefix // lo0 unit 0 family inet addresses
}

// Port is a physical interface (Junos name "ge-1/0/0").
type Port struct {
	Name        string
	Disable     bool
	MTU         int // Junos media MTU (1514 by default, Ethernet header included); 0 = default
	VLANTagging bool
	Units       []Unit
}

// Unit is a logical interface. Without VLAN tagging only unit 0 exists and
// its addresses sit on the port's link; with tagging each unit is a VLAN
// link named after the unit ("ge-1_0_0.100").
type Unit struct {
	Number  int
	VLANID  int
	Disable bool
	Addrs   []netip.Prefix
}

// DefaultMTU is the Junos media MTU of an Ethernet port.
const DefaultMTU = 1514

// Router programs the interfaces and forwarding table of one router
// namespace. One commit at a time: Prepare (or PrepareFIB) is followed by
// Apply or Abort before the next Prepare.
type Router struct {
	h       *Handle
	nl      *netlink.Handle // h's, pinned
	mu      sync.Mutex
	state   State           // applied
	offline map[string]bool // ports taken down by their PIC, by Junos name
	tables  map[int]bool    // tables holding routes we programmed (applied)
	// vlans reports whether the kernel has 802.1Q links. Without them the
	// units of a tagged port share the port's link (see doc.go).
	vlans bool
}

// NewRouter takes over namespace h for a router: IPv4 forwarding on, ICMP
// errors not rate limited (traceroute through a lab answers every probe).
func NewRouter(h *Handle) (*Router, error) {
	for _, kv := range [][2]string{
		{"net/ipv4/ip_forward", "1"},
		{"net/ipv4/icmp_ratelimit", "0"},
		{"net/ipv4/conf/all/rp_filter", "0"},
		{"net/ipv4/conf/default/rp_filter", "0"},
	} {
		if err := h.Sysctl(kv[0], kv[1]); err != nil {
			return nil, fmt.Errorf("router %s: sysctl %s: %w", h.name, kv[0], err)
		}
	}
	nl, err := h.pin()
	if err != nil {
		return nil, fmt.Errorf("router %s: %w", h.name, err)
	}
	return &Router{h: h, nl: nl, offline: map[string]bool{}, tables: map[int]bool{}, vlans: probeVLAN(nl)}, nil
}

// probeVLAN reports whether VLAN links can be made in h.
func probeVLAN(nl *netlink.Handle) bool {
	v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "vlanprobe"}, PeerName: "vlanprobe~"}
	if err := nl.LinkAdd(v); err != nil {
		return false
	}
	defer nl.LinkDel(v)
	l, err := nl.LinkByName("vlanprobe")
	if err != nil {
		return false
	}
	err = nl.LinkAdd(&netlink.Vlan{LinkAttrs: netlink.LinkAttrs{Name: "vlanprobe.1", ParentIndex: l.Attrs().Index}, VlanId: 1})
	return err == nil
}

// Handle returns the router's namespace.
func (r *Router) Handle() *Handle { return r.h }

// plannedPort is a Port with its Linux names worked out.
type plannedPort struct {
	Port
	linux string
	vlans map[string]Unit // Linux name -> unit, with tagging
	addrs []netip.Prefix  // addresses on the port link itself
	down  bool            // the port link is administratively down
}

// plan checks the desired state and names every link.
func plan(s State, offline map[string]bool, vlans bool) (map[string]*plannedPort, error) {
	out := map[string]*plannedPort{}
	for _, p := range s.Ports {
		linux, err := LinuxName(p.Name)
		if err != nil {
			return nil, &InterfaceError{Name: p.Name, Err: err}
		}
		if _, u := SplitUnit(p.Name); u >= 0 || len(linux) > maxLinuxName-1 {
			return nil, fmt.Errorf("interface %s: not a port name: %w", p.Name, ErrBadName)
		}
		pp := &plannedPort{Port: p, linux: linux, vlans: map[string]Unit{}, down: p.Disable || offline[p.Name]}
		for _, u := range p.Units {
			if err := pp.addUnit(u, vlans); err != nil {
				return nil, err
			}
		}
		out[linux] = pp
	}
	return out, nil
}

func (pp *plannedPort) addUnit(u Unit, vlans bool) error {
	if !pp.VLANTagging {
		if u.Number != 0 {
			return fmt.Errorf("interface %s unit %d: Only unit 0 is valid for this encapsulation: %w", pp.Name, u.Number, ErrBadConfig)
		}
		pp.addrs = u.Addrs
		pp.down = pp.down || u.Disable
		return nil
	}
	if u.VLANID < 1 || u.VLANID > 4094 {
		return fmt.Errorf("interface %s unit %d: vlan-id %d out of range 1..4094: %w", pp.Name, u.Number, u.VLANID, ErrBadConfig)
	}
	name, err := LinuxName(fmt.Sprintf("%s.%d", pp.Name, u.Number))
	if err != nil {
		return &InterfaceError{Name: fmt.Sprintf("%s.%d", pp.Name, u.Number), Err: err}
	}
	if !vlans {
		pp.addrs = append(pp.addrs, u.Addrs...)
		return nil
	}
	pp.vlans[name] = u
	return nil
}

// InterfaceError is a failure to program one interface (named the Junos
// way, "ge-1/0/0" or "ge-1/0/0.100").
type InterfaceError struct {
	Name string
	Err  error
}

func (e *InterfaceError) Error() string { return "interface " + e.Name + ": " + e.Err.Error() }
func (e *InterfaceError) Unwrap() error { return e.Err }

// ErrBadConfig reports a desired state the kernel cannot be given.
var ErrBadConfig = errors.New("invalid interface configuration")

// linuxMTU turns a Junos media MTU into the Linux (IP) MTU of the link.
func linuxMTU(p Port) (int, error) {
	mtu := p.MTU
	if mtu == 0 {
		mtu = DefaultMTU
	}
	if mtu < 256 || mtu > 9192 {
		return 0, fmt.Errorf("interface %s: mtu %d out of range 256..9192: %w", p.Name, mtu, ErrBadConfig)
	}
	mtu -= 14
	if p.VLANTagging {
		mtu -= 4
	}
	return mtu, nil
}

// Prepare programs the desired interface state into the kernel and returns
// how to keep (Apply) or revert (Abort) it. Ports missing from s keep their
// links (they are hardware) but lose their addresses and units.
func (r *Router) Prepare(s State) (Pending, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	planned, err := plan(s, r.offline, r.vlans)
	if err != nil {
		return nil, fmt.Errorf("router %s: %w", r.h.name, err)
	}
	u := &undoLog{}
	if err := r.program(planned, s.Loopback, u); err != nil {
		u.run()
		return nil, fmt.Errorf("router %s: %w", r.h.name, err)
	}
	s = cloneState(s)
	return &pending{undo: u, apply: func() {
		r.mu.Lock()
		r.state = s
		r.mu.Unlock()
	}}, nil
}

func (r *Router) program(planned map[string]*plannedPort, lo []netip.Prefix, u *undoLog) error {
	links, err := retryDump(r.nl.LinkList)
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	byName := map[string]netlink.Link{}
	for _, l := range links {
		byName[l.Attrs().Name] = l
	}
	for _, l := range links { // ports that are no longer configured
		name := l.Attrs().Name
		if _, ok := planned[name]; ok || !isPortLink(l) {
			continue
		}
		jn, _ := JunosName(name)
		planned[name] = &plannedPort{Port: Port{Name: jn}, linux: name, vlans: map[string]Unit{}, down: r.offline[jn]}
	}
	for _, name := range sortedKeys(planned) {
		if err := r.programPort(planned[name], byName, links, u); err != nil {
			return err
		}
	}
	loLink, ok := byName["lo"]
	if !ok {
		return errors.New("no loopback link")
	}
	return r.syncAddrs(loLink, lo, u)
}

// isPortLink reports whether l is the link of a port (a veth named after
// a Junos physical interface).
func isPortLink(l netlink.Link) bool {
	if l.Type() != "veth" {
		return false
	}
	jn, err := JunosName(l.Attrs().Name)
	if err != nil {
		return false
	}
	_, unit := SplitUnit(jn)
	return unit < 0
}

func (r *Router) programPort(pp *plannedPort, byName map[string]netlink.Link, all []netlink.Link, u *undoLog) error {
	l, ok := byName[pp.linux]
	if !ok {
		var err error
		if l, err = r.createPort(pp.linux, u); err != nil {
			return &InterfaceError{Name: pp.Name, Err: err}
		}
	}
	mtu, err := linuxMTU(pp.Port)
	if err != nil {
		return err
	}
	if err := r.setMTU(l, mtu, u); err != nil {
		return &InterfaceError{Name: pp.Name, Err: err}
	}
	if err := r.syncVLANs(pp, l, all, u); err != nil {
		return &InterfaceError{Name: pp.Name, Err: err}
	}
	if err := r.syncAddrs(l, pp.addrs, u); err != nil {
		return &InterfaceError{Name: pp.Name, Err: err}
	}
	return r.setUp(l, !pp.down, u)
}

// createPort makes the link of a port that no lab link reaches: a veth
// whose peer ("<name>~") stays down in the same namespace, so the port
// exists and shows no carrier, as an unplugged port does.
func (r *Router) createPort(name string, u *undoLog) (netlink.Link, error) {
	v := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: name + "~"}
	if err := r.nl.LinkAdd(v); err != nil {
		return nil, fmt.Errorf("create link %s: %w", name, err)
	}
	l, err := r.nl.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("create link %s: %w", name, err)
	}
	u.push(func() error { return r.nl.LinkDel(l) })
	return l, nil
}

func (r *Router) setMTU(l netlink.Link, mtu int, u *undoLog) error {
	old := l.Attrs().MTU
	if old == mtu {
		return nil
	}
	if err := r.nl.LinkSetMTU(l, mtu); err != nil {
		return fmt.Errorf("set mtu %d: %w", mtu, err)
	}
	u.push(func() error { return r.nl.LinkSetMTU(l, old) })
	return nil
}

func (r *Router) setUp(l netlink.Link, up bool, u *undoLog) error {
	cur, err := r.nl.LinkByIndex(l.Attrs().Index)
	if err != nil {
		return fmt.Errorf("link %s: %w", l.Attrs().Name, err)
	}
	was := linkInfo(cur).AdminUp
	if was == up {
		return nil
	}
	set, reset := r.nl.LinkSetUp, r.nl.LinkSetDown
	if !up {
		set, reset = reset, set
	}
	if err := set(cur); err != nil {
		return fmt.Errorf("set link %s up=%v: %w", l.Attrs().Name, up, err)
	}
	u.push(func() error { return reset(cur) })
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func cloneState(s State) State {
	c := State{Loopback: slices.Clone(s.Loopback)}
	for _, p := range s.Ports {
		p.Units = slices.Clone(p.Units)
		for i := range p.Units {
			p.Units[i].Addrs = slices.Clone(p.Units[i].Addrs)
		}
		c.Ports = append(c.Ports, p)
	}
	return c
}

// State returns the applied interface state.
func (r *Router) State() State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return cloneState(r.state)
}
