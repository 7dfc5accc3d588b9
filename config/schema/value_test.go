package schema

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	u16 := &Node{Name: "port", Kind: Leaf, Type: Uint, Bits: 16}
	arw := &Node{Name: "anti-replay-window-size", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{64, 4096}}}
	i32 := &Node{Name: "offset", Kind: Leaf, Type: Int, Bits: 32}
	u64 := &Node{Name: "identifier", Kind: Leaf, Type: Uint, Bits: 64, Ranges: []Range{{2, 18446744073709551615}}}
	dec := &Node{Name: "multiplier", Kind: Leaf, Type: Decimal, Fraction: 2}
	name := &Node{Name: "name", Kind: Leaf, Type: String, MinLen: 1, MaxLen: 8,
		Pattern: "^[[:alnum:]][[:alnum:]_-]*$", PatternMsg: "Must be a string beginning with a number or letter"}
	file := &Node{Name: "filename", Kind: Leaf, Type: String, Pattern: "[/ %]", NotMatch: true}
	bare := &Node{Name: "x", Kind: Leaf, Type: String, Pattern: "^a+$"}
	enum := &Node{Name: "mode", Kind: Leaf, Type: Enum, Enums: []string{"main", "aggressive"}}
	psk := &Node{Name: "ascii-text", Kind: Leaf, Type: Unreadable, Secret: true, MinLen: 1, MaxLen: 4}
	tests := []struct {
		n       *Node
		in, out string
		err     string // "" = valid
	}{
		{u16, "4500", "4500", ""},
		{u16, "65536", "", "value 65536 is not within range (0..65535) at '65536'"},
		{u16, "-1", "", "invalid numeric value: '-1'"},
		{u16, "abc", "", "invalid numeric value: 'abc'"},
		{arw, "64", "64", ""},
		{arw, "10", "", "value 10 is not within range (64..4096) at '10'"},
		{arw, "99999999999999999999", "", "value 99999999999999999999 is not within range (64..4096) at '99999999999999999999'"},
		{i32, "-5", "-5", ""},
		{u64, "18446744073709551615", "18446744073709551615", ""},
		{name, "a\nb", "", "invalid character in value: control characters and invalid UTF-8 are not allowed"},
		{name, "a\x00", "", "invalid character in value: control characters and invalid UTF-8 are not allowed"},
		{&Node{Type: String}, "caf\xe9", "", "invalid character in value: control characters and invalid UTF-8 are not allowed"},
		{&Node{Type: String}, "café au lait", "café au lait", ""},
		{u64, "9223372036854775808", "9223372036854775808", ""},
		{u64, "1", "", "value 1 is not within range (2..18446744073709551615) at '1'"},
		{u64, "18446744073709551616", "", "value 18446744073709551616 is not within range (2..18446744073709551615) at '18446744073709551616'"},
		{i32, "2147483648", "", "value 2147483648 is not within range (-2147483648..2147483647) at '2147483648'"},
		{dec, "1.25", "1.25", ""},
		{dec, "1.255", "", "invalid numeric value: '1.255'"},
		{name, "ss-1", "ss-1", ""},
		{name, "-bad", "", "Must be a string beginning with a number or letter"},
		{name, "toolongname", "", "Must be a string of 8 characters or less"},
		{file, "ipsec.log", "ipsec.log", ""},
		{file, "a/b", "", "Must not match the regular expression '[/ %]'"},
		{bare, "b", "", "Must match the regular expression '^a+$'"},
		{enum, "main", "main", ""},
		{psk, "$9$abcdefghijk", "$9$abcdefghijk", ""},
		{psk, "12345", "", "Must be a string of 4 characters or less"},
		{&Node{Type: Password}, "$6$salt$hash", "$6$salt$hash", ""},
		{&Node{Type: IPAddr}, "192.168.255.2", "192.168.255.2", ""},
		{&Node{Type: IPAddr}, "2001:DB8::1", "2001:db8::1", ""},
		{&Node{Type: IPv4Addr}, "10.1", "10.1.0.0", ""},
		{&Node{Type: IPv4Addr}, "0x0a000001", "10.0.0.1", ""},
		{&Node{Type: IPv4Addr}, "10.0.0.256", "", "invalid ip address or hostname: 10.0.0.256"},
		{&Node{Type: IPv4Addr}, "2001:db8::1", "", "invalid ip address or hostname: 2001:db8::1"},
		{&Node{Type: IPv6Addr}, "10.0.0.1", "", "invalid ip address or hostname: 10.0.0.1"},
		{&Node{Type: IPPrefix}, "10/8", "10.0.0.0/8", ""},
		{&Node{Type: IPv4Prefix}, "10.0.0.1/24", "10.0.0.1/24", ""},
		{&Node{Type: IPv4Prefix}, "10.0.0.1/33", "", "Invalid prefix length: 33"},
		{&Node{Type: IPv6Prefix}, "2001:db8::/64", "2001:db8::/64", ""},
		{&Node{Type: IPPrefixOnly}, "192.168.255.2/32", "192.168.255.2/32", ""},
		{&Node{Type: IPPrefixMandatory}, "10.0.0.0", "", "Invalid prefix length: prefix length required"},
		{&Node{Type: IPv4PrefixMandatory}, "10.0.0.0/8", "10.0.0.0/8", ""},
		{&Node{Type: IPv4PrefixMandatory}, "2001:db8::/32", "", "invalid ip address or hostname: 2001:db8::"},
		{&Node{Type: IPAddrScoped}, "fe80::1%ge-0/0/0.0", "fe80::1%ge-0/0/0.0", ""},
		{&Node{Type: IPAddrScoped}, "10.0.0.1", "10.0.0.1", ""},
		{&Node{Type: IPAddrScoped}, "2001:db8::1%ge-0/0/0", "", "invalid ip address or hostname: 2001:db8::1%ge-0/0/0"},
		{&Node{Type: InterfaceWildcard}, "ge-1/0/*", "ge-1/0/*", ""},
		{&Node{Type: InterfaceWildcard}, "ge-1/0/0.0", "ge-1/0/0.0", ""},
		{&Node{Type: InterfaceWildcard}, "ge-*;", "", "invalid interface name in 'ge-*;'."},
		{&Node{Type: SysID}, "0100.0000.00AB", "0100.0000.00ab", ""},
		{&Node{Type: SysID}, "0100.0000", "", "invalid system id: 0100.0000"},
		{&Node{Type: VLANRange}, "100-200", "100-200", ""},
		{&Node{Type: VLANRange}, "7", "7", ""},
		{&Node{Type: VLANRange}, "200-100", "", "invalid vlan range: 200-100"},
		{&Node{Type: VLANRange}, "0", "", "invalid vlan range: 0"},
		{&Node{Type: IPAddrOrInterface}, "ms-1/2/0.1", "ms-1/2/0.1", ""},
		{&Node{Type: IPAddrOrInterface}, "10.0.1.2", "10.0.1.2", ""},
		{&Node{Type: IPv4AddrOrInterface}, "ge-0/0/1", "ge-0/0/1.0", ""},
		{&Node{Type: IPv4AddrOrInterface}, "lo0", "lo0.0", ""},
		{&Node{Type: IPv4AddrOrInterface}, "10.0.0.300", "", "invalid ip address or hostname: 10.0.0.300"},
		{&Node{Type: InterfaceName}, "ge-1/0/0", "ge-1/0/0", ""},
		{&Node{Type: InterfaceName}, "xe-2/1/3:1.100", "xe-2/1/3:1.100", ""},
		{&Node{Type: InterfaceName}, "ams0.1", "ams0.1", ""},
		{&Node{Type: InterfaceName}, "irb.10", "irb.10", ""},
		{&Node{Type: InterfaceName}, "sdfsdf", "", "invalid interface type in 'sdfsdf'."},
		{&Node{Type: InterfaceName}, "ge-20/0/0", "", "invalid FPC number in 'ge-20/0/0'."},
		{&Node{Type: InterfaceName}, "ms-1/4/0", "", "invalid PIC number in 'ms-1/4/0'."},
		{&Node{Type: InterfaceName}, "ge-1/0/48", "", "invalid port number in 'ge-1/0/48'."},
		{&Node{Type: InterfaceName}, "ge-1/0/0.16386", "", "invalid unit number in 'ge-1/0/0.16386'."},
		{&Node{Type: InterfaceName}, "ge-1/0", "", "invalid interface type in 'ge-1/0'."},
		{&Node{Type: InterfaceUnit}, "sp-1/2/0.1", "sp-1/2/0.1", ""},
		{&Node{Type: InterfaceUnit}, "ms-1/2/0", "ms-1/2/0", ""},
		{&Node{Type: InterfaceDevice}, "ge-01/0/0", "ge-1/0/0", ""},
		{&Node{Type: InterfaceDevice}, "fxp0", "fxp0", ""},
		{&Node{Type: InterfaceDevice}, "ge-1/0/0.0", "", "logical unit not allowed in 'ge-1/0/0.0'."},
		{&Node{Type: InterfaceDevice}, "lo1", "", "invalid interface number in 'lo1'."},
		{&Node{Type: AreaID}, "0", "0.0.0.0", ""},
		{&Node{Type: AreaID}, "0.0.0.1", "0.0.0.1", ""},
		{&Node{Type: AreaID}, "x", "", "invalid area id: x"},
		{&Node{Type: MAC}, "00:1F:12:AB:cd:ef", "00:1f:12:ab:cd:ef", ""},
		{&Node{Type: MAC}, "001f.12ab.cdef", "00:1f:12:ab:cd:ef", ""},
		{&Node{Type: MAC}, "00:1f:12", "", "invalid MAC address: 00:1f:12"},
		{&Node{Type: Time}, "2026-01-02.03:04", "2026-01-02.03:04", ""},
		{&Node{Type: Time}, "2026-13-02.03:04", "", "invalid time: 2026-13-02.03:04"},
		{&Node{Type: Regex}, "^ge-.*", "^ge-.*", ""},
		{&Node{Type: Regex}, "(", "", "invalid regular expression: ("},
	}
	for _, tt := range tests {
		got, err := tt.n.Check(tt.in)
		if tt.err == "" {
			if err != nil || got != tt.out {
				t.Errorf("%v.Check(%q) = %q, %v; want %q", tt.n.Type, tt.in, got, err, tt.out)
			}
			continue
		}
		var ve *ValueError
		if !errors.As(err, &ve) || err.Error() != tt.err {
			t.Errorf("%v.Check(%q) error = %v; want %q", tt.n.Type, tt.in, err, tt.err)
		}
	}
}

func TestCheckSentinels(t *testing.T) {
	enum := &Node{Type: Enum, Enums: []string{"input", "output"}}
	if _, err := enum.Check("in"); !errors.Is(err, ErrNotKeyword) {
		t.Errorf("enum Check(in) = %v, want ErrNotKeyword", err)
	}
	if _, err := (&Node{Type: Empty}).Check("x"); !errors.Is(err, ErrNoValue) {
		t.Errorf("empty Check(x) = %v, want ErrNoValue", err)
	}
}

func TestCheckTable(t *testing.T) {
	r := Root()
	const asMsg = "Use format 'x' or 'x.y' to specify number 'x' (Range 1 .. 4294967295) or number with higher 2 bytes 'x' (Range 0 .. 65535) and lower 2 bytes 'y' (Range 0 .. 65535) respectively"
	tests := []struct{ path, in, want string }{
		{"services service-set ipsec-vpn-options anti-replay-window-size", "10", "value 10 is not within range (64..4096) at '10'"},
		{"interfaces interface name", "sdfsdf", "invalid interface type in 'sdfsdf'."},
		{"interfaces interface unit name", "16386", "value 16386 is not within range (0..16385) at '16386'"},
		{"services service-set name", "-x", "Must be a string beginning with a number or letter and consisting of letters, numbers, dashes, underscores, forward slashes, colons and dots."},
		{"services ipsec-vpn rule term then manual direction spi", "255", "value 255 is not within range (256..16639) at '255'"},
		{"system login user uid", "99", "value 99 is not within range (100..64000) at '99'"},
		{"routing-options autonomous-system as-number", "4294967296", asMsg},
		{"routing-options autonomous-system as-number", "0", asMsg},
		{"routing-options autonomous-system as-number", "1.65536", asMsg},
		{"routing-options autonomous-system as-number", "1a2", asMsg},
		{"routing-options autonomous-system as-number", "x", asMsg},
		{"routing-options autonomous-system as-number", "4294967295", ""},
		{"routing-options autonomous-system as-number", "0.65535", ""},
		{"routing-options autonomous-system as-number", "65000", ""},
	}
	for _, tt := range tests {
		n := lookup(r, tt.path)
		if n == nil {
			t.Fatalf("%s: not in the table", tt.path)
		}
		_, err := n.Check(tt.in)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: Check(%q) = %v, want no error", tt.path, tt.in, err)
			}
			continue
		}
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: Check(%q) = %v, want %q", tt.path, tt.in, err, tt.want)
		}
	}
}

func TestPlaceholderAndRange(t *testing.T) {
	r := Root()
	tests := []struct{ path, ph, rng string }{
		{"services service-set ipsec-vpn-options local-gateway address", "<address>", ""},
		{"services service-set ipsec-vpn-options anti-replay-window-size", "<anti-replay-window-size>", "(64..4096)"},
		{"interfaces interface name", "<interface_name>", ""},
		{"interfaces interface unit name", "<interface_unit_number>", "(0..16385)"},
		{"interfaces interface unit family inet address name", "<prefix>", ""},
		{"routing-options static route name", "<prefix>", ""},
		{"services service-set name", "<name>", ""},
		{"protocols ospf area name", "<area_id>", ""},
		{"services ipsec-vpn rule term then manual direction spi", "<spi>", "(256..16639)"},
		{"routing-options router-id", "<router-id>", ""},
	}
	for _, tt := range tests {
		n := lookup(r, tt.path)
		if n == nil {
			t.Fatalf("%s: not in the table", tt.path)
		}
		if got := n.Placeholder(); got != tt.ph {
			t.Errorf("%s: Placeholder() = %q, want %q", tt.path, got, tt.ph)
		}
		if got := n.RangeHelp(); got != tt.rng {
			t.Errorf("%s: RangeHelp() = %q, want %q", tt.path, got, tt.rng)
		}
	}
}

// FuzzCheck feeds random values to one node of every value type: Check must
// not panic, and a value it accepts must be accepted again unchanged.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"0", "10.0.0.1/24", "ge-1/0/0.0", "$9$x", "2001:db8::1", "0x0a000001", "aa:bb:cc:dd:ee:ff", "ams0.1", "-1", "1.5"} {
		f.Add(s)
	}
	var nodes []*Node
	for ty := Empty; ty <= Password; ty++ {
		nodes = append(nodes, &Node{Type: ty, Bits: 32, MaxLen: 16, Pattern: "^[[:alnum:]]"})
	}
	nodes = append(nodes, &Node{Type: Uint, Bits: 8, Ranges: []Range{{1, 5}, {7, 9}}})
	f.Fuzz(func(t *testing.T, v string) {
		for _, n := range nodes {
			out, err := n.Check(v)
			if err != nil {
				continue
			}
			again, err := n.Check(out)
			if err != nil || again != out {
				t.Fatalf("%v: Check(%q) = %q, but Check(%q) = %q, %v", n.Type, v, out, out, again, err)
			}
		}
	})
}
