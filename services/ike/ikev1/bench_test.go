package ikev1

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxlab/internal/swantest"
	"mxlab/netns"
	"mxlab/services/ike/suite"
)

// BenchmarkMainMode measures the work of one tunnel (main mode and quick
// mode, both sides) between two machines in memory: the protocol's CPU
// cost, without sockets.
func BenchmarkMainMode(b *testing.B) {
	for _, g := range []suite.Group{suite.Group14, suite.Group19} {
		b.Run(g.String(), func(b *testing.B) {
			for range b.N {
				l, r1, r2 := twoSites(b, ExchMain, func(t1, t2 *Tunnel) {
					t1.IKE.Proposals[0].Group, t2.IKE.Proposals[0].Group = g, g
				})
				l.run(time.Second)
				if len(r1.installed) != 1 || len(r2.installed) != 1 {
					b.Fatal("no tunnel")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tunnels/s")
		})
	}
}

// benchTunnels is how many tunnels the live benchmarks establish at once,
// each between its own pair of addresses (one main mode each).
const benchTunnels = 100

// benchLab is two namespaces joined by a veth pair, with benchTunnels
// addresses on each side: 10.9.1.i and 10.9.2.i.
func benchLab(b *testing.B) (a, z *netns.Handle, as, zs []netip.Addr) {
	if err := netns.Available(); err != nil {
		b.Skipf("skipping: %v", err)
	}
	prefix := fmt.Sprintf("iv1b%d-%d", os.Getpid()%100000, nsSeq.Add(1))
	var err error
	if a, err = netns.Create(prefix + "a"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Delete() })
	if z, err = netns.Create(prefix + "z"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { z.Delete() })
	if err := netns.Connect(a, "wan", z, "wan"); err != nil {
		b.Fatal(err)
	}
	for i := range benchTunnels {
		x, y := netip.AddrFrom4([4]byte{10, 9, 1, byte(i + 1)}), netip.AddrFrom4([4]byte{10, 9, 2, byte(i + 1)})
		if err := a.AddrAdd("wan", netip.PrefixFrom(x, 16)); err != nil {
			b.Fatal(err)
		}
		if err := z.AddrAdd("wan", netip.PrefixFrom(y, 16)); err != nil {
			b.Fatal(err)
		}
		as, zs = append(as, x), append(zs, y)
		// An address in each LAN: charon's libipsec routes the LAN
		// through its TUN device with a source address from it.
		for _, h := range []struct {
			ns *netns.Handle
			gw netip.Addr
		}{{a, x}, {z, y}} {
			if err := h.ns.AddrAdd("lo", netip.PrefixFrom(benchTS(h.gw).Addr().Next(), 32)); err != nil {
				b.Fatal(err)
			}
		}
	}
	return a, z, as, zs
}

// BenchmarkLiveMainMode establishes benchTunnels IKEv1 main-mode tunnels
// (PSK, aes-128-cbc, sha-256, each with its own phase-1 SA and one quick
// mode) between two machines over UDP in two namespaces, and the same
// between two strongSwan charons. One iteration is all of them, timed
// from the configuration to the last SA pair installed on both sides.
func BenchmarkLiveMainMode(b *testing.B) {
	for _, g := range []struct {
		group suite.Group
		swan  string
	}{{suite.Group14, "modp2048"}, {suite.Group19, "ecp256"}} {
		b.Run("mxlab-"+g.group.String(), func(b *testing.B) { benchMxlab(b, g.group) })
		b.Run("strongswan-"+g.group.String(), func(b *testing.B) { benchSwan(b, g.swan) })
	}
}

// benchTS is the LAN behind gateway 10.9.x.i: 172.16+x.i.0/24 (not the
// gateway itself: strongSwan refuses selectors that hold its IKE
// traffic).
func benchTS(gw netip.Addr) netip.Prefix {
	b := gw.As4()
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 15 + b[2], b[3], 0}), 24)
}

func benchTunnel(i int, local, remote netip.Addr, g suite.Group, start bool) Tunnel {
	return Tunnel{Name: strconv.Itoa(i), Local: local, Remote: remote,
		LocalTS: benchTS(local), RemoteTS: benchTS(remote), AutoStart: start,
		IKE:   IKEPolicy{PSK: []byte("juniper123"), Proposals: []IKEProposal{{Encryption: suite.AES128CBC, Hash: suite.SHA256, Group: g}}},
		IPsec: IPsecPolicy{Proposals: []IPsecProposal{{Encryption: suite.AES128CBC, Integrity: suite.HMACSHA1_96}}},
	}
}

func benchMxlab(b *testing.B, g suite.Group) {
	a, z, as, zs := benchLab(b)
	var cfgA, cfgZ Config
	for i := range as {
		cfgA.Tunnels = append(cfgA.Tunnels, benchTunnel(i, as[i], zs[i], g, true))
		cfgZ.Tunnels = append(cfgZ.Tunnels, benchTunnel(i, zs[i], as[i], g, false))
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		lz := startLive(b, z, zs[0], Config{}, zs[1:]...)
		la := startLive(b, a, as[0], Config{}, as[1:]...)
		lz.do(func() { lz.m.Configure(time.Now(), cfgZ) })
		b.StartTimer()
		la.do(func() { la.m.Configure(time.Now(), cfgA) })
		if !waitFor(60*time.Second, func() bool { return len(la.children()) == benchTunnels && len(lz.children()) == benchTunnels }) {
			b.Fatalf("%d and %d pairs", len(la.children()), len(lz.children()))
		}
		b.StopTimer()
		la.do(func() {
			if s := la.m.Stats(); s.Retransmits+s.Timeouts > 0 {
				b.Logf("initiator: %d retransmissions, %d timeouts", s.Retransmits, s.Timeouts)
			}
		})
		la.close()
		lz.close()
	}
	b.ReportMetric(float64(b.N*benchTunnels)/b.Elapsed().Seconds(), "tunnels/s")
}

func benchSwan(b *testing.B, group string) {
	swantest.Need(b)
	a, z, as, zs := benchLab(b)
	conf := func(local, remote []netip.Addr, start bool) string { return benchSwanConf(local, remote, group, start) }
	// No logging, which would slow charon down.
	settings := "filelog {\n    charon {\n      default = -1\n      ike = -1\n      cfg = -1\n      chd = -1\n    }\n  }"
	empty := "connections {\n}\nsecrets {\n  ike {\n    secret = \"juniper123\"\n  }\n}\n"
	up := func(s *swantest.Swan) bool {
		out, _ := s.Ctl("--stats")
		return strings.Contains(out, fmt.Sprintf("IKE_SAs: %d total, 0 half-open", benchTunnels)) &&
			strings.Count(mustCtl(s, "--list-sas"), "INSTALLED") == benchTunnels
	}
	for range b.N {
		b.StopTimer()
		sz := swantest.Start(b, z.Name(), conf(zs, as, false), settings)
		sa := swantest.Start(b, a.Name(), empty, settings)
		b.StartTimer()
		// start_action = start: the connections start as they load.
		if err := sa.Load(conf(as, zs, true)); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for !up(sz) || !up(sa) {
			if time.Now().After(deadline) {
				out, _ := sz.Ctl("--stats")
				b.Fatalf("not all up:\n%s\n%d %d installed\n%s", out, strings.Count(mustCtl(sz, "--list-sas"), "INSTALLED"),
					strings.Count(mustCtl(sa, "--list-sas"), "INSTALLED"), mustCtl(sa, "--list-sas"))
			}
			time.Sleep(50 * time.Millisecond)
		}
		b.StopTimer()
		sa.Stop()
		sz.Stop()
	}
	b.ReportMetric(float64(b.N*benchTunnels)/b.Elapsed().Seconds(), "tunnels/s")
}

func mustCtl(s *swantest.Swan, args ...string) string {
	out, _ := s.Ctl(args[0], args[1:]...)
	return out
}

// benchSwanConf is the swanctl.conf of one charon of the benchmark.
func benchSwanConf(local, remote []netip.Addr, group string, start bool) string {
	var s strings.Builder
	s.WriteString("connections {\n")
	for i := range local {
		fmt.Fprintf(&s, "  c%d {\n    version = 1\n    local_addrs = %v\n    remote_addrs = %v\n    proposals = aes128-sha256-%s\n", i, local[i], remote[i], group)
		fmt.Fprintf(&s, "    local {\n      auth = psk\n      id = %v\n    }\n    remote {\n      auth = psk\n      id = %v\n    }\n", local[i], remote[i])
		fmt.Fprintf(&s, "    children {\n      net {\n        local_ts = %v\n        remote_ts = %v\n        esp_proposals = aes128-sha1\n", benchTS(local[i]), benchTS(remote[i]))
		if start {
			s.WriteString("        start_action = start\n")
		}
		s.WriteString("      }\n    }\n  }\n")
	}
	s.WriteString("}\nsecrets {\n  ike {\n    secret = \"juniper123\"\n  }\n}\n")
	return s.String()
}
