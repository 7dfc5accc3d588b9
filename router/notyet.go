package router

import (
	"fmt"

	"mxlab/shell/cmdtree"
)

// notYet are the operational commands of features mxlab does not run yet:
// each answers in one line instead of a syntax error, and goes away when
// its feature lands.
var notYet = []struct {
	path    []string
	help    string
	feature string
}{
	{[]string{"show", "bgp", "summary"}, "Show overview of BGP information", "BGP"},
	{[]string{"show", "bgp", "neighbor"}, "Show BGP neighbor information", "BGP"},
	{[]string{"show", "bgp", "group"}, "Show BGP group information", "BGP"},
	{[]string{"show", "firewall"}, "Show firewall information", "firewall filters"},
}

func registerNotYet(r *cmdtree.Registry) {
	r.Group([]string{"show", "bgp"}, "Show BGP information")
	for _, c := range notYet {
		err := fmt.Errorf("mxlab does not run %s yet", c.feature)
		r.Register(c.path, c.help, nil, cmdtree.Func(func(*cmdtree.Env) error { return err }))
	}
}
