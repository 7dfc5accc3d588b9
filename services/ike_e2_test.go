package services_test

import (
	"bytes"
	"encoding/hex"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike/ikev2"
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

// sendUDP sends a datagram from namespace ns to dst:500.
func (l *lab) sendUDP(t *testing.T, ns, dst string, payload []byte) {
	t.Helper()
	out, err := l.exec(ns, python, "-c", "import socket,sys; socket.socket(2, 2).sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], 500))",
		hex.EncodeToString(payload), dst)
	if err != nil {
		t.Fatalf("send: %v %s", err, out)
	}
}

// drop reads a drop counter of r1's IKE statistics.
func ikeDrop(t *testing.T, out, label string) int {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `: (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in:\n%s", label, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestE2IKECrafted sends r1 bad IKE messages over the wire: each is
// counted and dropped, the tunnel carries on.
func TestE2IKECrafted(t *testing.T) {
	l := ikeLab(t, "2", nil, nil)
	l.waitTunnel()
	cookies := ikeCookies(t, l.cli(l.r1, "show services ipsec-vpn ike security-associations"))
	spii, _ := hex.DecodeString(cookies[:16])
	spir, _ := hex.DecodeString(cookies[16:])
	msg := func(i, r []byte, id uint32, ps ...ikev2.Payload) []byte {
		h := ikev2.Header{Exchange: ikev2.ExchangeInformational, Flags: ikev2.FlagResponse, MsgID: id}
		copy(h.SPIi[:], i)
		copy(h.SPIr[:], r)
		return (&ikev2.Message{Header: h, Payloads: ps}).Encode()
	}
	sk := &ikev2.Raw{Kind: ikev2.PayloadSK, Data: bytes.Repeat([]byte{7}, 64)}
	cases := []struct {
		name, label string
		pkt         []byte
	}{
		{"truncated", "Malformed", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"bad length", "Malformed", msg(spii, spir, 9)[:40]},
		{"unknown SPI", "Unknown SPI", msg([]byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{9, 9, 9, 9, 9, 9, 9, 9}, 0, sk)},
		{"bad integrity", "Authentication failures", msg(spii, spir, 1, sk)}, // A response to r1's request 1? none is outstanding
		{"IKEv1 version of nothing", "Unknown version", append(msg(spii, spir, 0)[:17], append([]byte{0x30}, msg(spii, spir, 0)[18:]...)...)},
	}
	// r1 initiated: a response from r2 must answer an outstanding request;
	// the "bad integrity" message is then a stray response (replay).
	cases[3].label = "Replayed"
	for _, c := range cases {
		before := ikeDrop(t, l.cli(l.r1, "show services ipsec-vpn ike statistics"), c.label)
		l.sendUDP(t, "r2", "10.0.1.1", c.pkt)
		deadline := time.Now().Add(5 * time.Second)
		for ikeDrop(t, l.cli(l.r1, "show services ipsec-vpn ike statistics"), c.label) != before+1 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s not counted:\n%s", c.name, c.label, l.cli(l.r1, "show services ipsec-vpn ike statistics"))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// A request on r2's SA to r1 (r1 is the initiator: r2's requests
	// come without the initiator flag) whose ICV fails.
	bad := func() []byte {
		h := ikev2.Header{Exchange: ikev2.ExchangeInformational, MsgID: 0}
		copy(h.SPIi[:], spii)
		copy(h.SPIr[:], spir)
		return (&ikev2.Message{Header: h, Payloads: []ikev2.Payload{sk}}).Encode()
	}()
	before := ikeDrop(t, l.cli(l.r1, "show services ipsec-vpn ike statistics"), "Authentication failures")
	l.sendUDP(t, "r2", "10.0.1.1", bad)
	time.Sleep(500 * time.Millisecond)
	if n := ikeDrop(t, l.cli(l.r1, "show services ipsec-vpn ike statistics"), "Authentication failures"); n != before+1 {
		t.Errorf("bad ICV not counted (%d)", n)
	}
	if c := ikeCookies(t, l.cli(l.r1, "show services ipsec-vpn ike security-associations")); c != cookies {
		t.Error("the IKE SA changed")
	}
	if err := l.ping("h1", "192.168.0.10", 2); err != nil {
		t.Fatal(err)
	}
}

// TestE2WiresharkKeys decrypts a capture of the WAN with tshark and the
// esp_sa lines of r1 (what "mxlab lab keys r1" prints).
func TestE2WiresharkKeys(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("skipping: tshark is not installed")
	}
	for _, c := range []struct{ name, auth, enc string }{
		{"aes-cbc", "hmac-sha1-96", "aes-128-cbc"},
		{"gcm", "", "aes-256-gcm"},
		{"3des-sha256", "hmac-sha-256-128", "3des-cbc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := []string{"set services ipsec-vpn ipsec proposal ipsec-prop encryption-algorithm " + c.enc}
			if c.auth == "" {
				lines = append(lines, "delete services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm")
			} else {
				lines = append(lines, "set services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm "+c.auth)
			}
			l := ikeLab(t, "2", lines, lines)
			l.waitTunnel()
			pcap := l.capture(6, func() {
				if err := l.ping("h1", "192.168.0.10", 3); err != nil {
					t.Fatal(err)
				}
			})
			args := []string{"-n", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE", "-Y", "icmp.type == 8"}
			sas := l.r1.ESPSAs()
			if len(sas) != 2 {
				t.Fatalf("esp_sa lines: %q", sas)
			}
			for _, sa := range sas {
				args = append(args, "-o", "uat:esp_sa:"+sa)
			}
			out, err := exec.Command("tshark", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("tshark: %v\n%s", err, out)
			}
			if n := strings.Count(string(out), "172.16.0.10 → 192.168.0.10 ICMP"); n != 3 {
				t.Errorf("tshark decrypted %d echo requests, want 3:\n%s\n%q", n, out, sas)
			}
		})
	}
}
