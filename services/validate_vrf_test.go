package services

import (
	"strings"
	"testing"
)

// vrfBase is E3's PE with its WAN interface in VRF vpn-a.
const vrfBase = `
set interfaces ge-1/0/0 unit 0 family inet address 10.6.6.5/30
set interfaces ge-1/1/0 unit 0 family inet address 10.7.7.1/24
set interfaces ge-1/0/2 unit 0 family inet address 10.9.9.1/24
set routing-instances vpn-a instance-type vrf
set routing-instances vpn-a interface ge-1/0/0.0
set routing-instances vpn-a interface ge-1/1/0.0
set routing-instances vpn-a interface ms-1/2/0.1
set services service-set ss next-hop-service inside-service-interface ms-1/2/0.1
set services service-set ss next-hop-service outside-service-interface ms-1/2/0.2
set services service-set ss ipsec-vpn-options local-gateway 10.6.6.5 routing-instance vpn-a
set services service-set ss ipsec-vpn-rules r
set services ipsec-vpn rule r term t from source-address 10.7.7.0/24
set services ipsec-vpn rule r term t from destination-address 10.8.8.0/24
set services ipsec-vpn rule r term t then remote-gateway 10.6.6.6
set services ipsec-vpn rule r term t then dynamic ike-policy ike-pol
set services ipsec-vpn rule r match-direction input
set services ipsec-vpn ike policy ike-pol pre-shared-key ascii-text k
`

func TestValidateGatewayInstance(t *testing.T) {
	tests := []struct{ name, edit, want string }{
		{"gateway in its instance", "", ""},
		{"instance not named", "set services service-set ss ipsec-vpn-options local-gateway 10.6.6.5 routing-instance default",
			"Local gateway address 10.6.6.5 is in routing instance vpn-a: configure local-gateway 10.6.6.5 routing-instance vpn-a"},
		{"address of another instance", "set routing-instances other instance-type vrf\nset services service-set ss ipsec-vpn-options local-gateway 10.6.6.5 routing-instance other",
			"Local gateway address 10.6.6.5 is not configured on any interface of routing instance other"},
		{"global address named in the instance", "set services service-set ss ipsec-vpn-options local-gateway 10.9.9.1 routing-instance vpn-a",
			"Local gateway address 10.9.9.1 is not configured on any interface of routing instance vpn-a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := loadSet(t, vrfBase+tt.edit+"\n")
			var got []string
			for _, e := range Validate(root) {
				if !e.Warning {
					got = append(got, e.Error())
				}
			}
			all := strings.Join(got, "\n")
			if tt.want == "" && all != "" || !strings.Contains(all, tt.want) {
				t.Fatalf("got %q, want %q", all, tt.want)
			}
		})
	}
}
