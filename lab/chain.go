package lab

import (
	"fmt"
	"strings"
)

// Chain returns the topology of n routers in a chain with a host at each
// end, as bench/chain-topology writes it: h1 172.16.1.10 - r1 - ... - rN -
// h2 172.16.2.10, link i (ri - ri+1) 10.(i/256).(i%256).0/24, every router
// with static routes to both host LANs. Benchmarks and examples use it.
func Chain(name string, n int) (*Topology, error) {
	net := func(i int) string { return fmt.Sprintf("10.%d.%d", i/256, i%256) }
	var y strings.Builder
	fmt.Fprintf(&y, "name: %s\ntopology:\n  nodes:\n", name)
	y.WriteString("    h1: {kind: linux, interfaces: {eth1: 172.16.1.10/24}, gateway: 172.16.1.1}\n")
	y.WriteString("    h2: {kind: linux, interfaces: {eth1: 172.16.2.10/24}, gateway: 172.16.2.1}\n")
	cfgs := map[string]string{}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&y, "    r%d: {kind: mx, config: r%d.conf}\n", i, i)
		c := fmt.Sprintf("set system host-name r%d\n", i)
		if i == 1 {
			c += "set interfaces ge-1/0/0 unit 0 family inet address 172.16.1.1/24\n"
		} else {
			c += fmt.Sprintf("set interfaces ge-1/0/0 unit 0 family inet address %s.2/24\n", net(i-1))
			c += fmt.Sprintf("set routing-options static route 172.16.1.0/24 next-hop %s.1\n", net(i-1))
		}
		if i == n {
			c += "set interfaces ge-1/0/1 unit 0 family inet address 172.16.2.1/24\n"
		} else {
			c += fmt.Sprintf("set interfaces ge-1/0/1 unit 0 family inet address %s.1/24\n", net(i))
			c += fmt.Sprintf("set routing-options static route 172.16.2.0/24 next-hop %s.2\n", net(i))
		}
		cfgs[fmt.Sprintf("/r%d.conf", i)] = c
	}
	y.WriteString("  links:\n    - endpoints: [h1:eth1, r1:ge-1/0/0]\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&y, "    - endpoints: [r%d:ge-1/0/1, r%d:ge-1/0/0]\n", i, i+1)
	}
	fmt.Fprintf(&y, "    - endpoints: [r%d:ge-1/0/1, h2:eth1]\n", n)
	return Parse([]byte(y.String()), "/", func(p string) ([]byte, error) {
		if c, ok := cfgs[p]; ok {
			return []byte(c), nil
		}
		return nil, fmt.Errorf("open %s: no such file", p)
	})
}
