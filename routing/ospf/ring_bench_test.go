package ospf_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxlab/lab"
	"mxlab/netns"
)

// The ring benchmark: n routers in a ring of point-to-point links (router
// i's ge-1/0/0 or eth0 faces router i+1 on link i, 10.<i/250>.<i%250>.0/30,
// .1 on i's side), OSPF with the default timers. It measures, for mxlab
// and for the same ring of BIRD 2 daemons in the same run, the time from
// nothing to every kernel FIB holding the right routes to every loopback
// (equal-cost pairs included), then from the r1-r2 link going down (a
// commit of "disable" on mxlab, "ip link set down" for BIRD) to every FIB
// being right again, and the memory per router.

// ringGW returns the gateways router i uses towards router j (1-based) in a
// ring of n, or in the line left when the link between 1 and 2 is cut.
func ringGW(i, j, n int, cut bool) []string {
	next := fmt.Sprintf("10.%d.%d.2", i/250, i%250)
	prev := (i+n-2)%n + 1
	back := fmt.Sprintf("10.%d.%d.1", prev/250, prev%250)
	if cut {
		pos := func(k int) int { return (k - 2 + n) % n } // 2 .. n, 1
		if pos(j) > pos(i) {
			return []string{next}
		}
		return []string{back}
	}
	cw, ccw := (j-i+n)%n, (i-j+n)%n
	switch {
	case cw < ccw:
		return []string{next}
	case ccw < cw:
		return []string{back}
	}
	out := []string{next, back}
	slices.Sort(out)
	return out
}

// fibRight reports whether router i's kernel has exactly the expected
// gateways to every other loopback.
func fibRight(r *netns.Router, i, n int, cut bool) (bool, string) {
	krs, err := r.KernelRoutes(netns.MainTable)
	if err != nil {
		return false, err.Error()
	}
	got := map[netip.Prefix][]string{}
	for _, kr := range krs {
		if kr.Gateway.IsValid() {
			got[kr.Prefix] = append(got[kr.Prefix], kr.Gateway.String())
		}
	}
	for j := 1; j <= n; j++ {
		if j == i {
			continue
		}
		p := netip.MustParsePrefix(fmt.Sprintf("10.255.0.%d/32", j))
		g := got[p]
		slices.Sort(g)
		if want := ringGW(i, j, n, cut); !slices.Equal(g, want) {
			return false, fmt.Sprintf("r%d to r%d via %v, want %v", i, j, g, want)
		}
	}
	return true, ""
}

func waitRing(b *testing.B, what string, routers []*netns.Router, cut bool) time.Duration {
	start := time.Now()
	n := len(routers)
	for {
		ok, why := true, ""
		for i, r := range routers {
			if ok, why = fibRight(r, i+1, n, cut); !ok {
				break
			}
		}
		if ok {
			return time.Since(start)
		}
		if time.Since(start) > 3*time.Minute {
			b.Fatalf("%s: not converged after 3 minutes: %s", what, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func rssMB(pid int) float64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkRing50 runs the ring of 50 with mxlab, then with BIRD. Run it
// once: go test -run '^$' -bench Ring50 -benchtime 1x ./routing/ospf/
func BenchmarkRing50(b *testing.B) {
	const n = 50
	needLab(b)
	if _, err := exec.LookPath("bird"); err != nil {
		b.Skip("skipping: bird is not installed (apt-get install bird2, or scripts/deps)")
	}
	for b.Loop() {
		up, fail, mem := ringMxlab(b, n)
		b.ReportMetric(up.Seconds(), "s-mxlab-up")
		b.ReportMetric(fail.Seconds(), "s-mxlab-failover")
		b.ReportMetric(mem, "MB/mxlab-router")
		up, fail, mem = ringBIRD(b, n)
		b.ReportMetric(up.Seconds(), "s-bird-up")
		b.ReportMetric(fail.Seconds(), "s-bird-failover")
		b.ReportMetric(mem, "MB/bird-router")
	}
}

func ringMxlab(b *testing.B, n int) (up, fail time.Duration, mb float64) {
	topo := ringTopology(b, fmt.Sprintf("b%d-ring", os.Getpid()%100000), n, "")
	runtime.GC()
	before := rssMB(os.Getpid())
	start := time.Now()
	l, err := lab.Up(context.Background(), topo, lab.Options{RunDir: privateDir(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var rs []*netns.Router
	for i := 1; i <= n; i++ {
		rs = append(rs, l.Router(fmt.Sprintf("r%d", i)).Netns)
	}
	waitRing(b, "mxlab up", rs, false)
	up = time.Since(start)
	runtime.GC()
	mb = (rssMB(os.Getpid()) - before) / float64(n)
	start = time.Now()
	if _, err := lab.Console(l.Dir(), lab.Request{Node: "r1", Commands: "configure; set interfaces ge-1/0/0 disable; commit and-quit"},
		nil, io.Discard, nil); err != nil {
		b.Fatal(err)
	}
	waitRing(b, "mxlab failover", rs, true)
	return up, time.Since(start), mb
}

func ringBIRD(b *testing.B, n int) (up, fail time.Duration, mb float64) {
	prefix := fmt.Sprintf("b%d-bird", os.Getpid()%100000)
	dir := b.TempDir()
	var hs []*netns.Handle
	var rs []*netns.Router
	var procs []*exec.Cmd
	defer func() {
		for _, c := range procs {
			c.Process.Kill()
			c.Wait()
		}
		for _, h := range hs {
			h.Delete()
		}
	}()
	start := time.Now()
	for i := 1; i <= n; i++ {
		h, err := netns.Create(fmt.Sprintf("%s%d", prefix, i))
		if err != nil {
			b.Fatal(err)
		}
		hs = append(hs, h)
		r, err := netns.NewRouter(h)
		if err != nil {
			b.Fatal(err)
		}
		rs = append(rs, r)
	}
	for i := 1; i <= n; i++ {
		next := i%n + 1
		if err := netns.Connect(hs[i-1], "eth0", hs[next-1], "eth1"); err != nil {
			b.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		prev := (i+n-2)%n + 1
		h := hs[i-1]
		for _, a := range []struct{ dev, p string }{
			{"eth0", fmt.Sprintf("10.%d.%d.1/30", i/250, i%250)},
			{"eth1", fmt.Sprintf("10.%d.%d.2/30", prev/250, prev%250)},
			{"lo", fmt.Sprintf("10.255.0.%d/32", i)},
		} {
			if err := h.AddrAdd(a.dev, netip.MustParsePrefix(a.p)); err != nil {
				b.Fatal(err)
			}
		}
		conf := filepath.Join(dir, fmt.Sprintf("b%d.conf", i))
		os.WriteFile(conf, []byte(fmt.Sprintf(`router id 10.255.0.%d;
protocol device {}
protocol kernel { ipv4 { export all; import none; }; }
protocol ospf v2 {
  ecmp yes;
  ipv4 { import all; export none; };
  area 0 { interface "eth0", "eth1" { type ptp; }; interface "lo" { stub yes; }; };
}
`, i)), 0o644)
		c := exec.Command("ip", "netns", "exec", h.Name(), "bird", "-f", "-c", conf, "-s", conf+".ctl", "-P", conf+".pid")
		if err := c.Start(); err != nil {
			b.Fatal(err)
		}
		procs = append(procs, c)
	}
	waitRing(b, "bird up", rs, false)
	up = time.Since(start)
	for _, c := range procs {
		mb += rssMB(c.Process.Pid) // ip netns exec execs bird: same process
	}
	mb /= float64(n)
	start = time.Now()
	if err := hs[0].LinkSetUp("eth0", false); err != nil {
		b.Fatal(err)
	}
	waitRing(b, "bird failover", rs, true)
	return up, time.Since(start), mb
}
