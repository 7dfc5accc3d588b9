package mspic

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// dynSet is a next-hop service set whose term is negotiated.
func dynSet() *ipsec.ServiceSet {
	ss := testSet("ss", "ms-4/0/0.1", "10.0.1.1", "10.0.1.2", "10.1.0.0/16", "10.2.0.0/16")
	ss.Terms[0].Manual = nil
	ss.Terms[0].Dynamic = &ipsec.Dynamic{}
	return ss
}

func saPair(in, out uint32, standby bool) DynamicSA {
	k := func(b byte) [2][]byte {
		return [2][]byte{[]byte("aes128-key-16-ch"), append([]byte("ipsec-sha1-key-20-c"), b)}
	}
	return DynamicSA{Set: "ss", Term: 1, InSPI: in, OutSPI: out, Encryption: esp.AES128CBC, Authentication: esp.HMACSHA1_96,
		InKeys: k(1), OutKeys: k(2), Local: netip.MustParseAddrPort("10.0.1.1:0"), Remote: netip.MustParseAddrPort("10.0.1.2:0"),
		Created: time.Now(), Lifetime: time.Hour, Standby: standby}
}

// current returns the outbound SPI the term uses and the SPIs installed.
func current(t *testing.T, c *Card) (uint32, []uint32) {
	t.Helper()
	st, err := c.Status()
	must(t, err)
	var out uint32
	var spis []uint32
	for _, tu := range st.Sets[0].Tunnels {
		for _, sa := range tu.SAs {
			spis = append(spis, sa.SPI)
			if sa.Direction == "outbound" && sa.Newest {
				out = sa.SPI
			}
		}
	}
	return out, spis
}

func TestDynamicSAs(t *testing.T) {
	c := New(Options{Name: "ms-4/0/0"})
	c.Start(context.Background())
	t.Cleanup(c.Stop)
	must(t, c.Configure(Config{Sets: []*ipsec.ServiceSet{dynSet()}}))
	if err := c.InstallSA(saPair(70000, 70001, false)); err != ErrOffline {
		t.Fatalf("install on an offline PIC: %v", err)
	}
	must(t, c.SetOnline(true))
	must(t, c.InstallSA(saPair(70000, 70001, false)))
	// A rekey this side started: the new pair takes the traffic at once.
	must(t, c.InstallSA(saPair(70010, 70011, false)))
	if out, spis := current(t, c); out != 70011 || len(spis) != 4 {
		t.Fatalf("after a rekey: out %d, SAs %v", out, spis)
	}
	must(t, c.RemoveSA("ss", 70000))
	// A rekey the peer started: the older pair keeps the traffic until
	// it goes.
	must(t, c.InstallSA(saPair(70020, 70021, true)))
	if out, _ := current(t, c); out != 70011 {
		t.Fatalf("standby pair took the traffic: out %d", out)
	}
	must(t, c.RemoveSA("ss", 70010))
	if out, spis := current(t, c); out != 70021 || len(spis) != 2 {
		t.Fatalf("after the old pair went: out %d, SAs %v", out, spis)
	}
	// A duplicate SPI is refused, a term that is not dynamic too.
	if err := c.InstallSA(saPair(70020, 70031, false)); err == nil {
		t.Fatal("duplicate inbound SPI installed")
	}
	bad := saPair(70040, 70041, false)
	bad.Term = 9
	if err := c.InstallSA(bad); err == nil {
		t.Fatal("SA of an unknown term installed")
	}
	// Offline: the negotiated SAs are lost.
	must(t, c.SetOnline(false))
	must(t, c.SetOnline(true))
	if _, spis := current(t, c); len(spis) != 0 {
		t.Fatalf("SAs after a PIC restart: %v", spis)
	}
}

// TestDynamicPeers: a term with pairs for several peers (dynamic
// endpoints) sends the traffic for each peer's networks with that peer's
// pair, and each peer's rekey replaces only its own pair.
func TestDynamicPeers(t *testing.T) {
	c := New(Options{Name: "ms-4/0/0"})
	c.Start(context.Background())
	t.Cleanup(c.Stop)
	ss := dynSet()
	ss.Terms[0].RemoteGateway = netip.IPv4Unspecified()
	must(t, c.Configure(Config{Sets: []*ipsec.ServiceSet{ss}}))
	must(t, c.SetOnline(true))
	peer := func(in, out uint32, addr, ts string, standby bool) DynamicSA {
		d := saPair(in, out, standby)
		d.Remote = netip.MustParseAddrPort(addr + ":0")
		d.RemoteTS = netip.MustParsePrefix(ts)
		return d
	}
	must(t, c.InstallSA(peer(70000, 70001, "10.0.1.2", "10.2.1.0/24", false)))
	must(t, c.InstallSA(peer(70010, 70011, "10.0.9.2", "10.2.2.0/24", false)))
	must(t, c.InstallSA(peer(70020, 70021, "10.0.9.2", "10.2.2.0/24", true))) // B's rekey, B's answer pending
	outFor := func(dst string) uint32 {
		tp := c.cur.Load().sets[0].terms[0]
		return tp.outFor(netip.MustParseAddr(dst)).SPI()
	}
	for _, tc := range []struct {
		dst  string
		want uint32
	}{{"10.2.1.7", 70001}, {"10.2.2.7", 70011}} {
		if got := outFor(tc.dst); got != tc.want {
			t.Errorf("traffic to %s leaves with SPI %d, want %d", tc.dst, got, tc.want)
		}
	}
	must(t, c.RemoveSA("ss", 70010))
	if got := outFor("10.2.2.7"); got != 70021 {
		t.Errorf("after B's old pair went: SPI %d, want 70021", got)
	}
	if got := outFor("10.2.1.7"); got != 70001 {
		t.Errorf("A's traffic moved to SPI %d", got)
	}
	st, err := c.Status()
	must(t, err)
	newest := 0
	for _, sa := range st.Sets[0].Tunnels[0].SAs {
		if sa.Direction == "outbound" && sa.Newest {
			newest++
		}
	}
	if newest != 2 {
		t.Errorf("%d newest outbound SAs, want one per peer", newest)
	}
}
