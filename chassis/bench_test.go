package chassis

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"mxlab/internal/leakcheck"
)

// fullMX960 fills every slot of an MX960: ten MPCs with four port PICs,
// an MS-MPC and an MS-DPC.
func fullMX960() Layout {
	l := Layout{Model: "mx960", FPCs: map[int]FPCLayout{}}
	for s := range 10 {
		l.FPCs[s] = FPCLayout{Type: "mpc", PICs: map[int]PICLayout{
			0: {Type: "10x1ge"}, 1: {Type: "10x1ge"}, 2: {Type: "2x10ge"}, 3: {Type: "2x10ge"}}}
	}
	l.FPCs[10] = FPCLayout{Type: "ms-mpc"}
	l.FPCs[11] = FPCLayout{Type: "ms-dpc"}
	return l
}

// BenchmarkStartMX960 creates and starts a fully populated MX960 (every
// PIC goroutine running) and stops it; heap-B/op is the live heap of one
// running router.
func BenchmarkStartMX960(b *testing.B) {
	l := fullMX960()
	var ms runtime.MemStats
	var heap uint64
	for i := 0; b.Loop(); i++ {
		c, err := New(fmt.Sprintf("r%d", i), l)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			before := ms.HeapAlloc
			c2, _ := New("probe", l)
			_ = c2.Start(context.Background())
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heap = ms.HeapAlloc - before
			c2.Stop()
		}
		c.Stop()
	}
	b.ReportMetric(float64(heap), "heap-B/router")
}

// TestManyRouters starts many fully populated MX960s in one process and
// reports the resident set size (MXLAB_ROUTERS, default 500; -short: 50).
func TestManyRouters(t *testing.T) {
	n := 500
	if testing.Short() {
		n = 50
	}
	if v, err := strconv.Atoi(os.Getenv("MXLAB_ROUTERS")); err == nil {
		n = v
	}
	leakcheck.Check(t)
	l := fullMX960()
	rss0 := vmRSS(t)
	routers := make([]*Chassis, 0, n)
	for i := range n {
		c, err := New(fmt.Sprintf("r%d", i), l)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		routers = append(routers, c)
	}
	rss := vmRSS(t)
	t.Logf("%d MX960 routers, %d goroutines: VmRSS %d MB (+%d MB, %.2f MB per router)",
		n, runtime.NumGoroutine(), rss>>20, (rss-rss0)>>20, float64(rss-rss0)/float64(n)/(1<<20))
	if rss > 1<<30 {
		t.Errorf("VmRSS %d MB, want at most 1024 MB", rss>>20)
	}
	for _, c := range routers {
		c.Stop()
	}
}

// vmRSS reads the resident set size of the process, in bytes.
func vmRSS(t *testing.T) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}
