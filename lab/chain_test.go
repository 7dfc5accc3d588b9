package lab

import "testing"

func TestChain(t *testing.T) {
	topo, err := Chain("c", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.Nodes) != 5 || len(topo.Links) != 4 {
		t.Fatalf("%d nodes, %d links", len(topo.Nodes), len(topo.Links))
	}
	if c := topo.Node("r2").Config; c != "set system host-name r2\n"+
		"set interfaces ge-1/0/0 unit 0 family inet address 10.0.1.2/24\n"+
		"set routing-options static route 172.16.1.0/24 next-hop 10.0.1.1\n"+
		"set interfaces ge-1/0/1 unit 0 family inet address 10.0.2.1/24\n"+
		"set routing-options static route 172.16.2.0/24 next-hop 10.0.2.2\n" {
		t.Errorf("r2's configuration:\n%s", c)
	}
}
