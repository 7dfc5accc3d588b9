package services_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	labs "mxlab/lab"
	"mxlab/netns"
	"mxlab/services/ike/ikev1"
	"mxlab/services/ike/ikev2"
	"mxlab/services/ike/suite"
)

// The flood lab: a hub (an MX960, ports ge-0/0/0..9 to the spokes,
// ge-0/1/0 to the attacker, ms-5/0/0) whose access profile hub-prof
// answers any spoke with the pair 10.0.0.0/24 <-> 10.1.0.0/16, as
// bench/dynamic-peers builds it; ten spokes (s1..s10, 10.1.i.0/24 behind
// them) with their tunnels up; and a Linux namespace, atk (10.254.0.2/30),
// that sends spoofed first messages from 172.31.0.0/22. The hub routes
// 172.31.0.0/22 to atk, which does not forward: the hub's answers end
// there.
const (
	floodSpokes  = 10
	floodPackets = 10000
	floodSources = 1000
	hubGateway   = "10.255.255.1"
)

var (
	hubChassis   = "model: mx960\nboot-delay: -1ns\nfpcs:\n  0: {type: mpc, pics: {0: 10x1ge, 1: 10x1ge}}\n  5: {type: ms-mpc}\n"
	spokeChassis = "model: mx480\nboot-delay: -1ns\nfpcs:\n  1: {type: mpc, pics: {0: 10x1ge, 2: ms-mic}}\n"
)

// floodIKE is the IKE and IPsec configuration both sides share.
func floodIKE(version string) string {
	return `set services ipsec-vpn ike proposal p dh-group group14
set services ipsec-vpn ike proposal p authentication-algorithm sha-256
set services ipsec-vpn ike proposal p encryption-algorithm aes-128-cbc
set services ipsec-vpn ike policy ike-pol proposals p
set services ipsec-vpn ike policy ike-pol version ` + version + `
set services ipsec-vpn ike policy ike-pol pre-shared-key ascii-text "flood-key"
set services ipsec-vpn ipsec proposal e protocol esp
set services ipsec-vpn ipsec proposal e authentication-algorithm hmac-sha1-96
set services ipsec-vpn ipsec proposal e encryption-algorithm aes-128-cbc
set services ipsec-vpn ipsec policy ipsec-pol proposals e
`
}

// spokeLink is the address of host k (1: hub, 2: spoke) on spoke i's /30.
func spokeLink(i, k int) string { return fmt.Sprintf("10.250.0.%d", 4*i+k) }

func floodTopology(t testing.TB, name, version string) *labs.Topology {
	var hub strings.Builder
	hub.WriteString(`set system host-name hub
set interfaces lo0 unit 0 family inet address 10.0.0.1/32
set interfaces lo0 unit 0 family inet address ` + hubGateway + `/32
set interfaces ge-0/1/0 unit 0 family inet address 10.254.0.1/30
set interfaces ms-5/0/0 unit 0 family inet
set interfaces ms-5/0/0 unit 1 family inet
set interfaces ms-5/0/0 unit 1 service-domain inside
set interfaces ms-5/0/0 unit 1 dial-options ipsec-interface-id spokes
set interfaces ms-5/0/0 unit 1 dial-options shared
set interfaces ms-5/0/0 unit 2 family inet
set interfaces ms-5/0/0 unit 2 service-domain outside
set routing-options static route 10.1.0.0/16 next-hop ms-5/0/0.1
set routing-options static route 172.31.0.0/22 next-hop 10.254.0.2
set access profile hub-prof client * ike allowed-proxy-pair local 10.0.0.0/24 remote 10.1.0.0/16
set access profile hub-prof client * ike ike-policy ike-pol
set access profile hub-prof client * ike ipsec-policy ipsec-pol
set access profile hub-prof client * ike interface-id spokes
set services service-set hub next-hop-service inside-service-interface ms-5/0/0.1
set services service-set hub next-hop-service outside-service-interface ms-5/0/0.2
set services service-set hub ipsec-vpn-options local-gateway ` + hubGateway + `
set services service-set hub ipsec-vpn-options ike-access-profile hub-prof
`)
	hub.WriteString(floodIKE(version))
	files := map[string]string{"hub.yaml": hubChassis, "spoke.yaml": spokeChassis}
	var y strings.Builder
	fmt.Fprintf(&y, "name: %s\ntopology:\n  nodes:\n", name)
	y.WriteString("    hub: {kind: mx, chassis: hub.yaml, config: hub.conf}\n")
	y.WriteString("    atk: {kind: linux, interfaces: {eth1: 10.254.0.2/30}, gateway: 10.254.0.1}\n")
	links := "  links:\n    - endpoints: [\"hub:ge-0/1/0\", \"atk:eth1\"]\n"
	for i := 1; i <= floodSpokes; i++ {
		fmt.Fprintf(&hub, "set interfaces ge-0/0/%d unit 0 family inet address %s/30\n", i-1, spokeLink(i, 1))
		fmt.Fprintf(&y, "    s%d: {kind: mx, chassis: spoke.yaml, config: s%d.conf}\n", i, i)
		links += fmt.Sprintf("    - endpoints: [\"hub:ge-0/0/%d\", \"s%d:ge-1/0/0\"]\n", i-1, i)
		files[fmt.Sprintf("s%d.conf", i)] = fmt.Sprintf(`set system host-name s%[1]d
set interfaces ge-1/0/0 unit 0 family inet address %[2]s/30
set interfaces lo0 unit 0 family inet address 10.1.%[1]d.1/32
set interfaces ms-1/2/0 unit 0 family inet
set interfaces ms-1/2/0 unit 1 family inet
set interfaces ms-1/2/0 unit 1 service-domain inside
set interfaces ms-1/2/0 unit 2 family inet
set interfaces ms-1/2/0 unit 2 service-domain outside
set routing-options static route %[4]s/32 next-hop %[3]s
set routing-options static route 10.0.0.0/24 next-hop ms-1/2/0.1
set services ipsec-vpn rule to-hub term t from source-address 10.1.%[1]d.0/24
set services ipsec-vpn rule to-hub term t from destination-address 10.0.0.0/24
set services ipsec-vpn rule to-hub term t then remote-gateway %[4]s
set services ipsec-vpn rule to-hub term t then dynamic ike-policy ike-pol
set services ipsec-vpn rule to-hub term t then dynamic ipsec-policy ipsec-pol
set services ipsec-vpn rule to-hub match-direction input
set services ipsec-vpn establish-tunnels immediately
set services service-set to-hub next-hop-service inside-service-interface ms-1/2/0.1
set services service-set to-hub next-hop-service outside-service-interface ms-1/2/0.2
set services service-set to-hub ipsec-vpn-options local-gateway %[2]s
set services service-set to-hub ipsec-vpn-rules to-hub
`, i, spokeLink(i, 2), spokeLink(i, 1), hubGateway) + floodIKE(version)
	}
	files["hub.conf"] = hub.String()
	y.WriteString(links)
	topo, err := labs.Parse([]byte(y.String()), ".", labs.FilesOf(files))
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// floodLabDir returns a temporary directory of mode 0700, as a run
// directory of labs must be.
func floodLabDir(tb testing.TB) string {
	dir := tb.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// labCLI runs operational commands on a lab router.
func labCLI(tb testing.TB, l *labs.Lab, node, cmds string) string {
	tb.Helper()
	var out bytes.Buffer
	if _, err := labs.Console(l.Dir(), labs.Request{Node: node, Commands: cmds}, nil, &out, nil); err != nil {
		tb.Fatalf("console %s %q: %v", node, cmds, err)
	}
	return out.String()
}

// hubSAs reads the hub's IKE SAs from "show services ipsec-vpn ike
// security-associations": the matured ones by peer (with their cookies)
// and the number still negotiating.
func hubSAs(tb testing.TB, l *labs.Lab) (matured map[string]string, halfOpen int) {
	out := labCLI(tb, l, "hub", "show services ipsec-vpn ike security-associations")
	matured = map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 5 && f[1] == "Matured":
			matured[f[0]] = f[2] + " " + f[3]
		case len(f) == 6 && f[1] == "Not" && f[2] == "matured":
			halfOpen++
		}
	}
	return matured, halfOpen
}

// waitTunnels waits until the hub has a matured IKE SA with every spoke
// and every spoke pings the hub's 10.0.0.1 through its tunnel.
func waitTunnels(tb testing.TB, l *labs.Lab) map[string]string {
	deadline := time.Now().Add(60 * time.Second)
	for {
		m, _ := hubSAs(tb, l)
		if len(m) == floodSpokes {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d of %d tunnels up after 60 s:\n%s", len(m), floodSpokes,
				labCLI(tb, l, "hub", "show services ipsec-vpn ike security-associations"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := 1; i <= floodSpokes; i++ {
		for try := 0; ; try++ {
			if sent, got := spokePing(tb, l, i, 1, 0); sent == 1 && got == 1 {
				break
			}
			if try == 20 {
				tb.Fatalf("s%d: no ping through its tunnel", i)
			}
		}
	}
	m, _ := hubSAs(tb, l)
	return m
}

// spokePing pings the hub's 10.0.0.1 from spoke i's 10.1.i.1 (through
// its tunnel) count times, every interval, and returns the echo requests
// sent and the replies received.
func spokePing(tb testing.TB, l *labs.Lab, i, count int, interval time.Duration) (sent, received int) {
	args := []string{"netns", "exec", l.Topology().Namespace(fmt.Sprintf("s%d", i)), "ping", "-n", "-q",
		"-c", strconv.Itoa(count), "-W", "2", "-I", fmt.Sprintf("10.1.%d.1", i)}
	if interval > 0 {
		args = append(args, "-i", fmt.Sprintf("%.3f", interval.Seconds()))
	}
	out, _ := exec.Command("ip", append(args, "10.0.0.1")...).CombinedOutput()
	m := regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`).FindSubmatch(out)
	if m == nil {
		tb.Errorf("s%d: ping: %s", i, out)
		return count, 0
	}
	sent, _ = strconv.Atoi(string(m[1]))
	received, _ = strconv.Atoi(string(m[2]))
	return sent, received
}

// firstMessageV1 returns an IKEv1 main-mode first message offering the
// hub's proposal (aes-128-cbc, sha-256, group14, pre-shared keys), as an
// initiator at 172.31.0.1 would send it.
func firstMessageV1(tb testing.TB) []byte {
	h := &captureHost{}
	m := ikev1.NewMachine(ikev1.Options{Host: h})
	m.Configure(time.Now(), ikev1.Config{Tunnels: []ikev1.Tunnel{{Name: "flood",
		Local: netip.MustParseAddr("172.31.0.1"), Remote: netip.MustParseAddr(hubGateway),
		LocalTS: netip.MustParsePrefix("10.1.200.0/24"), RemoteTS: netip.MustParsePrefix("10.0.0.0/24"),
		IKE: ikev1.IKEPolicy{PSK: []byte("flood-key"), Proposals: []ikev1.IKEProposal{
			{Encryption: suite.AES128CBC, Hash: suite.SHA256, Group: suite.Group14}}},
		AutoStart: true}}})
	if h.first == nil {
		tb.Fatal("the IKEv1 machine sent no first message")
	}
	return h.first
}

type captureHost struct{ first []byte }

func (h *captureHost) Send(local, remote netip.AddrPort, msg []byte) {
	if h.first == nil {
		h.first = bytes.Clone(msg)
	}
}
func (h *captureHost) Install(*ikev1.ChildSA) error { return nil }
func (h *captureHost) Remove(string, uint32)        {}

// firstMessageV2 returns an IKE_SA_INIT request (RFC 7296 §1.2) with
// SA (aes-128-cbc, hmac-sha-256, sha256-128, group14), KE and Nonce.
func firstMessageV2(tb testing.TB) []byte {
	dh, err := suite.Group14.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	payload := func(b []byte, next byte, body []byte) []byte {
		b = append(b, next, 0)
		b = binary.BigEndian.AppendUint16(b, uint16(4+len(body)))
		return append(b, body...)
	}
	transform := func(b []byte, last bool, kind byte, id uint16, keyLen uint16) []byte {
		more := byte(3)
		if last {
			more = 0
		}
		n := 8
		if keyLen > 0 {
			n += 4
		}
		b = append(b, more, 0, 0, byte(n), kind, 0)
		b = binary.BigEndian.AppendUint16(b, id)
		if keyLen > 0 {
			b = append(b, 0x80, 14)
			b = binary.BigEndian.AppendUint16(b, keyLen)
		}
		return b
	}
	var ts []byte
	ts = transform(ts, false, 1, 12, 128) // ENCR_AES_CBC, 128 bits
	ts = transform(ts, false, 2, 5, 0)    // PRF_HMAC_SHA2_256
	ts = transform(ts, false, 3, 12, 0)   // AUTH_HMAC_SHA2_256_128
	ts = transform(ts, true, 4, 14, 0)    // 2048-bit MODP
	prop := append([]byte{0, 0}, binary.BigEndian.AppendUint16(nil, uint16(8+len(ts)))...)
	prop = append(append(prop, 1, 1, 0, 4), ts...) // proposal 1, IKE, no SPI, 4 transforms
	ke := append([]byte{0, 14, 0, 0}, dh.Public()...)
	nonce := bytes.Repeat([]byte{0x5a}, 32)
	var body []byte
	body = payload(body, 34, prop) // SA, next KE
	body = payload(body, 40, ke)   // KE, next Nonce
	body = payload(body, 0, nonce) // Nonce
	msg := make([]byte, 8, 28+len(body))
	msg[0] = 1                                  // initiator SPI, rewritten per message
	msg = append(msg, make([]byte, 8)...)       // responder SPI
	msg = append(msg, 33, 0x20, 34, 0x08)       // SA first, version 2.0, IKE_SA_INIT, initiator
	msg = binary.BigEndian.AppendUint32(msg, 0) // message ID
	msg = binary.BigEndian.AppendUint32(msg, uint32(28+len(body)))
	msg = append(msg, body...)
	if _, err := ikev2.Decode(msg); err != nil {
		tb.Fatalf("the IKE_SA_INIT built does not decode: %v", err)
	}
	return msg
}

// spoofedUDP returns an IPv4 packet carrying payload from src:500 to
// dst:500; the kernel fills in the IP checksum (IP_HDRINCL).
func spoofedUDP(src, dst netip.Addr, id uint16, payload []byte) []byte {
	n := 28 + len(payload)
	p := make([]byte, 28, n)
	p[0], p[8], p[9] = 0x45, 64, unix.IPPROTO_UDP
	binary.BigEndian.PutUint16(p[2:], uint16(n))
	binary.BigEndian.PutUint16(p[4:], id)
	s, d := src.As4(), dst.As4()
	copy(p[12:], s[:])
	copy(p[16:], d[:])
	binary.BigEndian.PutUint16(p[20:], 500)
	binary.BigEndian.PutUint16(p[22:], 500)
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(payload)))
	p = append(p, payload...)
	// UDP checksum over the pseudo-header, the UDP header and the data.
	var sum uint32
	add := func(b []byte) {
		for i := 0; i+1 < len(b); i += 2 {
			sum += uint32(b[i])<<8 | uint32(b[i+1])
		}
		if len(b)%2 == 1 {
			sum += uint32(b[len(b)-1]) << 8
		}
	}
	add(p[12:20])
	sum += unix.IPPROTO_UDP + uint32(8+len(payload))
	add(p[20:])
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	c := ^uint16(sum)
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(p[26:], c)
	return p
}

// floodSource is the i-th spoofed source: 172.31.0.1 .. 172.31.3.250.
func floodSource(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{172, 31, byte(i / 250), byte(1 + i%250)})
}

// flood sends floodPackets spoofed first messages (each with a fresh
// initiator SPI or cookie) from floodSources addresses to the hub's
// gateway, from inside the namespace atk: paced, bursts of 100 every
// 10 ms; otherwise as fast as one socket sends.
func flood(atk *netns.Handle, first []byte, paced bool) error {
	var fd int
	err := netns.Do(atk, func() (err error) {
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		return err
	})
	if err != nil {
		return fmt.Errorf("raw socket in %s: %w", atk.Name(), err)
	}
	defer unix.Close(fd)
	dst := netip.MustParseAddr(hubGateway)
	to := &unix.SockaddrInet4{Addr: dst.As4()}
	msg := bytes.Clone(first)
	for i := range floodPackets {
		binary.BigEndian.PutUint64(msg[0:8], 0x666c6f6f64000000|uint64(i)) // "flood" and the index
		pkt := spoofedUDP(floodSource(i%floodSources), dst, uint16(i), msg)
		if err := unix.Sendto(fd, pkt, 0, to); err != nil {
			return fmt.Errorf("spoofed packet %d: %w", i, err)
		}
		if paced && i%100 == 99 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nil
}

// heapAfterGC returns the live heap of the test process (the lab's
// routers live in it) after a collection.
func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// dropCounters reads the hub's "Half-open limit" and "Queue overflow"
// counters of show services ipsec-vpn ike statistics.
func dropCounters(tb testing.TB, l *labs.Lab) (halfOpen, overflow int, out string) {
	out = labCLI(tb, l, "hub", "show services ipsec-vpn ike statistics")
	m := regexp.MustCompile(`Half-open limit: (\d+), Unknown version: \d+, Queue overflow: (\d+)`).FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("no drop counters in show services ipsec-vpn ike statistics:\n%s", out)
	}
	halfOpen, _ = strconv.Atoi(m[1])
	overflow, _ = strconv.Atoi(m[2])
	return halfOpen, overflow, out
}
