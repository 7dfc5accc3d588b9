package ipsec

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"mxlab/config/secret"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec/esp"
)

// ikeSet is a next-hop service set with a dynamic term (E2 with IKE);
// %s is added to [edit services ipsec-vpn].
const ikeSet = `services {
    service-set ss-vpn {
        next-hop-service {
            inside-service-interface ms-4/0/0.1;
            outside-service-interface ms-4/0/0.2;
        }
        ipsec-vpn-options {
            local-gateway 10.0.1.1;
        }
        ipsec-vpn-rules rule-ike;
    }
    ipsec-vpn {
        rule rule-ike {
            term t1 {
                from {
                    source-address 172.16.0.0/16;
                    destination-address 192.168.0.0/16;
                }
                then {
                    remote-gateway 10.0.1.2;
                    backup-remote-gateway 10.0.2.2;
                    dynamic {
                        ike-policy ike-pol;
                        %s
                    }
                    initiate-dead-peer-detection;
                    dead-peer-detection {
                        interval 5;
                    }
                }
            }
            match-direction input;
        }
        ike {
            proposal ike-prop {
                dh-group group14;
                authentication-algorithm sha-256;
                encryption-algorithm aes-256-cbc;
                lifetime-seconds 28800;
            }
            proposal ike-prop2 {
                dh-group group19;
            }
            policy ike-pol {
                version 2;
                proposals [ ike-prop ike-prop2 ];
                local-id ipv4_addr 192.0.2.1;
                remote-id fqdn r2.example.net;
                pre-shared-key ascii-text "%s";
            }
        }
        ipsec {
            proposal ipsec-prop {
                protocol esp;
                authentication-algorithm hmac-sha-256-128;
                encryption-algorithm aes-128-cbc;
                lifetime-seconds 3600;
            }
            proposal gcm {
                encryption-algorithm aes-256-gcm;
            }
            policy ipsec-pol {
                perfect-forward-secrecy {
                    keys group19;
                }
                proposals [ ipsec-prop gcm ];
            }
        }
        establish-tunnels immediately;
        clear-ike-sas-on-pic-restart;
        disable-natt;
    }
}
`

func ikeText(ipsecPolicy, psk string) string {
	return strings.Replace(strings.Replace(ikeSet, "%s", ipsecPolicy, 1), "%s", psk, 1)
}

func TestParseIKE(t *testing.T) {
	plan, errs := Parse(parseText(t, ikeText("ipsec-policy ipsec-pol;", secret.Encode("juniper123"))))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if plan.Establish != "immediately" || !plan.ClearIKEOnRestart || !plan.NoNATT {
		t.Errorf("plan %+v", plan)
	}
	tm := plan.Sets[0].Terms[0]
	d := tm.Dynamic
	if d == nil || d.IKE == nil || d.IPsec == nil {
		t.Fatalf("term %+v", tm)
	}
	ik := d.IKE
	if ik.Name != "ike-pol" || ik.Version != 2 || ik.Mode != "main" || string(ik.PSK) != "juniper123" || len(ik.Proposals) != 2 {
		t.Errorf("IKE policy %+v", ik)
	}
	if p := ik.Proposals[0]; p.Group != suite.Group14 || p.Hash != suite.SHA256 || p.Encryption != suite.AES256CBC ||
		p.Lifetime != 8*time.Hour || p.AuthMethod != "pre-shared-keys" {
		t.Errorf("proposal %+v", p)
	}
	if p := ik.Proposals[1]; p.Group != suite.Group19 || p.Hash != suite.SHA1 || p.Encryption != suite.TripleDESCBC || p.Lifetime != time.Hour {
		t.Errorf("proposal with defaults %+v", p)
	}
	if ik.LocalID != (Identity{Type: "ipv4_addr", Value: "192.0.2.1"}) || ik.RemoteID != (Identity{Type: "fqdn", Value: "r2.example.net"}) {
		t.Errorf("identities %+v %+v", ik.LocalID, ik.RemoteID)
	}
	ip := d.IPsec
	if ip.PFS != suite.Group19 || len(ip.Proposals) != 2 || ip.Proposals[0].Authentication != esp.HMACSHA256_128 ||
		ip.Proposals[0].Lifetime != time.Hour || ip.Proposals[1].Encryption != esp.AES256GCM || ip.Proposals[1].Authentication != esp.NoAuthentication {
		t.Errorf("IPsec policy %+v", ip)
	}
	if d.Backup != netip.MustParseAddr("10.0.2.2") || d.DPD != (DPD{Enabled: true, Interval: 5 * time.Second, Threshold: 3}) || !d.NoNATT {
		t.Errorf("dynamic %+v", d)
	}
}

func TestParseIKEDefaults(t *testing.T) {
	plan, errs := Parse(parseText(t, ikeText("", "x")))
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	ip := plan.Sets[0].Terms[0].Dynamic.IPsec
	if len(ip.Proposals) != 4 || ip.PFS != 0 || ip.Proposals[0].Encryption != esp.TripleDESCBC || ip.Proposals[0].Lifetime != 8*time.Hour {
		t.Errorf("implicit IPsec proposals %+v", ip.Proposals[0])
	}
	if len(DefaultIKEProposals()) != 8 {
		t.Error("implicit IKE proposals")
	}
}
