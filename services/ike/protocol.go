package ike

import (
	"crypto/rand"
	"encoding/binary"
	"net/netip"
	"time"

	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
	"mxlab/services/pki"
)

// Protocol is one version of IKE as the engine runs it (package ikev2,
// package ikev1). The engine calls every method on its own goroutine,
// one at a time, and a protocol calls its Host only from inside those
// calls or from the functions it gave Host.AfterFunc; so a protocol
// needs no locks.
type Protocol interface {
	// Configure gives the tunnels of this version, at start and after
	// every commit. The IKE and child SAs of tunnels that are gone, or
	// whose peer or policies changed, are deleted (with notification);
	// the others carry on.
	Configure(tunnels []*Tunnel)
	// Receive handles one message of this version: msg is the IKE header
	// and what follows (the non-ESP marker already removed), received on
	// local from remote. msg is the protocol's to keep. Malformed,
	// unauthenticated or unexpected messages are counted in Drops and
	// dropped, never answered with state.
	Receive(local, remote netip.AddrPort, msg []byte)
	// Initiate negotiates the IKE SA (if there is none with the peer) and
	// a child SA for t, unless t has a child SA or one is being
	// negotiated.
	Initiate(t *Tunnel)
	// DeleteIKE deletes the IKE SAs with peer (every peer when peer is
	// not valid) and, in IKEv2, their child SAs; notify sends the peer
	// delete notifications first.
	DeleteIKE(peer netip.Addr, notify bool)
	// DeleteChildren deletes the child SAs of the tunnels match accepts;
	// notify sends the peer delete notifications first.
	DeleteChildren(match func(*Tunnel) bool, notify bool)
	// Status returns the IKE SAs and the drop counters.
	Status() ([]SAStatus, Drops)
}

// Host is what the engine gives a protocol. It must be used on the
// engine's goroutine only (see Protocol).
type Host interface {
	// Send sends an IKE message from local to remote over UDP; on port
	// 4500 the engine puts the non-ESP marker in front (RFC 3948).
	Send(local, remote netip.AddrPort, msg []byte)
	// Install installs the ESP SAs of a child SA into the card's data
	// path; the new outbound SA takes the tunnel's traffic at once while
	// older inbound SAs of the tunnel keep decrypting until removed
	// (make-before-break rekey).
	Install(c *Child) error
	// Remove removes the ESP SAs of a child SA from the data path.
	Remove(c *Child)
	// AfterFunc calls f on the engine's goroutine after d, unless the
	// timer is stopped first or the engine stops.
	AfterFunc(d time.Duration, f func()) Timer
	// Logf writes a key-management event to the trace (traceoptions flag
	// ike). Keys and secrets must never be passed to it.
	Logf(format string, args ...any)
	// Now returns the current time.
	Now() time.Time
}

// Timer is a timer from Host.AfterFunc.
type Timer interface {
	// Stop prevents the call; it reports whether the timer was pending.
	Stop() bool
}

// Tunnel is one dynamic term of a service set on the PIC: the peer, the
// IKE and IPsec policies and the traffic to protect. A Tunnel is
// immutable; a commit gives the protocols new ones.
type Tunnel struct {
	Set  *ipsec.ServiceSet
	Term *ipsec.Term
	// Local is the local gateway; Remote the remote gateway (Backup the
	// backup-remote-gateway, invalid when not configured).
	Local, Remote, Backup netip.Addr
	IKE                   *ipsec.IKEPolicy
	IPsec                 *ipsec.IPsecPolicy
	DPD                   ipsec.DPD
	// NATT allows NAT traversal (not disable-natt, not the set's
	// no-nat-traversal): NAT detection, IKE on 4500, ESP in UDP.
	NATT bool
	// NATKeepalive is the interval of NAT keepalives when this side is
	// behind a NAT (nat-keepalive; 0 for the protocol's default).
	NATKeepalive time.Duration
	// Establish is establish-tunnels: immediately, on-traffic or
	// responder-only (I6).
	Establish string
	// TrustedCA are the CA profiles a peer's certificate must chain to
	// (none: any); EndCertOnly sends the local certificate without its
	// chain (no-certificate-chain-in-ike).
	TrustedCA   []string
	EndCertOnly bool
	// LocalTS and RemoteTS are the traffic selectors this side proposes:
	// the addresses of the term's cleartext leaving through the tunnel
	// (source) and arriving through it (destination); 0.0.0.0/0 where the
	// term names none.
	LocalTS, RemoteTS netip.Prefix
	// Profile is the ike-access-profile of a dynamic-peer tunnel ("" for
	// the others): a peer is accepted only with proxy identities within
	// LocalTS and RemoteTS (its allowed-proxy-pair). Dedicated: the
	// tunnel's unit carries one peer at a time.
	Profile   string
	Dedicated bool
}

// Name names the tunnel in logs: "service set S rule R term T".
func (t *Tunnel) Name() string {
	return "service set " + t.Set.Name + " rule " + t.Term.Rule + " term " + t.Term.Name
}

// Child is a negotiated child SA (an IPsec SA pair) of a tunnel.
type Child struct {
	Tunnel *Tunnel
	// InSPI is chosen by this side (the peer sends with it); OutSPI by
	// the peer.
	InSPI, OutSPI uint32
	Encryption    esp.Encryption
	Integrity     esp.Authentication // NoAuthentication with AES-GCM
	// InKeys decrypt what the peer sends; OutKeys encrypt what this side
	// sends.
	InKeys, OutKeys Keys
	// Local and Remote are the ESP endpoints; ports 0 for plain ESP
	// (IP protocol 50), the UDP ports (4500 locally) for ESP in UDP
	// after NAT traversal.
	Local, Remote netip.AddrPort
	// LocalTS and RemoteTS are the negotiated traffic selectors.
	LocalTS, RemoteTS netip.Prefix
	PFS               suite.Group // 0 without PFS
	Created           time.Time
	Lifetime          time.Duration // hard lifetime
	// Standby keeps the tunnel's traffic on its older child SA until
	// that one is removed: the responder of a rekey sets it, since the
	// initiator installs the new SAs only when the response reaches it
	// (RFC 7296 §2.8). The new inbound SA decrypts at once.
	Standby bool
}

// Keys are the keys of one direction of a child SA.
type Keys struct {
	Encryption []byte // with the 4-byte salt for AES-GCM
	Integrity  []byte
}

// NewSPI returns a random inbound ESP SPI above the range of manual SAs
// (256..16639), so that negotiated and manual SAs never share one.
func NewSPI() uint32 {
	var b [4]byte
	for {
		rand.Read(b[:])
		if spi := binary.BigEndian.Uint32(b[:]); spi >= 1<<16 {
			return spi
		}
	}
}

// SAStatus is an IKE SA as the show commands display it.
type SAStatus struct {
	Version int
	// Exchange is the exchange type: IKEv2, Main or Aggressive.
	Exchange string
	Role     string // Initiator or Responder
	// Matured is true once the SA is established (authenticated).
	Matured       bool
	Local, Remote netip.AddrPort
	// SPIi and SPIr are the initiator's and responder's SPIs (IKEv1
	// cookies).
	SPIi, SPIr [8]byte
	Tunnel     *Tunnel // the tunnel the SA was negotiated for
	AuthMethod string  // Pre-shared-keys
	Encryption suite.Encryption
	Hash       suite.Hash // PRF (IKEv2) or hash (IKEv1)
	Integrity  suite.Integrity
	Group      suite.Group
	Created    time.Time
	Expires    time.Time // hard lifetime
	NAT        bool      // NAT detected: IKE and ESP on UDP 4500
	Children   int       // child SAs alive
	Stats      SAStats
}

// SAStats are the counters of one IKE SA (show services ipsec-vpn ike
// statistics).
type SAStats struct {
	InBytes, OutBytes, InPackets, OutPackets      uint64
	ChildrenCreated, ChildrenDeleted, ChildRekeys uint64
	DeletesIn, DeletesOut                         uint64
	DPDRequestsIn, DPDRequestsOut                 uint64
	DPDResponsesIn, DPDResponsesOut, DPDMissed    uint64
	DPDMaxDelay                                   time.Duration
	InvalidSPIIn, InvalidSPIOut                   uint64
	Retransmits                                   uint64
}

// Drops count the IKE messages dropped, by reason.
type Drops struct {
	Malformed  uint64 // truncated, bad lengths, bad payload chain
	UnknownSPI uint64 // no IKE SA with the message's SPIs
	BadAuth    uint64 // integrity check or AUTH payload failed
	Replayed   uint64 // message ID outside the window, not a retransmission
	Critical   uint64 // unsupported payload with the critical bit
	Unexpected uint64 // valid but not expected in the SA's state
	HalfOpen   uint64 // new SA refused: too many half-open SAs
	NoProposal uint64 // no acceptable proposal
	// ProxyRefused counts the child SAs refused to dynamic peers whose
	// proxy identities (traffic selectors) no allowed-proxy-pair holds.
	ProxyRefused uint64
	BadVersion   uint64 // an IKE version no tunnel of this PIC runs
	Overflow     uint64 // dropped because the engine's queue was full
	// Certificates are the peers' certificates refused (also counted
	// in BadAuth), by reason.
	Certificates CertDrops
}

// CertDrops count refused peer certificates by reason (package pki).
type CertDrops struct {
	UnknownCA, Expired, IDMismatch, Revoked, Other uint64
}

// Count counts a refusal of reason r.
func (c *CertDrops) Count(r pki.Reason) {
	switch r {
	case pki.ReasonUnknownCA:
		c.UnknownCA++
	case pki.ReasonExpired, pki.ReasonNotYetValid, pki.ReasonCAExpired:
		c.Expired++
	case pki.ReasonIDMismatch, pki.ReasonRemoteIDRefused:
		c.IDMismatch++
	case pki.ReasonRevoked:
		c.Revoked++
	default:
		c.Other++
	}
}

// Total is the number of refusals.
func (c CertDrops) Total() uint64 {
	return c.UnknownCA + c.Expired + c.IDMismatch + c.Revoked + c.Other
}

// Add adds o to d.
func (d *Drops) Add(o Drops) {
	d.Malformed += o.Malformed
	d.UnknownSPI += o.UnknownSPI
	d.BadAuth += o.BadAuth
	d.Replayed += o.Replayed
	d.Critical += o.Critical
	d.Unexpected += o.Unexpected
	d.HalfOpen += o.HalfOpen
	d.NoProposal += o.NoProposal
	d.ProxyRefused += o.ProxyRefused
	d.BadVersion += o.BadVersion
	d.Overflow += o.Overflow
	c, oc := &d.Certificates, o.Certificates
	c.UnknownCA += oc.UnknownCA
	c.Expired += oc.Expired
	c.IDMismatch += oc.IDMismatch
	c.Revoked += oc.Revoked
	c.Other += oc.Other
}
