package ikev1_test

import (
	"fmt"
	"net/netip"
	"time"

	"mxlab/services/ike/ikev1"
	"mxlab/services/ike/suite"
)

// wire connects machines in memory: what one sends, the other receives.
type wire struct {
	queue []func(now time.Time)
	peers map[netip.Addr]*ikev1.Machine
	pairs map[string]*ikev1.ChildSA
}

type host struct {
	w    *wire
	name string
}

func (h host) Send(local, remote netip.AddrPort, msg []byte) {
	h.w.queue = append(h.w.queue, func(now time.Time) { h.w.peers[remote.Addr()].Receive(now, remote, local, msg) })
}

func (h host) Install(c *ikev1.ChildSA) error {
	h.w.pairs[h.name] = c
	return nil
}

func (h host) Remove(tunnel string, inSPI uint32) {}

func tunnel(local, remote, lan, far string) ikev1.Tunnel {
	return ikev1.Tunnel{Name: "ss/rule/term", Local: netip.MustParseAddr(local), Remote: netip.MustParseAddr(remote),
		LocalTS: netip.MustParsePrefix(lan), RemoteTS: netip.MustParsePrefix(far),
		IKE: ikev1.IKEPolicy{PSK: []byte("juniper123"), Proposals: []ikev1.IKEProposal{
			{Encryption: suite.AES128CBC, Hash: suite.SHA256, Group: suite.Group19}}},
		IPsec: ikev1.IPsecPolicy{PFS: suite.Group19, Proposals: []ikev1.IPsecProposal{
			{Encryption: suite.AES256CBC, Integrity: suite.HMACSHA1_96}}},
	}
}

// Two machines negotiate a tunnel: r1 starts main mode at once
// (establish-tunnels immediately), r2 answers.
func ExampleNewMachine() {
	w := &wire{peers: map[netip.Addr]*ikev1.Machine{}, pairs: map[string]*ikev1.ChildSA{}}
	r1 := ikev1.NewMachine(ikev1.Options{Host: host{w, "r1"}})
	r2 := ikev1.NewMachine(ikev1.Options{Host: host{w, "r2"}})
	w.peers[netip.MustParseAddr("10.0.1.1")] = r1
	w.peers[netip.MustParseAddr("10.0.1.2")] = r2

	now := time.Now()
	t1 := tunnel("10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16")
	t1.AutoStart = true
	r2.Configure(now, ikev1.Config{Tunnels: []ikev1.Tunnel{tunnel("10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16")}})
	r1.Configure(now, ikev1.Config{Tunnels: []ikev1.Tunnel{t1}})
	for len(w.queue) > 0 {
		f := w.queue[0]
		w.queue = w.queue[1:]
		f(now)
	}

	sa := r1.SAs()[0]
	fmt.Println(sa.Mode, sa.Established, sa.Encryption, sa.Hash, sa.Group)
	p1, p2 := w.pairs["r1"], w.pairs["r2"]
	fmt.Println(p1.LocalTS, "===", p1.RemoteTS, p1.Encryption, p1.Integrity, "PFS", p1.PFS)
	fmt.Println("r1 sends with r2's SPI:", p1.OutSPI == p2.InSPI)
	fmt.Println("stats:", r1.Stats().Phase1Done, "phase 1,", r1.Stats().Phase2Done, "phase 2")
	// Output:
	// Main true aes-128-cbc sha-256 group19
	// 172.16.0.0/16 === 192.168.0.0/16 aes-256-cbc hmac-sha1-96 PFS group19
	// r1 sends with r2's SPI: true
	// stats: 1 phase 1, 1 phase 2
}
