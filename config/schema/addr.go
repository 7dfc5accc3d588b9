package schema

import (
	"net/netip"
	"strconv"
	"strings"
)

type family uint8

const (
	familyAny family = iota
	family4
	family6
)

// parseV4 reads a Junos IPv4 address: dotted decimal where missing trailing
// octets are zero ("10.1" is 10.1.0.0), or a 32-bit hexadecimal number
// ("0x0a000001").
func parseV4(s string) (netip.Addr, bool) {
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		if len(h) == 0 || len(h) > 8 {
			return netip.Addr{}, false
		}
		u, err := strconv.ParseUint(h, 16, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}), true
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return netip.Addr{}, false
		}
		v, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom4(b), true
}

// parseAddr reads an address of the family.
func parseAddr(s string, f family) (netip.Addr, bool) {
	if strings.Contains(s, ":") {
		if f == family4 {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}, false
		}
		return a, true
	}
	if f == family6 {
		return netip.Addr{}, false
	}
	return parseV4(s)
}

func checkAddr(v string, f family) (string, error) {
	a, ok := parseAddr(v, f)
	if !ok {
		return "", valueErr(v, "invalid ip address or hostname: %s", v)
	}
	return a.String(), nil
}

// checkPrefix validates ADDRESS[/LEN] (LEN required when mandatory). Host
// bits are kept as typed: an interface address is a prefix with host bits.
func checkPrefix(v string, f family, mandatory bool) (string, error) {
	addr, length, hasLen := strings.Cut(v, "/")
	a, ok := parseAddr(addr, f)
	if !ok {
		return "", valueErr(v, "invalid ip address or hostname: %s", addr)
	}
	if !hasLen {
		if mandatory {
			return "", valueErr(v, "Invalid prefix length: prefix length required")
		}
		return a.String(), nil
	}
	n, err := strconv.Atoi(length)
	if err != nil || n < 0 || n > a.BitLen() || length != strconv.Itoa(n) {
		return "", valueErr(v, "Invalid prefix length: %s", length)
	}
	return a.String() + "/" + length, nil
}

// addrOrInterface accepts an address or a logical interface; a physical
// interface means its unit 0 (Junos DDL type ipaddr-or-interface).
func addrOrInterface(v string, f family) (string, error) {
	if a, ok := parseAddr(v, f); ok {
		return a.String(), nil
	}
	if looksLikeAddr(v) {
		return "", valueErr(v, "invalid ip address or hostname: %s", v)
	}
	name, err := checkInterface(v, unitOptional)
	if err != nil {
		return "", err
	}
	if !strings.Contains(name, ".") {
		name += ".0"
	}
	return name, nil
}

func looksLikeAddr(v string) bool {
	return strings.Trim(v, "0123456789.") == "" || strings.Contains(v, ":") && !strings.Contains(v, "/")
}

// checkArea accepts an OSPF area as a dotted quad or a number; Junos shows
// it as a dotted quad.
func checkArea(v string) (string, error) {
	if !strings.Contains(v, ".") {
		u, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return "", valueErr(v, "invalid area id: %s", v)
		}
		return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}).String(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil || !a.Is4() {
		return "", valueErr(v, "invalid area id: %s", v)
	}
	return a.String(), nil
}

// checkMAC accepts aa:bb:cc:dd:ee:ff (or with dashes) and aabb.ccdd.eeff,
// shown as lower-case colon-separated bytes.
func checkMAC(v string) (string, error) {
	hex := strings.NewReplacer(":", "", "-", "", ".", "").Replace(strings.ToLower(v))
	ok := len(hex) == 12 && strings.Trim(hex, "0123456789abcdef") == ""
	if ok {
		switch {
		case strings.Count(v, ":") == 5, strings.Count(v, "-") == 5, strings.Count(v, ".") == 2:
		default:
			ok = false
		}
	}
	if !ok {
		return "", valueErr(v, "invalid MAC address: %s", v)
	}
	var b strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(hex[i : i+2])
	}
	return b.String(), nil
}

// checkScopedAddr accepts an address; an IPv6 link-local address may carry
// the logical interface it is reached on after '%' (fe80::1%ge-0/0/0.0).
func checkScopedAddr(v string) (string, error) {
	addr, scope, scoped := strings.Cut(v, "%")
	if !scoped {
		return checkAddr(v, familyAny)
	}
	a, ok := parseAddr(addr, family6)
	if !ok || !a.IsLinkLocalUnicast() {
		return "", valueErr(v, "invalid ip address or hostname: %s", v)
	}
	ifl, err := checkInterface(scope, unitOptional)
	if err != nil {
		return "", err
	}
	return a.String() + "%" + ifl, nil
}

// checkSysID accepts an IS-IS system identifier: three groups of four
// hexadecimal digits separated by dots.
func checkSysID(v string) (string, error) {
	parts := strings.Split(v, ".")
	ok := len(parts) == 3
	for _, p := range parts {
		if len(p) != 4 || strings.Trim(strings.ToLower(p), "0123456789abcdef") != "" {
			ok = false
		}
	}
	if !ok {
		return "", valueErr(v, "invalid system id: %s", v)
	}
	return strings.ToLower(v), nil
}

// checkVLANRange accepts a VLAN ID (1..4094) or a range of them (LOW-HIGH,
// LOW below HIGH).
func checkVLANRange(v string) (string, error) {
	lo, hi, isRange := strings.Cut(v, "-")
	a, errA := strconv.ParseUint(lo, 10, 16)
	b, errB := a, error(nil)
	if isRange {
		b, errB = strconv.ParseUint(hi, 10, 16)
	}
	if errA != nil || errB != nil || a < 1 || b > 4094 || (isRange && a >= b) {
		return "", valueErr(v, "invalid vlan range: %s", v)
	}
	if isRange {
		return strconv.FormatUint(a, 10) + "-" + strconv.FormatUint(b, 10), nil
	}
	return strconv.FormatUint(a, 10), nil
}
