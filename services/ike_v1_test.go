package services_test

import (
	"regexp"
	"strings"
	"testing"
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
