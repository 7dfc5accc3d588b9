package ospf_test

import (
	"fmt"
	"strings"

	"mxlab/config"
	"mxlab/routing/ospf"
)

// Parse turns the committed configuration into the configuration of each
// OSPF instance; the process runs them.
func ExampleParse() {
	db, _ := config.Open(config.Options{})
	s, _, _, _ := db.Begin(config.Who{User: "lab"}, config.Private)
	defer s.Close()
	s.Load(config.LoadSet, strings.Join([]string{
		"set interfaces ge-1/0/0 unit 0 family inet address 10.0.12.1/30",
		"set interfaces lo0 unit 0 family inet address 192.0.2.1/32",
		"set protocols ospf area 0 interface ge-1/0/0.0 interface-type p2p",
		"set protocols ospf area 0 interface lo0.0 passive",
		"set protocols ospf area 1 stub default-metric 10",
	}, "\n"), "example", false)
	for _, c := range ospf.Parse(s.Candidate()) {
		fmt.Println("router ID", c.RouterID)
		for _, a := range c.Areas {
			fmt.Println("area", a.ID, "stub", a.Stub, "interfaces", len(a.Interfaces))
		}
	}
	// Output:
	// router ID 192.0.2.1
	// area 0.0.0.0 stub false interfaces 2
	// area 0.0.0.1 stub true interfaces 0
}
