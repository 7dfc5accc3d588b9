package ikev2

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"mxlab/services/ike"
)

// established returns a pair with an IKE SA and a child, and the
// messages exchanged.
func establishedPair(t *testing.T) (*pair, [][]byte) {
	p := newPair(t, testOptions(), nil)
	var msgs [][]byte
	p.w.filter = func(pk *packet) bool { msgs = append(msgs, bytes.Clone(pk.msg)); return true }
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	return p, msgs
}

func (p *pair) toB(msg []byte) {
	p.b.p.Receive(mustAP("10.0.1.2:500"), mustAP("10.0.1.1:500"), msg)
	p.w.run(time.Second)
}

func drops(h *host) ike.Drops { _, d := h.p.Status(); return d }

// TestCrafted sends the responder bad messages: each is counted and
// dropped, and the SAs carry on.
func TestCrafted(t *testing.T) {
	p, msgs := establishedPair(t)
	initReq, authReq := msgs[0], msgs[2]
	sa := p.b.p.sortedSAs()[0]
	out := len(p.w.wire)

	// Truncated, at every length.
	for n := range authReq {
		p.b.p.Receive(mustAP("10.0.1.2:500"), mustAP("10.0.1.1:500"), authReq[:n])
	}
	if d := drops(p.b); d.Malformed != uint64(len(authReq)) {
		t.Fatalf("truncated: %+v", d)
	}
	// Oversized: the length field says more than MaxMessage.
	big := append(bytes.Clone(initReq), make([]byte, MaxMessage)...)
	binary.BigEndian.PutUint32(big[24:], uint32(len(big)))
	p.toB(big)
	if d := drops(p.b); d.Malformed != uint64(len(authReq))+1 {
		t.Fatalf("oversized: %+v", d)
	}
	// Wrong SPI.
	bad := bytes.Clone(authReq)
	bad[8] ^= 1
	p.toB(bad)
	if d := drops(p.b); d.UnknownSPI != 1 {
		t.Fatalf("wrong SPI: %+v", d)
	}
	// Replayed: the IKE_AUTH request again is answered from the cache
	// (a retransmission); an older message ID is dropped.
	before := sa.stats.OutPackets
	p.toB(authReq)
	if sa.stats.OutPackets != before+1 {
		t.Fatal("retransmitted request not answered")
	}
	// A liveness check moves the window on; then the IKE_AUTH request is
	// a replay.
	sa2 := p.a.p.sortedSAs()[0]
	sa2.enqueue(func(s *ikeSA) { s.request(ExchangeInformational, nil, nil, nil) })
	p.w.run(time.Second)
	p.toB(authReq)
	if d := drops(p.b); d.Replayed != 1 {
		t.Fatalf("replayed: %+v", d)
	}
	// Bad integrity: a message of A's SA with one ciphertext byte changed.
	var info []byte
	p.w.filter = func(pk *packet) bool {
		if pk.to.Addr() == p.b.addr {
			info = bytes.Clone(pk.msg)
			return false
		}
		return true
	}
	sa2.enqueue(func(s *ikeSA) { s.request(ExchangeInformational, nil, nil, nil) })
	p.w.run(10 * time.Millisecond)
	info[len(info)-20] ^= 1
	p.w.filter = nil
	p.toB(info)
	if d := drops(p.b); d.BadAuth != 1 {
		t.Fatalf("bad ICV: %+v", d)
	}
	if len(p.b.established()) != 1 || len(p.b.installed) != 1 || len(p.w.wire) != out {
		t.Fatal("the SA suffered from the bad messages")
	}
}

func TestCriticalPayload(t *testing.T) {
	p, _ := establishedPair(t)
	sa := p.a.p.sortedSAs()[0]
	var answer *Message
	sa.enqueue(func(s *ikeSA) {
		s.request(ExchangeInformational, []Payload{&Raw{Kind: 200, Critical: true, Data: []byte{1}}},
			func(m *Message) { answer = m }, nil)
	})
	p.w.run(time.Second)
	if d := drops(p.b); d.Critical != 1 || answer == nil || answer.Notify(NotifyUnsupportedCritical) == nil {
		t.Fatalf("drops %+v, answer %+v", d, answer)
	}
	// Not critical: ignored, the request is answered.
	answer = nil
	sa.enqueue(func(s *ikeSA) {
		s.request(ExchangeInformational, []Payload{&Raw{Kind: 201, Data: []byte{1}}}, func(m *Message) { answer = m }, nil)
	})
	p.w.run(time.Second)
	if d := drops(p.b); d.Critical != 1 || answer == nil || len(answer.Payloads) != 0 {
		t.Fatalf("drops %+v, answer %+v", d, answer)
	}
}

// TestUnexpected: an IKE_AUTH request on an established SA, and
// responses nobody asked for, are dropped.
func TestUnexpected(t *testing.T) {
	p, msgs := establishedPair(t)
	initResp := msgs[1]
	p.a.p.Receive(mustAP("10.0.1.1:500"), mustAP("10.0.1.2:500"), initResp)
	if d := drops(p.a); d.UnknownSPI != 1 {
		t.Fatalf("stale IKE_SA_INIT response: %+v", d)
	}
	sa := p.a.p.sortedSAs()[0]
	m := &Message{Header: sa.header(ExchangeAuth, sa.nextID, false)}
	sa.nextID++
	p.toB(sa.cipherOut().seal(m))
	if d := drops(p.b); d.Unexpected != 1 {
		t.Fatalf("IKE_AUTH on an established SA: %+v", d)
	}
}
