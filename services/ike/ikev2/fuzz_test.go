package ikev2

import (
	"bytes"
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
)

func FuzzDecode(f *testing.F) {
	f.Add(allPayloads().Encode())
	p := capture(f)
	for _, m := range p {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		for _, x := range m.Payloads {
			if _, ok := x.(*Encrypted); ok {
				return
			}
			if r, ok := x.(*Raw); ok && r.Critical {
				return
			}
		}
		again, err := Decode(m.Encode())
		if err != nil || !bytes.Equal(again.Encode(), m.Encode()) {
			t.Fatalf("re-encoding changed the message: %v", err)
		}
	})
}

// capture returns the messages of one negotiation, rekeys and deletes
// included, as they were on the wire.
func capture(t testing.TB) [][]byte {
	o := testOptions()
	o.Time = 0.01
	p := newPair(t, o, func(ta, tb *ike.Tunnel) {
		ta.IKE.Proposals[0].Group, tb.IKE.Proposals[0].Group = suite.Group19, suite.Group19
		ta.IPsec.PFS, tb.IPsec.PFS = suite.Group19, suite.Group19
	})
	var msgs [][]byte
	p.w.filter = func(pk *packet) bool { msgs = append(msgs, bytes.Clone(pk.msg)); return true }
	p.a.p.Initiate(p.ta)
	p.w.run(40 * time.Second)
	p.a.p.DeleteIKE(p.ta.Remote, true)
	p.w.run(time.Second)
	return msgs
}

// FuzzReceive feeds a responder with an established SA arbitrary
// messages: nothing may panic, and nothing may leave half-open SAs
// beyond the limit.
func FuzzReceive(f *testing.F) {
	for _, m := range capture(f) {
		f.Add(m)
	}
	o := testOptions()
	o.HalfOpenLimit = 50
	p := newPair(f, o, func(ta, tb *ike.Tunnel) {
		ta.IKE.Proposals[0].Group, tb.IKE.Proposals[0].Group = suite.Group19, suite.Group19
	})
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	f.Fuzz(func(t *testing.T, b []byte) {
		p.w.t = t
		p.b.p.Receive(mustAP("10.0.1.2:500"), mustAP("10.0.1.1:500"), b)
		p.b.p.Receive(mustAP("10.0.1.2:4500"), mustAP("10.0.1.1:4500"), b)
		p.a.p.Receive(mustAP("10.0.1.1:500"), mustAP("10.0.1.2:500"), b)
		p.w.run(time.Second)
		if len(p.b.p.halfOpen) > o.HalfOpenLimit {
			t.Fatalf("%d half-open SAs", len(p.b.p.halfOpen))
		}
	})
}
