package ipsec

import (
	"fmt"
	"net/netip"
	"testing"
)

// accessHub is the E4 hub: a rule term with remote-gateway 0.0.0.0
// gives the policies, the access profile two proxy pairs and its own
// pre-shared key; %s is added to the profile's ike client.
const accessHub = `interfaces {
    sp-1/2/0 {
        unit 1 {
            service-domain inside;
            dial-options {
                ipsec-interface-id TEST-intf;
                %s;
            }
        }
    }
}
access {
    profile prof {
        client * {
            ike {
                allowed-proxy-pair local 10.0.0.0/24 remote 10.0.1.0/24;
                allowed-proxy-pair local 10.0.0.0/24 remote 10.0.2.0/24;
                interface-id TEST-intf;
                pre-shared-key ascii-text profilekey;
            }
        }
    }
}
services {
    service-set TEST {
        next-hop-service {
            inside-service-interface sp-1/2/0.1;
            outside-service-interface sp-1/2/0.2;
        }
        ipsec-vpn-options {
            local-gateway 192.168.255.2;
            ike-access-profile prof;
        }
        ipsec-vpn-rules rule-ike;
    }
    ipsec-vpn {
        rule rule-ike {
            term term-ike {
                from {
                    destination-address 192.168.255.2/32;
                }
                then {
                    remote-gateway 0.0.0.0;
                    dynamic {
                        ike-policy ike-pol;
                    }
                }
            }
            match-direction input;
        }
        ike {
            policy ike-pol {
                pre-shared-key ascii-text policykey;
            }
        }
    }
}
`

func TestParseAccessProfile(t *testing.T) {
	for _, mode := range []string{"shared", "dedicated"} {
		t.Run(mode, func(t *testing.T) {
			plan, errs := Parse(parseText(t, fmt.Sprintf(accessHub, mode)))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			ss := plan.Sets[0]
			if ss.Profile == nil || ss.Profile.Name != "prof" || ss.Profile.InterfaceID != "TEST-intf" {
				t.Fatalf("profile %+v", ss.Profile)
			}
			if len(ss.Terms) != 2 {
				t.Fatalf("%d terms, want one per proxy pair", len(ss.Terms))
			}
			for i, tm := range ss.Terms {
				remote := netip.MustParsePrefix([]string{"10.0.1.0/24", "10.0.2.0/24"}[i])
				src, dst := tm.Selector(ss.Style)
				d := tm.Dynamic
				switch {
				case tm.Index != i+1 || tm.Rule != "rule-ike" || tm.Name != fmt.Sprintf("term-ike-%d", i+1):
					t.Errorf("term %d: %s %s index %d", i, tm.Rule, tm.Name, tm.Index)
				case src != netip.MustParsePrefix("10.0.0.0/24") || dst != remote:
					t.Errorf("term %d: selector %v %v", i, src, dst)
				case !tm.RemoteGateway.IsUnspecified() || tm.InsideInterface != "sp-1/2/0.1":
					t.Errorf("term %d: remote %v inside %q", i, tm.RemoteGateway, tm.InsideInterface)
				case d.Profile != "prof" || d.Pair.Remote != remote || d.Dedicated != (mode == "dedicated"):
					t.Errorf("term %d: dynamic %+v", i, d)
				case string(d.IKE.PSK) != "profilekey" || d.IKE.Name != "ike-pol":
					t.Errorf("term %d: IKE policy %s with key %q, want ike-pol with the profile's key", i, d.IKE.Name, d.IKE.PSK)
				case d.IPsec == nil || len(d.IPsec.Proposals) != len(DefaultIPsecProposals()):
					t.Errorf("term %d: IPsec policy %+v, want the implicit one", i, d.IPsec)
				}
			}
		})
	}
}

// TestParseAccessProfileOnly: a service set with an access profile and
// no rules gets one dynamic term with the implicit proposals.
func TestParseAccessProfileOnly(t *testing.T) {
	text := `interfaces { sp-1/2/0 { unit 1 { dial-options { ipsec-interface-id X; } } } }
access { profile p { client * { ike { interface-id X; pre-shared-key ascii-text k; } } } }
services { service-set S { next-hop-service { inside-service-interface sp-1/2/0.1; outside-service-interface sp-1/2/0.2; }
ipsec-vpn-options { local-gateway 10.1.1.1; ike-access-profile p; } } }
`
	plan, errs := Parse(parseText(t, text))
	if len(errs) > 0 || len(plan.Sets) != 1 || len(plan.Sets[0].Terms) != 1 {
		t.Fatalf("errors %v, sets %+v", errs, plan.Sets)
	}
	tm := plan.Sets[0].Terms[0]
	src, dst := tm.Selector(NextHop)
	if tm.Dynamic.Pair != anyPair || src.Bits() != 0 || dst.Bits() != 0 || string(tm.Dynamic.IKE.PSK) != "k" ||
		len(tm.Dynamic.IKE.Proposals) != len(DefaultIKEProposals()) || tm.Dynamic.IKE.Version != 1 {
		t.Fatalf("term %+v, dynamic %+v", tm, tm.Dynamic)
	}
}

func TestParseGatewayInstance(t *testing.T) {
	for _, tc := range []struct{ stmt, want string }{
		{"local-gateway 10.6.6.5 routing-instance vpn-a;", "vpn-a"},
		{"local-gateway 10.6.6.5 routing-instance default;", ""},
		{"local-gateway 10.6.6.5;", ""},
	} {
		text := `services { service-set S { next-hop-service { inside-service-interface ms-1/2/0.1; outside-service-interface ms-1/2/0.2; }
ipsec-vpn-options { ` + tc.stmt + ` } ipsec-vpn-rules r; }
ipsec-vpn { rule r { term t { then { remote-gateway 10.6.6.6; dynamic { ike-policy p; } } } match-direction input; }
ike { policy p { pre-shared-key ascii-text k; } } } }
routing-instances { vpn-a { instance-type vrf; } }
`
		plan, errs := Parse(parseText(t, text))
		if len(errs) > 0 || len(plan.Sets) != 1 || plan.Sets[0].GatewayInstance != tc.want {
			t.Fatalf("%s: errors %v, sets %+v", tc.stmt, errs, plan.Sets)
		}
	}
}
