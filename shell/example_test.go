package shell_test

import (
	"context"
	"os"
	"strings"

	"mxlab/shell"
	"mxlab/shell/cmdtree"
)

func Example() {
	r := cmdtree.New()
	shell.RegisterBuiltins(r)
	sh := shell.New(shell.Options{
		Registry: r,
		User:     "lab",
		Hostname: func() string { return "r1" },
		In:       strings.NewReader("set cli screen-length 0\nsh cli | match length\n"),
		Out:      os.Stdout,
	})
	_ = sh.Run(context.Background())
	// Output:
	// lab@r1> set cli screen-length 0
	// Screen length set to 0
	//
	// lab@r1> sh cli | match length
	// CLI screen-length set to 0
	//
	// lab@r1>
}
