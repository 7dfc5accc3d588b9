package main

import (
	"flag"
	"fmt"
	"os"

	"mxlab/config/schema/internal/yanggen"
)

func main() {
	dir := flag.String("yang", "../../../shared/yang/24.4R1", "directory of the Junos configuration YANG modules")
	release := flag.String("release", "24.4R1", "Junos release of the YANG")
	out := flag.String("o", "junos_gen.go", "output file")
	flag.Parse()
	src, err := yanggen.Generate(*dir, *release)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
