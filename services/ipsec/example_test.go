package ipsec_test

import (
	"fmt"
	"net/netip"

	"mxlab/config"
	"mxlab/config/schema"
	"mxlab/services/ipsec"
)

func ExampleParse() {
	root, _ := config.ParseText(`services {
    service-set ss-vpn {
        next-hop-service {
            inside-service-interface ms-4/0/0.1;
            outside-service-interface ms-4/0/0.2;
        }
        ipsec-vpn-options {
            local-gateway 10.0.1.1;
            tunnel-mtu 1400;
        }
        ipsec-vpn-rules r;
    }
    ipsec-vpn {
        rule r {
            term t1 {
                from {
                    source-address 172.16.0.0/16;
                    destination-address 192.168.0.0/16;
                }
                then {
                    remote-gateway 10.0.1.2;
                    manual {
                        direction bidirectional {
                            protocol esp;
                            spi 16000;
                            authentication {
                                algorithm hmac-sha1-96;
                                key ascii-text "ipsec-sha1-key-20-ch";
                            }
                            encryption {
                                algorithm aes-128-cbc;
                                key ascii-text "aes128-key-16-ch";
                            }
                        }
                    }
                }
            }
            match-direction input;
        }
    }
}
`, schema.Root())
	plan, errs := ipsec.Parse(root)
	if len(errs) > 0 {
		fmt.Println(errs[0])
		return
	}
	ss := plan.Sets[0]
	t := ss.Terms[0]
	fmt.Println(ss.Name, ss.Style, ss.PIC(), ss.Device(), t.Manual[0].SPI, t.Options.TunnelMTU)
	fmt.Println(t.MatchOut(ss.Style, netip.MustParseAddr("172.16.0.10"), netip.MustParseAddr("192.168.0.10")))
	// Output:
	// ss-vpn next-hop ms-4/0/0 ms-4/0/0.1 16000 1400
	// true
}
