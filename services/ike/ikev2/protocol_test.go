package ikev2

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

func TestEstablish(t *testing.T) {
	algs := []struct {
		name string
		ike  *ipsec.IKEProposal
		esp  *ipsec.IPsecProposal
	}{
		{"aes128-sha1-modp2048", nil, nil},
		{"3des-md5-modp1024", &ipsec.IKEProposal{Group: suite.Group2, Hash: suite.MD5, Encryption: suite.TripleDESCBC, Lifetime: time.Hour},
			&ipsec.IPsecProposal{Authentication: esp.HMACMD5_96, Encryption: esp.TripleDESCBC, Lifetime: time.Hour}},
		{"aes256-sha256-ecp256 esp aes256gcm", &ipsec.IKEProposal{Group: suite.Group19, Hash: suite.SHA256, Encryption: suite.AES256CBC, Lifetime: time.Hour},
			&ipsec.IPsecProposal{Encryption: esp.AES256GCM, Lifetime: time.Hour}},
		{"aes128gcm-sha384-ecp384", &ipsec.IKEProposal{Group: suite.Group20, Hash: suite.SHA384, Encryption: suite.AES128GCM, Lifetime: time.Hour},
			&ipsec.IPsecProposal{Authentication: esp.HMACSHA256_128, Encryption: esp.AES192CBC, Lifetime: time.Hour}},
		{"des-sha1-modp768 group24", &ipsec.IKEProposal{Group: suite.Group24, Hash: suite.SHA1, Encryption: suite.DESCBC, Lifetime: time.Hour},
			&ipsec.IPsecProposal{Authentication: esp.HMACSHA2_256, Encryption: esp.DESCBC, Lifetime: time.Hour}},
	}
	for _, a := range algs {
		t.Run(a.name, func(t *testing.T) {
			p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) {
				if a.ike != nil {
					ta.IKE.Proposals[0], tb.IKE.Proposals[0] = a.ike, a.ike
				}
				if a.esp != nil {
					ta.IPsec.Proposals[0], tb.IPsec.Proposals[0] = a.esp, a.esp
				}
			})
			p.a.p.Initiate(p.ta)
			p.w.run(time.Second)
			p.checkChildren(t, 1)
			sa := p.a.established()
			if len(sa) != 1 || sa[0].Role != "Initiator" || sa[0].Children != 1 || sa[0].NAT {
				t.Fatalf("A's SAs: %+v", sa)
			}
			if sb := p.b.established(); len(sb) != 1 || sb[0].Role != "Responder" || sb[0].SPIi != sa[0].SPIi || sb[0].SPIr != sa[0].SPIr {
				t.Fatalf("B's SAs: %+v", sb)
			}
			c := p.a.children()[0]
			if c.Local.Port() != 0 || c.LocalTS != p.ta.LocalTS || c.RemoteTS != p.ta.RemoteTS {
				t.Fatalf("child %+v", c)
			}
			// Initiate again: nothing new.
			p.a.p.Initiate(p.ta)
			p.w.run(time.Second)
			p.checkChildren(t, 1)
		})
	}
}

func TestWrongPSK(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) { tb.IKE.PSK = []byte("other") })
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 0)
	if _, d := p.b.p.Status(); d.BadAuth != 1 {
		t.Fatalf("B drops %+v", d)
	}
	if len(p.a.established()) != 0 || len(p.b.p.sas) != 0 {
		t.Fatal("SAs left after an authentication failure")
	}
	// establish-tunnels immediately: A tries again later.
	p.w.run(15 * time.Second)
	if _, d := p.b.p.Status(); d.BadAuth != 2 {
		t.Fatalf("no retry: B drops %+v\n%s", d, p.w.dump())
	}
}

func TestInvalidKE(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) {
		p19 := *ta.IKE.Proposals[0]
		p19.Group = suite.Group19
		ta.IKE.Proposals = []*ipsec.IKEProposal{&p19, ta.IKE.Proposals[0]}
	})
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	if sa := p.a.established(); sa[0].Group != suite.Group14 {
		t.Fatalf("group %v", sa[0].Group)
	}
}

func TestNoProposal(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) {
		x := *tb.IKE.Proposals[0]
		x.Encryption = suite.AES256CBC
		tb.IKE.Proposals[0] = &x
	})
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 0)
	if _, d := p.b.p.Status(); d.NoProposal != 1 || len(p.b.p.sas) != 0 {
		t.Fatalf("B drops %+v, %d SAs", d, len(p.b.p.sas))
	}
}

func TestChildNoProposal(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) {
		x := *tb.IPsec.Proposals[0]
		x.Encryption = esp.AES256CBC
		tb.IPsec.Proposals[0] = &x
	})
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 0)
	if len(p.a.established()) != 1 || len(p.b.established()) != 1 {
		t.Fatal("the IKE SA should stand without its child")
	}
}

func TestCookie(t *testing.T) {
	o := testOptions()
	o.CookieThreshold = 0
	p := newPair(t, o, nil)
	var inits int
	p.w.filter = func(pk *packet) bool {
		if h, err := ParseHeader(pk.msg); err == nil && h.Exchange == ExchangeSAInit && !h.Response() {
			inits++
		}
		return true
	}
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	if inits != 2 {
		t.Fatalf("%d IKE_SA_INIT requests, want 2 (the second with the cookie)", inits)
	}
}

func TestHalfOpenLimit(t *testing.T) {
	o := testOptions()
	o.HalfOpenLimit = 0
	p := newPair(t, o, nil)
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	if _, d := p.b.p.Status(); d.HalfOpen == 0 || len(p.b.p.sas) != 0 {
		t.Fatalf("B drops %+v", d)
	}
}

func TestRetransmit(t *testing.T) {
	p := newPair(t, testOptions(), nil)
	lost := map[uint8]bool{}
	p.w.filter = func(pk *packet) bool {
		h, err := ParseHeader(pk.msg)
		if err != nil || !h.Response() || lost[h.Exchange] {
			return true
		}
		lost[h.Exchange] = true // the first response of each exchange is lost
		return false
	}
	p.a.p.Initiate(p.ta)
	p.w.run(10 * time.Second)
	p.checkChildren(t, 1)
	sa := p.a.established()[0]
	if sa.Stats.Retransmits != 2 {
		t.Fatalf("retransmits %d", sa.Stats.Retransmits)
	}
}

func TestChildRekey(t *testing.T) {
	for _, pfs := range []suite.Group{0, suite.Group14, suite.Group19} {
		t.Run(pfs.String(), func(t *testing.T) {
			o := testOptions()
			o.Time = 0.01 // 28800 s -> 288 s
			p := newPair(t, o, func(ta, tb *ike.Tunnel) { ta.IPsec.PFS, tb.IPsec.PFS = pfs, pfs })
			p.a.p.Initiate(p.ta)
			p.w.run(time.Second)
			p.checkChildren(t, 1)
			first := p.a.children()[0]
			p.w.run(280 * time.Second)
			p.checkChildren(t, 1)
			if c := p.a.children()[0]; c.InSPI == first.InSPI || c.PFS != pfs {
				t.Fatalf("no rekey (or PFS %v)\n%s", c.PFS, p.w.dump())
			}
			if len(p.a.removed) != 1 || len(p.b.removed) != 1 {
				t.Fatalf("removed: A %d B %d", len(p.a.removed), len(p.b.removed))
			}
			p.w.run(time.Hour)
			p.checkChildren(t, 1)
		})
	}
}

func TestIKERekey(t *testing.T) {
	o := testOptions()
	o.Time = 0.1 // IKE 3600 s -> 360 s; child 2880 s
	p := newPair(t, o, nil)
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	first := p.a.established()[0]
	child := p.a.children()[0]
	p.w.run(350 * time.Second)
	sa := p.a.established()
	if len(sa) != 1 || sa[0].SPIi == first.SPIi || sa[0].Children != 1 {
		t.Fatalf("A's SAs after rekey: %+v\n%s", sa, p.w.dump())
	}
	if sb := p.b.established(); len(sb) != 1 || sb[0].SPIr != sa[0].SPIr {
		t.Fatalf("B's SAs after rekey: %+v", sb)
	}
	if len(p.a.p.sas) != 1 || len(p.b.p.sas) != 1 || p.a.children()[0] != child {
		t.Fatalf("old SAs left or child lost: %d %d", len(p.a.p.sas), len(p.b.p.sas))
	}
	// The children rekey over the new SA, more IKE rekeys follow.
	p.w.run(3000 * time.Second)
	p.checkChildren(t, 1)
	if len(p.a.p.sas) != 1 || len(p.b.p.sas) != 1 {
		t.Fatalf("SAs: %d %d\n%s", len(p.a.p.sas), len(p.b.p.sas), p.w.dump())
	}
}

func TestDPD(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) {
		ta.DPD = ipsec.DPD{Enabled: true, Interval: 10 * time.Second, Threshold: 3}
		ta.Backup = netip.MustParseAddr("10.0.1.3")
	})
	backup := p.w.addHost("C", "10.0.1.3", testOptions())
	tc := testTunnel("10.0.1.3", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", "juniper123", nil, nil)
	backup.p.Configure([]*ike.Tunnel{tc})
	p.a.p.Initiate(p.ta)
	p.w.run(time.Minute)
	sa := p.a.established()[0]
	if sa.Stats.DPDRequestsOut < 4 || sa.Stats.DPDResponsesIn != sa.Stats.DPDRequestsOut {
		t.Fatalf("DPD stats %+v", sa.Stats)
	}
	p.b.down = true
	p.w.run(75 * time.Second)
	sa = p.a.established()[0]
	if len(p.a.p.sas) != 1 || sa.Remote.Addr() != backup.addr || len(backup.installed) != 1 || len(p.a.installed) != 1 {
		t.Fatalf("no failover to the backup gateway: %+v\n%s", sa, p.w.dump())
	}
}

func TestNAT(t *testing.T) {
	p := newPair(t, testOptions(), nil)
	// A's port 500 appears as 1500 at B, 4500 as 14500.
	p.w.nat[mustAP("10.0.1.1:500")] = mustAP("10.0.1.1:1500")
	p.w.nat[mustAP("10.0.1.1:4500")] = mustAP("10.0.1.1:14500")
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	a, b := p.a.children()[0], p.b.children()[0]
	if a.Local != mustAP("10.0.1.1:4500") || a.Remote != mustAP("10.0.1.2:4500") || b.Remote != mustAP("10.0.1.1:14500") {
		t.Fatalf("ESP endpoints A %v->%v, B %v->%v", a.Local, a.Remote, b.Local, b.Remote)
	}
	if sa := p.a.established()[0]; !sa.NAT || sa.Local.Port() != 4500 || !p.a.p.sortedSAs()[0].behind {
		t.Fatalf("A's SA %+v", sa)
	}
	var keepalives int
	p.w.filter = func(pk *packet) bool {
		if len(pk.msg) == 1 && pk.msg[0] == 0xff {
			keepalives++
			return false
		}
		return true
	}
	p.w.run(time.Minute)
	if keepalives < 2 {
		t.Fatalf("%d keepalives", keepalives)
	}
}

func TestNoNATT(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) { ta.NATT, tb.NATT = false, false })
	p.w.nat[mustAP("10.0.1.1:500")] = mustAP("10.0.1.1:1500")
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	if a := p.a.children()[0]; a.Local.Port() != 0 || a.Remote.Port() != 0 {
		t.Fatalf("ESP in UDP without NAT-T: %v %v", a.Local, a.Remote)
	}
}

func TestDelete(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) { ta.Establish = "on-traffic" })
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.a.p.DeleteChildren(func(*ike.Tunnel) bool { return true }, true)
	p.w.run(time.Second)
	p.checkChildren(t, 0)
	if len(p.a.established()) != 1 || len(p.b.established()) != 1 {
		t.Fatal("IKE SA lost with the children")
	}
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	p.b.p.DeleteIKE(netip.Addr{}, true)
	p.w.run(time.Second)
	if len(p.a.p.sas) != 0 || len(p.a.installed) != 0 {
		t.Fatalf("A kept its SAs after the peer's delete\n%s", p.w.dump())
	}
	// on-traffic: nothing until the next packet.
	p.w.run(time.Minute)
	p.checkChildren(t, 0)
}

func TestNarrowing(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) {
		ta.LocalTS, ta.RemoteTS = netip.MustParsePrefix("172.16.0.0/16"), netip.MustParsePrefix("0.0.0.0/0")
		tb.LocalTS, tb.RemoteTS = netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("172.16.5.0/24")
	})
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	a := p.a.children()[0]
	if a.LocalTS.String() != "172.16.5.0/24" || a.RemoteTS.String() != "192.168.1.0/24" {
		t.Fatalf("narrowed to %v === %v", a.LocalTS, a.RemoteTS)
	}
}

func TestTSUnacceptable(t *testing.T) {
	p := newPair(t, testOptions(), func(ta, tb *ike.Tunnel) {
		tb.LocalTS = netip.MustParsePrefix("10.9.0.0/16")
	})
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	p.checkChildren(t, 0)
	if !strings.Contains(strings.Join(p.a.log, "\n"), "TS_UNACCEPTABLE") {
		t.Fatalf("no TS_UNACCEPTABLE\n%s", p.w.dump())
	}
}

func TestReconfigure(t *testing.T) {
	p := newPair(t, testOptions(), nil)
	p.a.p.Initiate(p.ta)
	p.w.run(time.Second)
	// The same tunnel in a new commit: the SAs stay.
	same := *p.ta
	p.a.p.Configure([]*ike.Tunnel{&same})
	p.w.run(time.Second)
	p.checkChildren(t, 1)
	// Another IPsec policy: the child goes (and the peer is told).
	other := same
	other.IPsec = &ipsec.IPsecPolicy{Name: "x", Proposals: same.IPsec.Proposals, PFS: suite.Group2}
	p.a.p.Configure([]*ike.Tunnel{&other})
	p.w.run(time.Second)
	p.checkChildren(t, 0)
	// No tunnel left: the IKE SA goes too.
	p.a.p.Configure(nil)
	p.w.run(time.Second)
	if len(p.a.p.sas) != 0 || len(p.b.p.sas) != 0 {
		t.Fatalf("SAs left: %d %d", len(p.a.p.sas), len(p.b.p.sas))
	}
}

func TestTwoTunnelsOneIKESA(t *testing.T) {
	p := newPair(t, testOptions(), nil)
	t2a := *p.ta
	t2a.Term = &ipsec.Term{Rule: "r1", Name: "t2", Index: 2}
	t2a.LocalTS, t2a.RemoteTS = netip.MustParsePrefix("172.17.0.0/16"), netip.MustParsePrefix("192.169.0.0/16")
	t2b := *p.tb
	t2b.Term = t2a.Term
	t2b.LocalTS, t2b.RemoteTS = t2a.RemoteTS, t2a.LocalTS
	p.a.p.Configure([]*ike.Tunnel{p.ta, &t2a})
	p.b.p.Configure([]*ike.Tunnel{p.tb, &t2b})
	p.a.p.Initiate(p.ta)
	p.a.p.Initiate(&t2a)
	p.w.run(time.Second)
	p.checkChildren(t, 2)
	if len(p.a.p.sas) != 1 {
		t.Fatalf("%d IKE SAs", len(p.a.p.sas))
	}
	for _, c := range p.b.children() {
		if c.Tunnel.Term.Name == "t2" && c.LocalTS != t2b.LocalTS {
			t.Fatalf("B's second child on the wrong tunnel: %v", c.LocalTS)
		}
	}
}
