package yanggen

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

// junosTypes maps the jt: typedefs (plain strings in the YANG) to the
// schema types whose syntax mxlab checks itself. Typedefs not listed
// (policy-algebra, community, atm-vci, ...) stay String.
var junosTypes = map[string]string{
	"jt:ipaddr":                "IPAddr",
	"jt:ipv4addr":              "IPv4Addr",
	"jt:ipv6addr":              "IPv6Addr",
	"jt:ipprefix":              "IPPrefix",
	"jt:ipv4prefix":            "IPv4Prefix",
	"jt:ipv6prefix":            "IPv6Prefix",
	"jt:ipprefix-only":         "IPPrefixOnly",
	"jt:ipprefix-mandatory":    "IPPrefixMandatory",
	"jt:ipv4prefix-mandatory":  "IPv4PrefixMandatory",
	"jt:ipaddr-scoped":         "IPAddrScoped",
	"jt:interface-wildcard":    "InterfaceWildcard",
	"jt:sysid":                 "SysID",
	"jt:vlan-range":            "VLANRange",
	"jt:policy-algebra":        "PolicyAlgebra",
	"jt:ipaddr-or-interface":   "IPAddrOrInterface",
	"jt:ipv4addr-or-interface": "IPv4AddrOrInterface",
	"jt:interface-name":        "InterfaceName",
	"jt:interface-unit":        "InterfaceUnit",
	"jt:interface-device":      "InterfaceDevice",
	"jt:areaid":                "AreaID",
	"jt:mac-unicast":           "MAC",
	"jt:mac-multicast":         "MAC",
	"jt:mac-addr":              "MAC",
	"jt:time":                  "Time",
	"jt:regular-expression":    "Regex",
	"jt:unreadable":            "Unreadable",
}

// variablePattern marks the string member Junos adds to numeric and other
// unions so that a value may be an apply-groups variable (<...> or $...).
const variablePattern = "<.*>|$.*"

// leafType fills the type facets of a leaf from its type statement.
//
// Unions: every union in the Junos YANG is "T | string matching <.*>|$.*",
// the second member only admitting group variables. The variable member is
// dropped and T is used. Should a union keep two or more members after that,
// it becomes String, the most permissive type, so no valid value is refused.
func (c *converter) leafType(t *yang.Statement, n *node) error {
	if t == nil {
		return fmt.Errorf("leaf without type")
	}
	if t.Argument == "union" {
		var keep []*yang.Statement
		var names []string
		for _, m := range t.SubStatements() {
			if m.Keyword != "type" {
				continue
			}
			names = append(names, m.Argument)
			if m.Argument == "string" && arg(m, "pattern") == variablePattern {
				continue
			}
			keep = append(keep, m)
		}
		sort.Strings(names)
		c.unions[strings.Join(names, "|")]++
		switch len(keep) {
		case 0:
			n.Type = "String"
			return nil
		case 1:
			t = keep[0]
		default:
			n.Type = "String"
			return nil
		}
	}
	return c.baseType(t, n)
}

func (c *converter) baseType(t *yang.Statement, n *node) error {
	name := t.Argument
	switch {
	case name == "string":
		n.Type = "String"
		return stringFacets(t, n)
	case name == "empty":
		n.Type = "Empty"
	case name == "boolean":
		n.Type = "Enum"
		n.Enums = []string{"true", "false"}
	case name == "enumeration":
		n.Type = "Enum"
		for _, e := range t.SubStatements() {
			if e.Keyword == "enum" {
				n.Enums = append(n.Enums, e.Argument)
			}
		}
	case name == "decimal64":
		n.Type = "Decimal"
		n.Fraction, _ = strconv.Atoi(arg(t, "fraction-digits"))
		return rangeFacet(t, n, math.MinInt64, math.MaxInt64)
	case strings.HasPrefix(name, "uint") || strings.HasPrefix(name, "int"):
		return intType(t, n)
	case strings.HasPrefix(name, "jt:"):
		n.Type = "String"
		if s, ok := junosTypes[name]; ok {
			n.Type = s
		}
		n.Secret = n.Type == "Unreadable"
		return stringFacets(t, n)
	default:
		return fmt.Errorf("unsupported type %q", name)
	}
	return nil
}

func intType(t *yang.Statement, n *node) error {
	name := t.Argument
	unsigned := strings.HasPrefix(name, "u")
	bits, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(name, "u"), "int"))
	if err != nil {
		return fmt.Errorf("integer type %q: %w", name, err)
	}
	n.Bits = bits
	var lo int64
	var hi uint64
	if unsigned {
		n.Type = "Uint"
		hi = math.MaxUint64
		if bits < 64 {
			hi = 1<<bits - 1
		}
	} else {
		n.Type = "Int"
		lo, hi = -1<<(bits-1), 1<<(bits-1)-1
	}
	return rangeFacet(t, n, lo, hi)
}

// rangeFacet parses "a .. b | c | d .. max" into Ranges. Upper bounds are
// unsigned so that a uint64 range keeps its real maximum.
func rangeFacet(t *yang.Statement, n *node, lo int64, hi uint64) error {
	r := arg(t, "range")
	if r == "" {
		return nil
	}
	for _, part := range strings.Split(r, "|") {
		a, b, ok := strings.Cut(part, "..")
		if !ok {
			b = a
		}
		min, err := bound(a, lo, int64(min(hi, math.MaxInt64)))
		if err != nil {
			return err
		}
		max, err := upperBound(b, lo, hi)
		if err != nil {
			return err
		}
		n.Ranges = append(n.Ranges, rng{min, max})
	}
	return nil
}

func bound(s string, lo, hi int64) (int64, error) {
	switch s = strings.TrimSpace(s); s {
	case "min":
		return lo, nil
	case "max":
		return hi, nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f), nil
	}
	return 0, fmt.Errorf("bad range bound %q", s)
}

// upperBound is bound for the upper end of a range, which may exceed the
// int64 maximum in a uint64 range.
func upperBound(s string, lo int64, hi uint64) (uint64, error) {
	switch s = strings.TrimSpace(s); s {
	case "min":
		return uint64(max(lo, 0)), nil
	case "max":
		return hi, nil
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u, nil
	}
	v, err := bound(s, lo, int64(min(hi, math.MaxInt64)))
	if v < 0 {
		return 0, fmt.Errorf("negative upper bound %q", s)
	}
	return uint64(v), err
}

// stringFacets reads length, the Junos POSIX pattern and its message.
func stringFacets(t *yang.Statement, n *node) error {
	if l := arg(t, "length"); l != "" {
		a, b, ok := strings.Cut(l, "..")
		if !ok {
			b = a
		}
		min, err := bound(a, 0, 0)
		if err != nil {
			return err
		}
		max, err := bound(b, 0, 0)
		if err != nil {
			return err
		}
		n.MinLen, n.MaxLen = int(min), int(max)
	}
	for _, s := range t.SubStatements() {
		switch s.Keyword {
		case "junos:posix-pattern":
			if n.Pattern != "" {
				return fmt.Errorf("more than one posix-pattern")
			}
			n.Pattern = s.Argument
			if strings.HasPrefix(n.Pattern, "!") {
				n.Pattern, n.NotMatch = n.Pattern[1:], true
			}
		case "junos:pattern-message":
			n.PatternMsg = s.Argument
		}
	}
	return nil
}
