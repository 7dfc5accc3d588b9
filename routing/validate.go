package routing

import (
	"fmt"

	"mxlab/config"
)

// Validate returns the commit errors of routing-options and
// routing-instances that the schema does not express: the checks of the
// routing process. It needs no kernel.
func Validate(root *config.Node) []*config.CommitError {
	errs := checkStatic(root.Get("routing-options", "static"))
	owner := map[string]string{} // logical interface -> routing instance
	for _, ri := range root.Get("routing-instances").Entries("instance") {
		errs = append(errs, checkStatic(ri.Get("routing-options", "static"))...)
		errs = append(errs, checkInstance(ri, owner)...)
	}
	return errs
}

// nextHopKinds are the statements that give a static route somewhere to
// go.
var nextHopKinds = []string{"next-hop", "qualified-next-hop", "discard", "reject",
	"receive", "next-table", "lsp-next-hop", "p2mp-lsp-next-hop", "static-lsp-next-hop"}

func checkStatic(static *config.Node) []*config.CommitError {
	var errs []*config.CommitError
	for _, r := range static.Entries("route") {
		found := false
		for _, k := range nextHopKinds {
			if r.Get(k) != nil {
				found = true
				break
			}
		}
		if !found {
			errs = append(errs, config.ErrorAt(r, "Missing next hop: next-hop, qualified-next-hop, discard or reject must be configured"))
		}
	}
	return errs
}

// checkInstance checks a routing instance: a logical interface belongs to
// one instance, and a vrf names its route distinguisher and its import and
// export policies or target.
func checkInstance(ri *config.Node, owner map[string]string) []*config.CommitError {
	var errs []*config.CommitError
	for _, i := range ri.Entries("interface") {
		ifl := logicalName(i.Key())
		if other, dup := owner[ifl]; dup {
			errs = append(errs, config.ErrorAt(i, fmt.Sprintf("interface %s is already in routing instance %s", ifl, other)))
			continue
		}
		owner[ifl] = ri.Key()
	}
	if t, _ := ri.Leaf("instance-type"); t == "vrf" {
		if ri.Get("route-distinguisher") == nil {
			errs = append(errs, config.ErrorAt(ri.Get("instance-type"), "route-distinguisher must be configured for a vrf instance"))
		}
		hasTarget := ri.Get("vrf-target") != nil
		if !hasTarget && (ri.Get("vrf-import") == nil || ri.Get("vrf-export") == nil) {
			errs = append(errs, config.ErrorAt(ri.Get("instance-type"), "vrf-import and vrf-export, or vrf-target, must be configured for a vrf instance"))
		}
	}
	return errs
}

// logicalName adds unit 0 to a physical interface name.
func logicalName(ifname string) string {
	for i := len(ifname) - 1; i >= 0; i-- {
		if ifname[i] == '.' {
			return ifname
		}
	}
	return ifname + ".0"
}
