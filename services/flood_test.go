package services_test

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	labs "mxlab/lab"
	"mxlab/netns"
	"mxlab/services/ike/ikev1"
)

// Bounds of the flood test.
const (
	// maxHalfOpenV1 is the IKEv1 bound of half-open SAs of a PIC
	// (ikev1.DefaultMaxHalfOpen); maxHalfOpenV2 the IKEv2 cookie
	// threshold: beyond it an IKE_SA_INIT without a valid cookie gets a
	// COOKIE notification and no state.
	maxHalfOpenV1 = ikev1.DefaultMaxHalfOpen
	maxHalfOpenV2 = 200
	// maxHeapGrowth bounds the growth of the live heap of the test
	// process (the routers live in it) over the flood. 1,024 half-open
	// IKEv1 SAs take about 1.5 MB; without the half-open bound the 8,192
	// SAs the bound of dynamic peers still allows would take 11 MB.
	maxHeapGrowth = 8 << 20
)

// floodVersions are the IKE versions flooded: the first message and the
// bound of half-open SAs of each.
var floodVersions = []struct {
	version string
	first   func(testing.TB) []byte
	bound   int
}{
	{"1", firstMessageV1, maxHalfOpenV1},
	{"2", firstMessageV2, maxHalfOpenV2},
}

// floodResult is what a flood did to the lab.
type floodResult struct {
	pingsSent, pingsReceived int
	before, after            map[string]string // the hub's matured IKE SAs: peer -> cookies
	halfOpen, peak           int               // half-open SAs after the flood, most seen during it
	dropped, overflow        int               // show ... ike statistics: half-open limit, queue overflow
	stats                    string            // that output
	sendTime                 time.Duration     // to send the spoofed messages
	handleTime               time.Duration     // until the hub had counted them all
	heap0, heap1             uint64            // live heap before and after
	rss0, rss1               uint64            // resident set of the process before and after
	rssFreed                 uint64            // after, once the free heap is given back (debug.FreeOSMemory)
	kernelDrops              uint64            // UDP datagrams the hub's kernel dropped
	lossBySpoke              []string          // spokes that lost pings
}

// runFlood starts the flood lab for an IKE version, waits for the ten
// tunnels, then floods the hub while every spoke pings through its
// tunnel (pings every interval for 5 s; the flood starts after 1 s) and
// reads the hub's state.
func runFlood(tb testing.TB, version string, first []byte, paced bool, interval time.Duration) floodResult {
	topo := floodTopology(tb, fmt.Sprintf("f%d-v%s", os.Getpid()%100000, version), version)
	l, err := labs.Up(context.Background(), topo, labs.Options{RunDir: floodLabDir(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	var r floodResult
	r.before = waitTunnels(tb, l)
	hub := l.Namespace("hub")
	kd0 := udpDrops(tb, hub)
	r.heap0, r.rss0 = heapAfterGC(), rss()

	pings := int(5 * time.Second / interval)
	var wg sync.WaitGroup
	sent, received := make([]int, floodSpokes), make([]int, floodSpokes)
	for i := range floodSpokes {
		wg.Go(func() { sent[i], received[i] = spokePing(tb, l, i+1, pings, interval) })
	}
	time.Sleep(time.Second)
	start := time.Now()
	done := make(chan struct{})
	var floodErr error
	go func() {
		defer close(done)
		floodErr = flood(l.Namespace("atk"), first, paced)
		r.sendTime = time.Since(start)
	}()
	// Sample the half-open SAs while the flood lasts, then wait until
	// the hub has counted every message (or its counters stand still).
	for sampling := true; sampling; {
		select {
		case <-done:
			sampling = false
		case <-time.After(200 * time.Millisecond):
		}
		_, n := hubSAs(tb, l)
		r.peak = max(r.peak, n)
	}
	if floodErr != nil {
		tb.Fatal(floodErr)
	}
	last, lastChange := -1, time.Now()
	for time.Since(lastChange) < time.Second {
		r.dropped, r.overflow, r.stats = dropCounters(tb, l)
		if n := r.dropped + r.overflow; n != last {
			last, lastChange = n, time.Now()
			r.handleTime = time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, r.halfOpen = hubSAs(tb, l)
	r.peak = max(r.peak, r.halfOpen)
	wg.Wait()
	r.after, _ = hubSAs(tb, l)
	r.heap1, r.rss1 = heapAfterGC(), rss()
	debug.FreeOSMemory()
	r.rssFreed = rss()
	r.kernelDrops = udpDrops(tb, hub) - kd0
	for i := range floodSpokes {
		r.pingsSent += sent[i]
		r.pingsReceived += received[i]
		if received[i] != sent[i] || sent[i] != pings {
			r.lossBySpoke = append(r.lossBySpoke, fmt.Sprintf("s%d: %d of %d answered", i+1, received[i], sent[i]))
		}
	}
	return r
}

// rss returns the resident set of the process in bytes.
func rss() uint64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// udpDrops returns the UDP datagrams the kernel of namespace h dropped
// for want of room in a socket's buffer (RcvbufErrors of /proc/net/snmp).
func udpDrops(tb testing.TB, h *netns.Handle) uint64 {
	var data []byte
	err := netns.Do(h, func() (err error) {
		data, err = os.ReadFile("/proc/thread-self/net/snmp")
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "Udp:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == "RcvbufErrors" && i < len(f) {
				v, _ := strconv.ParseUint(f[i], 10, 64)
				return v
			}
		}
	}
	return 0
}

// TestFloodLive: a hub with ten spokes whose tunnels carry pings
// receives 10,000 spoofed first messages (IKEv1 main mode, IKEv2
// IKE_SA_INIT) from 1,000 addresses, paced over about a second. No ping
// is lost, the ten IKE SAs stay the same ones, the half-open SAs the hub
// shows stay within the bound, the live heap grows by less than
// maxHeapGrowth, and every spoofed message is either a half-open SA or
// counted as dropped in show services ipsec-vpn ike statistics.
func TestFloodLive(t *testing.T) {
	needRoot(t)
	for _, v := range floodVersions {
		t.Run("ikev"+v.version, func(t *testing.T) {
			r := runFlood(t, v.version, v.first(t), true, 100*time.Millisecond)
			t.Logf("IKEv%s: %d spoofed messages sent in %v, counted by the hub after %v: %d half-open SAs (peak %d, bound %d), %d dropped at the half-open limit, %d at the queue; %d of %d pings answered; live heap %+.1f MB",
				v.version, floodPackets, r.sendTime.Round(time.Millisecond), r.handleTime.Round(time.Millisecond),
				r.halfOpen, r.peak, v.bound, r.dropped, r.overflow, r.pingsReceived, r.pingsSent,
				float64(int64(r.heap1)-int64(r.heap0))/(1<<20))
			// (a) The pings kept flowing through the same tunnels. The
			// paced flood leaves both cores time for them: no loss.
			for _, s := range r.lossBySpoke {
				t.Errorf("pings lost: %s", s)
			}
			for peer, cookies := range r.before {
				if r.after[peer] != cookies {
					t.Errorf("IKE SA with %s: %q before the flood, %q after", peer, cookies, r.after[peer])
				}
			}
			if len(r.after) != floodSpokes {
				t.Errorf("%d matured IKE SAs after the flood, want %d", len(r.after), floodSpokes)
			}
			// (b) Bounded state.
			if r.peak > v.bound {
				t.Errorf("half-open SAs: %d after the flood, peak %d; bound %d", r.halfOpen, r.peak, v.bound)
			}
			if growth := int64(r.heap1) - int64(r.heap0); growth > maxHeapGrowth {
				t.Errorf("live heap grew by %.1f MB over the flood (bound %d MB)", float64(growth)/(1<<20), maxHeapGrowth>>20)
			}
			// (c) Every spoofed message that reached the hub's socket is
			// a half-open SA or counted as dropped, and the bound was
			// reached.
			if r.halfOpen+r.dropped+r.overflow+int(r.kernelDrops) != floodPackets || r.dropped == 0 {
				t.Errorf("%d half-open SAs + %d dropped at the limit + %d at the queue + %d by the kernel, want %d in all\n%s",
					r.halfOpen, r.dropped, r.overflow, r.kernelDrops, floodPackets, r.stats)
			}
		})
	}
}

// BenchmarkFlood: the flood of TestFloodLive sent as fast as one raw
// socket sends, while the ten spokes ping every 20 ms. Reported: the
// pings lost (%), the first messages the hub's key management handled
// per second (half-open SAs made plus refusals at the half-open bound,
// over the time until the last was counted; those refused at its full
// input queue are not handled), the messages refused at the queue, the
// resident set of the process (every router of the lab) before and after
// the flood (and after, once the free heap is given back to the system:
// most of the growth is garbage of the flood and of the show commands
// that watch it), and the growth of its live heap (after a collection).
// Run with -benchtime=1x: each iteration is a new lab.
func BenchmarkFlood(b *testing.B) {
	needRoot(b)
	for _, v := range floodVersions {
		b.Run("ikev"+v.version, func(b *testing.B) {
			first := v.first(b)
			var loss, rate, overflow, rss0, rss1, freed, heap, kernel float64
			for b.Loop() {
				r := runFlood(b, v.version, first, false, 20*time.Millisecond)
				loss += 100 * float64(r.pingsSent-r.pingsReceived) / float64(r.pingsSent)
				rate += float64(r.halfOpen+r.dropped) / r.handleTime.Seconds()
				overflow += float64(r.overflow)
				kernel += float64(r.kernelDrops)
				rss0 += float64(r.rss0) / (1 << 20)
				rss1 += float64(r.rss1) / (1 << 20)
				freed += float64(r.rssFreed) / (1 << 20)
				heap += float64(int64(r.heap1)-int64(r.heap0)) / (1 << 20)
				if len(r.after) != floodSpokes {
					b.Errorf("%d of %d tunnels after the flood", len(r.after), floodSpokes)
				}
			}
			n := float64(b.N)
			b.ReportMetric(loss/n, "ping-loss-%")
			b.ReportMetric(rate/n, "first-msgs/s")
			b.ReportMetric(overflow/n, "queue-drops")
			b.ReportMetric(kernel/n, "kernel-drops")
			b.ReportMetric(rss0/n, "rss-before-MB")
			b.ReportMetric(rss1/n, "rss-after-MB")
			b.ReportMetric(freed/n, "rss-after-freed-MB")
			b.ReportMetric(heap/n, "live-heap-growth-MB")
		})
	}
}
