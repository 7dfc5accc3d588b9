package services

import (
	"strings"
	"testing"

	"mxlab/config"
)

// loadSet returns the candidate configuration of set and delete lines.
func loadSet(t testing.TB, text string) *config.Node {
	t.Helper()
	db, err := config.Open(config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _, _, _ := db.Begin(config.Who{User: "lab"}, config.Shared)
	if err := s.Load(config.LoadSet, text, "test", false); err != nil {
		t.Fatal(err)
	}
	return s.Candidate()
}

const ikeBase = `
set interfaces ge-1/0/1 unit 0 family inet address 10.0.1.1/30
set services service-set ss next-hop-service inside-service-interface ms-4/0/0.1
set services service-set ss next-hop-service outside-service-interface ms-4/0/0.2
set services service-set ss ipsec-vpn-options local-gateway 10.0.1.1
set services service-set ss ipsec-vpn-rules r
set services ipsec-vpn rule r term t from source-address 172.16.0.0/16
set services ipsec-vpn rule r term t from destination-address 192.168.0.0/16
set services ipsec-vpn rule r term t then remote-gateway 10.0.1.2
set services ipsec-vpn rule r term t then dynamic ike-policy ike-pol
set services ipsec-vpn rule r term t then dynamic ipsec-policy ipsec-pol
set services ipsec-vpn rule r match-direction input
set services ipsec-vpn ike proposal ike-prop dh-group group14
set services ipsec-vpn ike policy ike-pol version 2
set services ipsec-vpn ike policy ike-pol proposals ike-prop
set services ipsec-vpn ike policy ike-pol pre-shared-key ascii-text juniper123
set services ipsec-vpn ipsec proposal ipsec-prop encryption-algorithm aes-128-cbc
set services ipsec-vpn ipsec policy ipsec-pol proposals ipsec-prop
`

func TestValidateIKE(t *testing.T) {
	tests := []struct {
		name  string
		edit  string // set and delete lines applied to ikeBase
		want  string // "" for no message
		warns bool
	}{
		{"valid", "", "", false},
		{"no remote gateway", "delete services ipsec-vpn rule r term t then remote-gateway",
			"[edit services ipsec-vpn rule r term t then] 'dynamic': remote-gateway must be configured with a dynamic security association", false},
		{"remote gateway is local", "set services ipsec-vpn rule r term t then remote-gateway 10.0.1.1",
			"'remote-gateway 10.0.1.1': remote-gateway 10.0.1.1 is the local gateway of service-set ss", false},
		{"backup equals remote", "set services ipsec-vpn rule r term t then backup-remote-gateway 10.0.1.2",
			"backup-remote-gateway must differ from remote-gateway", false},
		{"no ike policy", "delete services ipsec-vpn rule r term t then dynamic ike-policy",
			"ike-policy must be configured with a dynamic security association", false},
		{"gcm with authentication", "set services ipsec-vpn ipsec proposal ipsec-prop encryption-algorithm aes-128-gcm\nset services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm hmac-sha1-96",
			"[edit services ipsec-vpn ipsec proposal ipsec-prop] 'authentication-algorithm hmac-sha1-96': authentication-algorithm must not be configured with encryption-algorithm aes-128-gcm", false},
		{"ah on ms", "set services ipsec-vpn ipsec proposal ipsec-prop protocol ah",
			"protocol ah is not supported on MS-MIC/MS-MPC service interface ms-4/0/0", false},
		{"sha-256-96", "set services ipsec-vpn ipsec proposal ipsec-prop authentication-algorithm hmac-sha-256-96",
			"hmac-sha-256-96 has no IANA number", true},
		{"certificates", "set services ipsec-vpn ike proposal ike-prop authentication-method rsa-signatures", "", false},
		{"certificates v1", "set services ipsec-vpn ike proposal ike-prop authentication-method rsa-signatures\nset services ipsec-vpn ike policy ike-pol version 1", "", false},
		{"ecdsa v1", "set services ipsec-vpn ike proposal ike-prop authentication-method ecdsa-signatures-256\nset services ipsec-vpn ike policy ike-pol version 1",
			"the proposals with ECDSA signatures are used with version 2", true},
		{"certificates aggressive v1", "set services ipsec-vpn ike proposal ike-prop authentication-method rsa-signatures\nset services ipsec-vpn ike policy ike-pol version 1\nset services ipsec-vpn ike policy ike-pol mode aggressive",
			"aggressive mode authenticates with pre-shared keys only", true},
		{"dsa", "set services ipsec-vpn ike proposal ike-prop authentication-method dsa-signatures",
			"authentication-method dsa-signatures is stored but not used", true},
		{"aggressive v2", "set services ipsec-vpn ike policy ike-pol mode aggressive",
			"mode aggressive does not apply to IKE version 2", true},
		{"mixed methods", "set services ipsec-vpn ike proposal p2 authentication-method rsa-signatures\nset services ipsec-vpn ike policy ike-pol proposals p2",
			"all IKEv2 proposals of a policy must have the same authentication-method", false},
		{"odd hex key", "delete services ipsec-vpn ike policy ike-pol pre-shared-key\nset services ipsec-vpn ike policy ike-pol pre-shared-key hexadecimal abc",
			"pre-shared-key hexadecimal must have an even number of hexadecimal digits", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := ikeBase + tt.edit + "\n"
			root := loadSet(t, text)
			errs := ValidateIKE(root)
			var got []string
			warnOnly := true
			for _, e := range errs {
				got = append(got, e.Error())
				warnOnly = warnOnly && e.Warning
			}
			all := strings.Join(got, "\n")
			if tt.want == "" {
				if len(errs) > 0 {
					t.Fatalf("errors: %s", all)
				}
				return
			}
			if !strings.Contains(all, tt.want) || warnOnly != tt.warns {
				t.Fatalf("got %q (warnings only: %v), want %q", all, warnOnly, tt.want)
			}
		})
	}
}
