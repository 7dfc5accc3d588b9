package ikev1

import (
	"encoding/binary"
	"testing"
	"time"
)

// established returns r1's established phase-1 SA.
func established(t *testing.T, n *node) *ikeSA {
	t.Helper()
	for _, sa := range n.m.sas {
		if sa.state == stateEstablished {
			return sa
		}
	}
	t.Fatalf("%s has no established IKE SA", n.name)
	return nil
}

// craftInfo returns an informational message of sa (as its owner n
// would send it) carrying the payloads of c, with a correct HASH(1) or a
// wrong one.
func craftInfo(n *node, sa *ikeSA, c *chain, badHash bool) []byte {
	mid := n.m.newMsgID(sa)
	hash := sa.chosen.Hash.PRF(sa.keys.a, binary.BigEndian.AppendUint32(nil, mid), c.b)
	if badHash {
		hash[0] ^= 1
	}
	return n.m.seal(sa, sa.header(ExchInformational, mid), withHash(hash, c), false)
}

func dpdNotify(sa *ikeSA, seq uint32) *chain {
	n := Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: NotifyRUThere,
		SPI: append(sa.icookie[:], sa.rcookie[:]...), Data: binary.BigEndian.AppendUint32(nil, seq)}
	c := newChain()
	c.add(PayloadNotify, n.Append(nil))
	return c
}

// TestBadPackets sends crafted messages to an established responder:
// each is dropped, counted under its reason, answered with nothing, and
// the tunnel stays.
func TestBadPackets(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, nil)
	var captured []datagram
	l.filter = func(d *datagram) bool {
		captured = append(captured, datagram{d.from, d.to, append([]byte(nil), d.msg...)})
		return true
	}
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel")
	}
	sa1 := established(t, r1)
	from, to := sa1.local, sa1.remote
	var mm5, qm1 []byte
	for _, d := range captured {
		h, _ := ParseHeader(d.msg)
		if d.to == to && h.Exchange == ExchMain && h.Flags&FlagEncrypted != 0 {
			mm5 = d.msg
		}
		if d.to == to && h.Exchange == ExchQuick && qm1 == nil {
			qm1 = d.msg
		}
	}
	if mm5 == nil || qm1 == nil {
		t.Fatal("MM5 or QM1 not captured")
	}
	good := craftInfo(r1, sa1, dpdNotify(sa1, 7), false)
	unknown := newChain()
	unknown.add(PayloadNotify, dpdNotify(sa1, 8).b[4:])
	unknown.add(PayloadType(99), []byte("what is this"))
	mm1 := func() []byte {
		c := newChain()
		p := phase1SA(DefaultIKEProposals())
		c.add(PayloadSA, p.Append(nil))
		c.add(PayloadType(77), []byte{1, 2, 3})
		return encode(Header{ICookie: Cookie{9, 9, 9}, Version: Version, Exchange: ExchMain}, c)
	}()
	wrongCookie := append([]byte(nil), good...)
	wrongCookie[9] ^= 0xff
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-3] ^= 0x40
	clearInfo := func() []byte {
		c := newChain()
		c.add(PayloadNotify, (&Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: NotifyInvalidSPI}).Append(nil))
		return encode(sa1.header(ExchInformational, 1234), c)
	}()
	v2 := append([]byte(nil), good...)
	v2[17] = 0x20

	for _, tc := range []struct {
		name    string
		msg     []byte
		counter func(s Stats) uint64
	}{
		{"truncated header", good[:20], func(s Stats) uint64 { return s.Malformed }},
		{"truncated body", good[:len(good)-5], func(s Stats) uint64 { return s.Malformed }},
		{"length beyond", append(append([]byte(nil), good[:24]...), 0, 0, 0x10, 0), func(s Stats) uint64 { return s.Malformed }},
		{"oversized", make([]byte, MaxMessage+1), func(s Stats) uint64 { return s.Malformed }},
		{"version 2", v2, func(s Stats) uint64 { return s.Malformed }},
		{"wrong cookies", wrongCookie, func(s Stats) uint64 { return s.NoSA }},
		{"bad hash", craftInfo(r1, sa1, dpdNotify(sa1, 9), true), func(s Stats) uint64 { return s.AuthFailed }},
		{"bit flipped", flipped, func(s Stats) uint64 { return s.AuthFailed + s.Malformed }},
		{"unknown payload", craftInfo(r1, sa1, unknown, false), func(s Stats) uint64 { return s.UnknownPayload }},
		{"unknown payload in MM1", mm1, func(s Stats) uint64 { return s.UnknownPayload }},
		{"informational in clear", clearInfo, func(s Stats) uint64 { return s.Unauthenticated }},
		{"replayed quick mode", qm1, func(s Stats) uint64 { return s.Replayed }},
		{"late phase-1 message", mm5, func(s Stats) uint64 { return s.Duplicates + s.Unexpected }},
	} {
		before, sent := r2.m.Stats(), l.sent
		r2.m.Receive(l.now, to, from, tc.msg)
		after := r2.m.Stats()
		if tc.counter(after) != tc.counter(before)+1 {
			t.Errorf("%s: not counted\nbefore %+v\nafter  %+v", tc.name, before, after)
		}
		if l.sent != sent && tc.name != "late phase-1 message" {
			t.Errorf("%s: answered", tc.name)
		}
		if after.Phase2Done != before.Phase2Done || after.Phase1Done != before.Phase1Done {
			t.Errorf("%s: changed state", tc.name)
		}
	}
	// A good R-U-THERE is answered once; its replay is dropped.
	before, sent := r2.m.Stats(), l.sent
	r2.m.Receive(l.now, to, from, good)
	r2.m.Receive(l.now, to, from, good)
	if l.sent != sent+1 || r2.m.Stats().Replayed != before.Replayed+1 {
		t.Errorf("R-U-THERE and its replay: %d answers, %+v", l.sent-sent, r2.m.Stats())
	}
	l.queue = nil
	l.run(time.Minute)
	if pair(t, r1, r2) != 1 {
		t.Error("the tunnel did not survive")
	}
}

func TestHalfOpenBound(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) { t1.AutoStart = false })
	r2.m.cfg.MaxHalfOpen = 10
	p := phase1SA(r2.m.tuns[0].cfg.IKE.proposals())
	sa := p.Append(nil)
	for i := range 50 {
		c := newChain()
		c.add(PayloadSA, sa)
		h := Header{ICookie: Cookie{byte(i), 1}, Version: Version, Exchange: ExchMain}
		r2.m.Receive(l.now, r2.port(500), r1.port(500), encode(h, c))
	}
	s := r2.m.Stats()
	if s.HalfOpenDropped != 40 || len(r2.m.sas) != 10 || r2.m.halfOpen != 10 {
		t.Fatalf("half-open: %+v, %d SAs", s, len(r2.m.sas))
	}
	// They time out; then real peers get through again.
	l.queue = nil
	l.run(2 * time.Minute)
	if len(r2.m.sas) != 0 || r2.m.halfOpen != 0 {
		t.Fatalf("%d half-open SAs left (%d)", len(r2.m.sas), r2.m.halfOpen)
	}
	r1.m.Initiate(l.now, "ss/r/t")
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel after the flood")
	}
}
