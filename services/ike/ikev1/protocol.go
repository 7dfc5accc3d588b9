package ikev1

import (
	"net/netip"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// proto runs a Machine as a protocol of the key-management engine: it
// turns the engine's tunnels into the machine's configuration, its
// children into engine children, and keeps one engine timer at the
// machine's next deadline.
type proto struct {
	h        ike.Host
	m        *Machine
	tuns     map[string]*ike.Tunnel
	children map[uint32]*ike.Child // installed, by inbound SPI
	timer    ike.Timer
	timerAt  time.Time
}

var _ ike.Protocol = (*proto)(nil)

// New returns IKEv1 as a protocol of the engine whose Host is h, without
// certificates.
func New(h ike.Host) ike.Protocol { return NewWith(h, nil) }

// NewWith returns IKEv1 as a protocol of the engine whose Host is h,
// authenticating with the certificates of pki when a proposal uses
// signatures.
func NewWith(h ike.Host, pki Certificates) ike.Protocol {
	p := &proto{h: h, tuns: map[string]*ike.Tunnel{}, children: map[uint32]*ike.Child{}}
	p.m = NewMachine(Options{Host: p, PKI: pki, Log: func(level, msg string) { h.Logf("%s", msg) }})
	return p
}

// Configure implements ike.Protocol.
func (p *proto) Configure(tunnels []*ike.Tunnel) {
	var cfg Config
	p.tuns = map[string]*ike.Tunnel{}
	for _, t := range tunnels {
		c, why := tunnelConfig(t)
		if why != "" {
			p.h.Logf("%s: not negotiated with IKEv1: %s", t.Name(), why)
			continue
		}
		p.tuns[c.Name] = t
		cfg.Tunnels = append(cfg.Tunnels, c)
	}
	p.m.Configure(p.h.Now(), cfg)
	p.schedule()
}

// Receive implements ike.Protocol.
func (p *proto) Receive(local, remote netip.AddrPort, msg []byte) {
	if !p.m.Receive(p.h.Now(), local, remote, msg) {
		// Nothing to reschedule: Next walks every SA, too much work for
		// each message of a flood the half-open bound refuses.
		return
	}
	p.schedule()
}

// Initiate implements ike.Protocol.
func (p *proto) Initiate(t *ike.Tunnel) {
	p.m.Initiate(p.h.Now(), t.Name())
	p.schedule()
}

// DeleteIKE implements ike.Protocol.
func (p *proto) DeleteIKE(peer netip.Addr, notify bool) {
	p.m.DeleteIKE(p.h.Now(), peer, notify)
	p.schedule()
}

// DeleteChildren implements ike.Protocol.
func (p *proto) DeleteChildren(match func(*ike.Tunnel) bool, notify bool) {
	p.m.DeleteChildren(p.h.Now(), func(name string) bool {
		t := p.tuns[name]
		return t != nil && match(t)
	}, notify)
	p.schedule()
}

// schedule keeps the engine timer at the machine's next deadline.
func (p *proto) schedule() {
	next := p.m.Next()
	if next.Equal(p.timerAt) && (p.timer != nil || next.IsZero()) {
		return
	}
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.timerAt = next
	if next.IsZero() {
		return
	}
	p.timer = p.h.AfterFunc(max(0, next.Sub(p.h.Now())), p.tick)
}

func (p *proto) tick() {
	p.timer, p.timerAt = nil, time.Time{}
	p.m.Tick(p.h.Now())
	p.schedule()
}

// Send implements Host.
func (p *proto) Send(local, remote netip.AddrPort, msg []byte) { p.h.Send(local, remote, msg) }

// Install implements Host.
func (p *proto) Install(c *ChildSA) error {
	t := p.tuns[c.Tunnel]
	enc, _ := c.Encryption.ESP()
	x := &ike.Child{Tunnel: t, InSPI: c.InSPI, OutSPI: c.OutSPI, Encryption: enc, Integrity: espAuth(t, c),
		InKeys:  ike.Keys{Encryption: c.InEncKey, Integrity: c.InAuthKey},
		OutKeys: ike.Keys{Encryption: c.OutEncKey, Integrity: c.OutAuthKey},
		Local:   netip.AddrPortFrom(c.Local, 0), Remote: netip.AddrPortFrom(c.Remote, 0),
		LocalTS: c.LocalTS, RemoteTS: c.RemoteTS, PFS: c.PFS, Created: c.Created, Lifetime: c.Lifetime}
	if c.UDP {
		x.Local, x.Remote = netip.AddrPortFrom(c.Local, c.LocalPort), netip.AddrPortFrom(c.Remote, c.RemotePort)
	}
	if err := p.h.Install(x); err != nil {
		return err
	}
	p.children[c.InSPI] = x
	return nil
}

// espAuth returns the data-path authentication algorithm of a child: the
// one of the tunnel's proposal that was negotiated (hmac-sha2-256 and
// hmac-sha-256-128 negotiate alike and show as configured).
func espAuth(t *ike.Tunnel, c *ChildSA) esp.Authentication {
	if c.Integrity == 0 {
		return esp.NoAuthentication
	}
	if t != nil && t.IPsec != nil {
		for _, pr := range t.IPsec.Proposals {
			e, _ := suite.EncryptionOf(pr.Encryption)
			i, _ := suite.IntegrityOf(pr.Authentication)
			if e == c.Encryption && i == c.Integrity {
				return pr.Authentication
			}
		}
	}
	a, _ := c.Integrity.ESP()
	return a
}

// Remove implements Host.
func (p *proto) Remove(tunnel string, inSPI uint32) {
	if x := p.children[inSPI]; x != nil {
		delete(p.children, inSPI)
		p.h.Remove(x)
	}
}

// Status implements ike.Protocol.
func (p *proto) Status() ([]ike.SAStatus, ike.Drops) {
	var out []ike.SAStatus
	for _, sa := range p.m.SAs() {
		role := "Responder"
		if sa.Initiator {
			role = "Initiator"
		}
		st := ike.SAStatus{Version: 1, Exchange: sa.Mode.String(), Role: role, Matured: sa.Established,
			Local: sa.Local, Remote: sa.Remote, SPIi: sa.ICookie, SPIr: sa.RCookie, Tunnel: p.tuns[sa.Tunnel],
			AuthMethod: authName(sa.Signatures), Encryption: sa.Encryption, Hash: sa.Hash, Group: sa.Group,
			Created: sa.Created, Expires: sa.Expires, NAT: sa.NATT, Children: sa.Children,
			Stats: ike.SAStats{InBytes: sa.Stats.InBytes, OutBytes: sa.Stats.OutBytes,
				InPackets: sa.Stats.InPackets, OutPackets: sa.Stats.OutPackets,
				ChildrenCreated: sa.Stats.ChildCreated, ChildrenDeleted: sa.Stats.ChildDeleted,
				ChildRekeys: sa.Stats.ChildRekeys, DeletesIn: sa.Stats.DeletesIn, DeletesOut: sa.Stats.DeletesSent,
				DPDRequestsIn: sa.Stats.DPDRequestsIn, DPDRequestsOut: sa.Stats.DPDRequestsOut,
				DPDResponsesIn: sa.Stats.DPDResponsesIn, DPDResponsesOut: sa.Stats.DPDResponsesOut,
				DPDMissed: sa.Stats.DPDMissed, DPDMaxDelay: sa.Stats.DPDMaxDelay,
				InvalidSPIIn: sa.Stats.InvalidSPIIn, Retransmits: sa.Stats.Retransmits}}
		if sa.Established {
			st.Integrity = sa.Hash.Integrity()
		}
		out = append(out, st)
	}
	return out, p.m.Stats().drops()
}

// drops are the counters of dropped messages as the show commands group
// them. The first messages refused at the bound of SAs with dynamic peers
// count with those refused at the half-open bound, as in IKEv2: both are
// new peers the PIC keeps no state for.
func (s Stats) drops() ike.Drops {
	return ike.Drops{
		Malformed:    s.Malformed + s.UnknownPayload,
		UnknownSPI:   s.NoSA,
		BadAuth:      s.AuthFailed + s.Unauthenticated,
		Replayed:     s.Replayed,
		Unexpected:   s.Unexpected,
		HalfOpen:     s.HalfOpenDropped + s.PeersLimited,
		NoProposal:   s.NoProposal + s.NoPolicy,
		Certificates: s.Certificates,
		ProxyRefused: s.ProxyRefused,
	}
}

// authName is the authentication method as the show commands print it.
func authName(signatures bool) string {
	if signatures {
		return "RSA-signatures"
	}
	return "Pre-shared-keys"
}

// tunnelConfig turns an engine tunnel into the machine's; why says what
// keeps it from IKEv1.
func tunnelConfig(t *ike.Tunnel) (Tunnel, string) {
	c := Tunnel{Name: t.Name(), Local: t.Local, Remote: t.Remote, Backup: t.Backup,
		LocalTS: t.LocalTS, RemoteTS: t.RemoteTS, NoNATT: !t.NATT, NATKeepalive: t.NATKeepalive,
		AutoStart:     t.Establish == "immediately",
		ResponderOnly: t.Establish == "responder-only",
		Profile:       t.Profile, Dedicated: t.Dedicated,
		DPD: DPD{Initiate: t.DPD.Enabled, Interval: t.DPD.Interval, Threshold: t.DPD.Threshold}}
	if t.IKE == nil {
		return c, "no IKE policy"
	}
	if t.IKE.Mode == "aggressive" {
		c.IKE.Mode = ExchAggressive
	}
	c.IKE.PSK = t.IKE.PSK
	c.IKE.Cert = CertAuth{LocalCertificate: t.IKE.LocalCertificate, LocalIDDN: t.IKE.LocalID.Type == "distinguished-name",
		TrustedCA: t.TrustedCA, EndCertOnly: t.EndCertOnly, Remote: t.IKE.Remote}
	for _, pr := range t.IKE.Proposals {
		sig := pr.AuthMethod == "rsa-signatures"
		switch {
		case pr.AuthMethod != "" && pr.AuthMethod != "pre-shared-keys" && !sig:
			continue // DSA and ECDSA signatures: IKEv2 only
		case sig && (c.IKE.Mode == ExchAggressive || t.IKE.LocalCertificate == ""):
			continue
		case !sig && len(t.IKE.PSK) == 0:
			continue
		}
		if _, _, ok := pr.Encryption.IKEv1ID(); !ok && pr.Encryption != 0 {
			continue
		}
		c.IKE.Proposals = append(c.IKE.Proposals, IKEProposal{Signatures: sig, Encryption: pr.Encryption, Hash: pr.Hash,
			Group: pr.Group, Lifetime: pr.Lifetime})
	}
	if len(c.IKE.Proposals) == 0 {
		return c, "no IKE proposal IKEv1 can negotiate (pre-shared-keys with a pre-shared key, or rsa-signatures in main mode with a local-certificate)"
	}
	c.IKE.LocalID, _ = identity(t.IKE.LocalID)
	if id, ok := identity(t.IKE.RemoteID); ok && !t.IKE.RemoteID.Any {
		c.IKE.RemoteIDs = []Identity{id}
	}
	ipol := t.IPsec
	if ipol == nil {
		ipol = &ipsec.IPsecPolicy{Proposals: ipsec.DefaultIPsecProposals()}
	}
	c.IPsec.PFS = ipol.PFS
	for _, pr := range ipol.Proposals {
		if pr.Protocol != "" && pr.Protocol != "esp" {
			continue
		}
		e, ok := suite.EncryptionOf(pr.Encryption)
		if !ok {
			continue
		}
		x := IPsecProposal{Encryption: e, Lifetime: pr.Lifetime}
		if !e.AEAD() {
			if x.Integrity, ok = suite.IntegrityOf(pr.Authentication); !ok {
				continue
			}
		}
		c.IPsec.Proposals = append(c.IPsec.Proposals, x)
	}
	if len(c.IPsec.Proposals) == 0 {
		return c, "no IPsec proposal that IKEv1 can negotiate"
	}
	return c, ""
}

// identity turns a local-id or remote-id into a phase-1 identity; ok is
// false for the default (the gateway address) and for forms that need
// certificates.
func identity(id ipsec.Identity) (Identity, bool) {
	switch id.Type {
	case "ipv4_addr", "ipv6-addr":
		a, err := netip.ParseAddr(id.Value)
		if err != nil {
			return Identity{}, false
		}
		return AddrIdentity(a), true
	case "fqdn":
		return FQDNIdentity(id.Value), true
	case "user-fqdn":
		return UserFQDNIdentity(id.Value), true
	case "key-id":
		return KeyIDIdentity(id.Value), true
	}
	return Identity{}, false
}
