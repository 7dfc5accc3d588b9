package schema

// systemNode returns the [edit system] statements a lab needs; the YANG
// excerpt the table is generated from has no system hierarchy. Syntax as
// documented for Junos: host-name, time-zone, root-authentication,
// login user (uid 100..64000, one class per user), services ssh and netconf.
func systemNode() *Node {
	return &Node{Name: "system", Kind: Container, Children: []*Node{
		{Name: "host-name", Kind: Leaf, Type: String, MinLen: 1, MaxLen: 255,
			Pattern: "^[[:alnum:]]([[:alnum:]._-]*[[:alnum:]])?$", PatternMsg: "Must be a string of letters, numbers, dots, dashes and underscores, starting and ending with a letter or number"},
		{Name: "domain-name", Kind: Leaf, Type: String, MinLen: 1, MaxLen: 255},
		{Name: "time-zone", Kind: Leaf, Type: String, Pattern: "^[A-Za-z0-9_+/-]+$", PatternMsg: "Must be a time zone name such as UTC or Europe/Amsterdam"},
		{Name: "root-authentication", Kind: Container, Children: authChildren()},
		{Name: "login", Kind: Container, Children: []*Node{
			{Name: "message", Kind: Leaf, Type: String},
			{Name: "retry-options", Kind: Container, Children: []*Node{
				{Name: "tries-before-disconnect", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{1, 10}}, Default: "10"},
				{Name: "backoff-threshold", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{1, 3}}, Default: "2"},
				{Name: "backoff-factor", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{5, 10}}, Default: "5"},
			}},
			{Name: "user", Kind: List, Keys: []string{"name"}, Children: []*Node{
				{Name: "name", Kind: Leaf, Type: String, NoKeyword: true, MinLen: 1, MaxLen: 64,
					Pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*$", PatternMsg: "Must be a string of letters, numbers, dots, dashes and underscores"},
				{Name: "full-name", Kind: Leaf, Type: String},
				{Name: "uid", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{100, 64000}}},
				{Name: "class", Kind: Leaf, Type: String, Enums: []string{"operator", "read-only", "super-user", "unauthorized"}},
				{Name: "authentication", Kind: Container, Children: authChildren()},
			}},
		}},
		{Name: "services", Kind: Container, Children: []*Node{
			{Name: "ssh", Kind: Container, Presence: true, Children: []*Node{
				{Name: "root-login", Kind: Leaf, Type: Enum, Enums: []string{"allow", "deny", "deny-password"}},
				{Name: "port", Kind: Leaf, Type: Uint, Bits: 16, Ranges: []Range{{1, 65535}}, Default: "22"},
				{Name: "connection-limit", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{1, 250}}},
				{Name: "rate-limit", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{1, 250}}},
				{Name: "max-sessions-per-connection", Kind: Leaf, Type: Uint, Bits: 32, Ranges: []Range{{1, 65535}}},
			}},
			{Name: "netconf", Kind: Container, Presence: true, Children: []*Node{
				{Name: "ssh", Kind: Container, Presence: true, Children: []*Node{
					{Name: "port", Kind: Leaf, Type: Uint, Bits: 16, Ranges: []Range{{1, 65535}}, Default: "830"},
				}},
				{Name: "rfc-compliant", Kind: Leaf, Type: Empty},
				{Name: "version-1.1", Kind: Leaf, Type: Empty},
			}},
		}},
	}}
}

// authChildren are the password and key statements of root-authentication
// and of a login user's authentication.
func authChildren() []*Node {
	key := func(name string) *Node {
		return &Node{Name: name, Kind: List, Keys: []string{"name"}, Ordered: true, Children: []*Node{
			{Name: "name", Kind: Leaf, Type: String, NoKeyword: true, Secret: true, MinLen: 1},
		}}
	}
	return []*Node{
		{Name: "encrypted-password", Kind: Leaf, Type: Password, Secret: true, MinLen: 1, MaxLen: 128},
		{Name: "plain-text-password", Kind: Leaf, Type: Empty, Prompt: true},
		key("ssh-rsa"),
		key("ssh-ecdsa"),
		key("ssh-ed25519"),
	}
}
