package services_test

import (
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mxlab/internal/swantest"
	"mxlab/netns"
)

// v1Cookies returns the cookies of the one matured IKEv1 SA of the brief
// IKE SA output, and its exchange type.
func v1Cookies(t *testing.T, out string) (string, string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^10\.0\.1\.\d\s+Matured\s+([0-9a-f]{16})\s+([0-9a-f]{16})\s+(Main|Aggressive)$`).FindAllStringSubmatch(out, -1)
	if len(m) != 1 {
		t.Fatalf("not one matured IKEv1 SA:\n%s", out)
	}
	return m[0][1] + m[0][2], m[0][3]
}

// TestE2IKEv1 is the E2 lab with IKE version 1 (the Junos default), main
// and aggressive mode, with PFS: traffic both ways, the SAs on both
// routers, clear commands and a PIC restart followed by renegotiation.
func TestE2IKEv1(t *testing.T) {
	for _, mode := range []string{"main", "aggressive"} {
		t.Run(mode, func(t *testing.T) {
			extra := []string{"set services ipsec-vpn ike policy ike-pol mode " + mode,
				"set services ipsec-vpn ipsec policy ipsec-pol perfect-forward-secrecy keys group19"}
			l := ikeLab(t, "1", extra, extra)
			l.waitTunnel()
			if err := l.ping("h2", "172.16.0.10", 3); err != nil {
				t.Fatal(err)
			}
			c1, exch := v1Cookies(t, l.cli(l.r1, "show services ipsec-vpn ike security-associations"))
			want := map[string]string{"main": "Main", "aggressive": "Aggressive"}[mode]
			if exch != want {
				t.Errorf("exchange type %s, want %s", exch, want)
			}
			if c2, _ := v1Cookies(t, l.cli(l.r2, "show services ipsec-vpn ike security-associations 10.0.1.1")); c1 != c2 {
				t.Fatalf("cookies differ: %s %s", c1, c2)
			}
			d := l.cli(l.r1, "show services ipsec-vpn ike security-associations detail")
			for _, w := range []string{"IKE peer 10.0.1.2", "Role: Initiator, State: Matured", "Exchange type: " + want,
				"Authentication method: Pre-shared-keys", "Encryption            : aes-128-cbc", "Diffie-Hellman group  : 14"} {
				if !strings.Contains(d, w) {
					t.Errorf("IKE SA detail lacks %q:\n%s", w, d)
				}
			}
			spis := dynamicSPIs(l.cli(l.r1, "show services ipsec-vpn ipsec security-associations"))
			peer := dynamicSPIs(l.cli(l.r2, "show services ipsec-vpn ipsec security-associations"))
			if len(spis) != 2 || len(peer) != 2 || peer[0] != spis[1] || peer[1] != spis[0] {
				t.Fatalf("SPIs of r1 %v and r2 %v do not pair", spis, peer)
			}
			// clear ipsec security-associations: new SAs at once.
			l.cli(l.r1, "clear services ipsec-vpn ipsec security-associations")
			l.waitTunnel()
			if again := dynamicSPIs(l.cli(l.r1, "show services ipsec-vpn ipsec security-associations")); len(again) != 2 || again[0] == spis[0] {
				t.Fatalf("SAs not renegotiated after clear: %v %v", spis, again)
			}
			// clear ike security-associations, then the PIC restarts.
			l.cli(l.r1, "clear services ipsec-vpn ike security-associations 10.0.1.2")
			l.waitTunnel()
			l.cli(l.r1, "request chassis pic fpc-slot 4 pic-slot 0 offline")
			l.cli(l.r1, "request chassis pic fpc-slot 4 pic-slot 0 online")
			l.waitTunnel()
			if err := l.ping("h2", "172.16.0.10", 2); err != nil {
				t.Fatal(err)
			}
			log := l.cli(l.r1, "file show /var/log/kmd")
			if !strings.Contains(log, "IKE SA established") || strings.Contains(log, "juniper123") {
				t.Errorf("kmd log:\n%s", log)
			}
		})
	}
}

var swanLabs atomic.Int32

// swanLab is the E2 lab with strongSwan (charon, IKEv1) in place of r2:
//
//	h1 172.16.0.10 -- r1 (mxlab) 10.0.1.1 -- 10.0.1.2 s2 (charon) 192.168.0.1 -- h2 192.168.0.10
func swanLab(t *testing.T, r1 []string, conn, child, settings string) (*lab, *swantest.Swan) {
	l := swanNet(t)
	s := swantest.Start(t, l.ns["s2"].Name(), `connections {
  site {
    version = 1
    local_addrs = 10.0.1.2
    remote_addrs = 10.0.1.1
    `+conn+`
    local {
      auth = psk
      id = 10.0.1.2
    }
    remote {
      auth = psk
      id = 10.0.1.1
    }
    children {
      net {
        local_ts = 192.168.0.0/16
        remote_ts = 172.16.0.0/16
        `+child+`
      }
    }
  }
}
secrets {
  ike-site {
    id-1 = 10.0.1.1
    id-2 = 10.0.1.2
    secret = "juniper123"
  }
}
`, settings)
	l.r1 = l.router("r1", r1Layout, e2Config(t, "r1", ikeLines("1", r1...)...))
	return l, s
}

// swanNet builds the namespaces of the strongSwan lab, without r1's
// router and without charon.
func swanNet(t *testing.T) *lab {
	needRoot(t)
	swantest.Need(t)
	l := &lab{t: t, prefix: fmt.Sprintf("mxsw%d-%d-", os.Getpid()%100000, swanLabs.Add(1)), ns: map[string]*netns.Handle{}}
	t.Cleanup(l.close)
	for _, n := range []string{"r1", "s2", "h1", "h2"} {
		h, err := netns.Create(l.prefix + n)
		if err != nil {
			t.Fatal(err)
		}
		l.ns[n] = h
	}
	l.connect("r1", "ge-1_0_0", "h1", "eth1")
	l.connect("r1", "ge-1_0_1", "s2", "wan")
	l.connect("s2", "lan", "h2", "eth1")
	l.host("h1", "172.16.0.10/16", "172.16.0.1")
	l.host("h2", "192.168.0.10/16", "192.168.0.1")
	for _, a := range []struct{ link, p string }{{"wan", "10.0.1.2/30"}, {"lan", "192.168.0.1/16"}} {
		if err := l.ns["s2"].AddrAdd(a.link, netip.MustParsePrefix(a.p)); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := l.exec("s2", "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
		t.Fatalf("ip_forward: %v %s", err, out)
	}
	return l
}

// TestE2IKEv1StrongSwan runs the E2 lab against strongSwan: traffic
// between the LANs through a tunnel negotiated with IKEv1, mxlab as
// initiator and as responder, and a rekey by strongSwan while traffic
// flows.
func TestE2IKEv1StrongSwan(t *testing.T) {
	for _, tc := range []struct {
		name, conn, child, settings string
		r1                          []string
		swanInit                    bool
	}{
		{name: "main_mxlab_initiates", conn: "proposals = aes128-sha256-modp2048", child: "esp_proposals = aes128-sha1",
			r1: []string{"set services ipsec-vpn establish-tunnels immediately"}},
		{name: "aggressive_mxlab_initiates", conn: "proposals = aes128-sha256-modp2048\n    aggressive = yes", child: "esp_proposals = aes128-sha1",
			settings: "i_dont_care_about_security_and_use_aggressive_mode_psk = yes",
			r1:       []string{"set services ipsec-vpn establish-tunnels immediately", "set services ipsec-vpn ike policy ike-pol mode aggressive"}},
		{name: "main_pfs_strongswan_initiates", conn: "proposals = aes128-sha256-modp2048", child: "esp_proposals = aes128-sha1-ecp256",
			r1: []string{"set services ipsec-vpn establish-tunnels responder-only",
				"set services ipsec-vpn ipsec policy ipsec-pol perfect-forward-secrecy keys group19"}, swanInit: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, s := swanLab(t, tc.r1, tc.conn, tc.child, tc.settings)
			if tc.swanInit {
				if out, err := s.Ctl("--initiate", "--child", "net", "--timeout", "20"); err != nil {
					t.Fatalf("swanctl --initiate: %v\n%s\n%s", err, out, s.Log())
				}
			}
			l.waitTunnel()
			if err := l.ping("h2", "172.16.0.10", 2); err != nil {
				t.Fatal(err)
			}
			d := l.cli(l.r1, "show services ipsec-vpn ike security-associations detail")
			for _, w := range []string{"State: Matured", "Local: 10.0.1.1:4500, Remote: 10.0.1.2:4500", "NAT traversal: Detected"} {
				if !strings.Contains(d, w) {
					t.Errorf("IKE SA detail lacks %q:\n%s", w, d)
				}
			}
			old := dynamicSPIs(l.cli(l.r1, "show services ipsec-vpn ipsec security-associations"))
			// strongSwan rekeys the pair while h1 pings h2: nothing lost.
			done := make(chan error)
			go func() { done <- l.ping("h1", "192.168.0.10", 15) }()
			time.Sleep(time.Second)
			if out, err := s.Ctl("--rekey", "--child", "net"); err != nil {
				t.Fatalf("swanctl --rekey: %v\n%s", err, out)
			}
			if err := <-done; err != nil {
				t.Fatalf("traffic during the rekey: %v", err)
			}
			now := dynamicSPIs(l.cli(l.r1, "show services ipsec-vpn ipsec security-associations"))
			if len(now) < 4 || now[len(now)-2] == old[0] {
				t.Errorf("no new SA pair after the rekey: before %v, after %v", old, now)
			}
		})
	}
}
