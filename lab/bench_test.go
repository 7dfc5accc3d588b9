package lab

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// chainTopology returns a lab of n routers in a chain with a host at each
// end (the layout of bench/chain-topology).
func chainTopology(tb testing.TB, name string, n int) *Topology {
	tb.Helper()
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
		cfgs[fmt.Sprintf("r%d.conf", i)] = c
	}
	y.WriteString("  links:\n    - endpoints: [h1:eth1, r1:ge-1/0/0]\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&y, "    - endpoints: [r%d:ge-1/0/1, r%d:ge-1/0/0]\n", i, i+1)
	}
	fmt.Fprintf(&y, "    - endpoints: [r%d:ge-1/0/1, h2:eth1]\n", n)
	topo, err := Parse([]byte(y.String()), "/", files(cfgs))
	if err != nil {
		tb.Fatal(err)
	}
	return topo
}

// BenchmarkUpChain50 starts and stops a lab of 50 routers in a chain; the
// target is 3 s from Up to every CLI ready (bench/lab-up measures the
// command itself). peak-MB is the test process's peak RSS.
func BenchmarkUpChain50(b *testing.B) {
	needRoot(b)
	topo := chainTopology(b, fmt.Sprintf("b%d-chain50", os.Getpid()), 50)
	runDir := privateDir(b)
	for b.Loop() {
		l, err := Up(context.Background(), topo, Options{RunDir: runDir})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := hostPingB(l); err != nil {
			b.Fatal(err)
		}
		l.Close()
		b.StartTimer()
	}
	b.ReportMetric(peakRSS(), "peak-MB")
}

func hostPingB(l *Lab) error { return hostPing(l, "h1", "172.16.2.10") }

// peakRSS returns this process's peak resident set size in MB.
func peakRSS() float64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
