package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"mxlab/chassis"
	"mxlab/netns"
)

// Node kinds.
const (
	KindRouter = "mx"    // an mxlab router
	KindHost   = "linux" // a plain network namespace
)

// ErrTopology reports a topology file that cannot be run.
var ErrTopology = errors.New("invalid topology")

// Topology is a parsed topology file, with every file it names read.
type Topology struct {
	Name  string
	Dir   string  // the directory of the topology file; relative paths start there
	Nodes []*Node // in name order
	Links []Link
	Mgmt  Mgmt
}

// Node is a router or a host of a lab.
type Node struct {
	Name string
	Kind string // KindRouter or KindHost

	// Routers.
	Layout   chassis.Layout
	Config   string     // the startup configuration text, "" for none
	StateDir string     // "" for a fresh directory under the lab's run directory
	MgmtIPv4 netip.Addr // the fxp0 address on the management network; zero: the next free one
	// Ports are the host loopback ports forwarded to the router's SSH
	// (22) and NETCONF (830) ports; a port not given gets a free one.
	Ports map[int]int // router port -> host port
	// Files are host files copied into the router at Up: router path
	// ("/var/tmp/ca.crt") -> host path.
	Files map[string]string

	// Hosts.
	Interfaces map[string][]netip.Prefix // Linux name -> addresses
	Gateway    netip.Addr                // default route, when valid
}

// Link is a veth pair between two node ports.
type Link struct{ A, B Endpoint }

// Endpoint is one end of a link: a router port by its Junos name
// ("ge-1/0/0") or a host interface by its Linux name ("eth1").
type Endpoint struct {
	Node string
	Port string
}

// String returns "node:port".
func (e Endpoint) String() string { return e.Node + ":" + e.Port }

// Node returns the node of that name, nil when there is none.
func (t *Topology) Node(name string) *Node {
	for _, n := range t.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// Count returns the number of routers and hosts.
func (t *Topology) Count() (routers, hosts int) {
	for _, n := range t.Nodes {
		if n.Kind == KindRouter {
			routers++
		} else {
			hosts++
		}
	}
	return routers, hosts
}

// Namespace returns the name of a node's network namespace: "<lab>-<node>".
func (t *Topology) Namespace(node string) string { return t.Name + "-" + node }

// The file's shape (containerlab's).
type fileTopology struct {
	Name string `yaml:"name"`
	Mgmt struct {
		Network    string `yaml:"network"`
		IPv4Subnet string `yaml:"ipv4-subnet"`
	} `yaml:"mgmt"`
	Topology struct {
		Nodes map[string]fileNode `yaml:"nodes"`
		Links []struct {
			Endpoints []string `yaml:"endpoints"`
		} `yaml:"links"`
	} `yaml:"topology"`
}

type fileNode struct {
	Kind       string               `yaml:"kind"`
	Chassis    string               `yaml:"chassis"`
	Model      string               `yaml:"model"`
	Config     string               `yaml:"config"`
	StateDir   string               `yaml:"state-dir"`
	Files      map[string]string    `yaml:"files"`
	Interfaces map[string]addresses `yaml:"interfaces"`
	Gateway    string               `yaml:"gateway"`
	MgmtIPv4   string               `yaml:"mgmt-ipv4"`
	Ports      []string             `yaml:"ports"`
}

// addresses is one address or a list of them.
type addresses []string

func (a *addresses) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*a = addresses{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*a = l
	return nil
}

// Load reads a topology file and the chassis and configuration files it
// names (relative to its directory).
func Load(path string) (*Topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data, filepath.Dir(abs), os.ReadFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// FilesOf reads the files a topology names from m, by their base name:
// the read function of Parse for a topology built in memory.
func FilesOf(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if s, ok := m[filepath.Base(p)]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
}

// Parse parses a topology; read reads the files it names, given their
// path joined to dir.
func Parse(data []byte, dir string, read func(string) ([]byte, error)) (*Topology, error) {
	var f fileTopology
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTopology, err)
	}
	if err := checkName("lab name", f.Name); err != nil {
		return nil, err
	}
	t := &Topology{Name: f.Name, Dir: dir}
	var err error
	if t.Mgmt, err = parseMgmt(f.Name, f.Mgmt.Network, f.Mgmt.IPv4Subnet); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(f.Topology.Nodes))
	for name := range f.Topology.Nodes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		n, err := parseNode(name, f.Topology.Nodes[name], dir, read)
		if err != nil {
			return nil, err
		}
		t.Nodes = append(t.Nodes, n)
	}
	if len(t.Nodes) == 0 {
		return nil, fmt.Errorf("%w: no nodes", ErrTopology)
	}
	for i, l := range f.Topology.Links {
		link, err := t.parseLink(l.Endpoints)
		if err != nil {
			return nil, fmt.Errorf("link %d: %w", i+1, err)
		}
		t.Links = append(t.Links, link)
	}
	if err := t.checkMgmt(); err != nil {
		return nil, err
	}
	return t, t.check()
}

// checkName accepts names made of letters, digits, '-' and '_' that fit a
// namespace name.
func checkName(what, s string) error {
	if s == "" {
		return fmt.Errorf("%w: %s missing", ErrTopology, what)
	}
	if len(s) > 64 {
		return fmt.Errorf("%w: %s %q longer than 64 characters", ErrTopology, what, s)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: %s %q: only letters, digits, '-' and '_' are allowed", ErrTopology, what, s)
		}
	}
	return nil
}

func parseNode(name string, f fileNode, dir string, read func(string) ([]byte, error)) (*Node, error) {
	if err := checkName("node name", name); err != nil {
		return nil, err
	}
	n := &Node{Name: name, Kind: f.Kind}
	switch f.Kind {
	case KindRouter:
		return n, n.parseRouter(f, dir, read)
	case KindHost:
		return n, n.parseHost(f)
	case "":
		return nil, fmt.Errorf("%w: node %s: kind missing (mx or linux)", ErrTopology, name)
	default:
		return nil, fmt.Errorf("%w: node %s: unknown kind %q (mx or linux)", ErrTopology, name, f.Kind)
	}
}

func (n *Node) parseRouter(f fileNode, dir string, read func(string) ([]byte, error)) error {
	if len(f.Interfaces) > 0 || f.Gateway != "" {
		return fmt.Errorf("%w: node %s: interfaces and gateway are for linux nodes; a router's come from its configuration", ErrTopology, n.Name)
	}
	switch {
	case f.Chassis != "" && f.Model != "":
		return fmt.Errorf("%w: node %s: chassis and model both given", ErrTopology, n.Name)
	case f.Chassis != "":
		data, err := read(inDir(dir, f.Chassis))
		if err != nil {
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
		if n.Layout, err = chassis.ParseLayout(data); err != nil {
			return fmt.Errorf("node %s: %s: %w", n.Name, f.Chassis, err)
		}
	case f.Model != "":
		var err error
		if n.Layout, err = chassis.ParseLayout([]byte("model: " + f.Model + "\n")); err != nil {
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
	}
	if f.Config != "" {
		data, err := read(inDir(dir, f.Config))
		if err != nil {
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
		n.Config = string(data)
	}
	if f.StateDir != "" {
		n.StateDir = inDir(dir, f.StateDir)
	}
	for to, from := range f.Files {
		if !strings.HasPrefix(path.Clean(to), "/var/") && !strings.HasPrefix(path.Clean(to), "/config/") {
			return fmt.Errorf("%w: node %s: file %q: the router path must be under /var or /config", ErrTopology, n.Name, to)
		}
		if n.Files == nil {
			n.Files = map[string]string{}
		}
		n.Files[to] = inDir(dir, from)
	}
	return n.parseMgmt(f)
}

func (n *Node) parseHost(f fileNode) error {
	if f.Chassis != "" || f.Model != "" || f.Config != "" || f.StateDir != "" || len(f.Files) > 0 || f.MgmtIPv4 != "" || len(f.Ports) > 0 {
		return fmt.Errorf("%w: node %s: chassis, model, config, state-dir, files, mgmt-ipv4 and ports are for mx nodes", ErrTopology, n.Name)
	}
	n.Interfaces = map[string][]netip.Prefix{}
	for name, as := range f.Interfaces {
		if err := checkLinuxName(name); err != nil {
			return fmt.Errorf("node %s: %w", n.Name, err)
		}
		for _, a := range as {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				return fmt.Errorf("%w: node %s interface %s: address %q is not a prefix (like 172.16.0.10/16)", ErrTopology, n.Name, name, a)
			}
			n.Interfaces[name] = append(n.Interfaces[name], p)
		}
	}
	if f.Gateway != "" {
		gw, err := netip.ParseAddr(f.Gateway)
		if err != nil {
			return fmt.Errorf("%w: node %s: gateway %q is not an address", ErrTopology, n.Name, f.Gateway)
		}
		n.Gateway = gw
	}
	return nil
}

// checkLinuxName accepts a host interface name Linux allows.
func checkLinuxName(name string) error {
	if name == "" || len(name) > 15 || name == "lo" || name == "." || name == ".." || strings.ContainsAny(name, "/: \t\n\x00") {
		return fmt.Errorf("%w: interface name %q (Linux names are 1-15 characters without '/', ':' or spaces, and not lo)", ErrTopology, name)
	}
	return nil
}

func (t *Topology) parseLink(eps []string) (Link, error) {
	if len(eps) != 2 {
		return Link{}, fmt.Errorf("%w: a link has two endpoints, not %d", ErrTopology, len(eps))
	}
	var l Link
	for i, s := range eps {
		node, port, ok := strings.Cut(s, ":")
		if !ok || node == "" || port == "" {
			return Link{}, fmt.Errorf("%w: endpoint %q is not node:interface", ErrTopology, s)
		}
		n := t.Node(node)
		if n == nil {
			return Link{}, fmt.Errorf("%w: endpoint %q: no node %s", ErrTopology, s, node)
		}
		if err := n.checkPort(port); err != nil {
			return Link{}, fmt.Errorf("endpoint %q: %w", s, err)
		}
		ep := Endpoint{Node: node, Port: port}
		if i == 0 {
			l.A = ep
		} else {
			l.B = ep
		}
	}
	return l, nil
}

// checkPort checks the interface name of an endpoint of n.
func (n *Node) checkPort(port string) error {
	if n.Kind == KindHost {
		return checkLinuxName(port)
	}
	if !isPortName(port) {
		return fmt.Errorf("%w: %s is not a port (ge-, xe-, et- or so- F/P/N)", ErrTopology, port)
	}
	if _, err := netns.LinuxName(port); err != nil {
		return fmt.Errorf("%w: %v", ErrTopology, err)
	}
	if phys, unit := netns.SplitUnit(port); unit >= 0 || phys != port {
		return fmt.Errorf("%w: %s is a logical interface; links join ports", ErrTopology, port)
	}
	return nil
}

func isPortName(s string) bool {
	for _, p := range []string{"ge-", "xe-", "et-", "so-"} {
		if strings.HasPrefix(s, p) && strings.Count(s, "/") == 2 {
			return true
		}
	}
	return false
}

// check verifies that every interface is in at most one link and that
// each host interface with addresses is in one.
func (t *Topology) check() error {
	used := map[Endpoint]bool{}
	for _, l := range t.Links {
		for _, e := range []Endpoint{l.A, l.B} {
			if used[e] {
				return fmt.Errorf("%w: %s is in two links", ErrTopology, e)
			}
			used[e] = true
		}
	}
	for _, n := range t.Nodes {
		for name := range n.Interfaces {
			if !used[Endpoint{Node: n.Name, Port: name}] {
				return fmt.Errorf("%w: node %s interface %s is in no link", ErrTopology, n.Name, name)
			}
		}
	}
	return nil
}

// inDir resolves a path of a topology file: an absolute path is used as
// given, a relative one (".." included) starts at dir, the topology
// file's directory.
func inDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}
