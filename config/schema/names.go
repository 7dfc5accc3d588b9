package schema

import "strconv"

var kindNames = [...]string{Container: "container", List: "list", Leaf: "leaf", LeafList: "leaf-list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

var typeNames = [...]string{
	None: "none", Empty: "empty", String: "string", Uint: "uint", Int: "int",
	Decimal: "decimal", Enum: "enum", IPAddr: "ipaddr", IPv4Addr: "ipv4addr",
	IPv6Addr: "ipv6addr", IPPrefix: "ipprefix", IPv4Prefix: "ipv4prefix",
	IPv6Prefix: "ipv6prefix", IPPrefixOnly: "ipprefix-only",
	IPPrefixMandatory: "ipprefix-mandatory", IPAddrOrInterface: "ipaddr-or-interface",
	IPv4AddrOrInterface: "ipv4addr-or-interface", InterfaceName: "interface-name",
	InterfaceUnit: "interface-unit", InterfaceDevice: "interface-device",
	AreaID: "areaid", MAC: "mac", Time: "time", Regex: "regex",
	Unreadable: "unreadable", Password: "password",
	IPv4PrefixMandatory: "ipv4prefix-mandatory", IPAddrScoped: "ipaddr-scoped",
	InterfaceWildcard: "interface-wildcard", SysID: "sysid", VLANRange: "vlan-range",
	PolicyAlgebra: "policy-algebra",
}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}
