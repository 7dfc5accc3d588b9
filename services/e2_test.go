package services_test

import (
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const termPath = "services ipsec-vpn rule rule-manual term t1 then"

// stat reads a counter ("Encrypted packets") of the first service set in
// the output of "show services ipsec-vpn ipsec statistics detail".
func stat(t *testing.T, out, label string) int {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `:\s+(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in:\n%s", label, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestE2Ping(t *testing.T) {
	l := newLab(t, e2Config(t, "r1"), e2Config(t, "r2"))
	l.waitPing("h1", "192.168.0.10")
	l.cli(l.r1, "clear services ipsec-vpn ipsec statistics")
	l.cli(l.r2, "clear services ipsec-vpn ipsec statistics")
	if err := l.ping("h1", "192.168.0.10", 5); err != nil {
		t.Fatal(err)
	}
	for _, r := range []routerT{l.r1, l.r2} {
		out := l.cli(r, "show services ipsec-vpn ipsec statistics")
		for _, label := range []string{"Encrypted packets", "Decrypted packets"} {
			if n := stat(t, out, label); n != 5 {
				t.Errorf("%s %s = %d, want 5:\n%s", r.Name(), label, n, out)
			}
		}
		if n := stat(t, out, "Encrypted bytes"); n != 5*84 {
			t.Errorf("%s encrypted bytes = %d, want %d", r.Name(), n, 5*84)
		}
		sas := l.cli(r, "show services ipsec-vpn ipsec security-associations detail")
		if strings.Count(sas, "State: Installed") != 2 {
			t.Errorf("%s: SAs not installed:\n%s", r.Name(), sas)
		}
	}
	brief := l.cli(l.r1, "show services ipsec-vpn ipsec security-associations")
	for _, want := range []string{"Service set: ss-vpn", "inbound   16000", "outbound  16000", "=192.168.0.0/16)"} {
		if !strings.Contains(brief, want) {
			t.Errorf("security-associations lack %q:\n%s", want, brief)
		}
	}
}

// algorithm pairs of manual SAs, with hexadecimal keys.
var pairs = []struct{ auth, enc string }{
	{"hmac-sha1-96", "aes-128-cbc"},
	{"hmac-sha-256-128", "aes-256-cbc"},
	{"hmac-md5-96", "3des-cbc"},
	{"hmac-sha2-256", "aes-192-cbc"},
	{"hmac-sha1-96", "des-cbc"},
}

var keyLen = map[string]int{"hmac-sha1-96": 20, "hmac-sha-256-128": 32, "hmac-md5-96": 16, "hmac-sha2-256": 32,
	"aes-128-cbc": 16, "aes-256-cbc": 32, "3des-cbc": 24, "aes-192-cbc": 24, "des-cbc": 8}

func key(name string, seed byte) string {
	b := make([]byte, keyLen[name])
	for i := range b {
		b[i] = seed + byte(i)*7
	}
	if name == "des-cbc" || name == "3des-cbc" {
		for i := range b { // DES keys must not be weak; odd parity is not required
			b[i] |= 0x10
		}
	}
	return hex.EncodeToString(b)
}

func algLines(auth, enc, akey, ekey string) []string {
	d := termPath + " manual direction bidirectional "
	return []string{
		"delete " + d + "authentication key",
		"set " + d + "authentication algorithm " + auth,
		"set " + d + "authentication key hexadecimal " + akey,
		"delete " + d + "encryption key",
		"set " + d + "encryption algorithm " + enc,
		"set " + d + "encryption key hexadecimal " + ekey,
	}
}

const python = "/usr/bin/python3"

func needScapy(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import scapy.layers.ipsec").Run(); err != nil {
		t.Skipf("skipping: scapy is not installed for %s: %v", python, err)
	}
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("skipping: tcpdump is not installed")
	}
}

// capture runs tcpdump on r2's WAN port while fn runs and returns the
// pcap of the first n IPv4 packets.
func (l *lab) capture(n int, fn func()) string {
	l.t.Helper()
	file := filepath.Join(l.t.TempDir(), "wan.pcap")
	cmd := exec.Command("ip", "netns", "exec", l.ns["r2"].Name(), "timeout", "5",
		"tcpdump", "-U", "-n", "-i", "ge-0_0_1", "-c", fmt.Sprint(n), "-w", file, "ip")
	done := make(chan error, 1)
	go func() { done <- cmd.Run() }()
	time.Sleep(time.Second)
	fn()
	if err := <-done; err != nil {
		l.t.Fatalf("tcpdump: %v", err)
	}
	return file
}

func TestE2WireScapy(t *testing.T) {
	needRoot(t)
	needScapy(t)
	for i, p := range pairs {
		t.Run(p.auth+"_"+p.enc, func(t *testing.T) {
			akey, ekey := key(p.auth, byte(i*16+1)), key(p.enc, byte(i*16+100))
			lines := algLines(p.auth, p.enc, akey, ekey)
			l := newLab(t, e2Config(t, "r1", lines...), e2Config(t, "r2", lines...))
			l.waitPing("h1", "192.168.0.10")
			pcap := l.capture(6, func() {
				if err := l.ping("h1", "192.168.0.10", 3); err != nil {
					t.Fatal(err)
				}
			})
			out, err := exec.Command(python, "testdata/esp_wan.py", "decrypt", pcap, "16000", p.enc, ekey, p.auth, akey,
				"10.0.1.1", "10.0.1.2").CombinedOutput()
			if err != nil {
				t.Fatalf("scapy: %v\n%s", err, out)
			}
			if n := strings.Count(string(out), "ok 172.16.0.10 192.168.0.10 1 "); n < 3 {
				t.Errorf("scapy decrypted %d echo requests, want 3:\n%s", n, out)
			}
			// A packet scapy builds is accepted.
			before := stat(t, l.cli(l.r1, "show services ipsec-vpn ipsec statistics"), "Decrypted packets")
			l.inject(t, p.enc, ekey, p.auth, akey, 100000, "good")
			l.waitStat(t, "Decrypted packets", before+1)
		})
	}
}

// inject sends a scapy-built ESP packet from r2's namespace to r1.
func (l *lab) inject(t *testing.T, enc, ekey, auth, akey string, seq int, mode string) {
	t.Helper()
	out, err := l.exec("r2", python, "testdata/esp_wan.py", "inject", "16000", enc, ekey, auth, akey,
		"10.0.1.2", "10.0.1.1", fmt.Sprint(seq), "192.168.0.10", "172.16.0.10", mode)
	if err != nil {
		t.Fatalf("inject: %v\n%s", err, out)
	}
}

// waitStat waits until r1's counter reaches want.
func (l *lab) waitStat(t *testing.T, label string, want int) {
	t.Helper()
	var out string
	for i := 0; i < 50; i++ {
		out = l.cli(l.r1, "show services ipsec-vpn ipsec statistics detail")
		if stat(t, out, label) >= want {
			if got := stat(t, out, label); got != want {
				t.Errorf("%s = %d, want %d", label, got, want)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("%s did not reach %d:\n%s", label, want, out)
}

func TestE2Drops(t *testing.T) {
	needRoot(t)
	needScapy(t)
	ak, ek := hex.EncodeToString([]byte("ipsec-sha1-key-20-ch")), hex.EncodeToString([]byte("aes128-key-16-ch"))
	l := newLab(t, e2Config(t, "r1"), e2Config(t, "r2"))
	l.waitPing("h1", "192.168.0.10")
	inject := func(seq int, mode string) { l.inject(t, "aes-128-cbc", ek, "hmac-sha1-96", ak, seq, mode) }
	out := l.cli(l.r1, "show services ipsec-vpn ipsec statistics detail")
	dec := stat(t, out, "Decrypted packets")
	inject(5000, "good")
	l.waitStat(t, "Decrypted packets", dec+1)
	inject(5000, "good")
	l.waitStat(t, "Replay errors", 1)
	inject(5001, "tamper")
	l.waitStat(t, "ESP authentication failures", 1)
	inject(5002, "badspi")
	l.waitStat(t, "Invalid SPI", 1)
	if got := stat(t, l.cli(l.r1, "show services ipsec-vpn ipsec statistics detail"), "Decrypted packets"); got != dec+1 {
		t.Errorf("decrypted = %d, want %d", got, dec+1)
	}
}

func TestE2NoAntiReplay(t *testing.T) {
	needRoot(t)
	needScapy(t)
	ak, ek := hex.EncodeToString([]byte("ipsec-sha1-key-20-ch")), hex.EncodeToString([]byte("aes128-key-16-ch"))
	// The term's setting wins over the service set's (O7).
	extra := []string{"set services service-set ss-vpn ipsec-vpn-options anti-replay-window-size 64", "set " + termPath + " no-anti-replay"}
	l := newLab(t, e2Config(t, "r1", extra...), e2Config(t, "r2"))
	l.waitPing("h1", "192.168.0.10")
	dec := stat(t, l.cli(l.r1, "show services ipsec-vpn ipsec statistics"), "Decrypted packets")
	for i := 0; i < 3; i++ {
		l.inject(t, "aes-128-cbc", ek, "hmac-sha1-96", ak, 7000, "good")
	}
	l.waitStat(t, "Decrypted packets", dec+3)
	l.waitStat(t, "Replay errors", 0)
	if sas := l.cli(l.r1, "show services ipsec-vpn ipsec security-associations detail"); !strings.Contains(sas, "Anti-replay service: Disabled") {
		t.Errorf("anti-replay not disabled:\n%s", sas)
	}
}

func TestE2TunnelHop(t *testing.T) {
	needRoot(t)
	cases := []struct {
		name  string
		extra []string
		hop   bool
	}{
		{"default", nil, true},
		{"no-ipsec-tunnel-in-traceroute", []string{"set services ipsec-vpn no-ipsec-tunnel-in-traceroute"}, false},
		{"passive-mode-tunneling", []string{"set services service-set ss-vpn ipsec-vpn-options passive-mode-tunneling"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLab(t, e2Config(t, "r1", c.extra...), e2Config(t, "r2", c.extra...))
			l.waitPing("h1", "192.168.0.10")
			// TTL 2: r1 forwards with TTL 1; the tunnel hop ends it.
			out, _ := l.exec("h1", "ping", "-c", "1", "-W", "2", "-t", "2", "192.168.0.10")
			got := strings.Contains(out, "From 10.0.1.1") && strings.Contains(out, "Time to live exceeded")
			if got != c.hop {
				t.Errorf("time exceeded from the tunnel = %v, want %v:\n%s", got, c.hop, out)
			}
			n := stat(t, l.cli(l.r1, "show services ipsec-vpn ipsec statistics detail"), "TTL exceeded")
			if (n == 1) != c.hop {
				t.Errorf("TTL exceeded counter = %d (hop %v)", n, c.hop)
			}
		})
	}
}

func TestE2DontFragment(t *testing.T) {
	needRoot(t)
	t.Run("default", func(t *testing.T) {
		l := newLab(t, e2Config(t, "r1"), e2Config(t, "r2"))
		l.waitPing("h1", "192.168.0.10")
		out, _ := l.exec("h1", "ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1472", "192.168.0.10")
		if !strings.Contains(out, "mtu = 1438") {
			t.Errorf("no fragmentation needed (mtu 1438) from the tunnel:\n%s", out)
		}
		if n := stat(t, l.cli(l.r1, "show services ipsec-vpn ipsec statistics detail"), "MTU exceeded"); n != 1 {
			t.Errorf("MTU exceeded = %d, want 1", n)
		}
	})
	t.Run("clear-dont-fragment-bit", func(t *testing.T) {
		x := "set services service-set ss-vpn ipsec-vpn-options clear-dont-fragment-bit"
		l := newLab(t, e2Config(t, "r1", x), e2Config(t, "r2", x))
		l.waitPing("h1", "192.168.0.10")
		out, err := l.exec("h1", "ping", "-c", "2", "-W", "2", "-M", "do", "-s", "1472", "192.168.0.10")
		if err != nil {
			t.Fatalf("big packets with DF are not fragmented: %v\n%s", err, out)
		}
		if n := stat(t, l.cli(l.r1, "show services ipsec-vpn ipsec statistics detail"), "Fragmented"); n < 1 {
			t.Errorf("Fragmented = %d", n)
		}
	})
}

func TestE2PICOffline(t *testing.T) {
	l := newLab(t, e2Config(t, "r1"), e2Config(t, "r2"))
	l.waitPing("h1", "192.168.0.10")
	l.cli(l.r1, "request chassis fpc slot 4 offline")
	if sas, ok := l.waitSAs(false); !ok {
		t.Fatalf("SAs not cleared with the PIC offline:\n%s", sas)
	}
	if err := l.ping("h1", "192.168.0.10", 1); err == nil {
		t.Error("traffic passes with the MS PIC offline")
	}
	l.cli(l.r1, "request chassis fpc slot 4 online")
	if sas, ok := l.waitSAs(true); !ok {
		t.Errorf("SAs not installed again:\n%s", sas)
	}
}

func TestE2InterfaceStyle(t *testing.T) {
	style := func(ms, wan, peer, remoteLAN string) []string {
		return []string{
			"delete routing-options static",
			"delete services service-set ss-vpn next-hop-service",
			"delete interfaces " + ms + " unit 1",
			"delete interfaces " + ms + " unit 2",
			"set routing-options static route " + remoteLAN + " next-hop " + peer,
			"set services service-set ss-vpn interface-service service-interface " + ms,
			"set interfaces " + wan + " unit 0 family inet service input service-set ss-vpn",
			"set interfaces " + wan + " unit 0 family inet service output service-set ss-vpn",
			"set services ipsec-vpn rule rule-manual match-direction output",
		}
	}
	c1 := readExample(t, "e2-r1.set") + strings.Join(style("ms-4/0/0", "ge-1/0/1", "10.0.1.2", "192.168.0.0/16"), "\n") + "\n"
	c2 := strings.ReplaceAll(readExample(t, "e2-r2.set"), "ge-1/0/", "ge-0/0/") +
		strings.Join(style("ms-1/0/0", "ge-0/0/1", "10.0.1.1", "172.16.0.0/16"), "\n") + "\n"
	l := newLab(t, c1, c2)
	l.waitPing("h1", "192.168.0.10")
	l.cli(l.r1, "clear services ipsec-vpn ipsec statistics")
	if err := l.ping("h1", "192.168.0.10", 4); err != nil {
		t.Fatal(err)
	}
	out := l.cli(l.r1, "show services ipsec-vpn ipsec statistics")
	if e, d := stat(t, out, "Encrypted packets"), stat(t, out, "Decrypted packets"); e != 4 || d != 4 {
		t.Errorf("encrypted %d, decrypted %d, want 4 and 4:\n%s", e, d, out)
	}
}

func init() {
	// The tests run from the package directory; the oracle script must be there.
	if _, err := os.Stat("testdata/esp_wan.py"); err != nil {
		panic(err)
	}
}

func TestE2Traceoptions(t *testing.T) {
	x := []string{"set services ipsec-vpn traceoptions file ipsec.log", "set services ipsec-vpn traceoptions flag all"}
	l := newLab(t, e2Config(t, "r1", x...), e2Config(t, "r2"))
	l.cli(l.r1, "request chassis fpc slot 4 offline")
	var out string
	for i := 0; i < 50; i++ {
		out = l.cli(l.r1, "show log ipsec.log")
		// The SAs are deleted once the PIC's I/O has stopped, after
		// the PIC offline line.
		if strings.Contains(out, "IPSec SA deleted") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{"IPSec SA installed: service set ss-vpn, rule rule-manual, term t1, inbound, SPI 16000",
		"ms-4/0/0: PIC offline, service sets stopped", "IPSec SA deleted: service set ss-vpn"} {
		if !strings.Contains(out, want) {
			t.Errorf("show log ipsec.log lacks %q:\n%s", want, out)
		}
	}
	if out := l.cli(l.r2, "show log kmd"); strings.Contains(out, "IPSec SA") {
		t.Errorf("r2 traces without traceoptions:\n%s", out)
	}
}

func TestE2GatewayInterface(t *testing.T) {
	x := "set services service-set ss-vpn ipsec-vpn-options local-gateway 10.0.1.1 gw-interface ge-1/0/1.0"
	cfg := e2Config(t, "r1", x)
	l := newLab(t, cfg, e2Config(t, "r2"))
	l.waitPing("h1", "192.168.0.10")
	l.cli(l.r1, "request chassis fpc slot 1 offline")
	if sas, ok := l.waitSAs(false); !ok {
		t.Errorf("next-hop SAs not cleared with the gw-interface down:\n%s", sas)
	}
	l.cli(l.r1, "request chassis fpc slot 1 online")
	if sas, ok := l.waitSAs(true); !ok {
		t.Errorf("SAs not back with the gw-interface:\n%s", sas)
	}
}

// waitSAs waits up to 10 s until r1 shows the SAs of SPI 16000 (installed
// true) or no longer shows them, and returns the last output and whether
// it came to that.
func (l *lab) waitSAs(installed bool) (string, bool) {
	var sas string
	for i := 0; i < 100; i++ {
		sas = l.cli(l.r1, "show services ipsec-vpn ipsec security-associations")
		if strings.Contains(sas, "16000") == installed {
			return sas, true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return sas, false
}
