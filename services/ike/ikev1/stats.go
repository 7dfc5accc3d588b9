package ikev1

import (
	"net/netip"
	"slices"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
)

// Stats are the counters of a Machine (show services ipsec-vpn ike
// statistics). Every dropped message is counted under one reason.
type Stats struct {
	InPackets, InBytes   uint64
	OutPackets, OutBytes uint64

	// Dropped messages.
	Malformed       uint64 // does not parse
	Unexpected      uint64 // valid but not expected: wrong exchange, state or peer
	NoSA            uint64 // cookies of no SA
	UnknownPayload  uint64 // a payload type IKEv1 does not define
	AuthFailed      uint64 // bad HASH, or undecryptable (wrong key)
	Unauthenticated uint64 // unprotected where protection is due
	Replayed        uint64 // an informational message ID seen before
	HalfOpenDropped uint64 // the bound of half-open SAs is reached
	PeersLimited    uint64 // the bound of SAs with dynamic peers is reached
	NoPolicy        uint64 // no tunnel with the peer
	NoProposal      uint64 // no proposal (or proxy identity) acceptable
	ProxyRefused    uint64 // of those, proxy identities outside every allowed-proxy-pair

	Duplicates  uint64 // repeated messages answered with our last one
	Retransmits uint64
	Timeouts    uint64 // negotiations abandoned

	Phase1Done, Phase1Failed, Phase1Rekeys                uint64
	Phase2Done, Phase2Failed, Phase2Rekeys, Phase2Deleted uint64
	InstallFailed                                         uint64
	PeersDead                                             uint64
	// Certificates are the peers' certificates refused (also counted
	// in AuthFailed), by reason.
	Certificates ike.CertDrops
}

// SAStats are the counters of one phase-1 SA.
type SAStats struct {
	InPackets, InBytes   uint64
	OutPackets, OutBytes uint64
	Dropped              uint64

	DeletesIn, DeletesSent          uint64
	DPDRequestsIn, DPDRequestsOut   uint64
	DPDResponsesIn, DPDResponsesOut uint64
	DPDMissed                       uint64
	DPDMaxDelay                     time.Duration
	InvalidSPIIn                    uint64
	Retransmits                     uint64

	ChildCreated, ChildDeleted, ChildRekeys uint64
}

// IKESA describes a phase-1 SA (show services ipsec-vpn ike
// security-associations).
type IKESA struct {
	Local, Remote    netip.AddrPort
	Initiator        bool
	Established      bool // "Matured"
	State            string
	ICookie, RCookie Cookie
	Mode             Exchange // ExchMain or ExchAggressive
	Signatures       bool     // RSA signatures, not a pre-shared key
	Encryption       suite.Encryption
	Hash             suite.Hash
	Group            suite.Group
	Lifetime         time.Duration
	Created          time.Time
	Expires          time.Time // zero before it is established
	NATT             bool      // NAT detected: IKE on 4500, ESP in UDP
	LocalID          string
	RemoteID         string
	// Tunnel names the tunnel whose IKE policy the SA follows.
	Tunnel   string
	Children int // IPsec SA pairs with the peer
	Stats    SAStats
}

// Stats returns the machine's counters.
func (m *Machine) Stats() Stats { return m.stats }

// SAs returns the phase-1 SAs, oldest first.
func (m *Machine) SAs() []IKESA {
	var out []IKESA
	for _, sa := range m.sortedSAs() {
		x := IKESA{Local: sa.local, Remote: sa.remote, Initiator: sa.initiator,
			Established: sa.state == stateEstablished, State: sa.state.String(),
			ICookie: sa.icookie, RCookie: sa.rcookie, Mode: sa.mode,
			Signatures: sa.chosen.Signatures, Encryption: sa.chosen.Encryption, Hash: sa.chosen.Hash, Group: sa.chosen.Group,
			Lifetime: sa.chosen.Lifetime, Created: sa.started, Expires: sa.hardAt, NATT: sa.nat(),
			LocalID: idString(localID(sa.policy)), Tunnel: sa.policy.cfg.Name, Stats: sa.stats,
			Children: m.childrenWith(sa.local.Addr(), sa.remote.Addr())}
		if sa.peerID.Type != 0 {
			x.RemoteID = idString(sa.peerID)
		}
		out = append(out, x)
	}
	return out
}

// Children returns the installed SA pairs of every tunnel, in
// configuration order then oldest first. The keys are shared with the
// machine: the caller must not change them.
func (m *Machine) Children() []ChildSA {
	var out []ChildSA
	for _, t := range m.tuns {
		for _, c := range t.children {
			out = append(out, c.ChildSA)
		}
	}
	return slices.Clip(out)
}
