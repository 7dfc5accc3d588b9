package ikev2

import (
	"bytes"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ipsec"
)

// Options tune the protocol's timers and limits; tests shorten them.
type Options struct {
	// RetransmitTimeout is the first retransmission timeout of a
	// request; with Backoff each retransmission doubles it.
	RetransmitTimeout time.Duration
	Backoff           bool
	// Retransmits is the number of retransmissions before the peer is
	// declared unreachable.
	Retransmits int
	// HalfOpenTimeout bounds the life of a responder SA that never
	// authenticates.
	HalfOpenTimeout time.Duration
	// CookieThreshold is the number of half-open SAs from which
	// IKE_SA_INIT requests must carry a cookie; HalfOpenLimit the number
	// beyond which new SAs are refused.
	CookieThreshold, HalfOpenLimit int
	// MaxDynamicPeers bounds the IKE SAs with dynamic peers (tunnels
	// with remote-gateway 0.0.0.0 or an access profile) this side
	// answers, half-open or established.
	MaxDynamicPeers int
	// RetryInterval is the wait before a tunnel with establish-tunnels
	// immediately is negotiated again after a failure.
	RetryInterval time.Duration
	// KeepaliveInterval is the NAT keepalive interval when this side is
	// behind a NAT.
	KeepaliveInterval time.Duration
	// Soft is the share of a lifetime after which an SA is rekeyed
	// (jitter brings it up to 10 % earlier).
	Soft float64
	// Time scales every lifetime (1 normally); tests shrink it.
	Time float64
	// PKI authenticates with certificates (authentication-method
	// rsa-signatures or ecdsa-signatures-*); nil refuses them.
	PKI Certificates
}

// DefaultOptions are the options New uses.
func DefaultOptions() Options {
	return Options{RetransmitTimeout: 2 * time.Second, Backoff: true, Retransmits: 5,
		HalfOpenTimeout: 30 * time.Second, CookieThreshold: 200, HalfOpenLimit: 5000, MaxDynamicPeers: 8192,
		RetryInterval: 10 * time.Second, KeepaliveInterval: 20 * time.Second, Soft: 0.9, Time: 1}
}

// Protocol is IKEv2 for one MS PIC's key-management engine.
type Protocol struct {
	h       ike.Host
	opts    Options
	tunnels []*ike.Tunnel
	sas     map[[8]byte]*ikeSA // by this side's SPI
	// halfOpen are the responder SAs waiting for IKE_AUTH, by peer and
	// SPIi (to answer retransmitted IKE_SA_INIT requests).
	halfOpen  map[halfKey]*ikeSA
	cookieKey []byte
	drops     ike.Drops
	retry     map[string]ike.Timer  // tunnel key -> pending retry
	gateway   map[string]netip.Addr // tunnel key -> gateway in use (backup failover)
	failed    map[string]time.Time  // tunnel key -> last failure (hold-down of on-traffic retries)
}

type halfKey struct {
	peer netip.Addr
	spii [8]byte
}

// New returns IKEv2 with the default options.
func New(h ike.Host) ike.Protocol { return NewWith(h, DefaultOptions()) }

// NewWith returns IKEv2 with the given options.
func NewWith(h ike.Host, o Options) *Protocol {
	return &Protocol{h: h, opts: o, sas: map[[8]byte]*ikeSA{}, halfOpen: map[halfKey]*ikeSA{},
		cookieKey: randomBytes(32), retry: map[string]ike.Timer{}, gateway: map[string]netip.Addr{},
		failed: map[string]time.Time{}}
}

// key names a tunnel across commits.
func key(t *ike.Tunnel) string { return t.Set.Name + "\x00" + t.Term.Rule + "\x00" + t.Term.Name }

// sameTunnel reports whether a tunnel still negotiates what it did.
func sameTunnel(a, b *ike.Tunnel) bool {
	return a.Local == b.Local && a.Remote == b.Remote && a.Backup == b.Backup && a.NATT == b.NATT &&
		a.LocalTS == b.LocalTS && a.RemoteTS == b.RemoteTS &&
		reflect.DeepEqual(a.IKE, b.IKE) && reflect.DeepEqual(a.IPsec, b.IPsec)
}

// lifetime scales a configured lifetime for tests.
func (p *Protocol) lifetime(d time.Duration) time.Duration {
	return time.Duration(float64(d) * p.opts.Time)
}

// Configure implements ike.Protocol.
func (p *Protocol) Configure(tunnels []*ike.Tunnel) {
	byKey := map[string]*ike.Tunnel{}
	for _, t := range tunnels {
		byKey[key(t)] = t
	}
	p.tunnels = tunnels
	for _, sa := range p.sortedSAs() {
		var gone []*child
		for _, c := range sa.children {
			nt := byKey[key(c.tunnel)]
			if nt == nil || !sameTunnel(nt, c.tunnel) {
				gone = append(gone, c)
				continue
			}
			c.tunnel = nt
		}
		if len(gone) > 0 {
			sa.logf("configuration changed: deleting %d child SAs", len(gone))
			sa.deleteChildren(gone, true)
		}
		sa.pending = slices.DeleteFunc(sa.pending, func(t *ike.Tunnel) bool { return byKey[key(t)] == nil })
		for i, t := range sa.pending {
			sa.pending[i] = byKey[key(t)]
		}
		nt := byKey[key(sa.tunnel)]
		if nt != nil && sameTunnel(nt, sa.tunnel) {
			sa.tunnel, sa.policy = nt, nt.IKE
			continue
		}
		if t := p.tunnelFor(sa); t != nil {
			sa.tunnel, sa.policy = t, t.IKE
			continue
		}
		sa.logf("configuration changed: deleting the IKE SA")
		sa.delete(true)
	}
	for k, t := range p.retry {
		if byKey[k] == nil {
			t.Stop()
			delete(p.retry, k)
		}
	}
	for k := range p.gateway {
		if byKey[k] == nil {
			delete(p.gateway, k)
		}
	}
}

// tunnelFor finds a tunnel an SA can go on serving: same gateways and
// same IKE policy.
func (p *Protocol) tunnelFor(sa *ikeSA) *ike.Tunnel {
	if ts := p.peerTunnels(sa.local.Addr(), sa.remote.Addr(), sa.policy); len(ts) > 0 {
		return ts[0]
	}
	return nil
}

// peerTunnels returns the tunnels of a local gateway that serve a peer
// (with IKE policy pol, any when nil): those that name it as their
// remote or backup gateway, then those of dynamic peers (remote-gateway
// 0.0.0.0, access profiles).
func (p *Protocol) peerTunnels(local, remote netip.Addr, pol *ipsec.IKEPolicy) []*ike.Tunnel {
	var named, dyn []*ike.Tunnel
	for _, t := range p.tunnels {
		if t.Local != local || (pol != nil && !reflect.DeepEqual(t.IKE, pol)) {
			continue
		}
		switch {
		case t.Remote == remote || t.Backup == remote:
			named = append(named, t)
		case !t.Remote.IsValid() || t.Remote.IsUnspecified():
			dyn = append(dyn, t)
		}
	}
	return append(named, dyn...)
}

// sortedSAs returns the SAs in a stable order (by creation).
func (p *Protocol) sortedSAs() []*ikeSA {
	out := make([]*ikeSA, 0, len(p.sas))
	for _, sa := range p.sas {
		out = append(out, sa)
	}
	slices.SortFunc(out, func(a, b *ikeSA) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return bytes.Compare(a.spii[:], b.spii[:])
	})
	return out
}

// Receive implements ike.Protocol.
func (p *Protocol) Receive(local, remote netip.AddrPort, msg []byte) {
	h, err := ParseHeader(msg)
	if err != nil {
		p.drops.Malformed++
		return
	}
	if h.Exchange == ExchangeSAInit {
		if h.Response() {
			p.initResponse(local, remote, msg, h)
		} else {
			p.initRequest(local, remote, msg, h)
		}
		return
	}
	spi := h.SPIi
	if h.FromInitiator() {
		spi = h.SPIr
	}
	sa := p.sas[spi]
	if sa == nil || sa.keys == nil || sa.initiator == h.FromInitiator() || sa.spii != h.SPIi || sa.spir != h.SPIr {
		p.drops.UnknownSPI++
		return
	}
	sa.receive(local, remote, msg, h)
}

// receive handles an encrypted message of the SA.
func (sa *ikeSA) receive(local, remote netip.AddrPort, raw []byte, h Header) {
	p := sa.p
	if h.Response() {
		if sa.out == nil || h.MsgID != sa.out.id {
			p.drops.Replayed++
			return
		}
	} else {
		switch {
		case h.MsgID+1 == sa.peerID && sa.lastResp != nil:
			if bytes.Equal(raw, sa.lastReq) {
				sa.stats.InPackets++
				sa.stats.InBytes += uint64(len(raw))
				sa.send(sa.lastResp)
			} else {
				p.drops.Replayed++
			}
			return
		case h.MsgID != sa.peerID:
			p.drops.Replayed++
			return
		}
	}
	m, err := Decode(raw)
	if err != nil {
		p.drops.Malformed++
		return
	}
	sk, ok := m.Payloads[0].(*Encrypted)
	if len(m.Payloads) != 1 || !ok {
		p.drops.Malformed++
		return
	}
	m.Payloads, err = sa.cipherIn().open(raw, sk)
	if err != nil {
		if err == ErrIntegrity {
			p.drops.BadAuth++
		} else {
			p.drops.Malformed++
		}
		return
	}
	sa.stats.InPackets++
	sa.stats.InBytes += uint64(len(raw))
	sa.lastRecv = p.h.Now()
	sa.float(local, remote)
	if t := m.Critical(); t != NoNext {
		p.drops.Critical++
		sa.logf("unsupported critical payload %v in %s", t, exchangeName(h.Exchange))
		if !h.Response() {
			sa.respond(m, raw, []Payload{&Notify{Kind: NotifyUnsupportedCritical, Data: []byte{byte(t)}}})
		}
		return
	}
	if h.Response() {
		r := sa.out
		r.timer.Stop()
		sa.out = nil
		if r.onReply != nil {
			r.onReply(m)
		}
		sa.next()
		return
	}
	sa.handleRequest(m, raw)
}

// float follows the peer to the ports an authenticated message came
// from (NAT traversal, RFC 7296 §2.23).
func (sa *ikeSA) float(local, remote netip.AddrPort) {
	if local == sa.local && remote == sa.remote {
		return
	}
	if local.Port() == natPort && sa.local.Port() != natPort {
		sa.nat = true
	}
	sa.local, sa.remote = local, remote
}

// handleRequest dispatches a decrypted request from the peer.
func (sa *ikeSA) handleRequest(m *Message, raw []byte) {
	switch {
	case m.Exchange == ExchangeAuth && sa.state == stateHalfOpen:
		sa.authRequest(m, raw)
	case m.Exchange == ExchangeCreateChildSA && sa.state == stateEstablished:
		sa.createChildRequest(m, raw)
	case m.Exchange == ExchangeInformational && sa.state >= stateEstablished:
		sa.informationalRequest(m, raw)
	default:
		sa.p.drops.Unexpected++
		sa.logf("unexpected %s request in state %v", exchangeName(m.Exchange), sa.state)
	}
}

func exchangeName(x uint8) string {
	switch x {
	case ExchangeSAInit:
		return "IKE_SA_INIT"
	case ExchangeAuth:
		return "IKE_AUTH"
	case ExchangeCreateChildSA:
		return "CREATE_CHILD_SA"
	case ExchangeInformational:
		return "INFORMATIONAL"
	}
	return fmt.Sprintf("exchange %d", x)
}

// Initiate implements ike.Protocol.
func (p *Protocol) Initiate(t *ike.Tunnel) {
	k := key(t)
	if r := p.retry[k]; r != nil {
		r.Stop()
		delete(p.retry, k)
	}
	gw := p.gatewayOf(t)
	var ready, opening *ikeSA
	for _, sa := range p.sortedSAs() {
		if sa.hasTunnel(t) {
			return // a child exists or is being negotiated
		}
		if sa.local.Addr() != t.Local || sa.remote.Addr() != gw || !reflect.DeepEqual(sa.policy, t.IKE) || sa.rekeyedTo != nil {
			continue
		}
		switch sa.state {
		case stateEstablished:
			ready = sa
		case stateInitSent, stateAuthSent:
			if sa.initiator {
				opening = sa
			}
		}
	}
	switch {
	case ready != nil:
		ready.pending = append(ready.pending, t)
		ready.createChild(t, nil)
	case opening != nil:
		opening.pending = append(opening.pending, t)
	default:
		p.startInit(t, gw)
	}
}

// gatewayOf returns the gateway a tunnel negotiates with: the remote
// gateway, or the backup after DPD declared the other dead.
func (p *Protocol) gatewayOf(t *ike.Tunnel) netip.Addr {
	if g, ok := p.gateway[key(t)]; ok && (g == t.Remote || g == t.Backup) {
		return g
	}
	return t.Remote
}

// failover switches a tunnel to its other gateway, if it has a backup.
func (p *Protocol) failover(t *ike.Tunnel) {
	if !t.Backup.IsValid() {
		return
	}
	cur, next := p.gatewayOf(t), t.Backup
	if cur == t.Backup {
		next = t.Remote
	}
	p.gateway[key(t)] = next
	p.h.Logf("IKEv2 %s: gateway %s unreachable, switching to gateway %s", t.Name(), cur, next)
}

// hasTunnel reports whether the SA has a child for t or is negotiating
// one.
func (sa *ikeSA) hasTunnel(t *ike.Tunnel) bool {
	if sa.state == stateDeleting {
		return false
	}
	k := key(t)
	for _, c := range sa.children {
		if key(c.tunnel) == k && !c.deleted {
			return true
		}
	}
	for _, x := range sa.pending {
		if key(x) == k {
			return true
		}
	}
	return false
}

// scheduleRetry negotiates a tunnel with establish-tunnels immediately
// again after RetryInterval.
func (p *Protocol) scheduleRetry(t *ike.Tunnel) {
	k := key(t)
	p.failed[k] = p.h.Now()
	if t.Establish != "immediately" || p.retry[k] != nil {
		return
	}
	p.retry[k] = p.h.AfterFunc(jitter(p.opts.RetryInterval), func() {
		delete(p.retry, k)
		for _, x := range p.tunnels {
			if key(x) == k {
				p.Initiate(x)
			}
		}
	})
}

// DeleteIKE implements ike.Protocol.
func (p *Protocol) DeleteIKE(peer netip.Addr, notify bool) {
	for _, sa := range p.sortedSAs() {
		if !peer.IsValid() || sa.remote.Addr() == peer {
			sa.delete(notify)
		}
	}
}

// DeleteChildren implements ike.Protocol.
func (p *Protocol) DeleteChildren(match func(*ike.Tunnel) bool, notify bool) {
	for _, sa := range p.sortedSAs() {
		var gone []*child
		for _, c := range sa.children {
			if match(c.tunnel) {
				gone = append(gone, c)
			}
		}
		if len(gone) > 0 {
			sa.deleteChildren(gone, notify)
		}
	}
}

// Status implements ike.Protocol.
func (p *Protocol) Status() ([]ike.SAStatus, ike.Drops) {
	var out []ike.SAStatus
	for _, sa := range p.sortedSAs() {
		if sa.rekeyedTo != nil {
			continue
		}
		st := ike.SAStatus{Version: 2, Exchange: "IKEv2", Role: "Responder", Matured: sa.state == stateEstablished,
			Local: sa.local, Remote: sa.remote, SPIi: sa.spii, SPIr: sa.spir, Tunnel: sa.tunnel,
			AuthMethod: authMethodName(sa.proposal), Encryption: sa.alg.Encryption, Hash: sa.alg.PRF,
			Integrity: sa.alg.Integrity, Group: sa.alg.Group, Created: sa.created, NAT: sa.nat, Stats: sa.stats}
		if sa.initiator {
			st.Role = "Initiator"
		}
		if sa.proposal != nil && !sa.established.IsZero() {
			st.Expires = sa.established.Add(p.lifetime(sa.proposal.Lifetime))
		}
		for _, c := range sa.children {
			if !c.deleted {
				st.Children++
			}
		}
		out = append(out, st)
	}
	return out, p.drops
}
