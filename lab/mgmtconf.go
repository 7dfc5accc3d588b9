package lab

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"strconv"
	"strings"
)

// Mgmt is the management network of a lab (containerlab's "mgmt"): a
// bridge on the host, with an fxp0 address for every router.
type Mgmt struct {
	Bridge string       // the host bridge ("mx-<lab>", or a hash of the name when long)
	Subnet netip.Prefix // zero: chosen when the lab starts (172.20.N.0/24, larger for many routers)
}

// parseMgmt reads the mgmt section.
func parseMgmt(lab, network, subnet string) (Mgmt, error) {
	m := Mgmt{Bridge: network}
	if m.Bridge == "" {
		m.Bridge = "mx-" + lab
		if len(m.Bridge) > 15 {
			m.Bridge = fmt.Sprintf("mx-%08x", hash(lab))
		}
	}
	if err := checkLinuxName(m.Bridge); err != nil {
		return Mgmt{}, fmt.Errorf("mgmt network: %w", err)
	}
	if subnet != "" {
		p, err := netip.ParsePrefix(subnet)
		if err != nil || !p.Addr().Is4() || p.Bits() > 29 || p.Masked() != p {
			return Mgmt{}, fmt.Errorf("%w: mgmt ipv4-subnet %q is not an IPv4 network of /29 or more addresses (like 172.20.20.0/24)", ErrTopology, subnet)
		}
		m.Subnet = p
	}
	return m, nil
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// The router ports a node may forward.
const (
	portSSH     = 22
	portNETCONF = 830
)

// parseMgmt reads a router's mgmt-ipv4 and ports.
func (n *Node) parseMgmt(f fileNode) error {
	if f.MgmtIPv4 != "" {
		a, err := netip.ParseAddr(f.MgmtIPv4)
		if err != nil || !a.Is4() {
			return fmt.Errorf("%w: node %s: mgmt-ipv4 %q is not an IPv4 address", ErrTopology, n.Name, f.MgmtIPv4)
		}
		n.MgmtIPv4 = a
	}
	for _, p := range f.Ports {
		host, router, ok := strings.Cut(p, ":")
		hp, err1 := strconv.Atoi(host)
		rp, err2 := strconv.Atoi(router)
		if !ok || err1 != nil || err2 != nil || hp < 1 || hp > 65535 || (rp != portSSH && rp != portNETCONF) {
			return fmt.Errorf("%w: node %s: port %q is not HOST:22 or HOST:830", ErrTopology, n.Name, p)
		}
		if n.Ports == nil {
			n.Ports = map[int]int{}
		}
		n.Ports[rp] = hp
	}
	return nil
}

// checkMgmt checks that fixed management addresses are in the subnet and
// not taken twice.
func (t *Topology) checkMgmt() error {
	seen := map[netip.Addr]string{}
	for _, n := range t.Nodes {
		if !n.MgmtIPv4.IsValid() {
			continue
		}
		if t.Mgmt.Subnet.IsValid() && !t.Mgmt.Subnet.Contains(n.MgmtIPv4) {
			return fmt.Errorf("%w: node %s: mgmt-ipv4 %s is not in %s", ErrTopology, n.Name, n.MgmtIPv4, t.Mgmt.Subnet)
		}
		if other, dup := seen[n.MgmtIPv4]; dup {
			return fmt.Errorf("%w: nodes %s and %s have mgmt-ipv4 %s", ErrTopology, other, n.Name, n.MgmtIPv4)
		}
		seen[n.MgmtIPv4] = n.Name
	}
	return nil
}

// plan gives every router its management address: the one it names, or
// the next free one after the bridge's (the first address of subnet).
func (t *Topology) plan(subnet netip.Prefix) (gateway netip.Prefix, addrs map[string]netip.Addr, err error) {
	gw := subnet.Addr().Next()
	used := map[netip.Addr]bool{gw: true}
	addrs = map[string]netip.Addr{}
	for _, n := range t.Nodes {
		if n.Kind == KindRouter && n.MgmtIPv4.IsValid() {
			if n.MgmtIPv4 == gw {
				return netip.Prefix{}, nil, fmt.Errorf("%w: node %s: mgmt-ipv4 %s is the bridge's address", ErrTopology, n.Name, gw)
			}
			used[n.MgmtIPv4] = true
			addrs[n.Name] = n.MgmtIPv4
		}
	}
	next := gw.Next()
	for _, n := range t.Nodes {
		if n.Kind != KindRouter || n.MgmtIPv4.IsValid() {
			continue
		}
		for used[next] {
			next = next.Next()
		}
		if !subnet.Contains(next) || next == lastAddr(subnet) {
			return netip.Prefix{}, nil, fmt.Errorf("%w: mgmt subnet %s has no address left for %s", ErrTopology, subnet, n.Name)
		}
		addrs[n.Name] = next
		used[next] = true
	}
	return netip.PrefixFrom(gw, subnet.Bits()), addrs, nil
}

// lastAddr is the broadcast address of an IPv4 subnet.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// mgmtConfig returns the statement giving fxp0 its address, in the form
// of the startup configuration (set commands or curly-brace text), to
// add to it; "" when the configuration configures fxp0 itself.
func mgmtConfig(startup string, addr netip.Prefix) string {
	if strings.Contains(startup, "fxp0") {
		return ""
	}
	if startup == "" || looksLikeSet(startup) {
		return fmt.Sprintf("set interfaces fxp0 unit 0 family inet address %s\n", addr)
	}
	return fmt.Sprintf("interfaces {\n    fxp0 {\n        unit 0 {\n            family inet {\n                address %s;\n            }\n        }\n    }\n}\n", addr)
}

// looksLikeSet tells set commands from curly-brace text, as the router's
// startup does.
func looksLikeSet(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		return strings.HasPrefix(line, "set ") || strings.HasPrefix(line, "delete ") ||
			strings.HasPrefix(line, "deactivate ") || strings.HasPrefix(line, "activate ")
	}
	return false
}
