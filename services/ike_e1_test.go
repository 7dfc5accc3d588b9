package services_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// e1Lines turn the E2 lab into the tunnel of the E1 example: the term
// names only its ipsec-inside-interface (selectors 0.0.0.0/0 on both
// sides), both routers establish the tunnel at once, and OSPF runs
// through the unnumbered inside units instead of the static routes.
func e1Lines(ms, lan, lo string) []string {
	return []string{
		"delete routing-options static",
		"delete services ipsec-vpn rule rule-manual term t1 from",
		"set services ipsec-vpn rule rule-manual term t1 from ipsec-inside-interface " + ms + ".1",
		"set services ipsec-vpn establish-tunnels immediately",
		"set interfaces lo0 unit 0 family inet address " + lo + "/32",
		"set routing-options router-id " + lo,
		"set protocols ospf area 0 interface " + ms + ".1",
		"set protocols ospf area 0 interface lo0.0 passive",
		"set protocols ospf area 0 interface " + lan + ".0 passive",
	}
}

// TestE1NextHopIKEOSPF: a next-hop service set whose term names only its
// inside interface negotiates 0.0.0.0/0 <-> 0.0.0.0/0 with IKE versions 1
// and 2; OSPF forms its adjacency through the tunnel (its unicast packets
// too) and routes the LANs through it.
func TestE1NextHopIKEOSPF(t *testing.T) {
	for _, v := range []string{"1", "2"} {
		t.Run("ikev"+v, func(t *testing.T) {
			needRoot(t)
			l := newLab(t, e2Config(t, "r1", ikeLines(v, e1Lines("ms-4/0/0", "ge-1/0/0", "10.0.0.1")...)...),
				e2Config(t, "r2", ikeLines(v, e1Lines("ms-1/0/0", "ge-0/0/0", "10.0.0.2")...)...))
			full := regexp.MustCompile(`(?m)^10\.0\.0\.[12] +ms-[14]/0/0\.1 +Full `)
			deadline := time.Now().Add(45 * time.Second)
			for {
				a, b := l.cli(l.r1, "show ospf neighbor"), l.cli(l.r2, "show ospf neighbor")
				if full.MatchString(a) && full.MatchString(b) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no OSPF adjacency through the tunnel\nr1:\n%s%s\nr2:\n%s%s", a,
						l.cli(l.r1, "show services ipsec-vpn ipsec security-associations; show ospf statistics; file show /var/log/kmd"), b,
						l.cli(l.r2, "show services ipsec-vpn ipsec security-associations; file show /var/log/kmd"))
				}
				time.Sleep(500 * time.Millisecond)
			}
			for _, r := range []routerT{l.r1, l.r2} {
				out := l.cli(r, "show services ipsec-vpn ipsec security-associations")
				for _, want := range []string{"Local identity: ipv4_subnet(any:0,[0..7]=0.0.0.0/0)", "Remote identity: ipv4_subnet(any:0,[0..7]=0.0.0.0/0)"} {
					if !strings.Contains(out, want) {
						t.Errorf("%s: no %q:\n%s", r.Name(), want, out)
					}
				}
			}
			// Both initiated: the two IKE SAs end as one (IKEv1 deletes
			// the other after a grace of 10 s).
			matured := regexp.MustCompile(`(?m)^10\.0\.1\.[12] +Matured `)
			deadline = time.Now().Add(20 * time.Second)
			for {
				a, b := l.cli(l.r1, "show services ipsec-vpn ike security-associations"), l.cli(l.r2, "show services ipsec-vpn ike security-associations")
				if len(matured.FindAllString(a, -1)) == 1 && len(matured.FindAllString(b, -1)) == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not one IKE SA each:\nr1:\n%s\nr2:\n%s", a, b)
				}
				time.Sleep(500 * time.Millisecond)
			}
			l.waitPing("h1", "192.168.0.10")
			if err := l.ping("h2", "172.16.0.10", 3); err != nil {
				t.Fatal(err)
			}
			if out := l.cli(l.r1, "show route 192.168.0.0/16"); !strings.Contains(out, "via ms-4/0/0.1") || !strings.Contains(out, "OSPF") {
				t.Errorf("r1's route to r2's LAN is not OSPF through the inside unit:\n%s", out)
			}
			out := l.cli(l.r1, "traceroute 192.168.0.10 no-resolve")
			// The tunnel hop answers from r1's lo0 (the inside unit is
			// unnumbered), r2 from its lo0; the WAN never shows.
			if !regexp.MustCompile(`(?s) 1  10\.0\.0\.1 .* 2  10\.0\.0\.2 .* 3  192\.168\.0\.10 `).MatchString(out) || strings.Contains(out, "10.0.1.") {
				t.Errorf("traceroute through the tunnel:\n%s", out)
			}
		})
	}
}
