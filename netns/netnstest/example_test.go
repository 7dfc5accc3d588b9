package netnstest_test

import (
	"fmt"
	"net/netip"

	"mxlab/netns"
	"mxlab/netns/netnstest"
)

// The fake records a state only when the prepared change is applied, as
// the real router programs the kernel only then.
func Example() {
	r := netnstest.New()
	st := netns.State{Ports: []netns.Port{{Name: "ge-1/0/0",
		Units: []netns.Unit{{Number: 0, Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.1.1/30")}}}}}}
	p, err := r.Prepare(st)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("before Apply:", len(r.State().Ports), "ports")
	p.Apply()
	fmt.Println("after Apply:", r.State().Ports[0].Name, r.State().Ports[0].Units[0].Addrs)
	local, _ := r.KernelRoutes(netns.LocalTable)
	for _, kr := range local {
		fmt.Println("local table:", kr.Prefix, kr.Interface)
	}
	// Output:
	// before Apply: 0 ports
	// after Apply: ge-1/0/0 [10.0.1.1/30]
	// local table: 10.0.1.1/32 ge-1/0/0.0
}
