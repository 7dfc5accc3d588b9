package services_test

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// r1IKE is r1's E2 configuration with an IKE term, establish-tunnels
// establish.
func r1IKE(t *testing.T, v, establish string, extra ...string) string {
	return e2Config(t, "r1", ikeLines(v, append([]string{"set services ipsec-vpn establish-tunnels " + establish}, extra...)...)...)
}

// r1Outbound returns r1's outbound negotiated SPI (decimal).
func (s *v2Lab) r1Outbound() string {
	s.t.Helper()
	spis := dynamicSPIs(s.cli(s.r1, "show services ipsec-vpn ipsec security-associations"))
	if len(spis) < 2 {
		s.t.Fatalf("no negotiated SAs on r1")
	}
	return spis[len(spis)-1]
}

// checkWire captures the WAN while h1 pings h2 and decrypts the ESP r1
// sends with scapy and the keys keysOf gives for the outbound SPI.
func (s *v2Lab) checkWire(enc, auth string, keysOf func(spi string) (ekey, akey string)) {
	s.t.Helper()
	spi := s.r1Outbound()
	ekey, akey := keysOf(spi)
	file := filepath.Join(s.t.TempDir(), "wan.pcap")
	cmd := exec.Command("ip", "netns", "exec", s.ns["s2"].Name(), "timeout", "8",
		"tcpdump", "-U", "-n", "-i", "wan", "-c", "6", "-w", file, "udp port 4500 or esp")
	done := make(chan error, 1)
	go func() { done <- cmd.Run() }()
	time.Sleep(time.Second)
	if err := s.ping("h1", "192.168.0.10", 3); err != nil {
		s.t.Fatal(err)
	}
	if err := <-done; err != nil {
		s.t.Fatalf("tcpdump: %v", err)
	}
	out, err := exec.Command(python, "testdata/esp_nat.py", "decrypt", file, spi, enc, ekey, auth, akey, "10.0.1.1", "10.0.1.2").CombinedOutput()
	if err != nil {
		s.t.Fatalf("scapy: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "ok 172.16.0.10 192.168.0.10 1 "); n < 3 {
		s.t.Errorf("scapy decrypted %d echo requests, want 3:\n%s", n, out)
	}
}

func TestSwanIKEv2Initiator(t *testing.T) {
	needScapy(t)
	s := newV2Lab(t, r1IKE(t, "2", "immediately"), swanConf("2", "aes128-sha256-modp2048", "aes128-sha1", "none"))
	s.waitSwan()
	if err := s.ping("h2", "172.16.0.10", 3); err != nil {
		t.Fatal(err)
	}
	sas := s.ctl("--list-sas")
	if !strings.Contains(sas, "ESTABLISHED, IKEv2") || !strings.Contains(sas, "INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-128/HMAC_SHA1_96") {
		t.Errorf("strongSwan SAs:\n%s", sas)
	}
	d := s.cli(s.r1, "show services ipsec-vpn ike security-associations detail")
	for _, want := range []string{"Role: Initiator, State: Matured", "Local: 10.0.1.1:4500, Remote: 10.0.1.2:4500", "NAT traversal: Detected"} {
		if !strings.Contains(d, want) {
			t.Errorf("r1 IKE SA lacks %q:\n%s", want, d)
		}
	}
	s.checkWire("aes-128-cbc", "hmac-sha1-96", s.swanChildKeys(true))
}

func TestSwanIKEv2Responder(t *testing.T) {
	needScapy(t)
	s := newV2Lab(t, r1IKE(t, "2", "responder-only"), swanConf("2", "aes128-sha256-modp2048", "aes128-sha1", "start"))
	s.waitSwan()
	d := s.cli(s.r1, "show services ipsec-vpn ike security-associations detail")
	if !strings.Contains(d, "Role: Responder, State: Matured") {
		t.Errorf("r1 IKE SA:\n%s", d)
	}
	s.checkWire("aes-128-cbc", "hmac-sha1-96", s.swanChildKeys(false))
}

// TestSwanIKEv2Algorithms negotiates other algorithms with strongSwan,
// PFS on rekey included.
func TestSwanIKEv2Algorithms(t *testing.T) {
	cases := []struct {
		name, ike, esp string
		lines          []string
	}{
		{"aes256-sha384-ecp384 aes256gcm16", "aes256-sha384-ecp384", "aes256gcm16-ecp384", []string{
			"set services ipsec-vpn ike proposal ike-prop dh-group group20",
			"set services ipsec-vpn ike proposal ike-prop authentication-algorithm sha-384",
			"set services ipsec-vpn ike proposal ike-prop encryption-algorithm aes-256-cbc",
			"delete services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm",
			"set services ipsec-vpn ipsec proposal ipsec-prop encryption-algorithm aes-256-gcm",
			"set services ipsec-vpn ipsec policy ipsec-pol perfect-forward-secrecy keys group20"}},
		{"3des-sha1-modp1024 3des-md5 (Junos implicit)", "3des-sha1-modp1024", "3des-md5", []string{
			"delete services ipsec-vpn ike policy ike-pol proposals",
			"delete services ipsec-vpn ipsec policy ipsec-pol proposals"}},
		{"aes128-sha256-ecp256 aes256-sha256", "aes128-sha256-ecp256", "aes256-sha256-ecp256", []string{
			"set services ipsec-vpn ike proposal ike-prop dh-group group19",
			"set services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm hmac-sha-256-128",
			"set services ipsec-vpn ipsec proposal ipsec-prop encryption-algorithm aes-256-cbc",
			"set services ipsec-vpn ipsec policy ipsec-pol perfect-forward-secrecy keys group19"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newV2Lab(t, r1IKE(t, "2", "immediately", c.lines...), swanConf("2", c.ike, c.esp, "none"))
			s.waitSwan()
			// A child rekey from strongSwan (with PFS where configured).
			before := s.r1Outbound()
			s.ctl("--rekey", "--child", "net")
			deadline := time.Now().Add(10 * time.Second)
			for s.r1Outbound() == before && time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
			}
			if s.r1Outbound() == before {
				t.Fatalf("no rekey:\n%s", s.sw.Log())
			}
			s.waitSwan()
		})
	}
}

// TestSwanRekey rekeys the child and the IKE SA from strongSwan while h1
// pings h2: no ping may be lost.
func TestSwanRekey(t *testing.T) {
	s := newV2Lab(t, r1IKE(t, "2", "immediately", "set services ipsec-vpn ipsec policy ipsec-pol perfect-forward-secrecy keys group14"),
		swanConf("2", "aes128-sha256-modp2048", "aes128-sha1-modp2048", "none"))
	s.waitSwan()
	cookies := ikeCookies(t, s.cli(s.r1, "show services ipsec-vpn ike security-associations"))
	spi := s.r1Outbound()
	got := make(chan int, 1)
	go func() { got <- s.pingCount(t.Context(), 60, "0.1") }()
	time.Sleep(1500 * time.Millisecond)
	s.ctl("--rekey", "--child", "net")
	time.Sleep(1500 * time.Millisecond)
	s.ctl("--rekey", "--ike", "site")
	time.Sleep(1500 * time.Millisecond)
	s.ctl("--rekey", "--child", "net")
	if n := <-got; n != 60 {
		t.Errorf("%d of 60 pings answered across the rekeys\n%s", n, s.cli(s.r1, "file show /var/log/kmd"))
	}
	if s.r1Outbound() == spi {
		t.Error("child SA not rekeyed")
	}
	if c := ikeCookies(t, s.cli(s.r1, "show services ipsec-vpn ike security-associations")); c == cookies {
		t.Error("IKE SA not rekeyed")
	}
	if n := len(dynamicSPIs(s.cli(s.r1, "show services ipsec-vpn ipsec security-associations"))); n != 2 {
		t.Errorf("%d negotiated SAs left after the rekeys, want 2", n)
	}
	st := s.cli(s.r1, "show services ipsec-vpn ike statistics")
	if !regexp.MustCompile(`rekeys: [1-9]`).MatchString(st) {
		t.Errorf("statistics:\n%s", st)
	}
}

// TestSwanDPD: r1 runs dead peer detection; charon dies without a word;
// r1 declares the peer dead and deletes the SAs.
func TestSwanDPD(t *testing.T) {
	dpd := []string{"set " + termPath + " initiate-dead-peer-detection",
		"set " + termPath + " dead-peer-detection interval 2", "set " + termPath + " dead-peer-detection threshold 3"}
	s := newV2Lab(t, r1IKE(t, "2", "immediately", dpd...), swanConf("2", "aes128-sha256-modp2048", "aes128-sha1", "none"))
	s.waitSwan()
	time.Sleep(5 * time.Second)
	st := s.cli(s.r1, "show services ipsec-vpn ike statistics")
	if !regexp.MustCompile(`DPD responses received: [1-9]`).MatchString(st) {
		t.Errorf("no DPD exchanges:\n%s", st)
	}
	s.sw.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := s.cli(s.r1, "show services ipsec-vpn ike security-associations")
		if !strings.Contains(out, "Matured") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dead peer's IKE SA stays:\n%s", out)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if n := len(dynamicSPIs(s.cli(s.r1, "show services ipsec-vpn ipsec security-associations"))); n != 0 {
		t.Errorf("%d negotiated SAs left after the peer died", n)
	}
	if log := s.cli(s.r1, "file show /var/log/kmd"); !strings.Contains(log, "dead peer detection: no answer to 3 requests") {
		t.Errorf("kmd log:\n%s", log)
	}
}
