package ipsec

import (
	"fmt"
	"net/netip"

	"mxlab/config"
)

// AccessProfile is the ike client of [edit access profile NAME] (A1):
// what a service set with ike-access-profile accepts from dynamic peers.
type AccessProfile struct {
	Name string
	// Pairs are the allowed-proxy-pair statements; none allows any pair
	// (0.0.0.0/0 both ways).
	Pairs []ProxyPair
	// IKEPolicy and IPsecPolicy name the policies ("" when not set).
	IKEPolicy, IPsecPolicy string
	// PSK is the profile's pre-shared-key (nil when not set): it
	// authenticates every dynamic peer of the service set.
	PSK []byte
	// InterfaceID is interface-id: the units whose dial-options
	// ipsec-interface-id has this value carry the dynamic tunnels.
	InterfaceID string
}

// ProxyPair is an allowed-proxy-pair: the local and remote networks of a
// phase-2 negotiation, as this side sees them.
type ProxyPair struct{ Local, Remote netip.Prefix }

func (p ProxyPair) String() string { return fmt.Sprintf("local %v remote %v", p.Local, p.Remote) }

// DialUnit is a services unit with dial-options ipsec-interface-id.
type DialUnit struct {
	Unit      string // "sp-1/2/0.1"
	ID        string
	Dedicated bool // dedicated: one dynamic tunnel at a time (shared otherwise)
}

// anyPair is the pair of a profile that allows any.
var anyPair = ProxyPair{netip.PrefixFrom(netip.IPv4Unspecified(), 0), netip.PrefixFrom(netip.IPv4Unspecified(), 0)}

// parseProfiles reads the ike clients of [edit access profile].
func parseProfiles(root *config.Node) (map[string]*AccessProfile, []*config.CommitError) {
	out := map[string]*AccessProfile{}
	var errs []*config.CommitError
	for _, pn := range root.Get("access").Entries("profile") {
		for _, cn := range pn.Entries("client") {
			in := cn.Get("ike")
			if in == nil {
				continue
			}
			ap := &AccessProfile{Name: pn.Key()}
			for _, pp := range in.Entries("allowed-proxy-pair") {
				if len(pp.Keys) != 2 {
					continue
				}
				l, r := pp.Keys[0], pp.Keys[1]
				lp, err1 := netip.ParsePrefix(l)
				rp, err2 := netip.ParsePrefix(r)
				if err1 != nil || err2 != nil || !lp.Addr().Is4() || !rp.Addr().Is4() {
					errs = append(errs, errAt(pp, "allowed-proxy-pair must name IPv4 prefixes"))
					continue
				}
				ap.Pairs = append(ap.Pairs, ProxyPair{lp.Masked(), rp.Masked()})
			}
			ap.IKEPolicy, _ = in.Leaf("ike-policy")
			ap.IPsecPolicy, _ = in.Leaf("ipsec-policy")
			ap.InterfaceID, _ = in.Leaf("interface-id")
			psk, err := parsePSK(in.Get("pre-shared-key"))
			if err != nil {
				errs = append(errs, err)
			}
			ap.PSK = psk
			out[ap.Name] = ap
		}
	}
	return out, errs
}

// parseDialUnits reads dial-options ipsec-interface-id of the services
// units.
func parseDialUnits(root *config.Node) []DialUnit {
	var out []DialUnit
	for _, ifd := range root.Get("interfaces").Entries("interface") {
		if !IsServiceInterface(ifd.Key()) {
			continue
		}
		for _, u := range ifd.Entries("unit") {
			id, ok := u.Leaf("dial-options", "ipsec-interface-id")
			if !ok {
				continue
			}
			_, ded := u.Leaf("dial-options", "dedicated")
			out = append(out, DialUnit{Unit: ifd.Key() + "." + u.Key(), ID: id, Dedicated: ded})
		}
	}
	return out
}

// isDynamicPeer reports whether a term negotiates with peers whose
// address is not known (remote-gateway 0.0.0.0, or none).
func isDynamicPeer(t *Term) bool {
	return t.Dynamic != nil && (!t.RemoteGateway.IsValid() || t.RemoteGateway.IsUnspecified())
}

// addProfile makes the dynamic-peer terms of a service set with an
// ike-access-profile: one per allowed proxy pair, with the traffic of the
// pair, on the unit the profile's interface-id names. The set's own terms
// with remote-gateway 0.0.0.0 give the policies and options the profile
// leaves out (and their names); without one the implicit proposals
// apply. The profile's pre-shared-key authenticates every dynamic peer.
func addProfile(ss *ServiceSet, pols policies, units []DialUnit, base Options, dyn func() *Dynamic) {
	ap := ss.Profile
	var tmpl *Term
	var terms []*Term
	for _, t := range ss.Terms {
		if isDynamicPeer(t) {
			if tmpl == nil {
				tmpl = t
			}
			continue
		}
		terms = append(terms, t)
	}
	if tmpl == nil {
		d := dyn()
		d.IKE = &IKEPolicy{Version: 1, Mode: "main", Proposals: DefaultIKEProposals()}
		d.IPsec = &IPsecPolicy{Proposals: DefaultIPsecProposals()}
		tmpl = &Term{Rule: ap.Name, Name: "dynamic", Dynamic: d, Options: base}
	}
	d := *tmpl.Dynamic
	if p := pols.ike[ap.IKEPolicy]; p != nil {
		d.IKE = p
	}
	if p := pols.ipsec[ap.IPsecPolicy]; p != nil {
		d.IPsec = p
	}
	if ap.PSK != nil && d.IKE != nil {
		k := *d.IKE
		k.PSK = ap.PSK
		d.IKE = &k
	}
	d.Profile = ap.Name
	inside := ss.Device()
	for _, u := range units {
		if u.ID == ap.InterfaceID && u.Unit == inside {
			d.Dedicated = u.Dedicated
		}
	}
	pairs := ap.Pairs
	if len(pairs) == 0 {
		pairs = []ProxyPair{anyPair}
	}
	for i, pp := range pairs {
		t := *tmpl
		dd := d
		dd.Pair = pp
		t.Dynamic = &dd
		if len(pairs) > 1 {
			t.Name = fmt.Sprintf("%s-%d", tmpl.Name, i+1)
		}
		t.MatchDirection = "input"
		t.Source, t.Destination = pp.Local, pp.Remote
		t.RemoteGateway = netip.IPv4Unspecified()
		t.InsideInterface = inside
		t.Manual = nil
		terms = append(terms, &t)
	}
	for i, t := range terms {
		t.Index = i + 1
	}
	ss.Terms = terms
}
