package netns_test

import (
	"fmt"

	"mxlab/netns"
)

func ExampleLinuxName() {
	for _, n := range []string{"ge-1/0/0", "ge-1/0/0.100", "et-0/0/4:2", "lo0"} {
		l, _ := netns.LinuxName(n)
		back, _ := netns.JunosName(l)
		fmt.Println(n, l, back)
	}
	// Output:
	// ge-1/0/0 ge-1_0_0 ge-1/0/0
	// ge-1/0/0.100 ge-1_0_0.100 ge-1/0/0.100
	// et-0/0/4:2 et-0_0_4+2 et-0/0/4:2
	// lo0 lo lo0
}
