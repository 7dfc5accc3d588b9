package chassis

import (
	"fmt"
	"strings"

	"mxlab/config"
)

// Validate returns the commit errors of [edit interfaces]: the rules the
// interface process of a router checks, which the schema does not express.
// It needs no kernel: a configuration is valid or not whatever hardware and
// forwarding plane run it.
func Validate(root *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		if ethernet(ifd.Key()) {
			errs = append(errs, checkTagging(ifd)...)
		}
	}
	return errs
}

// ethernet reports whether an interface is an Ethernet port, whose units
// follow the 802.1Q rules.
func ethernet(name string) bool {
	for _, p := range []string{"ge-", "xe-", "et-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// checkTagging applies the 802.1Q rules: without vlan-tagging a port has
// only unit 0 and no VLAN IDs; with it every unit has an ID of its own.
func checkTagging(ifd *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	_, tagged := ifd.Leaf("vlan-tagging")
	if _, flexible := ifd.Leaf("flexible-vlan-tagging"); flexible {
		tagged = true
	}
	seen := map[string]string{} // vlan-id -> unit
	for _, u := range ifd.Entries("unit") {
		id, hasID := u.Leaf("vlan-id")
		switch {
		case !tagged && u.Key() != "0":
			errs = append(errs, config.ErrorAt(u, "Only unit 0 is valid for this encapsulation"))
		case !tagged && hasID:
			errs = append(errs, config.ErrorAt(u.Get("vlan-id"), "VLAN-ID can only be specified on tagged ethernet interfaces"))
		case tagged && !hasID && u.Get("vlan-tags") == nil:
			errs = append(errs, config.ErrorAt(u, "VLAN-ID must be specified on tagged ethernet interfaces"))
		case tagged && hasID:
			if other, dup := seen[id]; dup {
				errs = append(errs, config.ErrorAt(u.Get("vlan-id"),
					fmt.Sprintf("duplicate VLAN-ID %s on interface %s (unit %s has it)", id, ifd.Key(), other)))
			} else {
				seen[id] = u.Key()
			}
		}
	}
	return errs
}
