package routing

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"mxlab/netns"
)

var avgRE = regexp.MustCompile(`(?:round-trip|rtt) min/avg/max/(?:stddev|mdev) = [\d.]+/([\d.]+)/`)

// reportRTT reports the average round trip a ping printed, in µs.
func reportRTT(b *testing.B, out []byte) {
	m := avgRE.FindSubmatch(out)
	if m == nil {
		b.Fatalf("no round-trip line in:\n%s", out)
	}
	ms, _ := strconv.ParseFloat(string(m[1]), 64)
	b.ReportMetric(ms*1000, "rtt-µs")
}

// BenchmarkPingChain10 pings from the first to the last router of a chain
// of ten: with mxlab's ping, and with iputils ping (the baseline), both
// one request at a time.
func BenchmarkPingChain10(b *testing.B) {
	rs := buildChain(b, 10)
	target := loopback(9)
	b.Run("mxlab", func(b *testing.B) {
		var out bytes.Buffer
		o := PingOptions{Host: target, Count: b.N, Rapid: true, Interval: time.Microsecond}
		b.ResetTimer()
		if err := Ping(context.Background(), &out, rs[0].ns.Do, o); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		reportRTT(b, out.Bytes())
	})
	b.Run("iputils", func(b *testing.B) {
		if _, err := exec.LookPath("ping"); err != nil {
			b.Skip("skipping: iputils ping is not installed")
		}
		b.ResetTimer()
		out, err := exec.Command("ip", "netns", "exec", rs[0].ns.Handle().Name(),
			"ping", "-f", "-q", "-c", strconv.Itoa(b.N), target.String()).CombinedOutput()
		b.StopTimer()
		if err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		reportRTT(b, out)
	})
}

// BenchmarkCommitStatic2000 changes one static route on a router holding
// 2,000 of them: Prepare (RIB and kernel FIB programmed) plus Apply.
func BenchmarkCommitStatic2000(b *testing.B) {
	needRoot(b)
	prefix := fmt.Sprintf("mxb%d-", os.Getpid())
	b.Cleanup(func() { netns.Cleanup(prefix) })
	h, err := netns.Create(prefix + "r")
	if err != nil {
		b.Fatal(err)
	}
	defer h.Delete()
	nr, err := netns.NewRouter(h)
	if err != nil {
		b.Fatal(err)
	}
	st := netns.State{Ports: []netns.Port{{Name: "ge-0/0/0", Units: []netns.Unit{{Addrs: []netip.Prefix{pfx("10.0.0.1/16")}}}}}}
	p, err := nr.Prepare(st)
	if err != nil {
		b.Fatal(err)
	}
	p.Apply()
	cfg := Config{Interfaces: []IfAddr{{Name: "ge-0/0/0.0", Prefix: pfx("10.0.0.1/16"), Up: true}}}
	for i := range 2000 {
		cfg.Static = append(cfg.Static, StaticRoute{
			Prefix:   netip.PrefixFrom(netip.AddrFrom4([4]byte{20, byte(i / 256), byte(i % 256), 0}), 24),
			NextHops: []NextHop{{Addr: addr("10.0.0.2")}},
		})
	}
	rt := New(nr)
	commitOrFail(b, rt, cfg)
	gws := []netip.Addr{addr("10.0.0.3"), addr("10.0.0.2")}
	b.ResetTimer()
	for i := range b.N {
		cfg.Static[0].NextHops = []NextHop{{Addr: gws[i%2]}}
		commitOrFail(b, rt, cfg)
	}
	b.StopTimer()
	krs, err := nr.KernelRoutes(netns.MainTable)
	if err != nil || len(krs) < 2000 {
		b.Fatalf("kernel holds %d routes, %v; want 2000 and more", len(krs), err)
	}
}

func commitOrFail(b *testing.B, rt *Router, cfg Config) {
	p, err := rt.Prepare(cfg)
	if err != nil {
		b.Fatal(err)
	}
	p.Apply()
}
