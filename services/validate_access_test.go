package services

import (
	"strings"
	"testing"
)

// accessBase is the hub of the E4 example: a next-hop service set on
// sp-1/2/0 that accepts dynamic peers through an access profile.
const accessBase = `
set interfaces ge-1/0/1 unit 0 family inet address 192.168.255.2/30
set interfaces sp-1/2/0 unit 1 family inet
set interfaces sp-1/2/0 unit 1 service-domain inside
set interfaces sp-1/2/0 unit 1 dial-options ipsec-interface-id TEST-intf
set interfaces sp-1/2/0 unit 1 dial-options shared
set interfaces sp-1/2/0 unit 2 family inet
set interfaces sp-1/2/0 unit 2 service-domain outside
set services ipsec-vpn ike policy ike-pol pre-shared-key ascii-text keyfordynamicpeers
set access profile prof client * ike allowed-proxy-pair local 10.0.0.0/24 remote 10.0.1.0/24
set access profile prof client * ike ike-policy ike-pol
set access profile prof client * ike interface-id TEST-intf
set services service-set TEST next-hop-service inside-service-interface sp-1/2/0.1
set services service-set TEST next-hop-service outside-service-interface sp-1/2/0.2
set services service-set TEST ipsec-vpn-options local-gateway 192.168.255.2
set services service-set TEST ipsec-vpn-options ike-access-profile prof
`

// TestValidateAccessProfileWarning: an interface-id that no unit has is
// a warning, the tunnels land on the inside interface.
func TestValidateAccessProfileWarning(t *testing.T) {
	errs := Validate(loadSet(t, accessBase+"set access profile prof client * ike interface-id OTHER\n"))
	if len(errs) != 1 || !errs[0].Warning || !strings.Contains(errs[0].Error(),
		"no interface unit has dial-options ipsec-interface-id OTHER: the dynamic tunnels of service-set TEST use its inside interface sp-1/2/0.1") {
		t.Fatalf("got %v", errs)
	}
}

func TestValidateAccessProfile(t *testing.T) {
	tests := []struct {
		name, edit, want string // want "" for no error
	}{
		{"valid", "", ""},
		{"profile key", "delete access profile prof client * ike ike-policy\nset access profile prof client * ike pre-shared-key ascii-text k", ""},
		{"no key", "delete access profile prof client * ike ike-policy",
			"access profile prof: dynamic peers need a pre-shared-key (in the profile or its IKE policy)"},
		{"no interface-id", "delete access profile prof client * ike interface-id",
			"interface-id must be configured in access profile prof"},
		{"interface-id of another unit", "set interfaces sp-1/2/0 unit 3 dial-options ipsec-interface-id X\nset access profile prof client * ike interface-id X",
			"interface-id X does not name sp-1/2/0.1, the inside interface of service-set TEST"},
		{"shared gateway", "set services service-set S2 next-hop-service inside-service-interface sp-1/2/0.3\nset services service-set S2 ipsec-vpn-options local-gateway 192.168.255.2",
			"local gateway 192.168.255.2 of a service set with an IKE access profile cannot be shared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Validate(loadSet(t, accessBase+tt.edit+"\n"))
			var got []string
			for _, e := range errs {
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
