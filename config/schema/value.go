package schema

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotKeyword is returned by Check for an enumeration value that is not
// one of the node's Enums: Junos reads such a value as a misspelled keyword
// and answers "syntax error, expecting ...".
var ErrNotKeyword = errors.New("value is not one of the keywords")

// ErrNoValue is returned by Check for a statement that takes no value.
var ErrNoValue = errors.New("statement takes no value")

// ValueError is a value Junos refuses at set time. The CLI prints a caret
// under the value and Error() below it.
type ValueError struct {
	Value string // the value as typed
	Msg   string // the Junos text, e.g. "value 10 is not within range (64..4096)"
	At    bool   // Junos appends " at 'VALUE'" to Msg
}

func (e *ValueError) Error() string {
	if e.At {
		return e.Msg + " at '" + e.Value + "'"
	}
	return e.Msg
}

func valueErr(v, format string, args ...any) error {
	return &ValueError{Value: v, Msg: fmt.Sprintf(format, args...)}
}

// Check validates v as a value of leaf, leaf-list or list key n and returns
// its canonical form: the form Junos stores and shows (an OSPF area "0" is
// "0.0.0.0", "10/8" is "10.0.0.0/8", an interface given where a logical
// interface or address is expected gets unit 0). Errors are *ValueError,
// ErrNotKeyword or ErrNoValue.
func (n *Node) Check(v string) (string, error) {
	if !printable(v) {
		return "", valueErr(v, "invalid character in value: control characters and invalid UTF-8 are not allowed")
	}
	switch n.Type {
	case Empty, None:
		return "", ErrNoValue
	case Enum:
		for _, e := range n.Enums {
			if e == v {
				return v, nil
			}
		}
		return "", ErrNotKeyword
	case Uint, Int:
		return n.checkInt(v)
	case Decimal:
		return n.checkDecimal(v)
	case Unreadable:
		if strings.HasPrefix(v, "$9$") {
			return v, nil
		}
		return n.checkString(v)
	case String, Password, PolicyAlgebra:
		return n.checkString(v)
	}
	return n.checkSyntax(v)
}

// checkSyntax validates the types whose syntax is Junos' own.
func (n *Node) checkSyntax(v string) (string, error) {
	switch n.Type {
	case IPAddr:
		return checkAddr(v, familyAny)
	case IPv4Addr:
		return checkAddr(v, family4)
	case IPv6Addr:
		return checkAddr(v, family6)
	case IPPrefix, IPPrefixOnly:
		return checkPrefix(v, familyAny, false)
	case IPv4Prefix:
		return checkPrefix(v, family4, false)
	case IPv6Prefix:
		return checkPrefix(v, family6, false)
	case IPPrefixMandatory:
		return checkPrefix(v, familyAny, true)
	case IPv4PrefixMandatory:
		return checkPrefix(v, family4, true)
	case IPAddrScoped:
		return checkScopedAddr(v)
	case InterfaceWildcard:
		return checkInterfaceWildcard(v)
	case SysID:
		return checkSysID(v)
	case VLANRange:
		return checkVLANRange(v)
	case IPAddrOrInterface:
		return addrOrInterface(v, familyAny)
	case IPv4AddrOrInterface:
		return addrOrInterface(v, family4)
	case InterfaceName:
		return checkInterface(v, unitOptional)
	case InterfaceUnit:
		return checkInterface(v, unitOptional)
	case InterfaceDevice:
		return checkInterface(v, unitNone)
	case AreaID:
		return checkArea(v)
	case MAC:
		return checkMAC(v)
	case Time:
		if _, err := time.Parse("2006-01-02.15:04", v); err != nil {
			return "", valueErr(v, "invalid time: %s", v)
		}
		return v, nil
	case Regex:
		if _, err := regexp.CompilePOSIX(v); err != nil {
			return "", valueErr(v, "invalid regular expression: %s", v)
		}
		return v, nil
	}
	return v, nil
}

func (n *Node) checkInt(v string) (string, error) {
	var in bool
	var err error
	var canon string
	if n.Type == Uint {
		var u uint64
		u, err = strconv.ParseUint(v, 10, 64)
		in = err == nil && inRanges(u, false, n.ranges())
		canon = strconv.FormatUint(u, 10)
	} else {
		var x int64
		x, err = strconv.ParseInt(v, 10, 64)
		in = err == nil && inRanges(uint64(x), x < 0, n.ranges())
		canon = strconv.FormatInt(x, 10)
	}
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return "", valueErr(v, "invalid numeric value: '%s'", v)
	}
	if !in {
		return "", &ValueError{Value: v, Msg: fmt.Sprintf("value %s is not within range %s", v, n.rangeText()), At: true}
	}
	return canon, nil
}

func (n *Node) checkDecimal(v string) (string, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return "", valueErr(v, "invalid numeric value: '%s'", v)
	}
	if _, frac, ok := strings.Cut(v, "."); ok && n.Fraction > 0 && len(frac) > int(n.Fraction) {
		return "", valueErr(v, "invalid numeric value: '%s'", v)
	}
	return v, nil
}

// inRanges reports whether the value u (the two's complement of a negative
// int64 when neg) lies in one of rs.
func inRanges(u uint64, neg bool, rs []Range) bool {
	for _, r := range rs {
		switch {
		case neg:
			if int64(u) >= r.Min {
				return true
			}
		case (r.Min <= 0 || u >= uint64(r.Min)) && u <= r.Max:
			return true
		}
	}
	return false
}

// ranges returns the explicit ranges or those of the integer type.
func (n *Node) ranges() []Range {
	if len(n.Ranges) > 0 {
		return n.Ranges
	}
	bits := int(n.Bits)
	if bits == 0 || bits > 64 {
		bits = 64
	}
	if n.Type == Int {
		return []Range{{-1 << (bits - 1), 1<<(bits-1) - 1}}
	}
	if bits == 64 {
		return []Range{{0, math.MaxUint64}}
	}
	return []Range{{0, 1<<bits - 1}}
}

func (n *Node) rangeText() string {
	parts := make([]string, 0, len(n.ranges()))
	for _, r := range n.ranges() {
		parts = append(parts, fmt.Sprintf("%d..%d", r.Min, r.Max))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// RangeHelp returns the range the '?' line shows after the help text, e.g.
// "(64..4096)", or "" for a statement without a declared range.
func (n *Node) RangeHelp() string {
	if len(n.Ranges) == 0 || (n.Type != Uint && n.Type != Int) {
		return ""
	}
	return n.rangeText()
}

// printable reports whether v is valid UTF-8 without control characters:
// a value is shown in prompts, outputs and logs, where a newline or an
// escape sequence would forge lines.
func printable(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// Printable is printable for the callers that check names outside the
// schema (the login name of a session).
func Printable(v string) bool { return printable(v) }

func (n *Node) checkString(v string) (string, error) {
	l := utf8.RuneCountInString(v)
	if l < n.MinLen || (n.MaxLen > 0 && l > n.MaxLen) {
		return "", valueErr(v, "%s", n.lengthText())
	}
	if n.Pattern == "" {
		return v, nil
	}
	re := n.pattern()
	if re == nil || re.MatchString(v) != n.NotMatch {
		if n.Pattern == asNumberPattern && !validASNumber(v) {
			return "", valueErr(v, "%s", n.PatternMsg)
		}
		return v, nil
	}
	if n.PatternMsg != "" {
		return "", valueErr(v, "%s", n.PatternMsg)
	}
	if n.NotMatch {
		return "", valueErr(v, "Must not match the regular expression '%s'", n.Pattern)
	}
	return "", valueErr(v, "Must match the regular expression '%s'", n.Pattern)
}

// asNumberPattern is the YANG pattern of an AS number; its message states
// what the pattern cannot: a plain number x in 1..4294967295, or x.y
// (asdot) with both in 0..65535.
const asNumberPattern = "^[0-9]+(.[0-9]+)?$"

func validASNumber(v string) bool {
	hi, lo, dot := strings.Cut(v, ".")
	if !dot {
		x, err := strconv.ParseUint(v, 10, 32)
		return err == nil && x >= 1
	}
	_, err1 := strconv.ParseUint(hi, 10, 16)
	_, err2 := strconv.ParseUint(lo, 10, 16)
	return err1 == nil && err2 == nil
}

func (n *Node) lengthText() string {
	switch {
	case n.MaxLen == 0:
		return fmt.Sprintf("Must be a string of %d characters or more", n.MinLen)
	case n.MinLen <= 1:
		return fmt.Sprintf("Must be a string of %d characters or less", n.MaxLen)
	}
	return fmt.Sprintf("Must be a string of %d to %d characters", n.MinLen, n.MaxLen)
}

// pattern compiles Pattern once. Junos patterns are POSIX EREs; one Go
// cannot compile is not enforced.
func (n *Node) pattern() *regexp.Regexp {
	n.reOnce.Do(func() {
		re, err := regexp.CompilePOSIX(n.Pattern)
		if err != nil {
			re, _ = regexp.Compile(n.Pattern)
		}
		n.re = re
	})
	return n.re
}

// Placeholder returns the '?' line for the value of n: "<address>" for an
// unnamed address, "<interface_name>", "<prefix>", "<name>" for a list name,
// or the statement's own name in brackets.
func (n *Node) Placeholder() string {
	if p, ok := placeholders[strings.Join(n.Path(), " ")]; ok {
		return p
	}
	if n.Name != "name" && !n.IsKey() {
		return "<" + n.Name + ">"
	}
	switch n.Type {
	case IPAddr, IPv4Addr, IPv6Addr:
		return "<address>"
	case IPPrefix, IPv4Prefix, IPv6Prefix, IPPrefixOnly, IPPrefixMandatory:
		return "<prefix>"
	case InterfaceName, InterfaceUnit, InterfaceDevice, IPAddrOrInterface, IPv4AddrOrInterface:
		return "<interface_name>"
	case AreaID:
		return "<area_id>"
	}
	return "<" + n.Name + ">"
}

// placeholders name the values whose Junos placeholder is not derived from
// the statement name or type.
var placeholders = map[string]string{
	"interfaces interface unit name": "<interface_unit_number>",
	"chassis fpc name":               "<slot>",
	"chassis fpc pic name":           "<slot>",
	"system login user name":         "<user_name>",
}
