package lab

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

func chainTopology(tb testing.TB, name string, n int) *Topology {
	tb.Helper()
	topo, err := Chain(name, n)
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
