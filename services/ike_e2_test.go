package services_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// ikeLines turn the manual term of the E2 example into a dynamic one
// negotiated with IKE version v (pre-shared key, aes-128-cbc, sha-256,
// group14; ESP aes-128-cbc, hmac-sha1-96).
func ikeLines(v string, extra ...string) []string {
	return append([]string{
		"delete " + termPath + " manual",
		"set " + termPath + " dynamic ike-policy ike-pol",
		"set " + termPath + " dynamic ipsec-policy ipsec-pol",
		"set services ipsec-vpn ike proposal ike-prop authentication-method pre-shared-keys",
		"set services ipsec-vpn ike proposal ike-prop dh-group group14",
		"set services ipsec-vpn ike proposal ike-prop authentication-algorithm sha-256",
		"set services ipsec-vpn ike proposal ike-prop encryption-algorithm aes-128-cbc",
		"set services ipsec-vpn ike policy ike-pol version " + v,
		"set services ipsec-vpn ike policy ike-pol proposals ike-prop",
		"set services ipsec-vpn ike policy ike-pol pre-shared-key ascii-text juniper123",
		"set services ipsec-vpn ipsec proposal ipsec-prop protocol esp",
		"set services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm hmac-sha1-96",
		"set services ipsec-vpn ipsec proposal ipsec-prop encryption-algorithm aes-128-cbc",
		"set services ipsec-vpn ipsec policy ipsec-pol proposals ipsec-prop",
		"set services ipsec-vpn traceoptions file kmd",
		"set services ipsec-vpn traceoptions flag ike",
	}, extra...)
}

// ikeLab is the E2 lab with IKE: r1 initiates at commit, r2 only
// answers.
func ikeLab(t *testing.T, v string, r1, r2 []string) *lab {
	needRoot(t)
	return newLab(t, e2Config(t, "r1", ikeLines(v, append([]string{"set services ipsec-vpn establish-tunnels immediately"}, r1...)...)...),
		e2Config(t, "r2", ikeLines(v, append([]string{"set services ipsec-vpn establish-tunnels responder-only"}, r2...)...)...))
}

// waitTunnel waits until h1 reaches h2 through the tunnel.
func (l *lab) waitTunnel() {
	l.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := l.ping("h1", "192.168.0.10", 1)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("%v\nr1:\n%s\nr2:\n%s", err, l.cli(l.r1, "show services ipsec-vpn ike security-associations detail; file show /var/log/kmd"),
				l.cli(l.r2, "show services ipsec-vpn ike security-associations detail; file show /var/log/kmd"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ikeCookies returns the initiator and responder cookies of the one IKE
// SA in the brief output.
func ikeCookies(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^10\.0\.1\.\d\s+Matured\s+([0-9a-f]{16})\s+([0-9a-f]{16})\s+IKEv2$`).FindAllStringSubmatch(out, -1)
	if len(m) != 1 {
		t.Fatalf("not one matured IKE SA:\n%s", out)
	}
	return m[0][1] + m[0][2]
}

// dynamicSPIs returns the inbound and outbound SPIs of negotiated SAs in
// the brief IPsec SA output.
func dynamicSPIs(out string) []string {
	var spis []string
	for _, m := range regexp.MustCompile(`(?m)^\s+(inbound|outbound)\s+(\d+)\s+0\s+tunnel\s+dynamic\s+ESP$`).FindAllStringSubmatch(out, -1) {
		spis = append(spis, m[2])
	}
	return spis
}

func TestE2IKEv2(t *testing.T) {
	l := ikeLab(t, "2", nil, nil)
	l.waitTunnel()
	if err := l.ping("h2", "172.16.0.10", 3); err != nil {
		t.Fatal(err)
	}
	c1 := ikeCookies(t, l.cli(l.r1, "show services ipsec-vpn ike security-associations"))
	if c2 := ikeCookies(t, l.cli(l.r2, "show services ipsec-vpn ike security-associations 10.0.1.1")); c1 != c2 {
		t.Fatalf("cookies differ: %s %s", c1, c2)
	}
	d := l.cli(l.r1, "show services ipsec-vpn ike security-associations detail")
	for _, want := range []string{"IKE peer 10.0.1.2", "Role: Initiator, State: Matured", "Exchange type: IKEv2, Authentication method: Pre-shared-keys",
		"Local: 10.0.1.1:500, Remote: 10.0.1.2:500", "Encryption            : aes-128-cbc", "Pseudo random function: hmac-sha-256",
		"Diffie-Hellman group  : 14", "IPSec security associations: 1 created, 0 deleted"} {
		if !strings.Contains(d, want) {
			t.Errorf("IKE SA detail lacks %q:\n%s", want, d)
		}
	}
	sas := l.cli(l.r1, "show services ipsec-vpn ipsec security-associations")
	spis := dynamicSPIs(sas)
	if len(spis) != 2 {
		t.Fatalf("negotiated SAs:\n%s", sas)
	}
	peer := dynamicSPIs(l.cli(l.r2, "show services ipsec-vpn ipsec security-associations"))
	if len(peer) != 2 || peer[0] != spis[1] || peer[1] != spis[0] {
		t.Fatalf("SPIs of r1 %v and r2 %v do not pair", spis, peer)
	}
	det := l.cli(l.r1, "show services ipsec-vpn ipsec security-associations detail")
	if !regexp.MustCompile(`Hard lifetime: Expires in 28[0-9]{3} seconds`).MatchString(det) || strings.Count(det, "Type: dynamic, State: Installed") != 2 {
		t.Errorf("negotiated SA detail:\n%s", det)
	}

	// clear ipsec security-associations: new SAs at once (immediately).
	l.cli(l.r1, "clear services ipsec-vpn ipsec security-associations")
	l.waitTunnel()
	if again := dynamicSPIs(l.cli(l.r1, "show services ipsec-vpn ipsec security-associations")); len(again) != 2 || again[0] == spis[0] {
		t.Fatalf("SAs not renegotiated after clear: %v %v", spis, again)
	}
	if c := ikeCookies(t, l.cli(l.r1, "show services ipsec-vpn ike security-associations")); c != c1 {
		t.Fatal("clearing the IPsec SAs changed the IKE SA")
	}
	// clear ike security-associations: a new IKE SA.
	l.cli(l.r1, "clear services ipsec-vpn ike security-associations 10.0.1.2")
	l.waitTunnel()
	if c := ikeCookies(t, l.cli(l.r1, "show services ipsec-vpn ike security-associations")); c == c1 {
		t.Fatal("IKE SA not renegotiated after clear")
	}
	if c := ikeCookies(t, l.cli(l.r2, "show services ipsec-vpn ike security-associations")); c == c1 {
		t.Fatal("r2 kept the cleared IKE SA")
	}
	// The PIC goes offline and comes back: the SAs come back.
	l.cli(l.r1, "request chassis pic fpc-slot 4 pic-slot 0 offline")
	time.Sleep(500 * time.Millisecond)
	if err := l.ping("h1", "192.168.0.10", 1); err == nil {
		t.Fatal("ping through an offline PIC")
	}
	l.cli(l.r1, "request chassis pic fpc-slot 4 pic-slot 0 online")
	l.waitTunnel()
	stats := l.cli(l.r1, "show services ipsec-vpn ike statistics")
	if !strings.Contains(stats, "IKE peer 10.0.1.2") || !strings.Contains(stats, "PIC: ms-4/0/0, IKE messages dropped:") {
		t.Errorf("ike statistics:\n%s", stats)
	}
	log := l.cli(l.r1, "file show /var/log/kmd")
	for _, want := range []string{"PIC offline", "PIC online", "established with 10.0.1.2"} {
		if !strings.Contains(log, want) {
			t.Errorf("kmd log lacks %q", want)
		}
	}
	if strings.Contains(log, "juniper123") {
		t.Error("the pre-shared key is in the log")
	}
}
