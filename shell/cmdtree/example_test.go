package cmdtree_test

import (
	"fmt"
	"os"

	"mxlab/shell/cmdtree"
)

// A subsystem registers "show chassis fpc" with a positional slot; the
// shell finds the command by its words and runs it with the parsed
// arguments.
func Example() {
	r := cmdtree.New()
	r.Group([]string{"show"}, "Show system information")
	r.Register([]string{"show", "chassis", "fpc"}, "Show Flexible PIC Concentrator status",
		[]cmdtree.Param{{Name: "slot", Help: "FPC slot number", Value: "<slot>", Positional: true}},
		func(env *cmdtree.Env, args cmdtree.Args) error {
			_, err := fmt.Fprintf(env.Out, "FPC %s\n", args.Get("slot", "all"))
			return err
		},
		"", "Show chassis information")
	n := r.Lookup([]string{"show", "chassis", "fpc"})
	fmt.Println(r.Lookup([]string{"show", "chassis"}).Help)
	fmt.Println(n.Help)
	_ = n.Run(&cmdtree.Env{Out: os.Stdout}, cmdtree.Args{"slot": "1"})
	_ = n.Run(&cmdtree.Env{Out: os.Stdout}, cmdtree.Args{})
	// Output:
	// Show chassis information
	// Show Flexible PIC Concentrator status
	// FPC 1
	// FPC all
}
