// Command mxlab runs a Junos-style MX router: a CLI over a virtual chassis.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "mxlab: starting")
	os.Exit(0)
}
