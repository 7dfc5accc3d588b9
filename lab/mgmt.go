package lab

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"mxlab/mgmt/sshd"
	"mxlab/netns"
	"mxlab/router"
)

// Management access to the routers of a lab:
//
//   - loopback forwards: for each router, a port on the host's 127.0.0.1
//     for its SSH service (22) and one for NETCONF (830). They work
//     without root too: the lab process run again in a user namespace
//     inherits listeners its parent opened in the host's namespace.
//   - the management network (root only): a bridge on the host holding
//     the subnet's first address, and in each router a link named fxp0
//     with an address of the subnet, configured as
//     "interfaces fxp0 unit 0 family inet address" (added to the startup
//     configuration when it does not configure fxp0). The routers' SSH
//     and NETCONF listen on ports 22 and 830 of their namespaces.

// envForwards passes inherited listeners: "node/port=fd,...".
const envForwards = "MXLAB_FORWARDS"

// Forwards are the loopback listeners of a lab's routers: by node, by
// router port (22, 830). Other listeners a run in a user namespace must
// inherit ride along under names no node can have (ForwardUI).
type Forwards map[string]map[int]net.Listener

// ForwardUI holds the listener of the lab's web page (port 0).
const ForwardUI = "+ui"

// Take removes a listener from f and returns it, nil when there is none:
// its taker closes it, not the lab.
func (f Forwards) Take(key string, port int) net.Listener {
	ln := f[key][port]
	if ln != nil {
		delete(f[key], port)
		if len(f[key]) == 0 {
			delete(f, key)
		}
	}
	return ln
}

// OpenForwards returns the loopback listeners of the routers of t: the
// ones this process inherited (it runs again in a user namespace), or new
// ones on the ports the topology names, free ports otherwise.
func OpenForwards(t *Topology) (Forwards, error) {
	if spec := os.Getenv(envForwards); spec != "" {
		return inheritForwards(spec)
	}
	f := Forwards{}
	for _, n := range t.Nodes {
		if n.Kind != KindRouter {
			continue
		}
		f[n.Name] = map[int]net.Listener{}
		for _, rp := range []int{portSSH, portNETCONF} {
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(n.Ports[rp])))
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("node %s: forward of port %d: %w", n.Name, rp, err)
			}
			f[n.Name][rp] = ln
		}
	}
	return f, nil
}

// Close closes the listeners.
func (f Forwards) Close() {
	for _, m := range f {
		for _, ln := range m {
			ln.Close()
		}
	}
}

// files returns the listeners as files for a child process (descriptor
// 3 and up, in order) and their description for envForwards.
func (f Forwards) files() ([]*os.File, string, error) {
	var files []*os.File
	var spec []string
	nodes := make([]string, 0, len(f))
	for n := range f {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	for _, n := range nodes {
		ports := make([]int, 0, len(f[n]))
		for rp := range f[n] {
			ports = append(ports, rp)
		}
		sort.Ints(ports)
		for _, rp := range ports {
			tl, ok := f[n][rp].(*net.TCPListener)
			if !ok {
				continue
			}
			file, err := tl.File()
			if err != nil {
				for _, fl := range files {
					fl.Close()
				}
				return nil, "", err
			}
			spec = append(spec, fmt.Sprintf("%s/%d=%d", n, rp, 3+len(files)))
			files = append(files, file)
		}
	}
	return files, strings.Join(spec, ","), nil
}

// inheritForwards rebuilds the listeners a parent passed.
func inheritForwards(spec string) (Forwards, error) {
	f := Forwards{}
	for _, item := range strings.Split(spec, ",") {
		key, fdText, ok1 := strings.Cut(item, "=")
		node, portText, ok2 := strings.Cut(key, "/")
		fd, err1 := strconv.Atoi(fdText)
		rp, err2 := strconv.Atoi(portText)
		if !ok1 || !ok2 || err1 != nil || err2 != nil || fd < 3 {
			f.Close()
			return nil, fmt.Errorf("%s: bad entry %q", envForwards, item)
		}
		file := os.NewFile(uintptr(fd), key)
		ln, err := net.FileListener(file)
		file.Close()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %s: %w", envForwards, key, err)
		}
		if f[node] == nil {
			f[node] = map[int]net.Listener{}
		}
		f[node][rp] = ln
	}
	return f, nil
}

// mgmtNet is the management network of a running lab.
type mgmtNet struct {
	bridge  string
	gateway netip.Prefix          // the bridge's address
	addrs   map[string]netip.Addr // router -> fxp0 address
}

// bridgeFile records the bridges in the run directory (a name a line),
// for the cleanup after a kill.
const bridgeFile = "bridge"

// setupMgmtNet creates the management network: the bridge and each
// router's fxp0 link. It is skipped (nil) without root in the host's
// namespace (a lab run in a user namespace).
func (l *Lab) setupMgmtNet() (*mgmtNet, error) {
	if !l.opts.MgmtNetwork || os.Getenv(envUserNS) == "1" {
		return nil, nil
	}
	unlock, err := lockMgmt()
	if err != nil {
		return nil, err
	}
	defer unlock()
	host, err := netns.Host()
	if err != nil {
		return nil, err
	}
	defer host.Close()
	subnet := l.topo.Mgmt.Subnet
	if !subnet.IsValid() {
		routers := 0
		for _, n := range l.topo.Nodes {
			if n.Kind == KindRouter {
				routers++
			}
		}
		if subnet, err = freeSubnet(host, l.topo.Name, routers); err != nil {
			return nil, err
		}
	}
	gw, addrs, err := l.topo.plan(subnet)
	if err != nil {
		return nil, err
	}
	m := &mgmtNet{bridge: l.topo.Mgmt.Bridge, gateway: gw, addrs: addrs}
	var routers []*Node
	for _, n := range l.topo.Nodes {
		if n.Kind == KindRouter {
			routers = append(routers, n)
		}
	}
	// A bridge takes at most netns.BridgePorts ports: past routersPerBridge
	// routers, more bridges join the first one, each by a veth pair.
	bridges := []string{m.bridge}
	links := []string{m.bridge} // what Close and a later cleanup delete
	for k := 1; k*routersPerBridge < len(routers); k++ {
		sub := fmt.Sprintf("mb%08x", hash(fmt.Sprintf("%s/bridge%d", l.topo.Name, k)))
		up := fmt.Sprintf("mu%08x", hash(fmt.Sprintf("%s/bridge%d", l.topo.Name, k)))
		bridges = append(bridges, sub)
		links = append(links, up, sub)
	}
	for _, name := range links {
		host.DeleteLink(name) // left by a killed run
	}
	if err := os.WriteFile(filepath.Join(l.dir, bridgeFile), []byte(strings.Join(links, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	l.bridges = links
	if err := host.AddBridge(m.bridge, gw); err != nil {
		return nil, err
	}
	for k, sub := range bridges[1:] {
		if err := host.AddBridge(sub, netip.Prefix{}); err != nil {
			return nil, err
		}
		if err := host.JoinBridges(m.bridge, links[1+2*k], sub, fmt.Sprintf("md%08x", hash(fmt.Sprintf("%s/bridge%d", l.topo.Name, k+1)))); err != nil {
			return nil, err
		}
	}
	for i, n := range routers {
		name := fmt.Sprintf("mx%08x", hash(l.topo.Name+"/"+n.Name))
		host.DeleteLink(name) // the end of a pair whose namespace the kernel has not finished removing
		if err := netns.ConnectBridge(host, bridges[i/routersPerBridge], name, l.handles[n.Name], "fxp0"); err != nil {
			return nil, fmt.Errorf("node %s: management link: %w", n.Name, err)
		}
	}
	return m, nil
}

// routersPerBridge leaves room on the first bridge for the links to the
// others.
var routersPerBridge = netns.BridgePorts - 24

// mgmtLock serialises the choice of management subnets between the labs
// of this host (an flock on a file of /run).
const mgmtLock = "/run/mxlab-mgmt.lock"

func lockMgmt() (func(), error) {
	f, err := os.OpenFile(mgmtLock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("management network lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("management network lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// freeSubnet picks a subnet of 172.20.0.0/16 that no address or route of
// the host overlaps, starting from one derived from the lab's name: a /24,
// or the smallest block that holds the bridge's address and one for each
// of routers (a /22 for 1,000 routers).
func freeSubnet(host *netns.Handle, lab string, routers int) (netip.Prefix, error) {
	bits := 24
	for bits > 16 && 1<<(32-bits)-3 < routers {
		bits--
	}
	blocks := 1 << (bits - 16)
	start := int(hash(lab) % uint32(blocks))
	for i := range blocks {
		third := ((start + i) % blocks) << (24 - bits)
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 20, byte(third), 0}), bits)
		used, err := host.PrefixInUse(p)
		if err != nil {
			return netip.Prefix{}, err
		}
		if !used {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("no free /%d in 172.20.0.0/16 for the management network (give one: mgmt: ipv4-subnet)", bits)
}

// removeBridge deletes the bridges (and the links between them) a killed
// run recorded.
func removeBridge(dir string) {
	data, err := os.ReadFile(filepath.Join(dir, bridgeFile))
	if err != nil || netns.Available() != nil {
		return
	}
	host, err := netns.Host()
	if err != nil {
		return
	}
	defer host.Close()
	for _, name := range strings.Fields(string(data)) {
		if checkLinuxName(name) == nil {
			host.DeleteLink(name)
		}
	}
}

// serveMgmt starts a router's SSH server on its forwards and, with the
// management network, on ports 22 and 830 of its namespace.
func (l *Lab) serveMgmt(n *Node, r *router.Router) error {
	m, err := r.StartManagement(l.opts.Mgmt)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.mgmt[n.Name] = m
	l.mu.Unlock()
	kinds := map[int]sshd.Kind{portSSH: sshd.SSH, portNETCONF: sshd.NETCONF}
	for rp, ln := range l.opts.Forwards[n.Name] {
		if err := m.Serve(ln, kinds[rp]); err != nil {
			return err
		}
	}
	if l.mnet == nil {
		return nil
	}
	for _, rp := range []int{portSSH, portNETCONF} {
		ln, err := netns.Listen(l.handles[n.Name], ":"+strconv.Itoa(rp))
		if err != nil {
			return fmt.Errorf("node %s: port %d: %w", n.Name, rp, err)
		}
		if err := m.Serve(ln, kinds[rp]); err != nil {
			return err
		}
	}
	return nil
}

// NodeInfo is what "mxlab lab inspect" shows of a node.
type NodeInfo struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	State     string `json:"state"`
	Namespace string `json:"namespace"`
	MgmtIPv4  string `json:"mgmt_ipv4,omitempty"` // "172.20.20.2/24"
	SSH       string `json:"ssh,omitempty"`       // the loopback forward of port 22
	NETCONF   string `json:"netconf,omitempty"`   // the loopback forward of port 830
	// FactoryLogin is set when the router takes the factory lab login.
	FactoryLogin bool `json:"factory_login,omitempty"`
}

// Inspect describes the nodes of the lab.
func (l *Lab) Inspect() []NodeInfo {
	var out []NodeInfo
	for _, n := range l.topo.Nodes {
		ni := NodeInfo{Name: n.Name, Kind: n.Kind, State: "running", Namespace: l.topo.Namespace(n.Name)}
		if n.Kind == KindRouter {
			if l.mnet != nil {
				ni.MgmtIPv4 = netip.PrefixFrom(l.mnet.addrs[n.Name], l.mnet.gateway.Bits()).String()
			}
			if ln := l.opts.Forwards[n.Name][portSSH]; ln != nil {
				ni.SSH = ln.Addr().String()
			}
			if ln := l.opts.Forwards[n.Name][portNETCONF]; ln != nil {
				ni.NETCONF = ln.Addr().String()
			}
			if r := l.routers[n.Name]; r != nil {
				ni.FactoryLogin = r.FactoryLogin()
			}
		}
		out = append(out, ni)
	}
	slices.SortFunc(out, func(a, b NodeInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}
