package ospf

import (
	"fmt"
	"net/netip"

	"mxlab/config"
)

// Validate is the commit check of OSPF (a config.Validator; it needs no
// kernel; the schema checks that the policies it names exist): the
// backbone can be neither a stub area nor an NSSA, an interface belongs to one area, the
// reference bandwidth must parse; interfaces that are not configured,
// that belong to another routing instance, and statements mxlab does not
// run (virtual links, NBMA and point-to-multipoint, key chains) get
// warnings.
func Validate(root *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	owner := map[string]string{} // interface -> routing instance
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		for _, i := range ri.Entries("interface") {
			owner[i.Key()] = ri.Key()
		}
	}
	units := configuredUnits(root)
	check := func(o *config.Node, instance string) {
		if o == nil {
			return
		}
		if v, ok := o.Leaf("reference-bandwidth"); ok {
			if _, err := ParseBandwidth(v); err != nil {
				errs = append(errs, errAt(o, "reference-bandwidth", err.Error(), false))
			}
		}
		seen := map[string]string{}
		for _, a := range o.Entries("area") {
			errs = append(errs, checkArea(a, instance, owner, units, seen)...)
		}
	}
	check(root.Get("protocols", "ospf"), "")
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		check(ri.Get("protocols", "ospf"), ri.Key())
	}
	return errs
}

func checkArea(a *config.Node, instance string, owner map[string]string, units map[string]bool, seen map[string]string) []*config.CommitError {
	var errs []*config.CommitError
	backbone := a.Key() == "0.0.0.0"
	if backbone && a.Get("stub") != nil {
		errs = append(errs, errAt(a, "stub", "A backbone area cannot be configured as a stub area", false))
	}
	if backbone && a.Get("nssa") != nil {
		errs = append(errs, errAt(a, "nssa", "A backbone area cannot be configured as an NSSA area", false))
	}
	for _, vl := range a.Entries("virtual-link") {
		errs = append(errs, errAt(a, "virtual-link "+vl.Key(), "virtual links are not supported by mxlab; ignored", true))
	}
	for _, i := range a.Entries("interface") {
		name := i.Key()
		stmt := "interface " + name
		if prev, ok := seen[name]; ok {
			if _, sec := i.Leaf("secondary"); !sec {
				errs = append(errs, errAt(a, stmt, fmt.Sprintf("interface %s is already in area %s", name, prev), false))
			}
		} else {
			seen[name] = a.Key()
		}
		if name == "all" {
			continue
		}
		if _, err := netip.ParseAddr(name); err == nil {
			errs = append(errs, errAt(a, stmt, "interfaces named by address are not supported by mxlab; ignored", true))
			continue
		}
		switch {
		case !units[name]:
			errs = append(errs, errAt(a, stmt, fmt.Sprintf("interface %s is not configured with family inet", name), true))
		case owner[name] != instance:
			where := "the master instance"
			if owner[name] != "" {
				where = "routing instance " + owner[name]
			}
			errs = append(errs, errAt(a, stmt, fmt.Sprintf("interface %s belongs to %s", name, where), true))
		}
		if t, _ := i.Leaf("interface-type"); t != "" && t != "p2p" {
			errs = append(errs, errAt(i, "interface-type "+t, "interface-type "+t+" is not supported by mxlab; the interface runs as broadcast", true))
		}
		if k, ok := i.Leaf("authentication", "keychain"); ok {
			errs = append(errs, errAt(i.Get("authentication"), "keychain "+k, "key chains are not supported by mxlab; the interface sends no authentication", true))
		}
	}
	return errs
}

// configuredUnits lists the logical interfaces with family inet.
func configuredUnits(root *config.Node) map[string]bool {
	out := map[string]bool{}
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		for _, u := range ifd.Entries("unit") {
			if u.Get("family", "inet") != nil {
				out[ifd.Key()+"."+u.Key()] = true
			}
		}
	}
	return out
}

func errAt(parent *config.Node, stmt, msg string, warning bool) *config.CommitError {
	return &config.CommitError{Path: config.EditPath(parent), Statement: stmt, Msg: msg, Warning: warning}
}
