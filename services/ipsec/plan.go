package ipsec

import (
	"net/netip"

	"mxlab/services/ipsec/esp"
)

// Style is the kind of a service set.
type Style int

// Service-set styles (spec S1, S2).
const (
	NextHop Style = iota
	Interface
)

func (s Style) String() string {
	if s == Interface {
		return "interface"
	}
	return "next-hop"
}

// Plan is the IPsec part of a configuration.
type Plan struct {
	Sets []*ServiceSet
	// NoTunnelHop is no-ipsec-tunnel-in-traceroute (I8).
	NoTunnelHop bool
	// ClearOnRestart is clear-ipsec-sas-on-pic-restart (I6).
	ClearOnRestart bool
	// Establish is establish-tunnels (immediately, on-traffic, responder-only).
	Establish string
	// ClearIKEOnRestart is clear-ike-sas-on-pic-restart (I6).
	ClearIKEOnRestart bool
	// NoNATT is disable-natt (I7): IKE stays on UDP 500, ESP is plain.
	NoNATT bool
	Trace  Trace
	// UnitAddrs are the IPv4 addresses configured on service-interface
	// units ("ms-4/0/0.1"), for the units that have a device.
	UnitAddrs map[string][]netip.Prefix
	// Profiles are the access profiles with an ike client, by name;
	// DialUnits the services units with dial-options.
	Profiles  map[string]*AccessProfile
	DialUnits []DialUnit
}

// Trace is [edit services ipsec-vpn traceoptions] (I9).
type Trace struct {
	Enabled bool
	File    string // "kmd" by default
	Level   string // error by default
	Flags   []string
}

// ServiceSet is one IPsec service set.
type ServiceSet struct {
	Name  string
	Style Style
	// Inside and Outside are the next-hop units ("ms-4/0/0.1").
	Inside, Outside string
	// ServiceInterface is the interface-style service interface, as a
	// unit ("ms-4/0/0.0").
	ServiceInterface string
	// Input and Output list the logical interfaces that apply an
	// interface-style set ("family inet service input|output").
	Input, Output []string
	LocalGateway  netip.Addr
	// HopSource is the source of the time-exceeded the PIC sends when a
	// packet's TTL ends in the tunnel hop: for a next-hop set, the inside
	// unit's address or, when it is unnumbered, the router's lo0 address,
	// as the router sources what it sends out of that unit; else (and
	// without either) the local gateway.
	HopSource   netip.Addr
	GWInterface string // gw-interface (O3), "" when not configured
	// GatewayInstance is the routing instance of the local gateway
	// (local-gateway A routing-instance R, O1/O2); "" for the master
	// instance. IKE and ESP of the set use that instance's table.
	GatewayInstance string
	// Profile is the ike-access-profile (O4, A1): dynamic peers are
	// accepted through it (nil when not configured).
	Profile *AccessProfile
	Options Options
	Terms   []*Term // the terms of every rule, in rule then term order
}

// PIC returns the service interface (physical, "ms-4/0/0") the set runs on.
func (s *ServiceSet) PIC() string {
	u := s.Inside
	if s.Style == Interface {
		u = s.ServiceInterface
	}
	return physical(u)
}

// Device returns the unit whose device carries the set's cleartext
// traffic: the inside unit, or unit 0 of the service interface.
func (s *ServiceSet) Device() string {
	if s.Style == Interface {
		return s.ServiceInterface
	}
	return s.Inside
}

// Options are the tunnel options of ipsec-vpn-options (O7–O13) or of a
// term (term values win where set).
type Options struct {
	ReplayWindow int // 0: not configured
	NoAntiReplay bool
	TunnelMTU    int // 0: not configured
	DF           esp.DFMode
	Passive      bool
	UDPEncap     bool
	UDPPort      uint16
}

// Term is one term of an IPsec rule, with what the service set applies.
type Term struct {
	Rule, Name string
	// MatchDirection is the rule's match-direction (input or output).
	MatchDirection string
	// Source and Destination are the from addresses; an invalid prefix
	// matches any address.
	Source, Destination netip.Prefix
	InsideInterface     string
	RemoteGateway       netip.Addr
	Manual              []Manual // empty for a dynamic (IKE) term
	// Dynamic is what the term negotiates with IKE (nil for a manual
	// term).
	Dynamic *Dynamic
	Options Options // merged: term over service set
	// Index is the tunnel index (1, 2, ... in the service set).
	Index int
}

// Manual is one direction statement of a manual SA.
type Manual struct {
	Direction  string // inbound, outbound or bidirectional
	Protocol   string // esp (ah and bundle are refused on MS-MPC/MS-MIC)
	SPI        uint32
	Auth       esp.Authentication
	AuthKey    []byte
	Encryption esp.Encryption
	EncKey     []byte
}

// Outbound reports whether m applies to traffic sent into the tunnel.
func (m Manual) Outbound() bool { return m.Direction != "inbound" }

// Inbound reports whether m applies to traffic received from the tunnel.
func (m Manual) Inbound() bool { return m.Direction != "outbound" }

// Selector returns the addresses of the cleartext traffic that enters the
// tunnel (source and destination). The from addresses of a term describe
// that traffic, except in a next-hop rule that matches output, where they
// describe the traffic that leaves the tunnel.
func (t *Term) Selector(style Style) (src, dst netip.Prefix) {
	if style == NextHop && t.MatchDirection == "output" {
		return t.Destination, t.Source
	}
	return t.Source, t.Destination
}

// MatchOut reports whether a packet from src to dst enters the tunnel of t.
func (t *Term) MatchOut(style Style, src, dst netip.Addr) bool {
	s, d := t.Selector(style)
	return in(s, src) && in(d, dst)
}

// MatchIn reports whether a packet from src to dst, received from the
// tunnel of t, is traffic t protects.
func (t *Term) MatchIn(style Style, src, dst netip.Addr) bool {
	s, d := t.Selector(style)
	return in(d, src) && in(s, dst)
}

func in(p netip.Prefix, a netip.Addr) bool { return !p.IsValid() || p.Contains(a) }

// SAConfig returns the esp.Config of one direction of the manual SA m.
func (s *ServiceSet) SAConfig(t *Term, m Manual, noTunnelHop bool) esp.Config {
	o := t.Options
	c := esp.Config{
		SPI: m.SPI, Encryption: m.Encryption, EncryptionKey: m.EncKey,
		Authentication: m.Auth, AuthenticationKey: m.AuthKey,
		Local: s.LocalGateway, Remote: t.RemoteGateway,
		ReplayWindow: o.ReplayWindow, NoAntiReplay: o.NoAntiReplay,
		TunnelMTU: o.TunnelMTU, DF: o.DF, Passive: o.Passive, NoTunnelHop: noTunnelHop,
	}
	if o.UDPEncap {
		c.UDP = &esp.UDPEncap{DstPort: o.UDPPort}
	}
	return c
}

func physical(ifl string) string {
	for i := len(ifl) - 1; i >= 0; i-- {
		if ifl[i] == '.' {
			return ifl[:i]
		}
	}
	return ifl
}
