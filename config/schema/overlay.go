package schema

import (
	"strings"
	"sync"
)

// builder builds the schema root once. The generated table (junosRoot) is
// laid out by the linker; building only links Parent pointers and merges the
// overlay below, so the first call costs well under a millisecond.
type builder struct {
	once sync.Once
	root *Node
}

var shared builder

// Root returns the root of the configuration schema: the generated Junos
// table with the overlay of this file merged in. The table is built on the
// first call and shared, read-only, by every caller of the process.
func Root() *Node { return shared.get() }

func (b *builder) get() *Node {
	b.once.Do(func() { b.root, _ = build(junosRoot) })
	return b.root
}

// build merges the overlay into r and links every Parent pointer. It returns
// the overlay paths that name no statement (none, as a test checks). build
// may run again on a built tree: each step finds its work already done.
func build(r *Node) (*Node, []string) {
	var missing []string
	at := func(path string) *Node {
		n := lookup(r, path)
		if n == nil {
			missing = append(missing, path)
		}
		return n
	}
	insertBefore(r, systemNode(), "chassis")
	if u := at("interfaces interface unit"); u != nil {
		insertBefore(u, dialOptions(), "family")
	}
	for path, t := range typeOverrides {
		if n := at(path); n != nil {
			n.Type, n.Bits, n.Ranges = t.Type, t.Bits, t.Ranges
			n.Secret = n.Secret || t.Type == Unreadable
		}
	}
	for _, m := range mandatory {
		if n := at(m.path); n != nil {
			n.Mandatory = true
		}
	}
	for _, d := range defaults {
		if n := at(d.path); n != nil {
			n.Default = d.value
		}
	}
	for _, h := range helpTexts {
		if n := at(h.path); n != nil {
			n.Help = h.value
		}
	}
	link(r, nil)
	return r, missing
}

// lookup finds a statement by its keywords, separated by spaces. It does not
// use Child, whose index must not be built before the overlay is merged.
func lookup(r *Node, path string) *Node {
	n := r
	for _, w := range strings.Fields(path) {
		var next *Node
		for _, c := range n.Children {
			if c.Name == w {
				next = c
				break
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// dialOptions is [edit interfaces IFD unit N dial-options], which the YANG
// excerpt lacks: "ipsec-interface-id ID" puts a services unit into the pool
// that an access profile's interface-id names, "shared" lets it carry many
// dynamic tunnels, "dedicated" one at a time (Junos, "Configuring the
// Interface Identifier for IPsec Dynamic Endpoint Tunnels").
func dialOptions() *Node {
	return &Node{Name: "dial-options", Kind: Container, Children: []*Node{
		{Name: "ipsec-interface-id", Kind: Leaf, Type: String, MinLen: 1, MaxLen: 32,
			Pattern: "^[[:alnum:]][[:alnum:]_-]*$", PatternMsg: "Must be a string beginning with a number or letter and consisting of letters, numbers, dashes and underscores."},
		{Name: "shared", Kind: Leaf, Type: Empty, Choice: "mode", Case: "shared"},
		{Name: "dedicated", Kind: Leaf, Type: Empty, Choice: "mode", Case: "dedicated"},
	}}
}

// insertBefore adds n to r's children before the child named before, unless
// r already has a child of n's name.
func insertBefore(r, n *Node, before string) {
	at := len(r.Children)
	for i, c := range r.Children {
		if c.Name == n.Name {
			return
		}
		if c.Name == before {
			at = i
		}
	}
	kids := make([]*Node, 0, len(r.Children)+1)
	kids = append(kids, r.Children[:at]...)
	kids = append(kids, n)
	r.Children = append(kids, r.Children[at:]...)
}

func link(n, parent *Node) {
	n.Parent = parent
	for _, c := range n.Children {
		link(c, n)
	}
}

// typeOverride replaces the value type of a statement whose YANG type is a
// plain string although Junos checks its syntax.
type typeOverride struct {
	Type   Type
	Bits   uint8
	Ranges []Range
}

// typeOverrides: statements typed "string" in the YANG.
//   - Physical interface names are checked by the CLI ("invalid interface
//     type in 'sdfsdf'.", reference/junos-cli.md §1.9).
//   - Logical unit numbers: "Range: 0 through 16,385" (Junos unit statement,
//     [edit class-of-service interfaces interface-name unit]).
//   - 802.1Q VLAN IDs 1 through 4094 (0 and 4095 are reserved), and the
//     media MTU of MX Ethernet ports, 256 through 9192 bytes.
//   - Keys of IPsec and IKE are secrets Junos stores and shows as $9$
//     (spec I2: "Keys are stored and shown encrypted").
var typeOverrides = map[string]typeOverride{
	"interfaces interface name":                                                         {Type: InterfaceDevice},
	"interfaces interface unit name":                                                    {Type: Uint, Bits: 32, Ranges: []Range{{0, 16385}}},
	"interfaces interface unit vlan-id":                                                 {Type: Uint, Bits: 16, Ranges: []Range{{1, 4094}}},
	"interfaces interface mtu":                                                          {Type: Uint, Bits: 32, Ranges: []Range{{256, 9192}}},
	"routing-instances instance interface name":                                         {Type: InterfaceName},
	"services ipsec-vpn ike policy pre-shared-key ascii-text":                           {Type: Unreadable},
	"services ipsec-vpn ike policy pre-shared-key hexadecimal":                          {Type: Unreadable},
	"access profile client ike pre-shared-key ascii-text":                               {Type: Unreadable},
	"access profile client ike pre-shared-key hexadecimal":                              {Type: Unreadable},
	"services ipsec-vpn rule term then manual direction authentication key ascii-text":  {Type: Unreadable},
	"services ipsec-vpn rule term then manual direction authentication key hexadecimal": {Type: Unreadable},
	"services ipsec-vpn rule term then manual direction encryption key ascii-text":      {Type: Unreadable},
	"services ipsec-vpn rule term then manual direction encryption key hexadecimal":     {Type: Unreadable},
}

type pathFlag struct {
	path string
	why  string
}

// mandatory lists statements Junos requires that the YANG does not mark
// mandatory. A commit fails when the parent exists without them.
//
//	statement                                          source
//	system login user class                            "You must configure one class for each user" (class, [edit system login user])
//	services ipsec-vpn rule match-direction            "Each rule must include a match-direction statement" (Configuring Match Direction for IPsec Rules)
//	... manual direction protocol / spi                "Manual SAs require you to configure all security parameters of the SA" (J-series IPsec configuration guide); an SA has no default SPI or protocol
var mandatory = []pathFlag{
	{"system login user class", "one class per user"},
	{"services ipsec-vpn rule match-direction", "each IPsec rule needs a match direction"},
	{"services ipsec-vpn rule term then manual direction protocol", "a manual SA needs its protocol"},
	{"services ipsec-vpn rule term then manual direction spi", "a manual SA needs its SPI"},
}

type pathValue struct{ path, value string }

// defaults the YANG lacks, from the documentation (reference/ipsec.md §1.1
// and spec/ipsec-service-sets.md):
//   - lifetime-seconds: 3600 s for IKE, 28,800 s for IPsec (junos9.5
//     lifetime-seconds-edit-services).
//   - IKE policy mode main ("By default, main mode is enabled") and version 1
//     (spec I2: "IKE version 1 is the default").
//   - anti-replay-window-size: 128 on Multiservices PICs and DPCs (64 is the
//     AS PIC value; junos13.2 anti-replay-window-size).
//   - tunnel-mtu: 1500 whatever the interface MTU (spec O9).
//
// A default never counts as configured: constraints see only what the user
// set.
var defaults = []pathValue{
	{"services ipsec-vpn ike proposal lifetime-seconds", "3600"},
	{"services ipsec-vpn ipsec proposal lifetime-seconds", "28800"},
	{"services ipsec-vpn ike policy mode", "main"},
	{"services ipsec-vpn ike policy version", "1"},
	{"services service-set ipsec-vpn-options anti-replay-window-size", "128"},
	{"services ipsec-vpn rule term then anti-replay-window-size", "128"},
	{"services service-set ipsec-vpn-options tunnel-mtu", "1500"},
	{"services ipsec-vpn rule term then tunnel-mtu", "1500"},
}
