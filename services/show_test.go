package services

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
	"mxlab/services/mspic"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// e2Status is R1 of the E2 example after five pings through the tunnel.
func e2Status() []mspic.Status {
	ss := &ipsec.ServiceSet{Name: "ss-vpn", Inside: "ms-4/0/0.1", Outside: "ms-4/0/0.2",
		LocalGateway: netip.MustParseAddr("10.0.1.1")}
	term := &ipsec.Term{Rule: "rule-manual", Name: "t1", MatchDirection: "input", Index: 1,
		Source: netip.MustParsePrefix("172.16.0.0/16"), Destination: netip.MustParsePrefix("192.168.0.0/16"),
		RemoteGateway: netip.MustParseAddr("10.0.1.2")}
	ss.Terms = []*ipsec.Term{term}
	cfg := esp.Config{SPI: 16000, Encryption: esp.AES128CBC, Authentication: esp.HMACSHA1_96, TTL: 64,
		Local: ss.LocalGateway, Remote: term.RemoteGateway, TunnelMTU: 1500}
	created := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	var st mspic.Stats
	st.EncryptedPackets, st.EncryptedBytes, st.DecryptedPackets, st.DecryptedBytes = 5, 420, 5, 420
	st.ReplayErrors, st.AuthErrors, st.BadSPI, st.TTLExceeded = 1, 2, 3, 4
	return []mspic.Status{{Name: "ms-4/0/0", Online: true, Sets: []mspic.SetStatus{{
		Name: "ss-vpn", Set: ss, Stats: st,
		Tunnels: []mspic.TunnelStatus{{Term: term, SAs: []mspic.SAStatus{
			{Direction: "inbound", SPI: 16000, Config: cfg, Installed: true, Created: created},
			{Direction: "outbound", SPI: 16000, Config: cfg, Installed: true, Created: created},
		}}},
	}}}}
}

func TestShow(t *testing.T) {
	names := map[int]string{levelNone: "", levelBrief: "_brief", levelDetail: "_detail"}
	for level, suffix := range names {
		for i := 0; i < 3; i++ { // deterministic
			var sas, stats bytes.Buffer
			ShowSAs(&sas, e2Status(), "", level, time.Now())
			ShowStats(&stats, e2Status(), "ss-vpn", level)
			golden(t, "sas"+suffix, sas.Bytes())
			golden(t, "stats"+suffix, stats.Bytes())
		}
	}
	var b bytes.Buffer
	ShowSummary(&b, e2Status())
	golden(t, "summary", b.Bytes())
	b.Reset()
	ShowSAs(&b, e2Status(), "other", levelNone, time.Now())
	if b.Len() != 0 {
		t.Errorf("another service set shows SAs:\n%s", b.String())
	}
}

func TestCompareIfNames(t *testing.T) {
	if compareIfNames("ms-4/0/0", "ms-10/0/0") >= 0 || compareIfNames("ms-1/2/0", "ms-1/0/0") <= 0 {
		t.Error("interface order")
	}
}
