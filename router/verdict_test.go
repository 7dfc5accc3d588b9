package router

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"mxlab/chassis"
	"mxlab/config"
	"mxlab/netns"
)

// verdictLayout is the hardware of the E2 router R1: ports on FPC 1, an
// MS-MPC in FPC 4.
const verdictLayout = "boot-delay: -1ns\nfpcs:\n  1:\n    type: mpc\n    pics:\n      0: 10x1ge\n  4:\n    type: ms-mpc\n"

// verdictCases are configuration mistakes of every kind the router checks
// at commit: the seed's rules, the owners' checks (interfaces, routing,
// services), references, max-elements, junos:must constraints. Each is
// applied to the E2 configuration of R1.
var verdictCases = []struct {
	name  string
	lines []string
	want  string // a line of the error
}{
	{"ok", nil, ""},
	{"manual SA key too short", []string{`set services ipsec-vpn rule rule-manual term t1 then manual direction bidirectional encryption key ascii-text "12345"`}, "key"},
	{"unit without vlan-tagging", []string{"set interfaces ge-1/0/0 unit 1 description x"}, "Only unit 0 is valid for this encapsulation"},
	{"vlan-tagging without vlan-id", []string{"set interfaces ge-1/0/2 vlan-tagging", "set interfaces ge-1/0/2 unit 5 family inet address 10.5.0.1/24"}, "VLAN-ID must be specified on tagged ethernet interfaces"},
	{"vlan-id untagged", []string{"set interfaces ge-1/0/0 unit 0 vlan-id 10"}, "VLAN-ID can only be specified on tagged ethernet interfaces"},
	{"static route without next hop", []string{"set routing-options static route 10.9.0.0/16 preference 7"}, "Missing next hop"},
	{"undefined policy", []string{"set routing-instances v1 instance-type vrf", "set routing-instances v1 route-distinguisher 65000:1", "set routing-instances v1 vrf-import imp", "set routing-instances v1 vrf-export exp"}, "Policy error: Policy imp referenced but not defined"},
	{"vrf without rd", []string{"set routing-instances v1 instance-type vrf", "set routing-instances v1 vrf-target target:65000:1"}, "route-distinguisher must be configured for a vrf instance"},
	{"undefined filter", []string{"set interfaces ge-1/0/0 unit 0 family inet filter input f1"}, "Referenced filter 'f1' is not defined"},
	{"max-elements", []string{"set services ipsec-vpn rule rule-manual term t1 from source-address 10.7.0.0/16"}, "Number of elements exceeds the limit of 1"},
	{"local gateway not on an interface", []string{"set services service-set ss-vpn ipsec-vpn-options local-gateway 10.0.1.9"}, "Local gateway address 10.0.1.9 is not configured on any interface"},
	{"must constraint", []string{"delete services service-set ss-vpn ipsec-vpn-options local-gateway"}, "Local gateway must be configured with IPSec rules"},
	{"interface in two instances", []string{"set routing-instances a instance-type virtual-router", "set routing-instances a interface ge-1/0/3.0",
		"set routing-instances b instance-type virtual-router", "set routing-instances b interface ge-1/0/3"}, "interface ge-1/0/3.0 is already in routing instance a"},
	{"ospf stub backbone", []string{"set protocols ospf area 0 stub"}, "A backbone area cannot be configured as a stub area"},
	{"ospf interface in two areas", []string{"set protocols ospf area 0 interface ge-1/0/1.0", "set protocols ospf area 1 interface ge-1/0/1.0"}, "interface ge-1/0/1.0 is already in area 0.0.0.0"},
	{"ospf undefined export policy", []string{"set protocols ospf area 0 interface ge-1/0/1.0", "set protocols ospf export to-ospf"}, "Policy error: Policy to-ospf referenced but not defined"},
	{"local gateway outside its instance", []string{"set routing-instances v1 instance-type virtual-router",
		"set services service-set ss-vpn ipsec-vpn-options local-gateway 10.0.1.1 routing-instance v1"}, "Local gateway address 10.0.1.1 is not configured on any interface of routing instance v1"},
	{"access profile without interface-id", []string{"set access profile prof client * ike allowed-proxy-pair local 10.0.0.0/24 remote 10.0.1.0/24",
		"set access profile prof client * ike pre-shared-key ascii-text k",
		"set services service-set ss-vpn ipsec-vpn-options ike-access-profile prof"}, "interface-id must be configured in access profile prof"},
}

// TestCheckEqualsCommit: for every mistake, "commit check" and "commit"
// give the same verdict and the same text, on a router without a
// forwarding plane (as an unprivileged user runs it) and, as root, on one
// with a network namespace; a failed commit changes nothing.
func TestCheckEqualsCommit(t *testing.T) {
	base, err := os.ReadFile("../services/testdata/examples/e2-r1.set")
	if err != nil {
		t.Fatal(err)
	}
	routers := map[string]*Router{"no forwarding plane": verdictRouter(t, nil)}
	if netns.Available() == nil {
		h, err := netns.Create(fmt.Sprintf("mxvd%d", os.Getpid()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Delete() })
		routers["namespace"] = verdictRouter(t, h)
	} else {
		t.Log("not root: the half with a forwarding plane is skipped")
	}
	results := map[string]string{} // case -> text, the same on every router
	for kind, r := range routers {
		for _, tc := range verdictCases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				text := string(base) + strings.Join(tc.lines, "\n") + "\n"
				got := checkThenCommit(t, r, text)
				if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
					t.Errorf("verdict:\n%s\nwant an error containing %q", got, tc.want)
				}
				if prev, ok := results[tc.name]; ok && prev != got {
					t.Errorf("text differs between routers:\n%s\nversus\n%s", got, prev)
				}
				results[tc.name] = got
				for _, w := range []string{"mxlab-", "netlink", "errno", "/run/", "table "} {
					if strings.Contains(got, w) {
						t.Errorf("error shows %q:\n%s", w, got)
					}
				}
			})
		}
	}
}

func verdictRouter(t *testing.T, h *netns.Handle) *Router {
	t.Helper()
	lay, err := chassis.ParseLayout([]byte(verdictLayout))
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Name: "r1", Layout: lay, StateDir: t.TempDir(), Netns: h}
	if h == nil {
		o.NoPlane = errors.New("test without a namespace")
	}
	r, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	return r
}

// checkThenCommit loads text into a private candidate, runs commit check
// then commit, and returns the error text ("" when both pass). It fails
// the test when the two verdicts or texts differ, or when a failed commit
// changed the active configuration.
func checkThenCommit(t *testing.T, r *Router, text string) string {
	t.Helper()
	s, _, _, err := r.DB.Begin(config.Who{User: "lab", Terminal: "pts/1", PID: 1}, config.Private)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Load(config.LoadOverride, "", "empty", false); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(config.LoadSet, text, "terminal", false); err != nil {
		t.Fatalf("load: %v", err)
	}
	_, checkErr := s.CommitCheck()
	before := r.DB.Active().Text()
	_, commitErr := s.Commit(context.Background(), config.CommitOptions{})
	text1, text2 := errText(checkErr), errText(commitErr)
	if text1 != text2 {
		t.Fatalf("commit check and commit differ:\ncheck:\n%s\ncommit:\n%s", text1, text2)
	}
	if commitErr != nil && r.DB.Active().Text() != before {
		t.Error("a failed commit changed the active configuration")
	}
	return text2
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
