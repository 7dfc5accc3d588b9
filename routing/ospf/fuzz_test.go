package ospf

import (
	"net/netip"
	"testing"
)

func seedPackets(f *testing.F) {
	ls := sampleLSAs()
	for _, p := range []*Packet{
		{Type: TypeHello, Hello: &Hello{Mask: id("255.255.255.0"), Interval: 1, Options: OptE, Priority: 1, Dead: 3, Neighbors: []ID{id("192.0.2.1")}}},
		{Type: TypeDBD, DBD: &DBD{MTU: 1500, Options: OptE, Flags: DBDInit | DBDMore | DBDMS, Seq: 7, Headers: []LSAHeader{ls[0].LSAHeader}}},
		{Type: TypeLSR, LSR: []LSAKey{ls[1].Key()}},
		{Type: TypeLSU, LSU: ls},
		{Type: TypeLSAck, Ack: []LSAHeader{ls[2].LSAHeader}},
	} {
		p.RouterID = id("192.0.2.2")
		f.Add(p.Marshal(&Auth{}, 0))
		a := md5Auth("secret")
		f.Add(p.Marshal(&a, 1))
	}
}

// FuzzParsePacket decodes arbitrary packets: errors, never panics, and a
// decoded packet encodes again.
func FuzzParsePacket(f *testing.F) {
	seedPackets(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePacket(b)
		if err != nil {
			return
		}
		for _, a := range []Auth{{}, {Type: AuthSimple}, md5Auth("secret")} {
			Verify(b, p, &a, 0)
		}
		if p.Type == TypeLSU {
			for _, l := range p.LSU {
				if _, _, err := ParseLSA(l.Raw); err != nil {
					t.Fatalf("an LSA of a decoded update does not decode: %v", err)
				}
			}
		}
		p.Marshal(&Auth{}, 0)
	})
}

// FuzzParseLSA decodes arbitrary LSAs; one that decodes encodes to the
// same bytes (after its checksum, which encode recomputes).
func FuzzParseLSA(f *testing.F) {
	for _, l := range sampleLSAs() {
		f.Add(l.Raw)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, n, err := ParseLSA(b)
		if err != nil || n > len(b) {
			return
		}
		if l.Router == nil && l.Network == nil && l.Summary == nil && l.External == nil {
			return // opaque and unknown types are kept as they are
		}
		c := *l
		c.encode()
		if c.Length > l.Length {
			t.Fatalf("re-encoded LSA is longer: %d > %d", c.Length, l.Length)
		}
	})
}

// FuzzReceive feeds arbitrary packets to a running interface: they are
// counted and dropped or processed, never a panic.
func FuzzReceive(f *testing.F) {
	seedPackets(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		in, _ := testInstance(t, fast("ge-0/0/0.0"))
		// A neighbor at Exchange, so that updates and requests are handled.
		hello := &Packet{Type: TypeHello, RouterID: id("192.0.2.2"), Hello: &Hello{Mask: id("255.255.255.0"), Interval: 1,
			Options: OptE, Priority: 1, Dead: 3, Neighbors: []ID{id("192.0.2.1")}}}
		src := netip.MustParseAddr("10.0.0.2")
		in.receive(Received{IfIndex: 2, Src: src, Dst: AllSPFRouters.Addr(), Data: hello.Marshal(&Auth{}, 0)})
		for _, n := range in.areas[0].ifaces[0].nbrs {
			n.state = nbrExchange
		}
		in.receive(Received{IfIndex: 2, Src: src, Dst: AllSPFRouters.Addr(), Data: b})
		in.receive(Received{IfIndex: 2, Src: src, Dst: AllSPFRouters.Addr(), Data: fixSum(append([]byte(nil), b...))})
		in.afterPacket()
		in.runSPF()
		in.originateAll()
	})
}
