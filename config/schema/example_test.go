package schema_test

import (
	"fmt"

	"mxlab/config/schema"
)

func Example() {
	svc := schema.Root().Child("services").Child("service-set")
	arw := svc.Child("ipsec-vpn-options").Child("anti-replay-window-size")
	fmt.Println(svc.Help)
	fmt.Println(arw.Placeholder(), arw.RangeHelp(), "default", arw.Default)
	if _, err := arw.Check("10"); err != nil {
		fmt.Println(err)
	}
	ifname := schema.Root().Child("interfaces").Child("interface").Child("name")
	_, err := ifname.Check("sdfsdf")
	fmt.Println(err)
	// Output:
	// Define a service set for a services PIC
	// <anti-replay-window-size> (64..4096) default 128
	// value 10 is not within range (64..4096) at '10'
	// invalid interface type in 'sdfsdf'.
}
