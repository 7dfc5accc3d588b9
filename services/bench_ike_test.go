package services_test

import (
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"mxlab/internal/swantest"
	"mxlab/netns"
)

// manyTerms returns set lines adding n dynamic terms to the E2 rule, each
// protecting one host pair (10.100.x.y/32 -> 10.200.x.y/32, mirrored on
// r2).
func manyTerms(n int, r2 bool) []string {
	var out []string
	for i := 1; i <= n; i++ {
		a, b := fmt.Sprintf("10.100.%d.%d/32", i/256, i%256), fmt.Sprintf("10.200.%d.%d/32", i/256, i%256)
		if r2 {
			a, b = b, a
		}
		t := fmt.Sprintf("services ipsec-vpn rule rule-manual term b%d ", i)
		out = append(out, "set "+t+"from source-address "+a, "set "+t+"from destination-address "+b,
			"set "+t+"then remote-gateway 10.0.1."+map[bool]string{false: "2", true: "1"}[r2],
			"set "+t+"then dynamic ike-policy ike-pol", "set "+t+"then dynamic ipsec-policy ipsec-pol")
	}
	return out
}

// countSAs returns the negotiated outbound SAs r shows.
func (l *lab) countSAs(r routerT) int {
	return len(regexp.MustCompile(`(?m)^\s+outbound\s+\d+\s+0\s+tunnel\s+dynamic\s+ESP$`).FindAllString(
		l.cli(r, "show services ipsec-vpn ipsec security-associations"), -1))
}

// waitTunnels waits until both routers have n negotiated outbound SAs.
func (l *lab) waitTunnels(b testing.TB, n int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for l.countSAs(l.r1) < n || l.countSAs(l.r2) < n {
		if time.Now().After(deadline) {
			b.Fatalf("%d and %d of %d tunnels up after %v", l.countSAs(l.r1), l.countSAs(l.r2), n, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// BenchmarkIKETunnels: two mxlab routers negotiate n tunnels (child SAs
// with PFS over one IKE SA, plus the term of E2); each iteration clears
// the IKE and IPsec SAs and times until every tunnel is up again on both
// routers. Reported: tunnels/s.
func BenchmarkIKETunnels(b *testing.B) {
	const n = 100
	for _, v := range []string{"1", "2"} {
		for _, g := range []string{"group14", "group19"} {
			b.Run("ikev"+v+"/"+g, func(b *testing.B) {
				extra := append(manyTerms(n, false), "set services ipsec-vpn ike proposal ike-prop dh-group "+g,
					"set services ipsec-vpn ipsec policy ipsec-pol perfect-forward-secrecy keys "+g)
				extra2 := append(manyTerms(n, true), extra[len(extra)-2:]...)
				l := benchLab(b, v, extra, extra2)
				l.waitTunnels(b, n+1, time.Minute)
				b.ResetTimer()
				start := time.Now()
				for range b.N {
					l.cli(l.r1, "clear services ipsec-vpn ike security-associations; clear services ipsec-vpn ipsec security-associations")
					l.waitTunnels(b, n+1, 2*time.Minute)
				}
				b.ReportMetric(float64((n+1)*b.N)/time.Since(start).Seconds(), "tunnels/s")
			})
		}
	}
}

// BenchmarkIKE1000: 1,000 tunnels between two mxlab routers (1,000 terms,
// IKEv1 and IKEv2, group14, no PFS): the time from r1's commit to all up,
// and the memory they take in both routers, per tunnel.
func BenchmarkIKE1000(b *testing.B) {
	const n = 1000
	for _, v := range []string{"1", "2"} {
		b.Run("ikev"+v, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				l := benchLab(b, v, append(manyTerms(n, false), "set services ipsec-vpn establish-tunnels on-traffic"), manyTerms(n, true))
				time.Sleep(time.Second)
				before := heapInUse()
				b.StartTimer()
				start := time.Now()
				l.cli(l.r1, "configure; set services ipsec-vpn establish-tunnels immediately; commit and-quit")
				l.waitTunnels(b, n+1, 5*time.Minute)
				el := time.Since(start)
				b.StopTimer()
				after := heapInUse()
				b.ReportMetric(el.Seconds(), "s-to-all-up")
				b.ReportMetric(float64(n+1)/el.Seconds(), "tunnels/s")
				b.ReportMetric(float64(after-before)/float64(n+1), "heap-B/tunnel")
				l.close()
			}
		})
	}
}

// benchLab is the E2 lab with IKE version v for benchmarks.
func benchLab(b *testing.B, v string, r1, r2 []string) *lab {
	return newLab(b, e2Config(b, "r1", ikeLines(v, append([]string{"set services ipsec-vpn establish-tunnels immediately",
		"delete services ipsec-vpn traceoptions"}, r1...)...)...),
		e2Config(b, "r2", ikeLines(v, append([]string{"delete services ipsec-vpn traceoptions"}, r2...)...)...))
}

// swanPair is two namespaces s1 (10.0.1.1) and s2 (10.0.1.2) joined by a
// link, for two charons, with the addresses of n host pairs on their
// loopbacks (kernel-libipsec routes the traffic of a child through its
// TUN device from a local address of the child's selector).
func swanPair(b *testing.B, n int) *lab {
	needRoot(b)
	swantest.Need(b)
	l := &lab{t: b, prefix: fmt.Sprintf("mxswb%d-%d-", os.Getpid()%100000, swanLabs.Add(1)), ns: map[string]*netns.Handle{}}
	for _, n := range []string{"s1", "s2"} {
		h, err := netns.Create(l.prefix + n)
		if err != nil {
			b.Fatal(err)
		}
		l.ns[n] = h
	}
	l.connect("s1", "wan", "s2", "wan")
	for ns, a := range map[string]string{"s1": "10.0.1.1/30", "s2": "10.0.1.2/30"} {
		if err := l.ns[ns].AddrAdd("wan", netip.MustParsePrefix(a)); err != nil {
			b.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		for ns, net := range map[string]int{"s1": 100, "s2": 200} {
			if err := l.ns[ns].AddrAdd("lo", netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.%d/32", net, i/256, i%256))); err != nil {
				b.Fatal(err)
			}
		}
	}
	return l
}

// BenchmarkSwanTunnels: the same shape between two strongSwan 5.9.8
// gateways (charon, kernel-libipsec): one connection with n children
// with PFS, all initiated at load; the time until all are installed on
// both. Reported: tunnels/s.
func BenchmarkSwanTunnels(b *testing.B) {
	const n = 100
	for _, g := range []string{"modp2048", "ecp256"} {
		b.Run("ikev2/"+g, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				timeSwanPair(b, swanPair(b, n), n, [2]string{swanMany(n, g, true), swanMany(n, g, false)}, [2]map[string][]byte{})
			}
		})
	}
}

// timeSwanPair starts the responder (s2, confs[1]) of lab l, then times
// the initiator (s1, confs[0]) from its start until both have n children
// installed, reporting tunnels/s; it stops both and closes l. files are
// each side's credentials.
func timeSwanPair(b *testing.B, l *lab, n int, confs [2]string, files [2]map[string][]byte) {
	s2 := swantest.Start(b, l.ns["s2"].Name(), confs[1], "", files[1])
	b.StartTimer()
	start := time.Now()
	s1 := swantest.Start(b, l.ns["s1"].Name(), confs[0], "", files[0])
	waitSwanChildren(b, s1, s2, n)
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "tunnels/s")
	b.StopTimer()
	s1.Stop()
	s2.Stop()
	l.close()
}

// waitSwanChildren waits until both strongSwans have n children
// installed.
func waitSwanChildren(b *testing.B, s1, s2 *swantest.Swan, n int) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		o1, _ := s1.Ctl("--list-sas")
		o2, _ := s2.Ctl("--list-sas")
		if strings.Count(o1, "INSTALLED") >= n && strings.Count(o2, "INSTALLED") >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d and %d of %d children installed", strings.Count(o1, "INSTALLED"), strings.Count(o2, "INSTALLED"), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// swanMany is a swanctl.conf with one connection and n children with
// PFS group g; initiator starts them at load.
func swanMany(n int, g string, initiator bool) string {
	local, remote, start := "10.0.1.1", "10.0.1.2", "start"
	if !initiator {
		local, remote, start = remote, local, "none"
	}
	var ch strings.Builder
	for i := 1; i <= n; i++ {
		a, c := fmt.Sprintf("10.100.%d.%d/32", i/256, i%256), fmt.Sprintf("10.200.%d.%d/32", i/256, i%256)
		if !initiator {
			a, c = c, a
		}
		fmt.Fprintf(&ch, "            c%d {\n                local_ts = %s\n                remote_ts = %s\n                esp_proposals = aes128-sha1-%s\n                start_action = %s\n            }\n", i, a, c, g, start)
	}
	return fmt.Sprintf(`connections {
    site {
        version = 2
        local_addrs = %s
        remote_addrs = %s
        proposals = aes128-sha256-%s
        mobike = no
        local {
            auth = psk
            id = %s
        }
        remote {
            auth = psk
            id = %s
        }
        children {
%s        }
    }
}
secrets {
    ike-site {
        id-1 = 10.0.1.1
        id-2 = 10.0.1.2
        secret = "juniper123"
    }
}
`, local, remote, g, local, remote, ch.String())
}
