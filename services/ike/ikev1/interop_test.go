package ikev1

// Interoperability with strongSwan 5.9.8 (IKEv1, pre-shared keys): the
// machine on 10.0.1.1 (LAN 172.16.0.0/16) and charon on 10.0.1.2 (LAN
// 192.168.0.0/16, address 192.168.0.1 on its loopback), each in a network
// namespace of this test. Every case checks that the ESP keys of each SA
// pair equal the ones charon logs (an independent key derivation) and
// pings charon's LAN address through the pair with package esp.

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mxlab/internal/swantest"
	"mxlab/netns"
	"mxlab/services/ike/suite"
)

var nsSeq atomic.Int32

// swanLab is the two namespaces of one case, connected by a veth pair.
type swanLab struct {
	a, b *netns.Handle
}

func newSwanLab(t testing.TB) *swanLab {
	t.Helper()
	swantest.Need(t)
	n := nsSeq.Add(1)
	prefix := fmt.Sprintf("iv1%d-%d", os.Getpid()%100000, n)
	var l swanLab
	var err error
	if l.a, err = netns.Create(prefix + "a"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.a.Delete() })
	if l.b, err = netns.Create(prefix + "b"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.b.Delete() })
	if err := netns.Connect(l.a, "wan", l.b, "wan"); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		h    *netns.Handle
		link string
		p    string
	}{{l.a, "wan", "10.0.1.1/30"}, {l.b, "wan", "10.0.1.2/30"}, {l.b, "lo", "192.168.0.1/32"}} {
		if err := x.h.AddrAdd(x.link, netip.MustParsePrefix(x.p)); err != nil {
			t.Fatal(err)
		}
	}
	return &l
}

var (
	mx    = netip.MustParseAddr("10.0.1.1")
	swanA = netip.MustParseAddr("10.0.1.2")
	lanA  = netip.MustParseAddr("172.16.0.10")
	lanB  = netip.MustParseAddr("192.168.0.1")
)

type swanCase struct {
	name       string
	aggressive bool
	swanInit   bool   // charon initiates
	ike, esp   string // charon's proposals
	ikeP       IKEProposal
	espP       IPsecProposal
	pfs        suite.Group
	extra      string // charon connection settings
	settings   string // strongswan.conf charon settings
}

func (c swanCase) swanctl() string {
	aggr := "no"
	if c.aggressive {
		aggr = "yes"
	}
	return `connections {
  site {
    version = 1
    aggressive = ` + aggr + `
    local_addrs = 10.0.1.2
    remote_addrs = 10.0.1.1
    proposals = ` + c.ike + `
    ` + c.extra + `
    local {
      auth = psk
      id = 10.0.1.2
    }
    remote {
      auth = psk
      id = 10.0.1.1
    }
    children {
      net {
        local_ts = 192.168.0.0/16
        remote_ts = 172.16.0.0/16
        esp_proposals = ` + c.esp + `
        start_action = none
      }
    }
  }
}
secrets {
  ike-site {
    id-1 = 10.0.1.1
    id-2 = 10.0.1.2
    secret = "juniper123"
  }
}
`
}

func (c swanCase) tunnel() Tunnel {
	mode := ExchMain
	if c.aggressive {
		mode = ExchAggressive
	}
	return Tunnel{Name: "site", Local: mx, Remote: swanA,
		LocalTS: netip.MustParsePrefix("172.16.0.0/16"), RemoteTS: netip.MustParsePrefix("192.168.0.0/16"),
		IKE:       IKEPolicy{Mode: mode, PSK: []byte("juniper123"), Proposals: []IKEProposal{c.ikeP}},
		IPsec:     IPsecPolicy{Proposals: []IPsecProposal{c.espP}, PFS: c.pfs},
		AutoStart: !c.swanInit,
	}
}

// checkKeys compares each pair the machine installed with the CHILD_SA
// charon logged with the same SPIs.
func checkKeys(t testing.TB, l *live, s *swantest.Swan) {
	t.Helper()
	kids := s.Children()
	for _, c := range l.children() {
		var k *swantest.Child
		for i := range kids {
			if kids[i].InSPI == c.OutSPI && kids[i].OutSPI == c.InSPI {
				k = &kids[i]
			}
		}
		if k == nil {
			t.Errorf("pair %08x/%08x: charon logged no CHILD_SA with these SPIs: %v", c.InSPI, c.OutSPI, kids)
			continue
		}
		// "initiator" keys protect what the quick-mode initiator sends.
		sendEnc, sendInteg, recvEnc, recvInteg := k.EncR, k.IntegR, k.EncI, k.IntegI
		if c.Initiator {
			sendEnc, sendInteg, recvEnc, recvInteg = k.EncI, k.IntegI, k.EncR, k.IntegR
		}
		if !bytes.Equal(c.OutEncKey, sendEnc) || !bytes.Equal(c.OutAuthKey, sendInteg) ||
			!bytes.Equal(c.InEncKey, recvEnc) || !bytes.Equal(c.InAuthKey, recvInteg) {
			t.Errorf("pair %08x/%08x: keys differ from charon's\nours out %x/%x in %x/%x\ncharon enc %x/%x integ %x/%x",
				c.InSPI, c.OutSPI, c.OutEncKey, c.OutAuthKey, c.InEncKey, c.InAuthKey, k.EncI, k.EncR, k.IntegI, k.IntegR)
		}
	}
}

func TestStrongSwanInterop(t *testing.T) {
	aes := IKEProposal{Encryption: suite.AES128CBC, Hash: suite.SHA1, Group: suite.Group14}
	espAES := IPsecProposal{Encryption: suite.AES128CBC, Integrity: suite.HMACSHA1_96}
	for _, c := range []swanCase{
		{name: "main initiator", ike: "aes128-sha1-modp2048", esp: "aes128-sha1", ikeP: aes, espP: espAES},
		{name: "main responder", swanInit: true, ike: "aes128-sha1-modp2048", esp: "aes128-sha1", ikeP: aes, espP: espAES},
		{name: "aggressive initiator", aggressive: true, ike: "aes128-sha1-modp2048", esp: "aes128-sha1", ikeP: aes, espP: espAES,
			settings: "i_dont_care_about_security_and_use_aggressive_mode_psk = yes"},
		{name: "aggressive responder", aggressive: true, swanInit: true, ike: "aes128-sha1-modp2048", esp: "aes128-sha1", ikeP: aes, espP: espAES},
		{name: "main initiator PFS group14", ike: "aes256-sha256-modp2048", esp: "aes256-sha256-modp2048",
			ikeP: IKEProposal{Encryption: suite.AES256CBC, Hash: suite.SHA256, Group: suite.Group14},
			espP: IPsecProposal{Encryption: suite.AES256CBC, Integrity: suite.HMACSHA256_128}, pfs: suite.Group14},
		{name: "main responder PFS group19", swanInit: true, ike: "aes128-sha256-ecp256", esp: "aes128gcm16-ecp256",
			ikeP: IKEProposal{Encryption: suite.AES128CBC, Hash: suite.SHA256, Group: suite.Group19},
			espP: IPsecProposal{Encryption: suite.AES128GCM}, pfs: suite.Group19},
		{name: "junos defaults 3des", ike: "3des-sha1-modp1024", esp: "3des-sha1",
			ikeP: IKEProposal{Encryption: suite.TripleDESCBC, Hash: suite.SHA1, Group: suite.Group2},
			espP: IPsecProposal{Encryption: suite.TripleDESCBC, Integrity: suite.HMACSHA1_96}},
		{name: "aes-256 sha-384 group20 responder", swanInit: true, ike: "aes256-sha384-ecp384", esp: "aes256-sha1",
			ikeP: IKEProposal{Encryption: suite.AES256CBC, Hash: suite.SHA384, Group: suite.Group20},
			espP: IPsecProposal{Encryption: suite.AES256CBC, Integrity: suite.HMACSHA1_96}},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			lab := newSwanLab(t)
			s := swantest.Start(t, lab.b.Name(), c.swanctl(), c.settings)
			l := startLive(t, lab.a, mx, Config{Tunnels: []Tunnel{c.tunnel()}})
			if c.swanInit {
				if out, err := s.Ctl("--initiate", "--child", "net", "--timeout", "20"); err != nil {
					t.Fatalf("swanctl --initiate: %v\n%s\n%s\n%s", err, out, s.Log(), l.log())
				}
			}
			if !waitFor(20*time.Second, func() bool { return len(l.children()) == 1 }) {
				t.Fatalf("no SA pair\nmxlab:\n%s\ncharon:\n%s", l.log(), s.Log())
			}
			if !waitFor(5*time.Second, func() bool { return len(s.Children()) == 1 }) {
				t.Fatalf("charon has no CHILD_SA\n%s", s.Log())
			}
			checkKeys(t, l, s)
			ch := l.children()[0]
			if !ch.UDP || ch.LocalPort != PortNATT || ch.RemotePort != PortNATT || ch.Initiator == c.swanInit {
				t.Errorf("pair %+v: want ESP in UDP 4500 (strongSwan's libipsec forces NAT-T)", ch)
			}
			if err := l.ping(ch, lanA, lanB, 1); err != nil {
				t.Fatalf("ping through the tunnel: %v\n%s", err, s.Log())
			}
			var st Stats
			l.do(func() { st = l.m.Stats() })
			if st.Malformed+st.AuthFailed+st.Unexpected+st.NoSA+st.UnknownPayload != 0 {
				t.Errorf("drops with a correct peer: %+v", st)
			}
			// Deleting the pair here deletes it in charon; the tunnel
			// establishes immediately, so a new pair follows at once.
			l.do(func() { l.m.DeleteChildren(time.Now(), func(string) bool { return true }, true) })
			old := fmt.Sprintf("%08x", ch.OutSPI)
			if !waitFor(5*time.Second, func() bool { out, _ := s.Ctl("--list-sas"); return !strings.Contains(out, old) }) {
				out, _ := s.Ctl("--list-sas")
				t.Errorf("charon kept CHILD_SA %s after our delete:\n%s", old, out)
			}
			if !c.swanInit && !waitFor(5*time.Second, func() bool { return len(l.children()) == 1 && len(s.Children()) == 2 }) {
				t.Errorf("no new pair after the delete\n%s", l.log())
			}
			// Deleting the IKE SA too, with no tunnel asking for SAs,
			// leaves charon with nothing.
			l.do(func() {
				for _, t := range l.m.tuns {
					t.cfg.AutoStart = false
				}
				l.m.DeleteChildren(time.Now(), func(string) bool { return true }, true)
				l.m.DeleteIKE(time.Now(), netip.Addr{}, true)
			})
			if !waitFor(5*time.Second, func() bool { out, _ := s.Ctl("--list-sas"); return !strings.Contains(out, "site:") }) {
				out, _ := s.Ctl("--list-sas")
				t.Errorf("charon kept SAs after our deletes:\n%s", out)
			}
		})
	}
}

// TestStrongSwanRekey runs one tunnel for a while: charon rekeys the
// pair, this side rekeys it (short lifetime) and its IKE SA.
func TestStrongSwanRekey(t *testing.T) {
	lab := newSwanLab(t)
	c := swanCase{ike: "aes128-sha256-modp2048", esp: "aes128-sha1-modp2048",
		ikeP: IKEProposal{Encryption: suite.AES128CBC, Hash: suite.SHA256, Group: suite.Group14, Lifetime: 16 * time.Second},
		espP: IPsecProposal{Encryption: suite.AES128CBC, Integrity: suite.HMACSHA1_96, Lifetime: 12 * time.Second},
		pfs:  suite.Group14}
	s := swantest.Start(t, lab.b.Name(), c.swanctl(), "")
	l := startLive(t, lab.a, mx, Config{Tunnels: []Tunnel{c.tunnel()}})
	if !waitFor(20*time.Second, func() bool { return len(l.children()) == 1 }) {
		t.Fatalf("no SA pair\n%s\n%s", l.log(), s.Log())
	}
	first := l.children()[0]
	if first.Lifetime != 12*time.Second {
		t.Errorf("lifetime %v, want ours (12s)", first.Lifetime)
	}

	// charon rekeys: a new pair; the old one stays until it expires
	// (strongSwan keeps rekeyed IKEv1 SAs: delete_rekeyed = no).
	if out, err := s.Ctl("--rekey", "--child", "net"); err != nil {
		t.Fatalf("swanctl --rekey: %v\n%s", err, out)
	}
	newest := func(initiator bool, after time.Time) (ChildSA, bool) {
		for _, k := range l.children() {
			if k.Initiator == initiator && k.Created.After(after) {
				return k, true
			}
		}
		return ChildSA{}, false
	}
	var second ChildSA
	if !waitFor(5*time.Second, func() (ok bool) { second, ok = newest(false, first.Created); return ok }) {
		t.Fatalf("charon's rekey: pairs %v\n%s\n%s", l.children(), l.log(), s.Log())
	}
	if second.PFS != suite.Group14 {
		t.Errorf("charon's rekey without PFS: %+v", second)
	}
	checkKeys(t, l, s)
	if err := l.ping(second, lanA, lanB, 2); err != nil {
		t.Fatalf("ping after charon's rekey: %v", err)
	}

	// This side rekeys the newest pair before its 12 s (soft lifetime
	// with jitter) and deletes it once the new one is in; the first pair
	// expires.
	var third ChildSA
	if !waitFor(15*time.Second, func() (ok bool) { third, ok = newest(true, second.Created); return ok }) {
		t.Fatalf("no rekey by this side\n%s", l.log())
	}
	if !waitFor(8*time.Second, func() bool {
		for _, k := range l.children() {
			if k.InSPI == first.InSPI || k.InSPI == second.InSPI {
				return false
			}
		}
		return true
	}) {
		t.Errorf("old pairs stayed: %v", l.children())
	}
	checkKeys(t, l, s)
	if err := l.ping(third, lanA, lanB, 3); err != nil {
		t.Fatalf("ping after our rekey: %v", err)
	}

	// By now (more than 14 s) the IKE SA was renewed once.
	var st Stats
	var sas []IKESA
	if !waitFor(10*time.Second, func() bool {
		l.do(func() { st, sas = l.m.Stats(), l.m.SAs() })
		return st.Phase1Rekeys >= 1 && len(sas) == 1 && sas[0].Established
	}) {
		t.Errorf("IKE SA not renewed: %+v %+v\n%s", st, sas, l.log())
	}
	if st.AuthFailed+st.Malformed+st.UnknownPayload != 0 || st.Phase2Failed != 0 {
		t.Errorf("stats: %+v", st)
	}
	if out, _ := s.Ctl("--list-sas"); !strings.Contains(out, fmt.Sprintf("in  %08x", third.OutSPI)) {
		t.Errorf("charon's SAs lack %08x:\n%s", third.OutSPI, out)
	}
}

// TestStrongSwanDPD: both sides run DPD; then charon dies without a word
// and DPD (3 x 2 s) removes the SAs.
func TestStrongSwanDPD(t *testing.T) {
	lab := newSwanLab(t)
	c := swanCase{ike: "aes128-sha1-modp2048", esp: "aes128-sha1",
		ikeP:  IKEProposal{Encryption: suite.AES128CBC, Hash: suite.SHA1, Group: suite.Group14},
		espP:  IPsecProposal{Encryption: suite.AES128CBC, Integrity: suite.HMACSHA1_96},
		extra: "dpd_delay = 2s"}
	s := swantest.Start(t, lab.b.Name(), c.swanctl(), "")
	tun := c.tunnel()
	tun.DPD = DPD{Initiate: true, Interval: 2 * time.Second, Threshold: 3}
	l := startLive(t, lab.a, mx, Config{Tunnels: []Tunnel{tun}})
	if !waitFor(20*time.Second, func() bool { return len(l.children()) == 1 }) {
		t.Fatalf("no SA pair\n%s\n%s", l.log(), s.Log())
	}
	var sas []IKESA
	if !waitFor(10*time.Second, func() bool {
		l.do(func() { sas = l.m.SAs() })
		x := sas[0].Stats
		return x.DPDRequestsIn > 0 && x.DPDResponsesOut > 0 && x.DPDRequestsOut > 0 && x.DPDResponsesIn > 0
	}) {
		t.Errorf("DPD: %+v\n%s", sas[0].Stats, s.Log())
	}
	s.Kill()
	var st Stats
	if !waitFor(15*time.Second, func() bool {
		l.do(func() { st = l.m.Stats() })
		return st.PeersDead == 1 && len(l.children()) == 0
	}) {
		t.Fatalf("DPD did not declare charon dead: %+v\n%s", st, l.log())
	}
}
