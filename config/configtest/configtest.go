// Package configtest holds configurations generated for the benchmarks of
// the configuration engine and the CLI.
package configtest

import (
	"fmt"
	"strings"
)

// Big returns a configuration of 10,500 set commands, the size the
// benchmarks of the issues name: 500 interfaces, 2,000 static routes with a
// preference and a tag, 200 IPsec rules with a manual SA each (keys
// included), and 200
// next-hop service sets.
func Big() string {
	var b strings.Builder
	for i := 0; i < 500; i++ {
		fpc, pic, port := i/40, (i/10)%4, i%10
		name := fmt.Sprintf("ge-%d/%d/%d", fpc, pic, port)
		fmt.Fprintf(&b, "set interfaces %s description \"port %d\"\n", name, i)
		fmt.Fprintf(&b, "set interfaces %s unit 0 family inet address 10.%d.%d.1/24\n", name, i/256, i%256)
		fmt.Fprintf(&b, "set interfaces %s mtu 9000\n", name)
	}
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "set routing-options static route 172.%d.%d.0/24 next-hop 10.0.%d.2\n", 16+i/256, i%256, i%200)
		fmt.Fprintf(&b, "set routing-options static route 172.%d.%d.0/24 preference %d\n", 16+i/256, i%256, 5+i%100)
		fmt.Fprintf(&b, "set routing-options static route 172.%d.%d.0/24 tag %d\n", 16+i/256, i%256, i)
	}
	for i := 0; i < 200; i++ {
		r := fmt.Sprintf("set services ipsec-vpn rule r%d term t1 ", i)
		fmt.Fprintf(&b, "%sfrom source-address 172.16.%d.0/24\n", r, i)
		fmt.Fprintf(&b, "%sfrom destination-address 192.168.%d.0/24\n", r, i)
		fmt.Fprintf(&b, "%sthen remote-gateway 10.0.%d.2\n", r, i%200)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional protocol esp\n", r)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional spi %d\n", r, 256+i)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional authentication algorithm hmac-sha1-96\n", r)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional authentication key ascii-text sha1-key-%011d\n", r, i)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional encryption algorithm aes-128-cbc\n", r)
		fmt.Fprintf(&b, "%sthen manual direction bidirectional encryption key ascii-text aes-key-%08d\n", r, i)
		fmt.Fprintf(&b, "%sthen anti-replay-window-size 128\n", r)
		fmt.Fprintf(&b, "set services ipsec-vpn rule r%d match-direction input\n", i)
		fmt.Fprintf(&b, "set services service-set ss%d next-hop-service inside-service-interface ms-1/2/0.%d\n", i, 2*i+1)
		fmt.Fprintf(&b, "set services service-set ss%d next-hop-service outside-service-interface ms-1/2/0.%d\n", i, 2*i+2)
		fmt.Fprintf(&b, "set services service-set ss%d ipsec-vpn-options local-gateway 10.%d.%d.1\n", i, i/256, i%256)
		fmt.Fprintf(&b, "set services service-set ss%d ipsec-vpn-rules r%d\n", i, i)
	}
	return b.String()
}
