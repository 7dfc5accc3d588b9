package services_test

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxlab/internal/swantest"
	"mxlab/netns"
)

// rwNet builds the road-warrior lab: strongSwan (s2, LAN 192.168.0.0/16)
// behind a NAT namespace whose public side faces r1's WAN; the NAT maps
// the UDP source ports to 40000-40999, so r1 sees the peer at an address
// and ports it could not know.
//
//	h1 172.16.0.10 -- r1 10.0.1.1 -- 10.0.1.2 nat 192.168.77.1 -- 192.168.77.10 s2 192.168.0.1 -- h2 192.168.0.10
func rwNet(t *testing.T) *lab {
	needRoot(t)
	swantest.Need(t)
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("skipping: nft missing (nftables)")
	}
	l := &lab{t: t, prefix: fmt.Sprintf("mxrw%d-%d-", os.Getpid()%100000, swanLabs.Add(1)), ns: map[string]*netns.Handle{}}
	t.Cleanup(l.close)
	for _, n := range []string{"r1", "nat", "s2", "h1", "h2"} {
		h, err := netns.Create(l.prefix + n)
		if err != nil {
			t.Fatal(err)
		}
		l.ns[n] = h
	}
	l.connect("r1", "ge-1_0_0", "h1", "eth1")
	l.connect("r1", "ge-1_0_1", "nat", "wan")
	l.connect("nat", "lan", "s2", "wan")
	l.connect("s2", "lan", "h2", "eth1")
	l.host("h1", "172.16.0.10/16", "172.16.0.1")
	l.host("h2", "192.168.0.10/16", "192.168.0.1")
	for _, a := range []struct{ ns, link, p string }{{"nat", "wan", "10.0.1.2/30"}, {"nat", "lan", "192.168.77.1/24"},
		{"s2", "wan", "192.168.77.10/24"}, {"s2", "lan", "192.168.0.1/16"}} {
		if err := l.ns[a.ns].AddrAdd(a.link, netip.MustParsePrefix(a.p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.ns["s2"].RouteAdd(netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("192.168.77.1")); err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"nat", "s2"} {
		if out, err := l.exec(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
			t.Fatalf("ip_forward: %v %s", err, out)
		}
	}
	rules := `table ip nat {
  chain post {
    type nat hook postrouting priority 100;
    oifname "wan" meta l4proto udp masquerade to :40000-40999
    oifname "wan" masquerade
  }
}
`
	cmd := exec.Command("ip", "netns", "exec", l.ns["nat"].Name(), "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("skipping: no NAT in the kernel (nft: %v %s)", err, out)
	}
	return l
}

// rwHub is r1 as a hub for dynamic peers: the E2 service set without
// rules, with the access profile rw-prof (192.168.0.0/16 behind the
// peers, 172.16.0.0/16 here) and IKE version v.
func rwHub(t *testing.T, v string) string {
	return e2Config(t, "r1",
		"delete services service-set ss-vpn ipsec-vpn-rules",
		"delete services ipsec-vpn rule",
		"set interfaces ms-4/0/0 unit 1 dial-options ipsec-interface-id rw",
		"set interfaces ms-4/0/0 unit 1 dial-options shared",
		"set access profile rw-prof client * ike allowed-proxy-pair local 172.16.0.0/16 remote 192.168.0.0/16",
		"set access profile rw-prof client * ike ike-policy ike-pol",
		"set access profile rw-prof client * ike ipsec-policy ipsec-pol",
		"set access profile rw-prof client * ike interface-id rw",
		"set services service-set ss-vpn ipsec-vpn-options ike-access-profile rw-prof",
		"set services ipsec-vpn ike proposal ike-prop dh-group group14",
		"set services ipsec-vpn ike proposal ike-prop authentication-algorithm sha-256",
		"set services ipsec-vpn ike proposal ike-prop encryption-algorithm aes-128-cbc",
		"set services ipsec-vpn ike policy ike-pol version "+v,
		"set services ipsec-vpn ike policy ike-pol proposals ike-prop",
		"set services ipsec-vpn ike policy ike-pol pre-shared-key ascii-text juniper123",
		"set services ipsec-vpn ipsec proposal ipsec-prop protocol esp",
		"set services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm hmac-sha1-96",
		"set services ipsec-vpn ipsec proposal ipsec-prop encryption-algorithm aes-128-cbc",
		"set services ipsec-vpn ipsec policy ipsec-pol proposals ipsec-prop",
		"set services ipsec-vpn traceoptions file kmd",
		"set services ipsec-vpn traceoptions flag ike")
}

// rwSwan is the road warrior's swanctl.conf: IKE version v to the hub,
// the child net inside the profile's pair and the child bad outside it.
func rwSwan(v string) string {
	return `connections {
  rw {
    version = ` + v + `
    local_addrs = 192.168.77.10
    remote_addrs = 10.0.1.1
    proposals = aes128-sha256-modp2048
    mobike = no
    local {
      auth = psk
      id = 192.168.77.10
    }
    remote {
      auth = psk
      id = 10.0.1.1
    }
    children {
      net {
        local_ts = 192.168.0.0/16
        remote_ts = 172.16.0.0/16
        esp_proposals = aes128-sha1
        start_action = start
      }
      bad {
        local_ts = 192.169.0.0/16
        remote_ts = 172.16.0.0/16
        esp_proposals = aes128-sha1
      }
    }
  }
}
secrets {
  ike-rw {
    id-1 = 10.0.1.1
    id-2 = 192.168.77.10
    secret = "juniper123"
  }
}
`
}

// TestSwanRoadWarrior: strongSwan behind a NAT connects to an mxlab hub
// that does not know its address, through the access profile, with IKE
// versions 1 and 2: traffic both ways, the hub shows the peer with the
// address and port the NAT gave it, the profile and the proxy pair; a
// child outside the profile is refused; clearing the peer's IKE SA by
// address removes it.
func TestSwanRoadWarrior(t *testing.T) {
	for _, v := range []string{"1", "2"} {
		t.Run("ikev"+v, func(t *testing.T) {
			l := rwNet(t)
			sw := swantest.Start(t, l.ns["s2"].Name(), rwSwan(v), "")
			l.r1 = l.router("r1", r1Layout, rwHub(t, v))
			deadline := time.Now().Add(25 * time.Second)
			for l.ping("h2", "172.16.0.10", 1) != nil {
				if time.Now().After(deadline) {
					out, _ := sw.Ctl("--list-sas")
					t.Fatalf("no tunnel\nhub:\n%s\nstrongSwan:\n%s\n%s",
						l.cli(l.r1, "show services ipsec-vpn ike security-associations detail; file show /var/log/kmd"), out, sw.Log())
				}
				if out, _ := sw.Ctl("--list-sas"); !strings.Contains(out, "net:") {
					sw.Ctl("--initiate", "--child", "net", "--timeout", "5")
				}
				time.Sleep(300 * time.Millisecond)
			}
			if err := l.ping("h1", "192.168.0.10", 3); err != nil {
				t.Fatalf("hub to road warrior: %v", err)
			}
			ike := l.cli(l.r1, "show services ipsec-vpn ike security-associations detail")
			port := regexp.MustCompile(`Dynamic peer: 10\.0\.1\.2:(4\d{4}), Access profile: rw-prof`).FindStringSubmatch(ike)
			if port == nil || !strings.Contains(ike, "NAT traversal: Detected") || !strings.Contains(ike, "Role: Responder, State: Matured") {
				t.Fatalf("IKE SA of the road warrior:\n%s", ike)
			}
			sas := l.cli(l.r1, "show services ipsec-vpn ipsec security-associations detail")
			for _, w := range []string{"Remote gateway: 10.0.1.2", "Dynamic peer: 10.0.1.2:" + port[1] + ", Access profile: rw-prof, Proxy pair: local 172.16.0.0/16 remote 192.168.0.0/16",
				"UDP encapsulate: Enabled, UDP Destination port: " + port[1], "Remote identity: ipv4_subnet(any:0,[0..7]=192.168.0.0/16)"} {
				if !strings.Contains(sas, w) {
					t.Errorf("IPsec SAs lack %q:\n%s", w, sas)
				}
			}
			// A child for networks outside the profile is refused.
			if out, err := sw.Ctl("--initiate", "--child", "bad", "--timeout", "10"); err == nil {
				t.Errorf("child outside the profile established:\n%s", out)
			}
			if log := l.cli(l.r1, "file show /var/log/kmd"); !strings.Contains(log, "not allowed by access profile rw-prof") {
				t.Errorf("refusal not logged:\n%s", log)
			}
			if st := l.cli(l.r1, "show services ipsec-vpn ike statistics"); !strings.Contains(st, "Proxy pairs refused by access profiles: ") {
				t.Errorf("refusal not counted:\n%s", st)
			}
			// clear ... ike security-associations ADDRESS: the peer's SA goes.
			l.cli(l.r1, "clear services ipsec-vpn ike security-associations 10.0.1.2")
			if out := l.cli(l.r1, "show services ipsec-vpn ike security-associations 10.0.1.2"); strings.Contains(out, "Matured") {
				t.Errorf("IKE SA with 10.0.1.2 after clear:\n%s", out)
			}
		})
	}
}
