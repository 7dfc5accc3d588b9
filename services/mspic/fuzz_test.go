package mspic

import (
	"net/netip"
	"testing"
	"time"

	"mxlab/services/ipsec/esp"
)

// FuzzInbound feeds arbitrary packets to the inbound path of a card (raw
// ESP and ESP in UDP): decapsulation, SPI lookup, replay and ICV checks,
// the policy check against the term and delivery into the device. Nothing
// may panic, and only packets of the term's traffic may reach the device.
func FuzzInbound(f *testing.F) {
	ss := testSet("ss", "ms-4/0/0.1", "10.0.1.1", "10.0.1.2", "10.1.0.0/16", "10.2.0.0/16")
	peer := testSet("ss", "ms-1/0/0.1", "10.0.1.2", "10.0.1.1", "10.2.0.0/16", "10.1.0.0/16")
	udp := testSet("su", "ms-4/0/0.3", "10.0.1.1", "10.0.1.2", "10.1.0.0/16", "10.2.0.0/16")
	udp.Terms[0].Options.UDPEncap, udp.Terms[0].Options.UDPPort = true, 4565
	udp.Terms[0].Manual[0].SPI = 16001
	peerUDP := *peer
	peerUDP.Terms = []*TermT{{}}
	*peerUDP.Terms[0] = *udp.Terms[0]
	peerUDP.Terms[0].RemoteGateway = netip.MustParseAddr("10.0.1.1")
	peerUDP.Terms[0].Source, peerUDP.Terms[0].Destination = peer.Terms[0].Source, peer.Terms[0].Destination
	peerUDP.LocalGateway = netip.MustParseAddr("10.0.1.2")

	seed := func(set *ServiceSetT, inner []byte, udpPayload bool) []byte {
		sa, err := esp.NewSA(set.SAConfig(set.Terms[0], set.Terms[0].Manual[0], false))
		if err != nil {
			f.Fatal(err)
		}
		out, err := sa.Encapsulate(nil, inner)
		if err != nil {
			f.Fatal(err)
		}
		if udpPayload {
			return out[esp.UDPPayloadOffset:]
		}
		return out
	}
	f.Add(false, seed(peer, icmpPacket("10.2.0.1", "10.1.0.1", 64), false))
	f.Add(false, seed(peer, icmpPacket("10.9.0.1", "10.1.0.1", 64), false)) // outside the term
	f.Add(true, seed(&peerUDP, icmpPacket("10.2.0.1", "10.1.0.1", 64), true))
	f.Add(true, []byte{0xff})
	f.Add(false, []byte{0x45, 0, 0, 20})

	devs := map[string]Device{"ms-4/0/0.1": newFakeDevice(), "ms-4/0/0.3": newFakeDevice()}
	p, err := buildPlane(Config{Sets: []*ServiceSetT{ss, udp}, Devices: devs}, nil,
		func(string) *setCounters { return &setCounters{} }, nil, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	c := New(Options{Name: "ms-4/0/0"})
	raw := newInbound(c, wireKey{addr: ss.LocalGateway}, nil)
	overUDP := newInbound(c, wireKey{addr: ss.LocalGateway, port: 4565}, nil)
	f.Fuzz(func(t *testing.T, isUDP bool, pkt []byte) {
		in := raw
		if isUDP {
			in = overUDP
		}
		w := p.wires[in.key]
		in.cur = newRxBatch()
		in.packet(w, pkt)
		in.cur.deliver()
		for _, d := range devs {
			select {
			case got := <-d.(*fakeDevice).out:
				src := netip.AddrFrom4([4]byte(got[12:16]))
				dst := netip.AddrFrom4([4]byte(got[16:20]))
				if !netip.MustParsePrefix("10.2.0.0/16").Contains(src) || !netip.MustParsePrefix("10.1.0.0/16").Contains(dst) {
					t.Fatalf("delivered a packet outside the term: % x", got)
				}
			default:
			}
		}
	})
}
