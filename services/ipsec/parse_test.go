package ipsec

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"mxlab/config"
	"mxlab/config/schema"
	"mxlab/services/ipsec/esp"
)

func parseText(t *testing.T, text string) *config.Node {
	t.Helper()
	root, err := config.ParseText(text, schema.Root())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return root
}

func TestParseE2(t *testing.T) {
	b, err := os.ReadFile("../testdata/examples/e2-r1.conf.golden")
	if err != nil {
		t.Fatal(err)
	}
	plan, errs := Parse(parseText(t, string(b)))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(plan.Sets) != 1 {
		t.Fatalf("%d service sets", len(plan.Sets))
	}
	ss := plan.Sets[0]
	if ss.Name != "ss-vpn" || ss.Style != NextHop || ss.Inside != "ms-4/0/0.1" || ss.Outside != "ms-4/0/0.2" ||
		ss.PIC() != "ms-4/0/0" || ss.Device() != "ms-4/0/0.1" || ss.LocalGateway != netip.MustParseAddr("10.0.1.1") {
		t.Errorf("service set %+v", ss)
	}
	if len(ss.Terms) != 1 || len(ss.Terms[0].Manual) != 1 {
		t.Fatalf("terms %+v", ss.Terms)
	}
	tm := ss.Terms[0]
	m := tm.Manual[0]
	if m.SPI != 16000 || m.Direction != "bidirectional" || m.Auth != esp.HMACSHA1_96 || m.Encryption != esp.AES128CBC {
		t.Errorf("manual SA %+v", m)
	}
	if string(m.AuthKey) != "ipsec-sha1-key-20-ch" || string(m.EncKey) != "aes128-key-16-ch" {
		t.Errorf("keys %q %q", m.AuthKey, m.EncKey)
	}
	if tm.RemoteGateway != netip.MustParseAddr("10.0.1.2") || tm.MatchDirection != "input" || tm.Index != 1 {
		t.Errorf("term %+v", tm)
	}
	if _, ok := plan.UnitAddrs["ms-4/0/0.2"]; !ok || plan.Trace.File != "kmd" || plan.Establish != "on-traffic" {
		t.Errorf("plan %+v", plan)
	}
}

const setText = `services {
    service-set s {
        next-hop-service {
            inside-service-interface ms-1/0/0.1;
            outside-service-interface ms-1/0/0.2;
        }
        ipsec-vpn-options {
            local-gateway 10.0.0.1;
            %s
        }
        ipsec-vpn-rules r;
    }
    ipsec-vpn {
        rule r {
            term t {
                from {
                    source-address 10.1.0.0/16;
                    destination-address 10.2.0.0/16;
                }
                then {
                    remote-gateway 10.0.0.2;
                    manual {
                        direction bidirectional {
                            protocol esp;
                            spi 300;
                            authentication {
                                algorithm hmac-sha-256-128;
                                key hexadecimal %s;
                            }
                            encryption {
                                algorithm aes-256-cbc;
                                key ascii-text "0123456789abcdef0123456789abcdef";
                            }
                        }
                    }
                    %s
                }
            }
            match-direction %s;
        }
    }
}
`

const key32 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// render fills the four %s of setText.
func render(setOpts, key, termOpts, dir string) string {
	parts := strings.Split(setText, "%s")
	return parts[0] + setOpts + parts[1] + key + parts[2] + termOpts + parts[3] + dir + parts[4]
}

func TestOptions(t *testing.T) {
	cases := []struct {
		name            string
		setOpts, termOp string
		want            Options
	}{
		{"defaults", "", "", Options{}},
		{"service set", "anti-replay-window-size 256; tunnel-mtu 1400; set-dont-fragment-bit; passive-mode-tunneling;", "",
			Options{ReplayWindow: 256, TunnelMTU: 1400, DF: esp.DFSet, Passive: true}},
		{"term wins", "anti-replay-window-size 256; tunnel-mtu 1400; copy-dont-fragment-bit;", "no-anti-replay; tunnel-mtu 1300; clear-dont-fragment-bit;",
			Options{NoAntiReplay: true, TunnelMTU: 1300, DF: esp.DFClear}},
		{"term window over no-anti-replay", "no-anti-replay;", "anti-replay-window-size 1024;", Options{ReplayWindow: 1024}},
		{"udp-encapsulate", "udp-encapsulate;", "", Options{UDPEncap: true, UDPPort: esp.DefaultUDPEncapPort}},
		{"udp-encapsulate port", "udp-encapsulate dest-port 5000;", "", Options{UDPEncap: true, UDPPort: 5000}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, errs := Parse(parseText(t, render(c.setOpts, key32, c.termOp, "input")))
			if len(errs) > 0 {
				t.Fatal(errs[0])
			}
			if got := plan.Sets[0].Terms[0].Options; got != c.want {
				t.Errorf("options %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, key, want string
		path            string
	}{
		{"short key", "0001", "key length 2 bytes is invalid for hmac-sha-256-128 (must be 32 bytes)",
			"services ipsec-vpn rule r term t then manual direction bidirectional authentication"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := Parse(parseText(t, render("", c.key, "", "input")))
			if len(errs) != 1 {
				t.Fatalf("errors %v", errs)
			}
			if errs[0].Msg != c.want || strings.Join(errs[0].Path, " ") != c.path || errs[0].Statement != "key" {
				t.Errorf("error %+v", errs[0])
			}
		})
	}
}

func TestMatch(t *testing.T) {
	a := netip.MustParseAddr
	cases := []struct {
		style    Style
		dir      string
		src, dst string
		out, in  bool
	}{
		{NextHop, "input", "10.1.2.3", "10.2.0.9", true, false},
		{NextHop, "input", "10.2.0.9", "10.1.2.3", false, true},
		{NextHop, "output", "10.2.0.9", "10.1.2.3", true, false},
		{Interface, "output", "10.1.2.3", "10.2.0.9", true, false},
		{Interface, "output", "10.3.0.1", "10.2.0.9", false, false},
	}
	for _, c := range cases {
		plan, errs := Parse(parseText(t, render("", key32, "", c.dir)))
		if len(errs) > 0 {
			t.Fatal(errs[0])
		}
		tm := plan.Sets[0].Terms[0]
		if got := tm.MatchOut(c.style, a(c.src), a(c.dst)); got != c.out {
			t.Errorf("%v %s %s>%s: MatchOut %v", c.style, c.dir, c.src, c.dst, got)
		}
		if got := tm.MatchIn(c.style, a(c.src), a(c.dst)); got != c.in {
			t.Errorf("%v %s %s>%s: MatchIn %v", c.style, c.dir, c.src, c.dst, got)
		}
	}
}

func TestSAConfig(t *testing.T) {
	plan, errs := Parse(parseText(t, render("udp-encapsulate;", key32, "", "input")))
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	ss := plan.Sets[0]
	tm := ss.Terms[0]
	c := ss.SAConfig(tm, tm.Manual[0], true)
	if c.SPI != 300 || c.Local != netip.MustParseAddr("10.0.0.1") || c.Remote != netip.MustParseAddr("10.0.0.2") ||
		!c.NoTunnelHop || c.UDP == nil || c.UDP.DstPort != 4565 {
		t.Errorf("config %+v", c)
	}
	if _, err := esp.NewSA(c); err != nil {
		t.Error(err)
	}
}

// TestHopSource: the tunnel hop of a next-hop set answers from the inside
// unit's address, else lo0's, else the local gateway.
func TestHopSource(t *testing.T) {
	b, err := os.ReadFile("../testdata/examples/e2-r1.conf.golden")
	if err != nil {
		t.Fatal(err)
	}
	e2 := string(b)
	inside := "        unit 1 {\n            family inet;\n"
	lo := "interfaces {\n    lo0 {\n        unit 0 {\n            family inet {\n                address 127.0.0.1/32;\n                address 10.0.0.9/32;\n                address 10.0.0.1/32;\n            }\n        }\n    }\n"
	tests := []struct {
		name, text, want string
	}{
		{"unnumbered, no lo0", e2, "10.0.1.1"},
		{"unnumbered, lo0", strings.Replace(e2, "interfaces {\n", lo, 1), "10.0.0.1"},
		{"numbered inside unit", strings.Replace(strings.Replace(e2, "interfaces {\n", lo, 1), inside,
			"        unit 1 {\n            family inet {\n                address 10.1.15.1/30;\n            }\n", 1), "10.1.15.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, errs := Parse(parseText(t, tt.text))
			if len(errs) > 0 || len(plan.Sets) != 1 {
				t.Fatalf("errors %v, %d sets", errs, len(plan.Sets))
			}
			if got := plan.Sets[0].HopSource; got != netip.MustParseAddr(tt.want) {
				t.Errorf("hop source %v, want %s", got, tt.want)
			}
		})
	}
}
