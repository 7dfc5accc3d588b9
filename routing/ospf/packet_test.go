package ospf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleLSAs() []*LSA {
	ls := []*LSA{
		{LSAHeader: LSAHeader{Options: 0x22, Type: RouterLSA, ID: id("192.0.2.1"), Adv: id("192.0.2.1"), Seq: InitialSeq},
			Router: &RouterBody{Flags: FlagB, Links: []RouterLink{{ID: id("192.0.2.2"), Data: id("10.0.0.1"), Type: LinkP2P, Metric: 10},
				{ID: id("10.0.0.0"), Data: id("255.255.255.0"), Type: LinkStub, Metric: 10}}}},
		{LSAHeader: LSAHeader{Options: 0x22, Type: NetworkLSA, ID: id("10.0.0.1"), Adv: id("192.0.2.1"), Seq: 5},
			Network: &NetworkBody{Mask: id("255.255.255.0"), Routers: []ID{id("192.0.2.1"), id("192.0.2.2")}}},
		{LSAHeader: LSAHeader{Options: 0x22, Type: SummaryLSA, ID: id("10.1.0.0"), Adv: id("192.0.2.1"), Seq: -5},
			Summary: &SummaryBody{Mask: id("255.255.0.0"), Metric: 12345}},
		{LSAHeader: LSAHeader{Options: 0x28, Type: NSSALSA, ID: id("172.16.0.0"), Adv: id("192.0.2.1"), Seq: 1, Age: 100},
			External: &ExternalBody{Mask: id("255.240.0.0"), E2: true, Metric: 20, Forward: id("10.0.0.1"), Tag: 7}},
	}
	for _, l := range ls {
		l.encode()
	}
	return ls
}

func TestLSARoundTrip(t *testing.T) {
	for _, l := range sampleLSAs() {
		got, n, err := ParseLSA(l.Raw)
		if err != nil || n != len(l.Raw) {
			t.Fatalf("%s: %v (%d of %d bytes)", l.Key(), err, n, len(l.Raw))
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("%s: got %+v, want %+v", l.Key(), got, l)
		}
		// The age is outside the checksum: a changed age still verifies.
		if _, _, err := ParseLSA(withAge(l.Raw, 3000)); err != nil {
			t.Errorf("%s with another age: %v", l.Key(), err)
		}
		bad := bytes.Clone(l.Raw)
		bad[len(bad)-1] ^= 1
		if _, _, err := ParseLSA(bad); !errors.Is(err, ErrChecksum) {
			t.Errorf("%s with a flipped bit: %v, want ErrChecksum", l.Key(), err)
		}
	}
}

func TestCompareLSA(t *testing.T) {
	h := func(seq int32, ck uint16, age uint16) LSAHeader { return LSAHeader{Seq: seq, Checksum: ck, Age: age} }
	tests := []struct {
		a, b LSAHeader
		want int
	}{
		{h(2, 0, 0), h(1, 0, 0), 1},
		{h(InitialSeq, 0, 0), h(5, 0, 0), -1},
		{h(1, 9, 0), h(1, 8, 0), 1},
		{h(1, 8, MaxAge), h(1, 8, 10), 1},
		{h(1, 8, 10), h(1, 8, 1000), 1},
		{h(1, 8, 10), h(1, 8, 900), 0},
		{h(1, 8, 10), h(1, 8, 10), 0},
	}
	for _, tc := range tests {
		if got := compareLSA(tc.a, tc.b); got != tc.want {
			t.Errorf("compare %+v %+v = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestPacketRoundTrip(t *testing.T) {
	ls := sampleLSAs()
	pkts := []*Packet{
		{Type: TypeHello, Hello: &Hello{Mask: id("255.255.255.0"), Interval: 10, Options: OptE, Priority: 128, Dead: 40,
			DR: id("10.0.0.1"), Neighbors: []ID{id("192.0.2.2")}}},
		{Type: TypeDBD, DBD: &DBD{MTU: 1500, Options: OptE, Flags: DBDInit | DBDMore | DBDMS, Seq: 77, Headers: []LSAHeader{ls[0].LSAHeader}}},
		{Type: TypeLSR, LSR: []LSAKey{ls[1].Key()}},
		{Type: TypeLSU, LSU: ls},
		{Type: TypeLSAck, Ack: []LSAHeader{ls[2].LSAHeader, ls[3].LSAHeader}},
	}
	auths := []Auth{{}, {Type: AuthSimple, Password: [8]byte{'a', 'b', 'c'}}, md5Auth("key")}
	for _, a := range auths {
		for _, p := range pkts {
			p.RouterID, p.Area = id("192.0.2.1"), id("0.0.0.1")
			b := p.Marshal(&a, 99)
			got, err := ParsePacket(b)
			if err != nil {
				t.Fatalf("type %d auth %d: %v", p.Type, a.Type, err)
			}
			if err := Verify(b, got, &a, 0); err != nil {
				t.Errorf("type %d auth %d: verify: %v", p.Type, a.Type, err)
			}
			got.AuType, got.KeyID, got.CryptoSeq = 0, 0, 0
			if !reflect.DeepEqual(got, p) {
				t.Errorf("type %d auth %d: got %+v, want %+v", p.Type, a.Type, got, p)
			}
			other := a
			other.Password[0] = 'x'
			if len(other.Keys) > 0 {
				other.Keys = []MD5Key{{ID: 1, Key: [16]byte{'x'}}}
			}
			if a.Type != AuthNone && Verify(b, got2(b), &other, 0) == nil {
				t.Errorf("type %d auth %d: a wrong key verifies", p.Type, a.Type)
			}
		}
	}
}

func got2(b []byte) *Packet { p, _ := ParsePacket(b); return p }

// testInstance is an instance with one interface up, driven by hand (no
// goroutine): ge-0/0/0.0 10.0.0.1/24 in area 0.
func testInstance(t *testing.T, ic IfConfig) (*Instance, *hub) {
	h := &hub{}
	h.link("r1", "ge-0/0/0.0", "10.0.0.1/24", "lan")
	h.link("r2", "ge-0/0/0.0", "10.0.0.2/24", "lan")
	in := newInstance("", h.net("r1"), &fakeRIB{}, time.Now, nil)
	in.timer = time.NewTimer(time.Hour)
	t.Cleanup(func() { in.timer.Stop() })
	cfg := Config{RouterID: id("192.0.2.1"), Areas: []AreaConfig{{ID: 0, Interfaces: []IfConfig{ic}}}}
	in.apply(pending{cfg: &cfg, ifs: []IfState{{Name: "ge-0/0/0.0", Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}, Up: true}}})
	return in, h
}

func TestBadPacketsCountedAndDropped(t *testing.T) {
	ic := fast("ge-0/0/0.0")
	in, _ := testInstance(t, ic)
	hello := &Packet{Type: TypeHello, RouterID: id("192.0.2.2"), Hello: &Hello{Mask: id("255.255.255.0"), Interval: 1, Options: OptE, Priority: 1, Dead: 3}}
	good := hello.Marshal(&Auth{}, 0)
	recv := func(b []byte) {
		in.receive(Received{IfIndex: 2, Src: netip.MustParseAddr("10.0.0.2"), Dst: AllSPFRouters.Addr(), Data: b})
	}

	badSum := bytes.Clone(good)
	badSum[len(badSum)-1] ^= 0xff
	recv(badSum)
	wrongArea := *hello
	wrongArea.Area = 7
	recv(wrongArea.Marshal(&Auth{}, 0))
	recv(hello.Marshal(&Auth{Type: AuthSimple}, 0))
	recv(good[:10])
	// An update whose LSA is longer than the packet, and one whose LSA has
	// a bad checksum.
	ls := sampleLSAs()
	lsu := &Packet{Type: TypeLSU, RouterID: id("192.0.2.2"), LSU: ls[:1]}
	trunc := lsu.Marshal(&Auth{}, 0)
	binary.BigEndian.PutUint16(trunc[headerLen+4+18:], 200)
	recv(fixSum(trunc))
	badLSA := lsu.Marshal(&Auth{}, 0)
	badLSA[len(badLSA)-1] ^= 1
	recv(fixSum(badLSA))
	s := in.stats
	if s.errChecksum != 1 || s.errArea != 1 || s.errAuthType != 1 || s.errParse != 2 {
		t.Errorf("checksum %d area %d authtype %d parse %d; want 1 1 1 2", s.errChecksum, s.errArea, s.errAuthType, s.errParse)
	}
	if len(in.areas[0].ifaces[0].nbrs) != 0 {
		t.Error("a bad packet made a neighbor")
	}
	recv(good)
	if len(in.areas[0].ifaces[0].nbrs) != 1 {
		t.Error("the good hello made no neighbor")
	}
	var b bytes.Buffer
	in.ShowStatistics(&b)
	for _, w := range []string{"1 bad checksums", "1 area mismatches", "2 bad packets", "1 authentication type mismatches"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("statistics lack %q:\n%s", w, b.String())
		}
	}
}

// fixSum recomputes the OSPF checksum of a packet.
func fixSum(b []byte) []byte {
	if len(b) < headerLen {
		return b
	}
	binary.BigEndian.PutUint16(b[12:], 0)
	binary.BigEndian.PutUint16(b[12:], inetChecksum(b))
	return b
}

func TestBadMD5(t *testing.T) {
	ic := fast("ge-0/0/0.0")
	ic.Auth = md5Auth("secret")
	in, _ := testInstance(t, ic)
	hello := &Packet{Type: TypeHello, RouterID: id("192.0.2.2"), Hello: &Hello{Mask: id("255.255.255.0"), Interval: 1, Options: OptE, Priority: 1, Dead: 3}}
	recv := func(b []byte) {
		in.receive(Received{IfIndex: 2, Src: netip.MustParseAddr("10.0.0.2"), Dst: AllSPFRouters.Addr(), Data: b})
	}
	wrong := md5Auth("other")
	recv(hello.Marshal(&wrong, 5))
	otherID := md5Auth("secret")
	otherID.Keys[0].ID = 9
	recv(hello.Marshal(&otherID, 5))
	if in.stats.errAuth != 2 || len(in.areas[0].ifaces[0].nbrs) != 0 {
		t.Fatalf("auth failures %d, neighbors %d; want 2 and 0", in.stats.errAuth, len(in.areas[0].ifaces[0].nbrs))
	}
	right := md5Auth("secret")
	recv(hello.Marshal(&right, 5))
	if len(in.areas[0].ifaces[0].nbrs) != 1 {
		t.Fatal("the right key made no neighbor")
	}
	// A replayed packet with an older sequence number is refused.
	recv(hello.Marshal(&right, 4))
	if in.stats.errAuth != 3 {
		t.Errorf("replay not counted: %d failures", in.stats.errAuth)
	}
}
