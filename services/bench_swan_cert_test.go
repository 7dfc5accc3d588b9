package services_test

import (
	"fmt"
	"strings"
	"testing"

	"mxlab/services/pki/labca"
)

// BenchmarkSwanIKESAs: n IKE SAs (one child each) between two strongSwan
// 5.9.8 gateways, authenticated with pre-shared keys or with RSA 2048
// certificates of one lab CA, group19 and aes128-sha256 as the mxlab
// benchmarks ikev2.BenchmarkEstablishPSK and BenchmarkEstablishRSA2048
// (those run both ends in one process, with no network: an upper bound
// of mxlab's own cost). The time from the initiator's start until every
// child is installed on both. Reported: tunnels/s.
func BenchmarkSwanIKESAs(b *testing.B) {
	const n = 200
	for _, auth := range []string{"psk", "rsa2048"} {
		b.Run(auth, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				l := swanPair(b, n)
				var files [2]map[string][]byte
				if auth == "rsa2048" {
					ca, err := labca.Create(b.TempDir(), labca.Options{})
					if err != nil {
						b.Fatal(err)
					}
					for i, side := range []string{"s1", "s2"} {
						files[i] = swanBenchCreds(b, ca, side, []string{"10.0.1.1", "10.0.1.2"}[i])
					}
				}
				timeSwanPair(b, l, n, [2]string{swanIKESAs(n, auth, true), swanIKESAs(n, auth, false)}, files)
			}
		})
	}
}

// swanBenchCreds are charon's files for an RSA 2048 certificate of side
// (its address as the alternative name) issued by ca.
func swanBenchCreds(b *testing.B, ca *labca.CA, side, addr string) map[string][]byte {
	cert, key, err := ca.Issue(side, []string{addr}, labca.Options{KeyType: "rsa"})
	if err != nil {
		b.Fatal(err)
	}
	keyPEM, err := labca.KeyPEM(key)
	if err != nil {
		b.Fatal(err)
	}
	return map[string][]byte{"x509/" + side + ".crt": labca.PEM(cert), "private/" + side + ".key": keyPEM,
		"x509ca/ca.crt": labca.PEM(ca.Cert)}
}

// swanIKESAs is a swanctl.conf for n IKE SAs with one child each: the
// initiator has n connections started at load; the responder one
// connection with the n children (unique = no lets the IKE SAs of one
// identity coexist).
func swanIKESAs(n int, auth string, initiator bool) string {
	local, remote, side := "10.0.1.1", "10.0.1.2", "s1"
	if !initiator {
		local, remote, side = remote, local, "s2"
	}
	authLines := func(id string, own bool) string {
		if auth == "psk" {
			return "auth = psk\n            id = " + id
		}
		if own {
			return "auth = pubkey\n            certs = " + side + ".crt\n            id = " + id
		}
		return "auth = pubkey\n            id = " + id
	}
	conn := func(name string, children string) string {
		return fmt.Sprintf(`    %s {
        version = 2
        local_addrs = %s
        remote_addrs = %s
        proposals = aes128-sha256-ecp256
        mobike = no
        unique = no
        local {
            %s
        }
        remote {
            %s
        }
        children {
%s        }
    }
`, name, local, remote, authLines(local, true), authLines(remote, false), children)
	}
	child := func(i int, start string) string {
		a, c := fmt.Sprintf("10.100.%d.%d/32", i/256, i%256), fmt.Sprintf("10.200.%d.%d/32", i/256, i%256)
		if !initiator {
			a, c = c, a
		}
		return fmt.Sprintf("            c%d {\n                local_ts = %s\n                remote_ts = %s\n                esp_proposals = aes128-sha1\n                start_action = %s\n            }\n", i, a, c, start)
	}
	var b strings.Builder
	b.WriteString("connections {\n")
	if initiator {
		for i := 1; i <= n; i++ {
			b.WriteString(conn(fmt.Sprintf("site%d", i), child(i, "start")))
		}
	} else {
		var ch strings.Builder
		for i := 1; i <= n; i++ {
			ch.WriteString(child(i, "none"))
		}
		b.WriteString(conn("site", ch.String()))
	}
	b.WriteString("}\n")
	if auth == "psk" {
		b.WriteString("secrets {\n    ike-site {\n        id-1 = 10.0.1.1\n        id-2 = 10.0.1.2\n        secret = \"juniper123\"\n    }\n}\n")
	}
	return b.String()
}
