package services_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"mxlab/internal/swantest"
)

// v2Lab is the E2 lab with strongSwan (charon, IKEv2) in place of r2
// (swanNet): charon's kernel-libipsec forces NAT traversal, so IKE moves
// to 4500 and ESP goes in UDP.
type v2Lab struct {
	*lab
	sw *swantest.Swan
}

// newV2Lab builds the lab: r1 gets cfg1, charon the swanctl.conf.
func newV2Lab(t *testing.T, cfg1, swanctl string) *v2Lab {
	l := swanNet(t)
	s := &v2Lab{lab: l, sw: swantest.Start(t, l.ns["s2"].Name(), swanctl, "")}
	l.r1 = l.router("r1", r1Layout, cfg1)
	return s
}

// ctl runs a swanctl command.
func (s *v2Lab) ctl(cmd string, args ...string) string {
	out, _ := s.sw.Ctl(cmd, args...)
	return out
}

// swanConf is a swanctl.conf for charon: IKE version v, the IKE and ESP
// proposals, start_action of the child, extra lines of the connection.
func swanConf(v, ike, esp, start string, extra ...string) string {
	return fmt.Sprintf(`connections {
    site {
        version = %s
        local_addrs = 10.0.1.2
        remote_addrs = 10.0.1.1
        proposals = %s
        mobike = no
%s
        local {
            auth = psk
            id = 10.0.1.2
        }
        remote {
            auth = psk
            id = 10.0.1.1
        }
        children {
            net {
                local_ts = 192.168.0.0/16
                remote_ts = 172.16.0.0/16
                esp_proposals = %s
                start_action = %s
            }
        }
    }
}
secrets {
    ike-site {
        id-1 = 10.0.1.1
        id-2 = 10.0.1.2
        secret = "juniper123"
    }
}
`, v, ike, strings.Join(extra, "\n"), esp, start)
}

// waitSwan waits until the tunnel carries a ping h1 -> h2.
func (s *v2Lab) waitSwan() {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := s.ping("h1", "192.168.0.10", 1); err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no tunnel\nr1:\n%s\nstrongSwan:\n%s\n%s", s.cli(s.r1, "show services ipsec-vpn ike security-associations detail; file show /var/log/kmd"),
				s.ctl("--list-sas"), s.sw.Log())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// pingCount pings h1 -> h2 n times at interval and returns how many
// answers came back.
func (s *v2Lab) pingCount(ctx context.Context, n int, interval string) int {
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", s.ns["h1"].Name(), "ping", "-c", fmt.Sprint(n), "-i", interval, "-W", "1", "192.168.0.10")
	out, _ := cmd.CombinedOutput()
	m := regexp.MustCompile(`(\d+) received`).FindStringSubmatch(string(out))
	if m == nil {
		return 0
	}
	var got int
	fmt.Sscan(m[1], &got)
	return got
}

// swanChildKeys returns the keys charon logged for what r1 sends: the
// initiator's when r1 initiated the child, else the responder's.
func (s *v2Lab) swanChildKeys(r1Initiated bool) func(string) (string, string) {
	return func(string) (string, string) {
		cs := s.sw.Children()
		if len(cs) == 0 {
			s.t.Fatalf("charon logged no keys:\n%s", s.sw.Log())
		}
		c := cs[len(cs)-1]
		if r1Initiated {
			return hex.EncodeToString(c.EncI), hex.EncodeToString(c.IntegI)
		}
		return hex.EncodeToString(c.EncR), hex.EncodeToString(c.IntegR)
	}
}
