package config

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"mxlab/config/schema"
)

// Hand-made schema builders for the constraint tests.

func sn(name string, kind schema.Kind, kids ...*schema.Node) *schema.Node {
	n := &schema.Node{Name: name, Kind: kind, Children: kids}
	if kind == schema.Leaf || kind == schema.LeafList {
		n.Type = schema.String
	}
	for _, k := range kids {
		k.Parent = n
	}
	return n
}

func ctr(name string, kids ...*schema.Node) *schema.Node { return sn(name, schema.Container, kids...) }
func leaf(name string) *schema.Node                      { return sn(name, schema.Leaf) }
func leafList(name string) *schema.Node                  { return sn(name, schema.LeafList) }

func flag(name string) *schema.Node {
	n := sn(name, schema.Leaf)
	n.Type = schema.Empty
	return n
}

// list builds a list keyed by its first child, a nokeyword leaf "name".
func list(name string, kids ...*schema.Node) *schema.Node {
	key := leaf("name")
	key.NoKeyword = true
	n := sn(name, schema.List, append([]*schema.Node{key}, kids...)...)
	n.Keys = []string{"name"}
	return n
}

func nokw(n *schema.Node) *schema.Node { n.NoKeyword = true; return n }

func must(n *schema.Node, expr, msg string) *schema.Node {
	n.Musts = append(n.Musts, schema.Must{Expr: expr, Msg: msg})
	return n
}

// keyMust adds a constraint to the key leaf of list n.
func keyMust(n *schema.Node, expr, msg string) *schema.Node {
	must(n.Child(n.Keys[0]), expr, msg)
	return n
}

// testSchema mimics the shape of the Junos statements the tests use.
func testSchema() *schema.Node {
	local := ctr("local-gateway",
		nokw(leaf("address")),
		must(leaf("routing-instance"), `("routing-instances $$")`, "Referenced routing-instance must be defined"),
		must(must(leaf("interface"), `(!(".. address"))`, "Either interface or address can be defined for local-gateway"),
			`(("interfaces $$-IFL family inet address" || "interfaces $$-IFL family inet dhcp"))`,
			"Interface with ipv4 address or dhcp-client must be defined in the interfaces hierarchy"),
		must(leaf("gw-interface"), `(("interfaces $$-IFL family inet address" || "interfaces $$-IFL family inet6 address"))`,
			"gw-interface must be an IFL and Interface with ip address must be defined in the interfaces hierarchy"),
	)
	opts := ctr("ipsec-vpn-options",
		must(leafList("trusted-ca"), `("security pki ca-profile $$")`, "Referenced ca-profile must be defined"),
		local,
		must(flag("clear-dont-fragment-bit"), `((!(".. copy-dont-fragment-bit") && !(".. set-dont-fragment-bit")))`,
			"'clear' option can not be configured if either of 'copy' or 'set' is already configured"),
		must(flag("copy-dont-fragment-bit"), `((!(".. clear-dont-fragment-bit") && !(".. set-dont-fragment-bit")))`,
			"'copy' option can not be configured if either of 'clear' or 'set' is already configured"),
		flag("set-dont-fragment-bit"),
		must(flag("no-nat-traversal"), `!("services ipsec-vpn disable-natt")`, "disable-natt must not be defined"),
	)
	serviceSet := list("service-set",
		keyMust(must(list("ipsec-vpn-rules"), `(".. ipsec-vpn-options local-gateway")`, "Local gateway must be configured with IPSec rules"),
			`("services ipsec-vpn rule $$")`, "Referenced IPSec VPN rule must be defined under [edit services ipsec-vpn rule]"),
		opts,
		must(leaf("tag"), `unique "services service-set <*> tag $$"`, "tag must be unique"),
	)
	direction := keyMust(list("direction", leaf("protocol"), must(leaf("auxiliary-spi"), `(".. protocol bundle")`, "Auxiliary SPI must be configured with protocol bundle only")),
		`((!(".. .. direction $$={inbound}") && !(".. .. direction $$={outbound}")) || !(".. .. direction bidirectional"))`,
		"Outbound or inbound blocks must not be configured")
	ipsecVPN := ctr("ipsec-vpn",
		list("rule", list("term", ctr("then", ctr("manual", direction)))),
		flag("disable-natt"),
	)
	iface := list("interface",
		ctr("container-options", flag("container-list")),
		ctr("es-options", leaf("backup-interface")),
		must(leaf("mtu"), `(!("interfaces ${interface} container-options container-list"))`, "mtu is not supported for container child interfaces"),
		list("unit", ctr("family",
			ctr("inet", list("address"), ctr("dhcp")),
			ctr("inet6", list("address")),
		)),
	)
	keyMust(iface, `(!(".. es-options backup-interface $$"))`, "Primary and backup ES PIC interfaces must be different")
	iface.NoKeyword = true
	instance := list("instance",
		leaf("instance-type"),
		list("interface", must(flag("primary"), `((".. .. instance-type vrf" || ".. .. instance-type mpls-internet-multicast"))`,
			"'primary' option can only be configured for instance-type 'vrf' or 'mpls-internet-multicast'")),
		must(ctr("protocols", ctr("pim"), must(leaf("bogus"), `("routing-instances ${nowhere}")`, "never")),
			`((!(". pim") || (".. instance-type" && !(".. instance-type no-forwarding"))))`,
			"pim configuration is not allowed for 'instance-type no-forwarding'"),
	)
	instance.NoKeyword = true
	client := must(list("client", ctr("l2tp"), ctr("ppp"), ctr("ike")),
		`(((!(any ". <*> l2tp") || !(any ". <*> ppp")) && ((!(any ". <*> l2tp") || !(any ". <*> ike")) && (!(any ". <*> ike") || !(any ". <*> ppp")))))`,
		"All clients in one profile must be either PPP or L2TP or IKE")
	ospf := ctr("ospf", list("interface",
		must(leaf("ipsec-sa"), `(!(any ".. .. interface <st*> ipsec-sa $$"))`, "Must not configure ipsec-sa for st0 interface"),
		must(leaf("keychain"), `(all "security authentication-key-chains key-chain $$ key <*> algorithm")`, "Referenced keychain key-id algorithm not configured"),
	))
	return ctr("",
		ctr("access", list("profile", client)),
		ctr("interfaces", iface),
		ctr("protocols", ospf),
		ctr("routing-instances", instance),
		ctr("security",
			ctr("authentication-key-chains", list("key-chain", list("key", leaf("algorithm")))),
			ctr("pki", list("ca-profile")),
		),
		ctr("services", serviceSet, ipsecVPN),
	)
}

// tset applies one "set" line (without "set") to root: keywords descend,
// list keys and leaf values follow their keyword, keyword-less lists take
// the word as key, later keys of a list may follow their keyword. A leading
// "inactive:" word marks the last statement. Double quotes group words.
func tset(t testing.TB, root *Node, line string) {
	t.Helper()
	words := splitWords(line)
	inactive := len(words) > 0 && words[0] == "inactive:"
	if inactive {
		words = words[1:]
	}
	cur, last := root, root
	for i := 0; i < len(words); i++ {
		s := cur.S.Child(words[i])
		if s == nil || s.IsKey() || (s.NoKeyword && s.Kind == schema.List) {
			s = nil
			for _, c := range cur.S.Children {
				if c.NoKeyword && !c.IsKey() && c.Kind != schema.Container {
					s = c
				}
			}
			if s == nil {
				t.Fatalf("set %s: no statement %q at %q", line, words[i], cur.S.Name)
			}
			i-- // the word is the key or value
		}
		var vals []string
		if s.Kind == schema.List || (s.Kind != schema.Container && s.Type != schema.Empty) {
			if i+1 >= len(words) {
				t.Fatalf("set %s: %q needs a value", line, s.Name)
			}
			n := 1
			if s.Kind == schema.List {
				n = len(s.Keys)
			}
			for k := 0; k < n && i+1 < len(words); k++ {
				if s.Kind == schema.List && words[i+1] == s.Keys[k] && i+2 < len(words) {
					i++ // a key given after its keyword
				}
				i++
				vals = append(vals, words[i])
			}
		}
		x := findKid(cur, s, vals)
		if x == nil {
			x = &Node{S: s, Parent: cur}
			if s.Kind == schema.List {
				x.Keys = vals
			}
			cur.Kids = append(cur.Kids, x)
		}
		switch s.Kind {
		case schema.Leaf:
			x.Value = strings.Join(vals, "")
		case schema.LeafList:
			if !containsString(x.Values, vals[0]) {
				x.Values = append(x.Values, vals[0])
			}
		default:
			cur = x
		}
		last = x
	}
	last.Inactive = inactive
}

// splitWords splits a command line at spaces; double quotes group words.
func splitWords(line string) []string {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			end := strings.IndexByte(line[1:], '"')
			if end < 0 {
				end = len(line) - 1
			}
			out = append(out, line[1:1+end])
			line = line[min(len(line), end+2):]
			continue
		}
		w, rest, _ := strings.Cut(line, " ")
		out, line = append(out, w), rest
	}
	return out
}

func findKid(n *Node, s *schema.Node, keys []string) *Node {
	for _, k := range n.Kids {
		if k.S == s && (s.Kind != schema.List || equalStrings(k.Keys, keys)) {
			return k
		}
	}
	return nil
}

// checkMusts evaluates every constraint of the active statements of root
// with a fresh checker.
func checkMusts(root *Node) []*CommitError {
	return newMustChecker().check(root)
}

func TestCheckMusts(t *testing.T) {
	sch := testSchema()
	base := []string{
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30",
		"interfaces ms-1/2/0 unit 1",
		"interfaces xe-0/0/0 unit 5 family inet6 address 2001:db8::1/64",
		"services ipsec-vpn rule r1",
	}
	tests := []struct {
		name string
		set  []string
		want []string
	}{
		{"clean", nil, nil},
		{"relative path exists", []string{
			"services service-set ss1 ipsec-vpn-rules r1",
			"services service-set ss1 ipsec-vpn-options local-gateway 10.0.1.1",
		}, nil},
		{"relative path missing", []string{"services service-set ss1 ipsec-vpn-rules r1"}, []string{
			"[edit services service-set ss1] 'ipsec-vpn-rules r1': Local gateway must be configured with IPSec rules",
		}},
		{"absolute reference with $$ on a key leaf", []string{
			"services service-set ss1 ipsec-vpn-rules nope",
			"services service-set ss1 ipsec-vpn-options local-gateway 10.0.1.1",
		}, []string{
			"[edit services service-set ss1] 'ipsec-vpn-rules nope': Referenced IPSec VPN rule must be defined under [edit services ipsec-vpn rule]",
		}},
		{"inactive referenced statement counts as absent", []string{
			"services service-set ss1 ipsec-vpn-rules r2",
			"inactive: services ipsec-vpn rule r2",
			"services service-set ss1 ipsec-vpn-options local-gateway 10.0.1.1",
		}, []string{
			"[edit services service-set ss1] 'ipsec-vpn-rules r2': Referenced IPSec VPN rule must be defined under [edit services ipsec-vpn rule]",
		}},
		{"inactive constrained statement is not checked", []string{
			"inactive: services service-set ss1 ipsec-vpn-rules r1",
		}, nil},
		{"inactive ancestor hides constrained statement", []string{
			"services service-set ss1 ipsec-vpn-rules r1",
			"inactive: services service-set ss1",
		}, nil},
		{"not and and", []string{
			"services service-set ss1 ipsec-vpn-options clear-dont-fragment-bit",
			"services service-set ss1 ipsec-vpn-options set-dont-fragment-bit",
		}, []string{
			"[edit services service-set ss1 ipsec-vpn-options] 'clear-dont-fragment-bit': 'clear' option can not be configured if either of 'copy' or 'set' is already configured",
		}},
		{"mutual exclusion reports both", []string{
			"services service-set ss1 ipsec-vpn-options clear-dont-fragment-bit",
			"services service-set ss1 ipsec-vpn-options copy-dont-fragment-bit",
		}, []string{
			"[edit services service-set ss1 ipsec-vpn-options] 'clear-dont-fragment-bit': 'clear' option can not be configured if either of 'copy' or 'set' is already configured",
			"[edit services service-set ss1 ipsec-vpn-options] 'copy-dont-fragment-bit': 'copy' option can not be configured if either of 'clear' or 'set' is already configured",
		}},
		{"absolute flag", []string{
			"services ipsec-vpn disable-natt",
			"services service-set ss1 ipsec-vpn-options no-nat-traversal",
		}, []string{
			"[edit services service-set ss1 ipsec-vpn-options] 'no-nat-traversal': disable-natt must not be defined",
		}},
		{"$$-IFL with unit given", []string{"services service-set ss1 ipsec-vpn-options local-gateway interface ge-1/0/0.0"}, nil},
		{"$$-IFL with unit 0 implied", []string{"services service-set ss1 ipsec-vpn-options local-gateway interface ge-1/0/0"}, nil},
		{"$$-IFL unit without address", []string{"services service-set ss1 ipsec-vpn-options local-gateway interface ms-1/2/0.1"}, []string{
			"[edit services service-set ss1 ipsec-vpn-options local-gateway] 'interface ms-1/2/0.1': Interface with ipv4 address or dhcp-client must be defined in the interfaces hierarchy",
		}},
		{"$$-IFL or second branch", []string{"services service-set ss1 ipsec-vpn-options local-gateway gw-interface xe-0/0/0.5"}, nil},
		{"$$-IFL unknown interface", []string{"services service-set ss1 ipsec-vpn-options local-gateway gw-interface ge-9/9/9.9"}, []string{
			"[edit services service-set ss1 ipsec-vpn-options local-gateway] 'gw-interface ge-9/9/9.9': gw-interface must be an IFL and Interface with ip address must be defined in the interfaces hierarchy",
		}},
		{"sibling nokeyword leaf", []string{
			"services service-set ss1 ipsec-vpn-options local-gateway 10.0.1.1",
			"services service-set ss1 ipsec-vpn-options local-gateway interface ge-1/0/0.0",
		}, []string{
			"[edit services service-set ss1 ipsec-vpn-options local-gateway] 'interface ge-1/0/0.0': Either interface or address can be defined for local-gateway",
		}},
		{"reference into nokeyword list", []string{
			"routing-instances vpn1 instance-type vrf",
			"services service-set ss1 ipsec-vpn-options local-gateway routing-instance vpn1",
		}, nil},
		{"reference into nokeyword list missing", []string{
			"services service-set ss1 ipsec-vpn-options local-gateway routing-instance vpn2",
		}, []string{
			"[edit services service-set ss1 ipsec-vpn-options local-gateway] 'routing-instance vpn2': Referenced routing-instance must be defined",
		}},
		{"leaf-list checks every value", []string{
			"security pki ca-profile ca1",
			"services service-set ss1 ipsec-vpn-options trusted-ca ca1",
			"services service-set ss1 ipsec-vpn-options trusted-ca ca2",
			"services service-set ss1 ipsec-vpn-options trusted-ca ca3",
		}, []string{
			"[edit services service-set ss1 ipsec-vpn-options] 'trusted-ca ca2': Referenced ca-profile must be defined",
			"[edit services service-set ss1 ipsec-vpn-options] 'trusted-ca ca3': Referenced ca-profile must be defined",
		}},
		{"value test true", []string{"routing-instances vpn1 instance-type vrf", "routing-instances vpn1 interface ms-1/2/0.1 primary"}, nil},
		{"value test false", []string{"routing-instances vpn1 instance-type virtual-router", "routing-instances vpn1 interface ms-1/2/0.1 primary"}, []string{
			"[edit routing-instances vpn1 interface ms-1/2/0.1] 'primary': 'primary' option can only be configured for instance-type 'vrf' or 'mpls-internet-multicast'",
		}},
		{"value test on absent leaf", []string{"routing-instances vpn1 interface ms-1/2/0.1 primary"}, []string{
			"[edit routing-instances vpn1 interface ms-1/2/0.1] 'primary': 'primary' option can only be configured for instance-type 'vrf' or 'mpls-internet-multicast'",
		}},
		{"dot is the statement itself", []string{"routing-instances vpn1 instance-type no-forwarding", "routing-instances vpn1 protocols pim"}, []string{
			"[edit routing-instances vpn1] 'protocols': pim configuration is not allowed for 'instance-type no-forwarding'",
		}},
		{"dot path false branch", []string{"routing-instances vpn1 instance-type vrf", "routing-instances vpn1 protocols pim"}, nil},
		{"unknown variable names nothing", []string{"routing-instances vpn1 protocols bogus x"}, []string{
			"[edit routing-instances vpn1 protocols] 'bogus x': never",
		}},
		{"${name} of enclosing list", []string{
			"interfaces ge-2/0/0 container-options container-list",
			"interfaces ge-2/0/0 mtu 1500",
			"interfaces ge-2/0/1 mtu 1500",
		}, []string{
			"[edit interfaces ge-2/0/0] 'mtu 1500': mtu is not supported for container child interfaces",
		}},
		{"key leaf relative value test", []string{"interfaces ge-2/0/0 es-options backup-interface ge-2/0/0"}, []string{
			"[edit interfaces] 'ge-2/0/0': Primary and backup ES PIC interfaces must be different",
		}},
		{"key leaf relative value test other", []string{"interfaces ge-2/0/0 es-options backup-interface ge-2/0/1"}, nil},
		{"$$={literal}", []string{
			"services ipsec-vpn rule r1 term t1 then manual direction bidirectional protocol esp",
			"services ipsec-vpn rule r1 term t1 then manual direction inbound protocol esp",
		}, []string{
			"[edit services ipsec-vpn rule r1 term t1 then manual] 'direction bidirectional': Outbound or inbound blocks must not be configured",
			"[edit services ipsec-vpn rule r1 term t1 then manual] 'direction inbound': Outbound or inbound blocks must not be configured",
		}},
		{"leaf value test on sibling", []string{
			"services ipsec-vpn rule r1 term t1 then manual direction bidirectional protocol esp",
			"services ipsec-vpn rule r1 term t1 then manual direction bidirectional auxiliary-spi 300",
		}, []string{
			"[edit services ipsec-vpn rule r1 term t1 then manual direction bidirectional] 'auxiliary-spi 300': Auxiliary SPI must be configured with protocol bundle only",
		}},
		{"list-level any over entries", []string{"access profile p1 client a l2tp", "access profile p1 client b ike"}, []string{
			"[edit access profile p1] 'client a': All clients in one profile must be either PPP or L2TP or IKE",
			"[edit access profile p1] 'client b': All clients in one profile must be either PPP or L2TP or IKE",
		}},
		{"list-level any same kind", []string{"access profile p1 client a ike", "access profile p1 client b ike", "access profile p2 client c ppp"}, nil},
		{"glob prefix wildcard", []string{
			"protocols ospf interface st0.0 ipsec-sa sa1",
			"protocols ospf interface ge-1/0/0.0 ipsec-sa sa2",
		}, []string{
			"[edit protocols ospf interface st0.0] 'ipsec-sa sa1': Must not configure ipsec-sa for st0 interface",
		}},
		{"all: every key has an algorithm", []string{
			"security authentication-key-chains key-chain kc1 key 1 algorithm hmac-sha-1",
			"security authentication-key-chains key-chain kc1 key 2 algorithm md5",
			"protocols ospf interface ge-1/0/0.0 keychain kc1",
		}, nil},
		{"all: one key lacks it", []string{
			"security authentication-key-chains key-chain kc1 key 1 algorithm hmac-sha-1",
			"security authentication-key-chains key-chain kc1 key 2",
			"protocols ospf interface ge-1/0/0.0 keychain kc1",
		}, []string{
			"[edit protocols ospf interface ge-1/0/0.0] 'keychain kc1': Referenced keychain key-id algorithm not configured",
		}},
		{"unique holds", []string{"services service-set a tag 1", "services service-set b tag 2"}, nil},
		{"unique broken", []string{"services service-set a tag 1", "services service-set b tag 1"}, []string{
			"[edit services service-set a] 'tag 1': tag must be unique",
			"[edit services service-set b] 'tag 1': tag must be unique",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := &Node{S: sch}
			for _, l := range append(append([]string(nil), base...), tc.set...) {
				tset(t, root, l)
			}
			var got []string
			for _, e := range checkMusts(root) {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("set %q\ngot  %q\nwant %q", tc.set, got, tc.want)
			}
		})
	}
}

func TestMustCheckerCache(t *testing.T) {
	sch := testSchema()
	root := &Node{S: sch}
	tset(t, root, "services service-set ss1 ipsec-vpn-options clear-dont-fragment-bit")
	tset(t, root, "services service-set ss1 ipsec-vpn-options copy-dont-fragment-bit")
	mc := newMustChecker()
	first := len(mc.check(root))
	if first != 2 || len(mc.cache) == 0 {
		t.Fatalf("check = %d errors, cache %d entries; want 2 errors and a filled cache", first, len(mc.cache))
	}
	n := len(mc.cache)
	if again := len(mc.check(root)); again != first || len(mc.cache) != n {
		t.Errorf("second check = %d errors, cache %d entries; want %d and %d", again, len(mc.cache), first, n)
	}
}

func TestSplitIFL(t *testing.T) {
	for in, want := range map[string][2]string{
		"ge-1/0/0.0": {"ge-1/0/0", "0"}, "ge-1/0/0": {"ge-1/0/0", "0"},
		"ms-1/2/0.1": {"ms-1/2/0", "1"}, "lo0.16385": {"lo0", "16385"}, "ae0.": {"ae0.", "0"},
	} {
		if d, u := splitIFL(in); d != want[0] || u != want[1] {
			t.Errorf("splitIFL(%q) = %q, %q; want %q, %q", in, d, u, want[0], want[1])
		}
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true}, {"*", "ge-1/0/0.0", true}, {"st*", "st0.0", true}, {"st*", "ge-0/0/0", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*0.0", "st0.0", true}, {"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false}, {"", "", true}, {"", "a", false},
	} {
		if got := globMatch(tc.pat, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, tc.s, got, tc.want)
		}
	}
}

func BenchmarkCheckMusts(b *testing.B) {
	sch := testSchema()
	root := &Node{S: sch}
	for i := range 200 {
		tset(b, root, "services service-set ss"+strconv.Itoa(i)+" ipsec-vpn-rules r1")
		tset(b, root, "services service-set ss"+strconv.Itoa(i)+" ipsec-vpn-options local-gateway interface ge-1/0/0.0")
	}
	tset(b, root, "interfaces ge-1/0/0 unit 0 family inet address 10.0.1.1/30")
	tset(b, root, "services ipsec-vpn rule r1")
	mc := newMustChecker()
	for b.Loop() {
		if errs := mc.check(root); len(errs) != 0 {
			b.Fatal(errs[0])
		}
	}
}
