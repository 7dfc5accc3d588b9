package services

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
	"mxlab/services/mspic"
)

var ikeNow = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// ikeStatus is R1 of E2 with IKE: an IKEv2 SA with r2, and one with a
// NAT-T peer still negotiating.
func ikeStatus() []IKEStatus {
	ss := &ipsec.ServiceSet{Name: "ss-vpn"}
	t := &ike.Tunnel{Set: ss, Term: &ipsec.Term{Rule: "rule-ike", Name: "t1", Index: 1}}
	created := ikeNow.Add(-10 * time.Minute)
	return []IKEStatus{{PIC: "ms-4/0/0", SAs: []ike.SAStatus{
		{Version: 2, Exchange: "IKEv2", Role: "Initiator", Matured: true,
			Local: netip.MustParseAddrPort("10.0.1.1:500"), Remote: netip.MustParseAddrPort("10.0.1.2:500"),
			SPIi: [8]byte{0x16, 0xac, 0x5f, 0x58, 0x8b, 0x93, 0x4e, 0x91}, SPIr: [8]byte{0x5f, 0xcc, 0xb1, 0x49, 0xf6, 0xfd, 0x6c, 0x4e},
			Tunnel: t, AuthMethod: "Pre-shared-keys", Encryption: suite.AES128CBC, Hash: suite.SHA256,
			Integrity: suite.HMACSHA256_128, Group: suite.Group14, Created: created, Expires: created.Add(time.Hour),
			Children: 1, Stats: ike.SAStats{InBytes: 8388, OutBytes: 8380, InPackets: 125, OutPackets: 124,
				ChildrenCreated: 14, ChildrenDeleted: 13, ChildRekeys: 12, DeletesIn: 11, DeletesOut: 2,
				DPDRequestsIn: 3, DPDRequestsOut: 197, DPDResponsesIn: 197, DPDResponsesOut: 3, DPDMaxDelay: 2 * time.Second}},
		{Version: 2, Exchange: "IKEv2", Role: "Responder",
			Local: netip.MustParseAddrPort("10.0.1.1:4500"), Remote: netip.MustParseAddrPort("198.51.100.7:14500"),
			SPIi: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, SPIr: [8]byte{9, 10, 11, 12, 13, 14, 15, 16}, Tunnel: t,
			AuthMethod: "Pre-shared-keys", Encryption: suite.AES256GCM, Hash: suite.SHA384, Group: suite.Group20,
			Created: created, NAT: true},
	}, Drops: ike.Drops{Malformed: 3, BadAuth: 1, Replayed: 2, Critical: 1, HalfOpen: 4}}}
}

func TestShowIKE(t *testing.T) {
	for level, suffix := range map[int]string{levelNone: "", levelBrief: "_brief", levelDetail: "_detail"} {
		var b bytes.Buffer
		ShowIKESAs(&b, ikeStatus(), netip.Addr{}, level, ikeNow)
		golden(t, "ike_sas"+suffix, b.Bytes())
	}
	var b bytes.Buffer
	ShowIKESAs(&b, ikeStatus(), netip.MustParseAddr("10.0.1.2"), levelDetail, ikeNow)
	golden(t, "ike_sas_peer", b.Bytes())
	b.Reset()
	ShowIKEStats(&b, ikeStatus(), netip.Addr{})
	golden(t, "ike_stats", b.Bytes())
}

// dynamicStatus is R1 with negotiated SAs in the middle of a rekey: the
// old pair and the new one, ESP in UDP after NAT traversal.
func dynamicStatus() []mspic.Status {
	ss := &ipsec.ServiceSet{Name: "ss-vpn", Inside: "ms-4/0/0.1", Outside: "ms-4/0/0.2",
		LocalGateway: netip.MustParseAddr("10.0.1.1")}
	term := &ipsec.Term{Rule: "rule-ike", Name: "t1", MatchDirection: "input", Index: 1,
		Source: netip.MustParsePrefix("172.16.0.0/16"), Destination: netip.MustParsePrefix("192.168.0.0/16"),
		RemoteGateway: netip.MustParseAddr("10.0.1.2"), Dynamic: &ipsec.Dynamic{}}
	ss.Terms = []*ipsec.Term{term}
	sa := func(dir string, spi uint32, created time.Time, newest bool) mspic.SAStatus {
		cfg := esp.Config{SPI: spi, Encryption: esp.AES256CBC, Authentication: esp.HMACSHA256_128, TTL: 64,
			Local: ss.LocalGateway, Remote: term.RemoteGateway, TunnelMTU: 1500, UDP: &esp.UDPEncap{SrcPort: 4500, DstPort: 4500}}
		if dir == "inbound" {
			cfg.UDP.SrcPort = 0
		}
		return mspic.SAStatus{Direction: dir, SPI: spi, Config: cfg, Installed: true, Created: created,
			Dynamic: true, Lifetime: time.Hour, Newest: newest}
	}
	old, fresh := ikeNow.Add(-55*time.Minute), ikeNow.Add(-30*time.Second)
	return []mspic.Status{{Name: "ms-4/0/0", Online: true, Sets: []mspic.SetStatus{{
		Name: "ss-vpn", Set: ss,
		Tunnels: []mspic.TunnelStatus{{Term: term, SAs: []mspic.SAStatus{
			sa("inbound", 3991417868, old, false), sa("outbound", 2147483900, old, false),
			sa("inbound", 1462246993, fresh, true), sa("outbound", 3571923454, fresh, true),
		}}},
	}}}}
}

func TestShowDynamicSAs(t *testing.T) {
	for level, suffix := range map[int]string{levelNone: "", levelDetail: "_detail"} {
		var b bytes.Buffer
		ShowSAs(&b, dynamicStatus(), "", level, ikeNow)
		golden(t, "sas_dynamic"+suffix, b.Bytes())
	}
}
