package ikev1

import (
	"encoding/binary"
	"testing"
	"time"

	"mxlab/services/ike/suite"
)

// FuzzDecode runs every decoder of the codec on a message: the header and
// payload chain, then each payload's own decoder and the proposal
// readers. Nothing may panic; what parses must encode back to something
// that parses again.
func FuzzDecode(f *testing.F) {
	for _, seed := range seedMessages(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Decode(b)
		if err != nil {
			if h, err := ParseHeader(b); err == nil && h.Flags&FlagEncrypted != 0 {
				ParsePayloads(h.Next, b[HeaderLen:h.Length], true)
			}
			return
		}
		parseVendors(d)
		for _, p := range d.Payloads {
			switch p.Type {
			case PayloadSA:
				sa, err := ParseSA(p.Body)
				if err != nil {
					continue
				}
				if _, err := ParseSA(sa.Append(nil)); err != nil {
					t.Fatalf("re-encoded SA does not parse: %v", err)
				}
				for _, pr := range sa.Proposals {
					for i := range pr.Transforms {
						parseP1Transform(&pr.Transforms[i])
						parseP2Transform(&pr.Transforms[i])
					}
				}
				chooseP1(sa, DefaultIKEProposals(), 0)
				chooseP2(sa, DefaultIPsecProposals(), 0, false, 1<<16)
				acceptP1(sa, DefaultIKEProposals())
				acceptP2(sa, DefaultIPsecProposals(), 0, EncapTunnel)
			case PayloadID:
				if id, err := ParseID(p.Body); err == nil {
					id.Prefix()
					idString(id)
				}
			case PayloadNotify:
				ParseNotify(p.Body)
			case PayloadDelete:
				if del, err := ParseDelete(p.Body); err == nil {
					if _, err := ParseDelete(del.Append(nil)); err != nil {
						t.Fatalf("re-encoded delete does not parse: %v", err)
					}
				}
			case PayloadCert, PayloadCR:
				ParseCert(p.Body)
			}
		}
	})
}

// seedMessages returns the messages of a main mode, a quick mode and an
// aggressive mode between two machines.
func seedMessages(tb testing.TB) [][]byte {
	var out [][]byte
	for _, mode := range []Exchange{ExchMain, ExchAggressive} {
		l, _, _ := twoSites(tb, mode, fuzzSuite)
		l.filter = func(d *datagram) bool {
			out = append(out, append([]byte(nil), d.msg...))
			return true
		}
		l.run(time.Second)
	}
	return out
}

func fuzzSuite(t1, t2 *Tunnel) {
	for _, t := range []*Tunnel{t1, t2} {
		t.IKE.Proposals[0].Group = suite.Group19
	}
}

// FuzzReceive feeds a message to a responder with an established tunnel.
// The first byte picks how: 0 as it is, 1 as the plaintext payloads of
// an informational message and 2 of a quick-mode message that the peer
// encrypts (and hashes) correctly, so that mutations reach the handlers
// behind the encryption. Nothing may panic, and the machine must keep
// its invariants.
func FuzzReceive(f *testing.F) {
	for _, seed := range seedMessages(f) {
		f.Add(append([]byte{0}, seed...))
	}
	notify := newChain()
	notify.add(PayloadNotify, (&Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: NotifyRUThere, SPI: make([]byte, 16), Data: []byte{0, 0, 0, 1}}).Append(nil))
	f.Add(append([]byte{1, byte(notify.first)}, notify.b...))
	del := newChain()
	del.add(PayloadDelete, (&Delete{DOI: DOIIPsec, Proto: ProtoESP, SPIs: [][]byte{{0, 1, 0, 0}}}).Append(nil))
	f.Add(append([]byte{1, byte(del.first)}, del.b...))
	qm := newChain()
	sa := phase2SA(DefaultIPsecProposals(), 1<<20, suite.Group19, EncapTunnel)
	qm.add(PayloadSA, sa.Append(nil))
	qm.add(PayloadNonce, make([]byte, 16))
	qm.add(PayloadKE, make([]byte, 64))
	f.Add(append([]byte{2, byte(qm.first)}, qm.b...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		l, r1, r2 := twoSites(t, ExchMain, fuzzSuite)
		l.run(time.Second)
		sa1 := established(t, r1)
		var msg []byte
		switch b[0] % 3 {
		case 0:
			msg = b[1:]
		default:
			exch := ExchInformational
			if b[0]%3 == 2 {
				exch = ExchQuick
			}
			c := &chain{b: b[2:], first: PayloadType(b[1])}
			mid := r1.m.newMsgID(sa1)
			hash := sa1.chosen.Hash.PRF(sa1.keys.a, binary.BigEndian.AppendUint32(nil, mid), c.b)
			msg = r1.m.seal(sa1, sa1.header(exch, mid), withHash(hash, c), false)
		}
		r2.m.Receive(l.now, sa1.remote, sa1.local, msg)
		l.run(3 * time.Minute)
		if r2.m.halfOpen < 0 || r2.m.halfOpen > len(r2.m.sas) {
			t.Fatalf("half-open count %d with %d SAs", r2.m.halfOpen, len(r2.m.sas))
		}
		for _, tun := range r2.m.tuns {
			for _, c := range tun.children {
				if r2.installed[c.InSPI] == nil {
					t.Fatalf("pair %d in the machine but not installed", c.InSPI)
				}
			}
		}
	})
}
