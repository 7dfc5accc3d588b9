package ikev2

import (
	"testing"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
)

// BenchmarkEstablish negotiates an IKE SA and its first child SA between
// two protocol instances on the simulated network: the CPU cost of one
// tunnel, both ends (IKE_SA_INIT and IKE_AUTH, PSK, aes-128-cbc, sha1).
func BenchmarkEstablish(b *testing.B) {
	for _, g := range []suite.Group{suite.Group14, suite.Group19} {
		b.Run(g.String(), func(b *testing.B) {
			p := newPair(b, testOptions(), func(ta, tb *ike.Tunnel) {
				ta.IKE.Proposals[0].Group, tb.IKE.Proposals[0].Group = g, g
			})
			for b.Loop() {
				p.a.p.Initiate(p.ta)
				p.w.run(time.Millisecond)
				if len(p.a.installed) != 1 {
					b.Fatal("no tunnel")
				}
				p.a.p.DeleteIKE(p.ta.Remote, true)
				p.w.run(time.Millisecond)
			}
		})
	}
}
