package routing

import (
	"bytes"
	"context"
	"testing"

	"mxlab/internal/layouttest"
	"mxlab/shell/cmdtree"
)

// The captures below are excerpts of real router output, quoted to compare
// layouts column for column; the source of each is given above it.

// Junos 19+ next-hop lines (CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowRouteTable/cli/equal/golden_output_8_output.txt,
// whose addresses are not anonymised) and a gateway route in the same
// layout (src/genie/libs/parser/junos/tests/ShowRoute/cli/equal/golden_output_5_output.txt).
const captureRoute = `
NF-TEST.inet6.0: 3 destinations, 3 routes (3 active, 0 holddown, 0 hidden)
+ = Active Route, - = Last Active, * = Both

2001:10:1:1::/64   *[Direct/0] 00:26:06
                    >  via ge-0/0/4.11
2001:10:1:1::1/128 *[Local/0] 00:26:06
                       Local via ge-0/0/4.11
0.0.0.0/0          *[OSPF/150/10] 3w3d 03:12:45, metric 101, tag 0
                    >  to 10.169.14.121 via ge-0/0/1.0
`

// networktocode/ntc-templates,
// tests/juniper_junos/show_route_summary/juniper_junos_show_route_summary.raw.
const captureSummary = `Router ID: 129.250.0.2

Highwater Mark (All time / Time averaged watermark)
    RIB unique destination routes: 1221502 at 2000-01-01 00:00:00 / 1217389
    RIB routes                   : 11101463 at 2000-01-01 00:00:00 / 10394871
    FIB routes                   : 1207937 at 2000-01-01 00:00:00 / 1203820
    VRF type routing instances   : 1 at 2000-01-01 00:00:00

inet.0: 993427 destinations, 8574425 routes (992253 active, 13182 holddown, 1328663 hidden)
              Direct:      8 routes,      7 active
               Local:      7 routes,      7 active
              Static:      2 routes,      2 active
`

// The forwarding table of a router (the Juniper Networks Cookbook,
// "Displaying the Routes in the Forwarding Table",
// http://flylib.com/books/en/2.516.1/displaying_the_routes_in_the_forwarding_table.html),
// in the columns of a vMX and of the Junos documentation
// (https://www.juniper.net/documentation/us/en/software/junos/cli-reference/topics/ref/command/show-route-forwarding-table.html).
const captureForwarding = `Routing table: default.inet
Internet:
Destination        Type RtRef Next hop           Type Index    NhRef Netif
default            user     1 0:10:db:ff:20:80   ucst      335     3 fe-0/0/0.0
default            perm     0                    rjct       14     1
10.17.214.0/26     intf     0                    rslv      329     1 fe-0/0/1.0
10.17.214.0/32     dest     0 10.17.214.0        recv      327     1 fe-0/0/1.0
10.17.214.27/32    intf     0 10.17.214.27       locl      328     2
10.17.214.27/32    dest     0 10.17.214.27       locl      328     2
10.17.214.63/32    dest     0 10.17.214.63       bcst      320     1 fe-0/0/1.0
172.19.121.1/32    dest     0 0:10:db:ff:20:80   ucst      335     3 fe-0/0/0.0
192.168.10.7/32    intf     0 192.168.10.7       locl      330     1
224.0.0.0/4        perm     0                    mdsc       13     1
224.0.0.1/32       perm     0 224.0.0.1          mcst        9     1
255.255.255.255/32 perm     0                    bcst       10     1
`

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowArp/cli/equal/golden_output_output.txt
// and .../ShowArpNoResolve/cli/equal/golden_output_output.txt (rows whose
// anonymised addresses kept their length).
const captureARP = `MAC Address       Address         Name                      Interface               Flags
50:3d:e5:ff:2f:06 10.19.198.26    10.19.198.26              ge-0/0/2.0              none
Total entries: 7
`

const captureARPNoResolve = `MAC Address       Address         Interface                Flags
50:3d:e5:ff:2f:06 10.19.198.26    ge-0/0/2.0               none
`

func TestLayoutMatchesCaptures(t *testing.T) {
	r, _, _ := goldenRouter(t)
	reg := cmdtree.New()
	Register(reg, func(*cmdtree.Env) *Router { return r })
	run := func(path []string, args cmdtree.Args) string {
		n := reg.Root()
		for _, w := range path {
			n = n.Child(w)
		}
		var out bytes.Buffer
		if err := n.Run(&cmdtree.Env{Ctx: context.Background(), Out: &out, Router: r}, args); err != nil {
			t.Fatalf("%v: %v", path, err)
		}
		return out.String()
	}
	layouttest.Compare(t, captureRoute, run([]string{"show", "route"}, nil),
		"+ = Active", "~1:^\\S+ +\\*\\[Direct/0\\]", "                    >  via", "                       Local via",
		"~1:^0\\.0\\.0\\.0/0 ", "=                    >  to")
	layouttest.Compare(t, captureSummary, run([]string{"show", "route", "summary"}, nil),
		"=Router ID:", "Highwater Mark", "=    RIB unique", "=    RIB routes", "=    FIB routes", "=    VRF type",
		"=inet.0:", "              Direct:", "               Local:", "              Static:")
	layouttest.Compare(t, captureForwarding, run([]string{"show", "route", "forwarding-table"}, nil),
		"Routing table:", "Internet:", "Destination", "^default +user", "^default +perm", "^\\S+/2\\d +intf",
		"^10\\.0\\.12\\.0/32 +dest|^10\\.17\\.214\\.0/32", "^10\\.0\\.12\\.1/32 +intf|^10\\.17\\.214\\.27/32 +intf",
		"^10\\.0\\.12\\.1/32 +dest|^10\\.17\\.214\\.27/32 +dest", "^10\\.0\\.12\\.255/32|^10\\.17\\.214\\.63/32",
		"^10\\.0\\.12\\.2/32|^172\\.19\\.121\\.1/32", "^192\\.\\S+/32 +intf", "224.0.0.0/4", "224.0.0.1/32", "255.255.255.255/32")
	if fam := run([]string{"show", "route", "forwarding-table"}, cmdtree.Args{"family": "inet"}); fam != run([]string{"show", "route", "forwarding-table"}, nil) {
		t.Errorf("show route forwarding-table family inet differs from the whole table:\n%s", fam)
	}
	if err := checkFamily("inet6"); err == nil {
		t.Error("family inet6 accepted; mxlab forwards IPv4 only")
	}
	layouttest.Compare(t, captureARP, run([]string{"show", "arp"}, nil), "MAC Address", "^\\S+ +10\\.0\\.13\\.2 |^50:", "Total entries")
	layouttest.Compare(t, captureARPNoResolve, run([]string{"show", "arp"}, cmdtree.Args{"no-resolve": ""}),
		"MAC Address", "^\\S+ +10\\.0\\.13\\.2 |^50:")
}
