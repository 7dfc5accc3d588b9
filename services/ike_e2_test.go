package services_test

import (
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

func TestE2IKEv2(t *testing.T) {
	needRoot(t)
	l := newLab(t, e2Config(t, "r1", ikeLines("2", "set services ipsec-vpn establish-tunnels immediately")...),
		e2Config(t, "r2", ikeLines("2", "set services ipsec-vpn establish-tunnels responder-only")...))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := l.ping("h1", "192.168.0.10", 1); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("%v\nr1:\n%s\nr2:\n%s", err, l.cli(l.r1, "show services ipsec-vpn ipsec security-associations detail; file show /var/log/kmd"),
				l.cli(l.r2, "show services ipsec-vpn ipsec security-associations detail; file show /var/log/kmd"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := l.ping("h2", "172.16.0.10", 3); err != nil {
		t.Fatal(err)
	}
	out := l.cli(l.r1, "show services ipsec-vpn ipsec security-associations detail")
	if strings.Count(out, "State: Installed") != 2 {
		t.Errorf("r1 SAs:\n%s", out)
	}
}

func TestE2IKEv2Show(t *testing.T) {
	needRoot(t)
	l := newLab(t, e2Config(t, "r1", ikeLines("2", "set services ipsec-vpn establish-tunnels immediately")...),
		e2Config(t, "r2", ikeLines("2", "set services ipsec-vpn establish-tunnels responder-only")...))
	l.waitPing("h1", "192.168.0.10")
	t.Log(l.cli(l.r1, "show services ipsec-vpn ipsec security-associations detail; file show /var/log/kmd"))
}
