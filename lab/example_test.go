package lab_test

import (
	"fmt"

	"mxlab/lab"
)

func ExampleParse() {
	topo, err := lab.Parse([]byte(`
name: e2
topology:
  nodes:
    r1: {kind: mx, model: mx960}
    h1:
      kind: linux
      interfaces: {eth1: 172.16.0.10/16}
      gateway: 172.16.0.1
  links:
    - endpoints: ["r1:ge-1/0/0", "h1:eth1"]
`), ".", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range topo.Nodes {
		fmt.Println(topo.Namespace(n.Name), n.Kind)
	}
	fmt.Println(topo.Links[0].A, "<->", topo.Links[0].B)
	// Output:
	// e2-h1 linux
	// e2-r1 mx
	// r1:ge-1/0/0 <-> h1:eth1
}
