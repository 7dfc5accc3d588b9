package services_test

import (
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"mxlab/netns"
)

// TestE2TCPStream sends a TCP stream from h1 to h2 through the tunnel. The
// hosts' TCP hands the service interface super-packets (TSO) and takes
// merged segments back (GRO): the bytes must arrive whole and in order,
// and the statistics count ESP packets as they are on the wire, one per
// segment, the same on both ends. With udp-encapsulate the ESP-in-UDP
// packets of the stream leave in UDP GSO sends and arrive merged (UDP
// GRO): the counts must be the same.
func TestE2TCPStream(t *testing.T) {
	udp := "set services service-set ss-vpn ipsec-vpn-options udp-encapsulate"
	for _, tc := range []struct {
		name  string
		lines []string
	}{{"esp", nil}, {"udp-encapsulate", []string{udp}}} {
		t.Run(tc.name, func(t *testing.T) { tcpStream(t, tc.lines) })
	}
}

func tcpStream(t *testing.T, lines []string) {
	l := newLab(t, e2Config(t, "r1", lines...), e2Config(t, "r2", lines...))
	l.waitPing("h1", "192.168.0.10")
	l.cli(l.r1, "clear services ipsec-vpn ipsec statistics")
	l.cli(l.r2, "clear services ipsec-vpn ipsec statistics")

	var ln net.Listener
	if err := netns.Do(l.ns["h2"], func() (err error) { ln, err = net.Listen("tcp", "192.168.0.10:5001"); return }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		n   int64
		sum [32]byte
		err error
	}
	got := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- result{err: err}
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(60 * time.Second))
		h := sha256.New()
		n, err := io.Copy(h, c)
		var r result
		r.n, r.err = n, err
		copy(r.sum[:], h.Sum(nil))
		got <- r
	}()

	const size = 8 << 20
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	var c net.Conn
	if err := netns.Do(l.ns["h1"], func() (err error) { c, err = net.Dial("tcp", "192.168.0.10:5001"); return }); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	c.Close()
	res := <-got
	if res.err != nil || res.n != size || res.sum != sha256.Sum256(data) {
		t.Fatalf("h2 received %d bytes (%v), want %d; same content: %v", res.n, res.err, size, res.sum == sha256.Sum256(data))
	}

	// Every data segment is one ESP packet of at most 1500 bytes.
	var s1, s2 string
	for i := 0; i < 50; i++ {
		s1 = l.cli(l.r1, "show services ipsec-vpn ipsec statistics")
		s2 = l.cli(l.r2, "show services ipsec-vpn ipsec statistics")
		if stat(t, s1, "Encrypted packets") == stat(t, s2, "Decrypted packets") &&
			stat(t, s2, "Encrypted packets") == stat(t, s1, "Decrypted packets") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	out1, in2 := stat(t, s1, "Encrypted packets"), stat(t, s2, "Decrypted packets")
	if out1 != in2 || stat(t, s2, "Encrypted packets") != stat(t, s1, "Decrypted packets") {
		t.Errorf("the ends disagree:\nr1:\n%s\nr2:\n%s", s1, s2)
	}
	if least := size / 1460; out1 < least {
		t.Errorf("r1 encrypted %d packets for %d bytes: fewer than one per segment (%d)", out1, size, least)
	}
	if b := stat(t, s1, "Encrypted bytes"); b < size+40*out1 || b > size+100*out1 {
		t.Errorf("r1 encrypted %d bytes in %d packets for %d bytes of stream", b, out1, size)
	}
}
