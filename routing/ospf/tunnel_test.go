package ospf_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"mxlab/chassis"
	"mxlab/netns"
	"mxlab/router"
)

// TestOSPFOverIPsecTunnel runs OSPF through the inside units of next-hop
// service sets (spec S1: they carry multicast and routing protocols), the
// heart of the E1 example, with a manual SA instead of IKE:
//
//	lo0 10.0.0.1  r1 ge-1/0/1 10.0.1.1 ---- 10.0.1.2 ge-0/0/1 r2  lo0 10.0.0.2
//	              ms-4/0/0.1 10.1.15.1/30 ==ESP== 10.1.15.2/30 ms-1/0/0.1
//
// OSPF runs on the inside units only; the adjacency forms through the
// tunnel and each loopback is reached through it, encrypted.
//
// The PIC counts the tunnel as a hop (spec I8) except for link-local
// multicast: OSPF sends every packet of a point-to-point interface to
// AllSPFRouters, so its packets, sent with TTL 1, cross it.
func TestOSPFOverIPsecTunnel(t *testing.T) {
	if err := netns.Available(); err != nil {
		t.Skipf("skipping: the tunnel lab needs network namespaces: %v", err)
	}
	prefix := fmt.Sprintf("mxot%d-%d-", os.Getpid()%100000, labSeq.Add(1))
	ns := map[string]*netns.Handle{}
	var routers []*router.Router
	t.Cleanup(func() {
		for _, r := range routers {
			r.Stop()
		}
		for _, h := range ns {
			h.Delete()
		}
	})
	for _, n := range []string{"r1", "r2"} {
		h, err := netns.Create(prefix + n)
		if err != nil {
			t.Fatal(err)
		}
		ns[n] = h
	}
	if err := netns.Connect(ns["r1"], "ge-1_0_1", ns["r2"], "ge-0_0_1"); err != nil {
		t.Fatal(err)
	}
	sa := func(ms, gw, peer string) string {
		rule := "set services ipsec-vpn rule rule-manual term t1 then manual direction bidirectional "
		return fmt.Sprintf(`set interfaces %[1]s unit 0 family inet
set interfaces %[1]s unit 2 family inet
set interfaces %[1]s unit 2 service-domain outside
set interfaces %[1]s unit 1 service-domain inside
set services service-set ss-vpn next-hop-service inside-service-interface %[1]s.1
set services service-set ss-vpn next-hop-service outside-service-interface %[1]s.2
set services service-set ss-vpn ipsec-vpn-options local-gateway %[2]s
set services service-set ss-vpn ipsec-vpn-rules rule-manual
set services ipsec-vpn rule rule-manual match-direction input
set services ipsec-vpn rule rule-manual term t1 then remote-gateway %[3]s
%[4]sprotocol esp
%[4]sspi 16000
%[4]sauthentication algorithm hmac-sha1-96
%[4]sauthentication key ascii-text "ipsec-sha1-key-20-ch"
%[4]sencryption algorithm aes-128-cbc
%[4]sencryption key ascii-text "aes128-key-16-ch"
set protocols ospf area 0 interface %[1]s.1
set protocols ospf area 0 interface lo0.0 passive
`, ms, gw, peer, rule)
	}
	cfgs := map[string]string{
		"r1": `set chassis fpc 4 pic 0 adaptive-services service-package extension-provider
set interfaces ge-1/0/1 unit 0 family inet address 10.0.1.1/30
set interfaces ms-4/0/0 unit 1 family inet address 10.1.15.1/30
set interfaces lo0 unit 0 family inet address 10.0.0.1/32
set routing-options router-id 10.0.0.1
` + sa("ms-4/0/0", "10.0.1.1", "10.0.1.2"),
		"r2": `set chassis fpc 1 pic 0 adaptive-services service-package extension-provider
set interfaces ge-0/0/1 unit 0 family inet address 10.0.1.2/30
set interfaces ms-1/0/0 unit 1 family inet address 10.1.15.2/30
set interfaces lo0 unit 0 family inet address 10.0.0.2/32
set routing-options router-id 10.0.0.2
` + sa("ms-1/0/0", "10.0.1.2", "10.0.1.1"),
	}
	layouts := map[string]string{
		"r1": "boot-delay: -1ns\nfpcs:\n  1:\n    type: mpc\n    pics:\n      0: 10x1ge\n  4:\n    type: ms-mpc\n",
		"r2": "boot-delay: -1ns\nfpcs:\n  0:\n    type: mpc\n    pics:\n      0: 10x1ge\n  1:\n    type: ms-mpc\n",
	}
	for _, n := range []string{"r1", "r2"} {
		lay, err := chassis.ParseLayout([]byte(layouts[n]))
		if err != nil {
			t.Fatal(err)
		}
		r, err := router.New(router.Options{Name: n, Layout: lay, StateDir: t.TempDir(), Netns: ns[n]})
		if err != nil {
			t.Fatal(err)
		}
		routers = append(routers, r)
		if err := r.Start(context.Background(), cfgs[n]); err != nil {
			t.Fatal(err)
		}
	}
	r1 := routers[0]
	t.Cleanup(func() {
		if t.Failed() {
			for _, r := range routers {
				t.Logf("%s:\n%s", r.Name(), cli(t, r, "show ospf interface detail | no-more")+cli(t, r, "show ospf statistics")+
					cli(t, r, "show services ipsec-vpn ipsec statistics")+cli(t, r, "show interfaces terse | no-more")+cli(t, r, "show route | no-more"))
			}
		}
	})
	waitFor(t, "adjacency through the tunnel", 30*time.Second, func() (bool, string) {
		ns, _ := r1.OSPF.Instance("").Neighbors(context.Background())
		return len(ns) == 1 && ns[0] == "10.1.15.2 Full", fmt.Sprint(ns)
	})
	waitFor(t, "each loopback through the tunnel", 10*time.Second, func() (bool, string) {
		gw1, gw2 := mxRoute(r1, "10.0.0.2/32"), mxRoute(routers[1], "10.0.0.1/32")
		return gw1 == "10.1.15.2" && gw2 == "10.1.15.1", gw1 + " " + gw2
	})
	out := cli(t, r1, "ping 10.0.0.2 source 10.0.0.1 count 3 rapid")
	if !strings.Contains(out, "3 packets received") {
		t.Fatalf("ping between the loopbacks:\n%s", out)
	}
	stats := cli(t, r1, "show services ipsec-vpn ipsec statistics")
	if !strings.Contains(stats, "Encrypted packets") || strings.Contains(stats, "Encrypted packets:                 0") {
		t.Errorf("nothing encrypted:\n%s", stats)
	}
}

// cli runs one command on a router's CLI.
func cli(t *testing.T, r *router.Router, cmd string) string {
	t.Helper()
	var out strings.Builder
	sh, done := r.NewShell(router.ShellOptions{In: strings.NewReader(cmd + "\n"), Out: &out, User: "lab"})
	defer done()
	sh.Run(context.Background())
	return out.String()
}
