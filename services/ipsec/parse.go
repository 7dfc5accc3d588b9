package ipsec

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"mxlab/config"
	"mxlab/config/secret"
	"mxlab/services/ipsec/esp"
)

// Parse reads the IPsec service sets of a configuration. Errors name the
// statement at fault, the Junos way; a configuration with errors must not
// be committed.
func Parse(root *config.Node) (*Plan, []*config.CommitError) {
	p := &Plan{UnitAddrs: map[string][]netip.Prefix{}}
	vpn := root.Get("services", "ipsec-vpn")
	_, p.NoTunnelHop = vpn.Leaf("no-ipsec-tunnel-in-traceroute")
	_, p.ClearOnRestart = vpn.Leaf("clear-ipsec-sas-on-pic-restart")
	p.Establish = "on-traffic"
	if v, ok := vpn.Leaf("establish-tunnels"); ok {
		p.Establish = v
	}
	p.Trace = parseTrace(vpn.Get("traceoptions"))
	applied := appliedSets(root)
	rules := map[string]*config.Node{}
	for _, r := range vpn.Entries("rule") {
		rules[r.Key()] = r
	}
	profiles, errs := parseProfiles(root)
	p.Profiles = profiles
	p.DialUnits = parseDialUnits(root)
	for _, ssn := range root.Get("services").Entries("service-set") {
		ss, e := parseSet(rules, ssn, applied, profiles)
		errs = append(errs, e...)
		if ss != nil {
			p.Sets = append(p.Sets, ss)
		}
	}
	errs = append(errs, addDynamic(root, p)...)
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		if !IsServiceInterface(ifd.Key()) {
			continue
		}
		for _, u := range ifd.Entries("unit") {
			var addrs []netip.Prefix
			for _, a := range u.Get("family", "inet").Entries("address") {
				if pf, err := netip.ParsePrefix(a.Key()); err == nil && pf.Addr().Is4() {
					addrs = append(addrs, pf)
				}
			}
			p.UnitAddrs[ifd.Key()+"."+u.Key()] = addrs
		}
	}
	lo := loopback(root)
	for _, ss := range p.Sets {
		ss.HopSource = ss.LocalGateway
		if ss.Style != NextHop {
			continue
		}
		if a := p.UnitAddrs[ss.Inside]; len(a) > 0 {
			ss.HopSource = a[0].Addr()
		} else if lo.IsValid() {
			ss.HopSource = lo
		}
	}
	return p, errs
}

// loopback returns the lowest IPv4 address of lo0.0 that is not 127/8,
// the router's default address; invalid when there is none.
func loopback(root *config.Node) netip.Addr {
	var best netip.Addr
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		if ifd.Key() != "lo0" {
			continue
		}
		for _, u := range ifd.Entries("unit") {
			if u.Key() != "0" {
				continue
			}
			for _, a := range u.Get("family", "inet").Entries("address") {
				pf, err := netip.ParsePrefix(a.Key())
				if err != nil || !pf.Addr().Is4() || pf.Addr().IsLoopback() {
					continue
				}
				if !best.IsValid() || pf.Addr().Less(best) {
					best = pf.Addr()
				}
			}
		}
	}
	return best
}

// IsServiceInterface reports whether a physical interface is a services
// interface (ms- or sp-).
func IsServiceInterface(name string) bool {
	return strings.HasPrefix(name, "ms-") || strings.HasPrefix(name, "sp-")
}

func parseTrace(n *config.Node) Trace {
	t := Trace{File: "kmd", Level: "error"}
	if n == nil {
		return t
	}
	t.Enabled = true
	if v, ok := n.Leaf("file", "filename"); ok && v != "" {
		t.File = v
	}
	if v, ok := n.Leaf("level"); ok {
		t.Level = v
	}
	for _, f := range n.Entries("flag") {
		t.Flags = append(t.Flags, f.Key())
	}
	return t
}

// appliedSets maps a service set to the logical interfaces that apply it:
// "input" and "output" lists.
func appliedSets(root *config.Node) map[string][2][]string {
	out := map[string][2][]string{}
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		for _, u := range ifd.Entries("unit") {
			svc := u.Get("family", "inet", "service")
			ifl := ifd.Key() + "." + u.Key()
			for i, dir := range []string{"input", "output"} {
				for _, s := range svc.Get(dir).Entries("service-set") {
					v := out[s.Key()]
					v[i] = append(v[i], ifl)
					out[s.Key()] = v
				}
			}
		}
	}
	return out
}

func parseSet(ruleNodes map[string]*config.Node, n *config.Node, applied map[string][2][]string, profiles map[string]*AccessProfile) (*ServiceSet, []*config.CommitError) {
	rules := n.Entries("ipsec-vpn-rules")
	opts := n.Get("ipsec-vpn-options")
	prof, _ := opts.Leaf("ike-access-profile")
	if (len(rules) == 0 && prof == "") || opts == nil {
		return nil, nil
	}
	ss := &ServiceSet{Name: n.Key(), Profile: profiles[prof]}
	if nh := n.Get("next-hop-service"); nh != nil {
		ss.Inside, _ = nh.Leaf("inside-service-interface")
		ss.Outside, _ = nh.Leaf("outside-service-interface")
	} else if is := n.Get("interface-service"); is != nil {
		ss.Style = Interface
		v, _ := is.Leaf("service-interface")
		if !strings.Contains(v, ".") {
			v += ".0"
		}
		ss.ServiceInterface = v
		ss.Input, ss.Output = applied[ss.Name][0], applied[ss.Name][1]
	} else {
		return nil, nil
	}
	if v, ok := opts.Leaf("local-gateway", "address"); ok {
		ss.LocalGateway, _ = netip.ParseAddr(v)
	}
	if ri, ok := opts.Leaf("local-gateway", "routing-instance"); ok && ri != "default" {
		ss.GatewayInstance = ri
	}
	ss.GWInterface, _ = opts.Leaf("local-gateway", "gw-interface")
	if ss.GWInterface != "" && !strings.Contains(ss.GWInterface, ".") {
		ss.GWInterface += ".0"
	}
	base := parseOptions(opts, Options{})
	var errs []*config.CommitError
	if !ss.LocalGateway.Is4() {
		errs = append(errs, errAt(opts.Get("local-gateway"), "local-gateway must be an IPv4 address"))
	}
	for _, r := range rules {
		rn := ruleNodes[r.Key()]
		if rn == nil {
			continue
		}
		dir, _ := rn.Leaf("match-direction")
		for _, tn := range rn.Entries("term") {
			t, e := parseTerm(tn, base)
			errs = append(errs, e...)
			t.Rule, t.MatchDirection = rn.Key(), dir
			t.Index = len(ss.Terms) + 1
			ss.Terms = append(ss.Terms, t)
		}
	}
	return ss, errs
}

// parseOptions reads the tunnel options of n over base.
func parseOptions(n *config.Node, base Options) Options {
	o := base
	if n == nil {
		return o
	}
	if v, ok := n.Leaf("anti-replay-window-size"); ok {
		o.ReplayWindow, _ = strconv.Atoi(v)
		o.NoAntiReplay = false
	}
	if _, ok := n.Leaf("no-anti-replay"); ok {
		o.NoAntiReplay, o.ReplayWindow = true, 0
	}
	if v, ok := n.Leaf("tunnel-mtu"); ok {
		o.TunnelMTU, _ = strconv.Atoi(v)
	}
	for mode, kw := range map[esp.DFMode]string{esp.DFClear: "clear-dont-fragment-bit", esp.DFCopy: "copy-dont-fragment-bit", esp.DFSet: "set-dont-fragment-bit"} {
		if _, ok := n.Leaf(kw); ok {
			o.DF = mode
		}
	}
	if _, ok := n.Leaf("passive-mode-tunneling"); ok {
		o.Passive = true
	}
	if u := n.Get("udp-encapsulate"); u != nil {
		o.UDPEncap, o.UDPPort = true, esp.DefaultUDPEncapPort
		if v, ok := u.Leaf("dest-port"); ok {
			p, _ := strconv.Atoi(v)
			o.UDPPort = uint16(p)
		}
	}
	return o
}

func parseTerm(n *config.Node, base Options) (*Term, []*config.CommitError) {
	t := &Term{Name: n.Key()}
	from := n.Get("from")
	for _, a := range from.Entries("source-address") {
		t.Source, _ = netip.ParsePrefix(a.Key())
	}
	for _, a := range from.Entries("destination-address") {
		t.Destination, _ = netip.ParsePrefix(a.Key())
	}
	t.InsideInterface, _ = from.Leaf("ipsec-inside-interface")
	then := n.Get("then")
	if v, ok := then.Leaf("remote-gateway"); ok {
		t.RemoteGateway, _ = netip.ParseAddr(v)
	}
	t.Options = parseOptions(then, base)
	if then.Get("dynamic") != nil {
		t.Dynamic = &Dynamic{}
	}
	var errs []*config.CommitError
	for _, d := range then.Get("manual").Entries("direction") {
		m, err := parseManual(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.Manual = append(t.Manual, m)
	}
	if len(t.Manual) > 0 && !t.RemoteGateway.Is4() {
		errs = append(errs, errAt(then, "remote-gateway must be configured with a manual security association"))
	}
	return t, errs
}

func parseManual(d *config.Node) (Manual, *config.CommitError) {
	m := Manual{Direction: d.Key(), Protocol: "esp"}
	if v, ok := d.Leaf("protocol"); ok {
		m.Protocol = v
	}
	if m.Protocol != "esp" {
		return m, errAt(d.Get("protocol"), fmt.Sprintf("protocol %s is not supported on MS-MIC and MS-MPC", m.Protocol))
	}
	v, ok := d.Leaf("spi")
	if !ok {
		return m, errAt(d, "spi must be configured")
	}
	spi, _ := strconv.ParseUint(v, 10, 32)
	m.SPI = uint32(spi)
	var err *config.CommitError
	if a := d.Get("authentication"); a != nil {
		if m.Auth, m.AuthKey, err = algorithmKey(a, esp.ParseAuthentication); err != nil {
			return m, err
		}
	}
	if e := d.Get("encryption"); e != nil {
		if m.Encryption, m.EncKey, err = algorithmKey(e, esp.ParseEncryption); err != nil {
			return m, err
		}
	}
	if _, cerr := esp.NewSA(esp.Config{SPI: m.SPI, Encryption: m.Encryption, EncryptionKey: m.EncKey,
		Authentication: m.Auth, AuthenticationKey: m.AuthKey,
		Local: netip.IPv4Unspecified(), Remote: netip.IPv4Unspecified()}); cerr != nil {
		return m, errAt(d, cerr.Error())
	}
	return m, nil
}

type keyed interface{ KeyLen() int }

// algorithmKey reads "algorithm A; key ascii-text|hexadecimal K;".
func algorithmKey[A keyed](n *config.Node, parse func(string) (A, error)) (A, []byte, *config.CommitError) {
	var alg A
	name, ok := n.Leaf("algorithm")
	if !ok {
		return alg, nil, errAt(n, "algorithm must be configured")
	}
	alg, err := parse(name)
	if err != nil {
		return alg, nil, errAt(n.Get("algorithm"), err.Error())
	}
	for _, format := range []string{"ascii-text", "hexadecimal"} {
		v, ok := n.Leaf("key", format)
		if !ok {
			continue
		}
		if secret.IsEncoded(v) {
			if v, err = secret.Decode(v); err != nil {
				return alg, nil, errAt(n.Get("key"), "cannot decode key: "+err.Error())
			}
		}
		k, err := esp.ParseKey(format, v)
		if err != nil {
			return alg, nil, errAt(n.Get("key"), err.Error())
		}
		if len(k) != alg.KeyLen() {
			return alg, nil, errAt(n.Get("key"), fmt.Sprintf("key length %d bytes is invalid for %s (must be %d bytes)", len(k), name, alg.KeyLen()))
		}
		return alg, k, nil
	}
	if alg.KeyLen() > 0 {
		return alg, nil, errAt(n, "key must be configured")
	}
	return alg, nil, nil
}

// errAt is a commit error about statement n.
func errAt(n *config.Node, msg string) *config.CommitError {
	if n == nil {
		return &config.CommitError{Path: []string{"services"}, Msg: msg}
	}
	return config.ErrorAt(n, msg)
}
