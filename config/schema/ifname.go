package schema

import (
	"strconv"
	"strings"
)

// Interface names of an MX, as Junos accepts them:
//
//	MEDIA-FPC/PIC/PORT[:CHANNEL][.UNIT]   ge-1/0/0, xe-2/1/3:1.100, ms-1/2/0.1
//	NAME[N][.UNIT]                        lo0.0, fxp0, ae12.100, ams0.1, irb.10
//
// FPC 0..19 (MX2020), PIC 0..3 (an MS-MPC has four), port 0..47, channel
// 0..3, unit 0..16385.
const (
	maxFPC     = 19
	maxPIC     = 3
	maxPort    = 47
	maxChannel = 3
	maxUnit    = 16385
)

// slotted are the media types named by FPC/PIC/port.
var slotted = map[string]bool{
	"ge": true, "xe": true, "et": true, "fe": true, "so": true, "at": true,
	"t1": true, "e1": true, "t3": true, "e3": true, "ms": true, "sp": true,
	"lt": true, "gr": true, "ip": true, "vt": true, "mt": true, "pe": true,
	"pd": true, "lsq": true, "si": true, "mo": true, "rlsq": true,
}

// unslotted are the other interfaces: the largest device number, or -1 for
// a name without a number.
var unslotted = map[string]int{
	"lo": 0, "fxp": 2, "em": 2, "ae": 4091, "ams": 63, "ps": 4095, "st": 0,
	"cbp": 0, "pip": 0, "demux": 0, "pp": 0, "fti": 4095, "lc": 0,
	"irb": -1, "vlan": -1, "dsc": -1, "gre": -1, "ipip": -1, "lsi": -1,
	"tap": -1, "pime": -1, "pimd": -1, "mtun": -1, "esi": -1, "vtep": -1,
}

type unitRule uint8

const (
	unitOptional unitRule = iota // physical or logical interface
	unitNone                     // physical interface only
)

// checkInterface validates an interface name and returns it with its
// numbers in canonical form.
func checkInterface(v string, rule unitRule) (string, error) {
	name, unit, hasUnit := strings.Cut(v, ".")
	dev, err := checkDevice(v, name)
	if err != nil {
		return "", err
	}
	if !hasUnit {
		return dev, nil
	}
	if rule == unitNone {
		return "", ifErr("logical unit not allowed", v)
	}
	u, ok := number(unit, maxUnit)
	if !ok {
		return "", ifErr("invalid unit number", v)
	}
	return dev + "." + strconv.Itoa(u), nil
}

func checkDevice(v, name string) (string, error) {
	media, slots, ok := strings.Cut(name, "-")
	if ok {
		if !slotted[media] {
			return "", ifErr("invalid interface type", v)
		}
		return checkSlots(v, media, slots)
	}
	i := strings.IndexAny(name, "0123456789")
	if i < 0 {
		i = len(name)
	}
	max, known := unslotted[name[:i]]
	if !known {
		return "", ifErr("invalid interface type", v)
	}
	if max < 0 {
		if i != len(name) {
			return "", ifErr("invalid interface type", v)
		}
		return name, nil
	}
	n, ok := number(name[i:], max)
	if !ok {
		return "", ifErr("invalid interface number", v)
	}
	return name[:i] + strconv.Itoa(n), nil
}

// checkSlots validates FPC/PIC/PORT[:CHANNEL].
func checkSlots(v, media, slots string) (string, error) {
	slots, channel, hasChannel := strings.Cut(slots, ":")
	parts := strings.Split(slots, "/")
	if len(parts) != 3 {
		return "", ifErr("invalid interface type", v)
	}
	fpc, ok := number(parts[0], maxFPC)
	if !ok {
		return "", ifErr("invalid FPC number", v)
	}
	pic, ok := number(parts[1], maxPIC)
	if !ok {
		return "", ifErr("invalid PIC number", v)
	}
	port, ok := number(parts[2], maxPort)
	if !ok {
		return "", ifErr("invalid port number", v)
	}
	out := media + "-" + strconv.Itoa(fpc) + "/" + strconv.Itoa(pic) + "/" + strconv.Itoa(port)
	if hasChannel {
		c, ok := number(channel, maxChannel)
		if !ok {
			return "", ifErr("invalid channel number", v)
		}
		out += ":" + strconv.Itoa(c)
	}
	return out, nil
}

// number parses a decimal in 0..max.
func number(s string, max int) (int, bool) {
	if s == "" || len(s) > 6 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= max
}

func ifErr(what, v string) error {
	return valueErr(v, "%s in '%s'.", what, v)
}

// checkInterfaceWildcard accepts an interface name in which '*' stands for
// any characters (ge-1/0/*, ge-*/0/0.0, *): a name without '*' is checked
// as an interface name, one with it only for the characters names use.
func checkInterfaceWildcard(v string) (string, error) {
	if !strings.Contains(v, "*") {
		return checkInterface(v, unitOptional)
	}
	if strings.Trim(v, "abcdefghijklmnopqrstuvwxyz0123456789-/.:*") != "" {
		return "", ifErr("invalid interface name", v)
	}
	return v, nil
}
