package ikev1

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"mxlab/services/ike/suite"
)

func TestEstablish(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode Exchange
		edit func(t1, t2 *Tunnel)
	}{
		{"main", ExchMain, nil},
		{"aggressive", ExchAggressive, nil},
		{"main PFS group14", ExchMain, func(t1, t2 *Tunnel) { t1.IPsec.PFS, t2.IPsec.PFS = suite.Group14, suite.Group14 }},
		{"aggressive PFS group19", ExchAggressive, func(t1, t2 *Tunnel) { t1.IPsec.PFS, t2.IPsec.PFS = suite.Group19, suite.Group19 }},
		{"junos defaults", ExchMain, func(t1, t2 *Tunnel) {
			t1.IKE.Proposals, t2.IKE.Proposals, t1.IPsec.Proposals, t2.IPsec.Proposals = nil, nil, nil, nil
		}},
		{"3des md5 group2, aes-256 sha-256", ExchMain, func(t1, t2 *Tunnel) {
			p := []IKEProposal{{Encryption: suite.TripleDESCBC, Hash: suite.MD5, Group: suite.Group2}}
			q := []IPsecProposal{{Encryption: suite.AES256CBC, Integrity: suite.HMACSHA256_128}}
			t1.IKE.Proposals, t2.IKE.Proposals, t1.IPsec.Proposals, t2.IPsec.Proposals = p, p, q, q
		}},
		{"aes-256 sha-384 group20, aes-gcm", ExchMain, func(t1, t2 *Tunnel) {
			p := []IKEProposal{{Encryption: suite.AES256CBC, Hash: suite.SHA384, Group: suite.Group20}}
			q := []IPsecProposal{{Encryption: suite.AES128GCM}}
			t1.IKE.Proposals, t2.IKE.Proposals, t1.IPsec.Proposals, t2.IPsec.Proposals = p, p, q, q
		}},
		{"fqdn identities", ExchAggressive, func(t1, t2 *Tunnel) {
			t1.IKE.LocalID, t2.IKE.RemoteIDs = FQDNIdentity("r1.example.net"), []Identity{FQDNIdentity("r1.example.net")}
			t2.IKE.LocalID, t1.IKE.RemoteIDs = KeyIDIdentity("r2"), []Identity{KeyIDIdentity("r2")}
		}},
		{"responder picks from several", ExchMain, func(t1, t2 *Tunnel) {
			t1.IKE.Proposals = append([]IKEProposal{{Encryption: suite.AES256CBC, Hash: suite.SHA256, Group: suite.Group5}}, t1.IKE.Proposals...)
			t1.IPsec.Proposals = append([]IPsecProposal{{Encryption: suite.TripleDESCBC, Integrity: suite.HMACMD5_96}}, t1.IPsec.Proposals...)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, r1, r2 := twoSites(t, tc.mode, tc.edit)
			l.run(time.Second)
			if n := pair(t, r1, r2); n != 1 {
				t.Fatalf("%d SA pairs, want 1\nr1:\n%s\nr2:\n%s", n, r1.dumpLog(), r2.dumpLog())
			}
			for _, n := range []*node{r1, r2} {
				sas := n.m.SAs()
				if len(sas) != 1 || !sas[0].Established || sas[0].Mode != tc.mode || sas[0].NATT {
					t.Errorf("%s: IKE SAs %+v", n.name, sas)
				}
				if s := n.m.Stats(); s.Phase1Done != 1 || s.Phase2Done != 1 || s.Malformed+s.AuthFailed+s.NoSA != 0 {
					t.Errorf("%s: stats %+v", n.name, s)
				}
			}
			for _, c := range r1.installed {
				if c.LocalTS.String() != "172.16.0.0/16" || c.RemoteTS.String() != "192.168.0.0/16" || !c.Initiator || c.UDP {
					t.Errorf("r1 pair %+v", c)
				}
				if c.Encryption.KeyLen() != len(c.InEncKey) || (c.Integrity != 0 && c.Integrity.KeyLen() != len(c.InAuthKey)) {
					t.Errorf("key lengths %d/%d for %v/%v", len(c.InEncKey), len(c.InAuthKey), c.Encryption, c.Integrity)
				}
			}
		})
	}
}

func TestNoAgreement(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(t1, t2 *Tunnel)
		counter func(s Stats) uint64
	}{
		{"psk", func(t1, t2 *Tunnel) { t2.IKE.PSK = []byte("other") }, func(s Stats) uint64 { return s.AuthFailed }},
		{"ike proposal", func(t1, t2 *Tunnel) { t2.IKE.Proposals[0].Group = suite.Group5 }, func(s Stats) uint64 { return s.NoProposal }},
		{"ipsec proposal", func(t1, t2 *Tunnel) { t2.IPsec.Proposals[0].Encryption = suite.AES256CBC }, func(s Stats) uint64 { return s.NoProposal }},
		{"pfs", func(t1, t2 *Tunnel) { t2.IPsec.PFS = suite.Group2 }, func(s Stats) uint64 { return s.NoProposal }},
		{"proxy ids", func(t1, t2 *Tunnel) { t2.RemoteTS = netip.MustParsePrefix("172.17.0.0/16") }, func(s Stats) uint64 { return s.NoProposal }},
		{"remote id", func(t1, t2 *Tunnel) { t2.IKE.RemoteIDs = []Identity{FQDNIdentity("x")} }, func(s Stats) uint64 { return s.AuthFailed }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, r1, r2 := twoSites(t, ExchMain, tc.edit)
			l.run(3 * time.Minute)
			if len(r1.installed)+len(r2.installed) != 0 {
				t.Fatalf("SAs installed")
			}
			if c := tc.counter(r2.m.Stats()) + tc.counter(r1.m.Stats()); c == 0 {
				t.Errorf("not counted: r1 %+v r2 %+v", r1.m.Stats(), r2.m.Stats())
			}
			// The initiator keeps trying, at a bounded pace.
			if l.sent > 200 {
				t.Errorf("%d messages in 3 minutes", l.sent)
			}
		})
	}
}

func TestRetransmit(t *testing.T) {
	// Lose the first copy of every message once: the exchange still
	// completes through retransmissions and resent answers.
	seen := map[string]bool{}
	l, r1, r2 := twoSites(t, ExchMain, nil)
	l.filter = func(d *datagram) bool {
		k := string(d.msg)
		if !seen[k] {
			seen[k] = true
			return false
		}
		return true
	}
	l.run(2 * time.Minute)
	if n := pair(t, r1, r2); n != 1 {
		t.Fatalf("%d pairs\n%s\n%s", n, r1.dumpLog(), r2.dumpLog())
	}
	if r1.m.Stats().Retransmits == 0 || r2.m.Stats().Duplicates+r1.m.Stats().Duplicates == 0 {
		t.Errorf("r1 %+v\nr2 %+v", r1.m.Stats(), r2.m.Stats())
	}
}

func TestRekey(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) {
		t1.IPsec.Proposals[0].Lifetime = 300 * time.Second
		t2.IPsec.Proposals[0].Lifetime = 600 * time.Second
		t1.IKE.Proposals[0].Lifetime = 400 * time.Second
		t2.IKE.Proposals[0].Lifetime = 400 * time.Second
		t1.IPsec.PFS, t2.IPsec.PFS = suite.Group19, suite.Group19
	})
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel")
	}
	var first uint32
	for spi, c := range r1.installed {
		first = spi
		if c.Lifetime != 300*time.Second {
			t.Errorf("lifetime %v, want the shorter 300s", c.Lifetime)
		}
	}
	// Past the soft lifetime (85-90 %) and the grace: one new pair, the
	// old one gone from both sides; never zero pairs in between.
	for range 300 {
		l.run(time.Second)
		if len(r1.installed) == 0 || len(r2.installed) == 0 {
			t.Fatalf("a moment without SAs at %v", l.now)
		}
	}
	if pair(t, r1, r2) != 1 || r1.installed[first] != nil {
		t.Fatalf("after rekey: r1 %v\n%s", r1.installed, r1.dumpLog())
	}
	// Half an hour on: child and IKE SAs keep being renewed.
	l.run(30 * time.Minute)
	if pair(t, r1, r2) != 1 {
		t.Fatalf("after 30 min\n%s", r1.dumpLog())
	}
	s1 := r1.m.Stats()
	if s1.Phase2Rekeys < 5 || s1.Phase1Rekeys < 3 || s1.Phase2Failed+s1.Phase1Failed != 0 {
		t.Errorf("r1 stats %+v", s1)
	}
	if n := len(r1.m.SAs()); n != 1 {
		t.Errorf("%d IKE SAs, want 1", n)
	}
}

func TestDPD(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) {
		t1.DPD = DPD{Initiate: true, Interval: 5 * time.Second, Threshold: 4}
	})
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel")
	}
	// A live peer answers.
	l.run(30 * time.Second)
	sa := r1.m.SAs()[0]
	if sa.Stats.DPDRequestsOut < 5 || sa.Stats.DPDResponsesIn != sa.Stats.DPDRequestsOut || r1.m.Stats().PeersDead != 0 {
		t.Fatalf("live peer: %+v", sa.Stats)
	}
	// Then r2 dies: after 4 unanswered R-U-THERE (about 20 s) r1 removes
	// its SAs, says so, and negotiates again (establish immediately).
	dead := l.now
	l.filter = func(d *datagram) bool { return d.from.Addr() != r2.addr && d.to.Addr() != r2.addr }
	l.run(40 * time.Second)
	if len(r1.installed) != 0 || r1.m.Stats().PeersDead != 1 {
		t.Fatalf("dead peer: %d pairs\n%s", len(r1.installed), r1.dumpLog())
	}
	if d := r1.m.SAs(); len(d) != 1 || d[0].Established {
		t.Fatalf("after the dead peer: %+v", d)
	}
	_ = dead
	// r2 comes back (having lost its state: a new machine).
	l.filter = nil
	r2b := l.add("r2", "10.0.1.2", 3)
	r2b.configure(Config{Tunnels: []Tunnel{site("ss/r/t", "10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", ExchMain)}})
	l.run(2 * time.Minute)
	if pair(t, r1, r2b) != 1 {
		t.Fatalf("no new tunnel\n%s", r1.dumpLog())
	}
}

func TestInitialContact(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, nil)
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel")
	}
	// r1 restarts with no state: its INITIAL-CONTACT makes r2 drop the
	// SAs of r1's previous life.
	r1b := l.add("r1", "10.0.1.1", 9)
	t1 := site("ss/r/t", "10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", ExchMain)
	t1.AutoStart = true
	r1b.configure(Config{Tunnels: []Tunnel{t1}})
	l.run(time.Second)
	if pair(t, r1b, r2) != 1 {
		t.Fatalf("r2 has %d pairs\n%s", len(r2.installed), r2.dumpLog())
	}
	if len(r2.m.SAs()) != 1 {
		t.Errorf("r2 has %d IKE SAs", len(r2.m.SAs()))
	}
}

// TestBothInitiate: both sides establish the tunnel at once (each has
// establish-tunnels immediately), their main modes cross. Each side's
// INITIAL-CONTACT must spare the other negotiation, and both must keep
// the same IKE SA of the two.
func TestBothInitiate(t *testing.T) {
	for _, mode := range []Exchange{ExchMain, ExchAggressive} {
		t.Run(mode.String(), func(t *testing.T) {
			l, r1, r2 := twoSites(t, mode, func(_, t2 *Tunnel) { t2.AutoStart = true })
			l.run(2 * time.Minute)
			if pair(t, r1, r2) == 0 {
				t.Fatalf("no IPsec SAs\nr1:\n%s\nr2:\n%s", r1.dumpLog(), r2.dumpLog())
			}
			a, b := r1.m.SAs(), r2.m.SAs()
			if len(a) != 1 || len(b) != 1 || a[0].ICookie != b[0].ICookie || !a[0].Established {
				t.Fatalf("IKE SAs: r1 %+v\nr2 %+v\nr1:\n%s\nr2:\n%s", a, b, r1.dumpLog(), r2.dumpLog())
			}
			// The surviving SA carries DPD and new quick modes: clear the
			// IPsec SAs and both sides get a pair again.
			r1.m.DeleteChildren(l.now, func(string) bool { return true }, true)
			l.run(time.Minute)
			if pair(t, r1, r2) == 0 {
				t.Fatalf("no IPsec SAs after clear\nr1:\n%s", r1.dumpLog())
			}
		})
	}
}

func TestClear(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, nil)
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel")
	}
	// Clearing IKE SAs keeps the IPsec SAs; the peer deletes its side.
	if n := r1.m.DeleteIKE(l.now, netip.Addr{}, true); n != 1 {
		t.Errorf("DeleteIKE = %d", n)
	}
	l.run(time.Second)
	if len(r1.m.SAs())+len(r2.m.SAs()) != 0 || pair(t, r1, r2) != 1 {
		t.Fatalf("after clear ike: %v %v", r1.m.SAs(), r2.m.SAs())
	}
	// Clearing IPsec SAs: r1 (establish immediately) negotiates anew;
	// r2 removes the old pair when told.
	old := len(r1.removed)
	r1.m.DeleteChildren(l.now, func(string) bool { return true }, true)
	l.run(time.Second)
	if pair(t, r1, r2) != 1 || len(r1.removed) != old+1 || len(r2.removed) != 1 {
		t.Fatalf("after clear ipsec: removed %v %v\n%s", r1.removed, r2.removed, r2.dumpLog())
	}
	// Removing the tunnel from the configuration removes its SAs on
	// both sides.
	r1.configure(Config{})
	l.run(time.Second)
	if len(r1.installed)+len(r2.installed) != 0 || len(r1.m.SAs())+len(r2.m.SAs()) != 0 {
		t.Fatalf("after unconfigure: %d %d pairs, %d %d IKE SAs", len(r1.installed), len(r2.installed), len(r1.m.SAs()), len(r2.m.SAs()))
	}
}

func TestOnTraffic(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) { t1.AutoStart = false })
	l.run(time.Minute)
	if len(r1.installed) != 0 || l.sent != 0 {
		t.Fatal("negotiated without traffic")
	}
	r1.m.Initiate(l.now, "ss/r/t")
	r1.m.Initiate(l.now, "ss/r/t")
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel")
	}
	// The responder-only side never initiates.
	r2.m.Initiate(l.now, "nonexistent")
	if r1.m.Stats().Phase1Done != 1 {
		t.Errorf("stats %+v", r1.m.Stats())
	}
}

func TestNATT(t *testing.T) {
	// r1 (10.0.0.1, private) reaches r2 through a NAT that shows it as
	// 192.0.2.100 with other ports; r2 answers any peer (dynamic).
	l := newLab(t)
	r1, r2 := l.add("r1", "10.0.0.1", 1), l.add("r2", "10.0.1.2", 2)
	pub := netip.MustParseAddr("192.0.2.100")
	for _, p := range []uint16{500, 4500} {
		in, out := netip.AddrPortFrom(r1.addr, p), netip.AddrPortFrom(pub, 40000+p)
		l.nat[in], l.natRev[out] = out, in
	}
	l.nodes[pub] = r1
	t1 := site("t", "10.0.0.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", ExchMain)
	t1.AutoStart = true
	t2 := site("t", "10.0.1.2", "0.0.0.0", "192.168.0.0/16", "172.16.0.0/16", ExchMain)
	r2.configure(Config{Tunnels: []Tunnel{t2}})
	r1.configure(Config{Tunnels: []Tunnel{t1}})
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatalf("no tunnel\n%s\n%s", r1.dumpLog(), r2.dumpLog())
	}
	for _, c := range r1.installed {
		if !c.UDP || c.LocalPort != 4500 || c.RemotePort != 4500 || !c.KeepAlive {
			t.Errorf("r1 pair %+v", c)
		}
	}
	for _, c := range r2.installed {
		if !c.UDP || c.LocalPort != 4500 || c.RemotePort != 44500 || c.Remote != pub || c.KeepAlive {
			t.Errorf("r2 pair %+v", c)
		}
	}
	// r1, behind the NAT, keeps the mapping open: a keepalive every 20 s
	// (nat-keepalive), from port 4500 through the NAT; r2 sends none.
	keepalives := map[netip.Addr]int{}
	l.filter = func(d *datagram) bool {
		if len(d.msg) == 1 && d.msg[0] == 0xff {
			keepalives[d.from.Addr()]++
			if d.from.Port() != 44500 {
				t.Errorf("keepalive from %v", d.from)
			}
		}
		return true
	}
	l.run(61 * time.Second)
	if keepalives[pub] != 3 || len(keepalives) != 1 || r2.m.Stats().Malformed != 0 {
		t.Errorf("keepalives %v, r2 %+v", keepalives, r2.m.Stats())
	}
	l.filter = nil
	// Without NAT-T, no NAT-D: IKE stays on 500 and ESP is not in UDP
	// (and the NAT breaks nothing in IKE itself).
	t1.NoNATT = true
	r1.configure(Config{Tunnels: []Tunnel{t1}})
	r1.m.DeleteIKE(l.now, netip.Addr{}, true)
	r1.m.DeleteChildren(l.now, func(string) bool { return true }, true)
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatalf("no tunnel without NAT-T\n%s", r1.dumpLog())
	}
	for _, c := range r1.installed {
		if c.UDP {
			t.Errorf("ESP in UDP with disable-natt: %+v", c)
		}
	}
}

func TestBackupGateway(t *testing.T) {
	l := newLab(t)
	r1, r2, r3 := l.add("r1", "10.0.1.1", 1), l.add("r2", "10.0.1.2", 2), l.add("r3", "10.0.1.3", 3)
	t1 := site("t", "10.0.1.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", ExchMain)
	t1.Backup = netip.MustParseAddr("10.0.1.3")
	t1.AutoStart = true
	t1.DPD = DPD{Initiate: true, Interval: 2 * time.Second, Threshold: 2}
	r2.configure(Config{Tunnels: []Tunnel{site("t", "10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", ExchMain)}})
	r3.configure(Config{Tunnels: []Tunnel{site("t", "10.0.1.3", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", ExchMain)}})
	r1.configure(Config{Tunnels: []Tunnel{t1}})
	l.run(time.Second)
	if pair(t, r1, r2) != 1 || len(r3.installed) != 0 {
		t.Fatal("not with the primary")
	}
	down := func(dead netip.Addr) {
		l.filter = func(d *datagram) bool { return d.from.Addr() != dead && d.to.Addr() != dead }
	}
	down(r2.addr)
	l.run(10 * time.Second)
	if pair(t, r1, r3) != 1 {
		t.Fatalf("no failover to the backup\n%s", r1.dumpLog())
	}
	// The backup dies in turn, the primary is back: r1 returns to it.
	r2b := l.add("r2", "10.0.1.2", 4)
	r2b.configure(Config{Tunnels: []Tunnel{site("t", "10.0.1.2", "10.0.1.1", "192.168.0.0/16", "172.16.0.0/16", ExchMain)}})
	down(r3.addr)
	l.run(10 * time.Second)
	if pair(t, r1, r2b) != 1 {
		t.Fatalf("no failover back to the primary\n%s", r1.dumpLog())
	}
}

// TestNATTDraft: an initiator that announces only the NAT-T drafts (as
// older peers do) gets NAT-D payloads of type 130 and the draft's UDP
// tunnel mode.
func TestNATTDraft(t *testing.T) {
	l := newLab(t)
	r1, r2 := l.add("r1", "10.0.0.1", 1), l.add("r2", "10.0.1.2", 2)
	pub := netip.MustParseAddr("192.0.2.100")
	for _, p := range []uint16{500, 4500} {
		in, out := netip.AddrPortFrom(r1.addr, p), netip.AddrPortFrom(pub, 40000+p)
		l.nat[in], l.natRev[out] = out, in
	}
	l.nodes[pub] = r1
	natd := map[PayloadType]int{}
	l.filter = func(d *datagram) bool {
		m, err := Decode(d.msg)
		if err != nil {
			return true
		}
		for _, p := range m.Payloads {
			natd[p.Type]++
		}
		if m.Exchange != ExchMain || m.First(PayloadSA) == nil || !m.RCookie.IsZero() {
			return true
		}
		c := newChain()
		for _, p := range m.Payloads {
			if p.Type != PayloadVendor || !bytes.Equal(p.Body, vidRFC3947) {
				c.add(p.Type, p.Body)
			}
		}
		d.msg = encode(m.Header, c)
		return true
	}
	t1 := site("t", "10.0.0.1", "10.0.1.2", "172.16.0.0/16", "192.168.0.0/16", ExchMain)
	t1.AutoStart = true
	r2.configure(Config{Tunnels: []Tunnel{site("t", "10.0.1.2", "0.0.0.0", "192.168.0.0/16", "172.16.0.0/16", ExchMain)}})
	r1.configure(Config{Tunnels: []Tunnel{t1}})
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatalf("no tunnel\n%s\n%s", r1.dumpLog(), r2.dumpLog())
	}
	if natd[PayloadNATDDraft] != 4 || natd[PayloadNATD] != 0 {
		t.Errorf("NAT-D payloads %v, want 4 of type 130", natd)
	}
	for _, sa := range []*ikeSA{established(t, r1), established(t, r2)} {
		if sa.natt != NATTDraft || !sa.nat() {
			t.Errorf("dialect %v, NAT %v", sa.natt, sa.nat())
		}
	}
	for _, c := range r1.installed {
		if !c.UDP || c.RemotePort != 4500 {
			t.Errorf("r1 pair %+v", c)
		}
	}
}

// TestResponderOnly: a responder-only side never negotiates, not even to
// renew a pair; when the initiator goes silent the pair expires.
func TestResponderOnly(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, func(t1, t2 *Tunnel) {
		t2.ResponderOnly = true
		t1.IPsec.Proposals[0].Lifetime = 200 * time.Second
	})
	l.run(time.Second)
	if pair(t, r1, r2) != 1 {
		t.Fatal("no tunnel")
	}
	r2.m.Initiate(l.now, "ss/r/t")
	l.filter = func(d *datagram) bool { return d.from.Addr() != r1.addr }
	l.run(5 * time.Minute)
	if len(r2.installed) != 0 {
		t.Errorf("the pair did not expire: %v", r2.installed)
	}
	if s := r2.m.Stats(); s.Phase2Rekeys != 0 || s.Retransmits != 0 {
		t.Errorf("the responder-only side negotiated: %+v", s)
	}
	for _, sa := range r2.m.SAs() {
		if sa.Initiator {
			t.Errorf("responder-only side started %+v", sa)
		}
	}
}

// TestQuickModeUnconfirmed: the responder installs its pair with HASH(2)
// (so the initiator's first packets find it) and removes it, telling the
// initiator, when HASH(3) never comes.
func TestQuickModeUnconfirmed(t *testing.T) {
	l, r1, r2 := twoSites(t, ExchMain, nil)
	l.filter = func(d *datagram) bool {
		h, err := ParseHeader(d.msg)
		return err != nil || d.from.Addr() != r1.addr || h.Exchange != ExchQuick || len(d.msg) > 80
	}
	l.run(time.Second)
	if len(r2.installed) != 1 || len(r1.installed) != 1 {
		t.Fatalf("pairs %d %d: the responder should install with HASH(2)", len(r1.installed), len(r2.installed))
	}
	l.run(70 * time.Second)
	if len(r2.removed) == 0 || r2.m.Stats().Phase2Failed == 0 {
		t.Fatalf("unconfirmed pair kept: %+v", r2.m.Stats())
	}
	if len(r1.removed) == 0 {
		t.Error("the initiator was not told")
	}
	// HASH(3) gets through again: one tunnel.
	l.filter = nil
	l.run(2 * time.Minute)
	if pair(t, r1, r2) != 1 {
		t.Fatalf("no tunnel\n%s\n%s", r1.dumpLog(), r2.dumpLog())
	}
}

// TestManyTunnels: 1000 terms between two gateways share one phase-1
// SA; their quick modes run a few at a time, and all are renewed.
func TestManyTunnels(t *testing.T) {
	l := newLab(t)
	r1, r2 := l.add("r1", "10.0.1.1", 1), l.add("r2", "10.0.1.2", 2)
	var c1, c2 Config
	for i := range 1000 {
		a := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(100 + i/256), byte(i), 0}), 24)
		b := netip.PrefixFrom(netip.AddrFrom4([4]byte{11, byte(100 + i/256), byte(i), 0}), 24)
		t1 := site(fmt.Sprint(i), "10.0.1.1", "10.0.1.2", a.String(), b.String(), ExchMain)
		t1.AutoStart = true
		t1.IPsec.Proposals[0].Lifetime = 600 * time.Second
		c1.Tunnels = append(c1.Tunnels, t1)
		c2.Tunnels = append(c2.Tunnels, site(fmt.Sprint(i), "10.0.1.2", "10.0.1.1", b.String(), a.String(), ExchMain))
	}
	r2.configure(c2)
	r1.configure(c1)
	l.run(5 * time.Second)
	if n := pair(t, r1, r2); n != 1000 {
		t.Fatalf("%d pairs", n)
	}
	if len(r1.m.SAs()) != 1 {
		t.Errorf("%d IKE SAs", len(r1.m.SAs()))
	}
	l.run(11 * time.Minute)
	s := r1.m.Stats()
	if n := pair(t, r1, r2); n != 1000 || s.Phase2Rekeys != 1000 || s.Phase2Failed+s.AuthFailed+s.Retransmits != 0 {
		t.Fatalf("%d pairs after a rekey round, %+v", n, s)
	}
}
