package ikev1

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"

	"mxlab/services/ike/suite"
)

// saState is the state of a phase-1 SA: the last message sent, or
// established.
type saState uint8

const (
	stateMM1 saState = iota + 1 // initiator sent SA
	stateMM3                    // initiator sent KE, Ni
	stateMM5                    // initiator sent IDii, HASH_I
	stateMM2                    // responder sent SA
	stateMM4                    // responder sent KE, Nr
	stateAM1                    // initiator sent SA, KE, Ni, IDii
	stateAM2                    // responder sent SA, KE, Nr, IDir, HASH_R
	stateEstablished
	stateDead
)

var stateNames = map[saState]string{
	stateMM1: "MM_SA_I", stateMM3: "MM_KE_I", stateMM5: "MM_AUTH_I", stateMM2: "MM_SA_R",
	stateMM4: "MM_KE_R", stateAM1: "AM_I", stateAM2: "AM_R", stateEstablished: "established", stateDead: "dead",
}

func (s saState) String() string { return stateNames[s] }

// replacedGrace is how long a phase-1 SA this side replaced stays.
const replacedGrace = 10 * time.Second

// Ports of IKE: 500, and 4500 after NAT detection (RFC 3947).
const (
	PortIKE  = 500
	PortNATT = 4500
)

// ikeSA is a phase-1 SA (an ISAKMP SA) with one peer.
type ikeSA struct {
	seq       int
	initiator bool
	mode      Exchange
	icookie   Cookie
	rcookie   Cookie
	local     netip.AddrPort
	remote    netip.AddrPort
	policy    *tunnel // the tunnel whose IKE policy applies
	state     saState
	started   time.Time

	props  []IKEProposal
	sai    []byte // body of the initiator's SA payload
	chosen IKEProposal
	dh     *suite.DHKey
	gxi    []byte
	gxr    []byte
	ni     []byte
	nr     []byte
	peerID ID
	vend   vendors
	natt   NATT // dialect both sides announced; NATTNone: no NAT-T
	// natHere: this side is behind a NAT; natThere: the peer is (or
	// pretends to be, as strongSwan does when it needs UDP encapsulation).
	natHere  bool
	natThere bool
	keys     phase1Keys
	cbc      *cbc
	r        rtx

	established time.Time
	softAt      time.Time // renewal
	hardAt      time.Time // expiry
	rekeyed     bool      // a newer SA with the peer replaced this one
	qms         map[uint32]*quick
	running     int      // quick modes this side started and waits for
	done        []uint32 // message IDs of finished exchanges (replays)
	dpd         dpdState
	keepalive   time.Time // next NAT keepalive (this side behind a NAT)
	contact     bool      // INITIAL-CONTACT sent
	stats       SAStats
}

func (sa *ikeSA) cookie() Cookie {
	if sa.initiator {
		return sa.icookie
	}
	return sa.rcookie
}

// nat reports whether a NAT was detected between the peers: IKE then
// runs on port 4500 and ESP in UDP.
func (sa *ikeSA) nat() bool { return sa.natt != NATTNone && (sa.natHere || sa.natThere) }

func (sa *ikeSA) role() string {
	if sa.initiator {
		return "initiator"
	}
	return "responder"
}

// natState describes what NAT detection found.
func (sa *ikeSA) natState() string {
	switch {
	case sa.natt == NATTNone:
		return "NAT-T not negotiated"
	case sa.natHere && sa.natThere:
		return "NAT detected on both sides, IKE and ESP on UDP " + fmt.Sprint(sa.local.Port())
	case sa.natHere:
		return "NAT detected in front of this side, IKE and ESP on UDP " + fmt.Sprint(sa.local.Port())
	case sa.natThere:
		return "NAT detected in front of the peer, IKE and ESP on UDP " + fmt.Sprint(sa.local.Port())
	}
	return "no NAT detected"
}

func (sa *ikeSA) halfOpen() bool { return sa.state != stateEstablished && sa.state != stateDead }

func (sa *ikeSA) String() string {
	return fmt.Sprintf("IKE SA %v/%v with %v", sa.icookie, sa.rcookie, sa.remote)
}

// register adds a new SA to the machine.
func (m *Machine) register(sa *ikeSA) {
	m.seq++
	sa.seq = m.seq
	sa.started = m.now
	sa.qms = map[uint32]*quick{}
	m.sas[sa.cookie()] = sa
	if !sa.initiator {
		m.byPeerCookie[peerCookie{sa.remote.Addr(), sa.icookie}] = sa
		m.halfOpen++
	}
}

// established finishes phase 1.
func (m *Machine) established(sa *ikeSA) {
	if !sa.initiator {
		m.halfOpen--
	}
	sa.state = stateEstablished
	sa.established = m.now
	sa.dh = nil
	sa.r.at = time.Time{}
	life := sa.chosen.Lifetime
	sa.hardAt = m.now.Add(life)
	// The initiator renews the SA first; the responder too, later, if
	// nothing came (a peer such as strongSwan drops the IPsec SAs of an
	// IKEv1 SA that is deleted, but moves them to a new SA with the same
	// identities).
	if sa.initiator {
		sa.softAt = m.now.Add(m.jitter(life, 0.85, 0.9))
	} else {
		sa.softAt = m.now.Add(m.jitter(life, 0.92, 0.96))
	}
	sa.dpd.lastHeard = m.now
	m.tickDPD(sa)
	if sa.natHere && sa.nat() {
		sa.keepalive = m.now.Add(sa.policy.natKeepalive())
	}
	m.stats.Phase1Done++
	m.logf("info", "IKE SA established with %v: %v mode, %s, cookies %v/%v, %v %v %v, lifetime %d seconds, %s",
		sa.remote.Addr(), sa.mode, sa.role(), sa.icookie, sa.rcookie, sa.chosen.Encryption, sa.chosen.Hash,
		sa.chosen.Group, int(life.Seconds()), sa.natState())
	for _, old := range m.sortedSAs() {
		if old != sa && old.state == stateEstablished && !old.rekeyed && old.local.Addr() == sa.local.Addr() &&
			old.remote.Addr() == sa.remote.Addr() {
			gone := old
			if !old.established.Before(sa.started) && bytes.Compare(sa.icookie[:], old.icookie[:]) > 0 {
				// Both sides negotiated at once (each initiated): not a
				// renewal. Both keep the SA with the lower initiator
				// cookie, else each would delete a different one.
				gone = sa
			}
			// The replaced SA goes a little later, so that the peer
			// has finished the new one (strongSwan moves its IPsec SAs
			// to it) before it hears of the deletion.
			gone.rekeyed = true
			gone.softAt = time.Time{}
			if sa.initiator || gone == sa {
				if end := m.now.Add(replacedGrace); end.Before(gone.hardAt) {
					gone.hardAt = end
				}
			}
			if gone == sa {
				break
			}
		}
	}
	m.kickPeer(sa.local.Addr(), sa.remote.Addr())
}

// deleteIKE removes a phase-1 SA, telling the peer when notify is set and
// the SA is established. Quick modes in progress on it are abandoned; the
// IPsec SAs it negotiated stay.
func (m *Machine) deleteIKE(sa *ikeSA, notify bool, why string) {
	if sa.state == stateDead {
		return
	}
	if notify && sa.state == stateEstablished {
		d := Delete{DOI: DOIIPsec, Proto: ProtoISAKMP, SPIs: [][]byte{append(sa.icookie[:], sa.rcookie[:]...)}}
		c := newChain()
		c.add(PayloadDelete, d.Append(nil))
		m.sendInfo(sa, c)
		sa.stats.DeletesSent++
	}
	if sa.halfOpen() {
		m.stats.Phase1Failed++
		if !sa.initiator {
			m.halfOpen--
		}
	}
	for _, q := range sa.qms {
		m.abandonQuick(sa, q, "IKE SA deleted")
	}
	sa.state = stateDead
	delete(m.sas, sa.cookie())
	if k := (peerCookie{sa.remote.Addr(), sa.icookie}); !sa.initiator && m.byPeerCookie[k] == sa {
		delete(m.byPeerCookie, k)
	}
	m.logf("info", "IKE SA deleted: %v: %s", sa, why)
}

// ikeFor returns the newest established phase-1 SA between two gateways.
func (m *Machine) ikeFor(local, remote netip.Addr) *ikeSA {
	var best *ikeSA
	for _, sa := range m.sas {
		if sa.state == stateEstablished && !sa.rekeyed && sa.local.Addr() == local && sa.remote.Addr() == remote &&
			(best == nil || sa.seq > best.seq) {
			best = sa
		}
	}
	return best
}

// negotiating returns a phase-1 SA this side initiated and that is in
// progress between two gateways.
func (m *Machine) negotiating(local, remote netip.Addr) *ikeSA {
	for _, sa := range m.sas {
		if sa.initiator && sa.halfOpen() && sa.local.Addr() == local && sa.remote.Addr() == remote {
			return sa
		}
	}
	return nil
}

func (sa *ikeSA) deadlines(early func(time.Time)) {
	early(sa.r.at)
	if sa.halfOpen() {
		early(sa.started.Add(negotiationTimeout))
		return
	}
	early(sa.softAt)
	early(sa.hardAt)
	early(sa.dpd.next)
	early(sa.keepalive)
	for _, q := range sa.qms {
		early(q.r.at)
		early(q.deadline)
	}
}

// tickIKE runs the timers of a phase-1 SA.
func (m *Machine) tickIKE(sa *ikeSA) {
	if sa.halfOpen() {
		if !m.fire(sa, &sa.r) || !m.now.Before(sa.started.Add(negotiationTimeout)) {
			m.stats.Timeouts++
			m.deleteIKE(sa, false, "negotiation timed out")
			m.retryPeer(sa.local.Addr(), sa.remote.Addr())
		}
		return
	}
	if !m.now.Before(sa.hardAt) {
		why := "lifetime expired"
		if sa.rekeyed {
			why = "replaced by a new IKE SA"
		}
		m.deleteIKE(sa, true, why)
		return
	}
	if sa.quickDue(m.now) {
		for _, q := range sa.quickList() {
			m.tickQuick(sa, q)
		}
	}
	if !sa.softAt.IsZero() && !m.now.Before(sa.softAt) {
		sa.softAt = time.Time{}
		t := sa.policy
		if m.wantedPeer(sa.local.Addr(), sa.remote.Addr()) && m.negotiating(sa.local.Addr(), sa.remote.Addr()) == nil &&
			t.peer == sa.remote.Addr() && !t.cfg.ResponderOnly && m.byTun[t.cfg.Name] == t {
			m.logf("info", "renewing %v before it expires", sa)
			m.stats.Phase1Rekeys++
			m.startIKE(sa.policy)
		}
	}
	if !sa.keepalive.IsZero() && !m.now.Before(sa.keepalive) {
		m.sendKeepalive(sa)
	}
	if sa.state == stateEstablished {
		m.tickDPD(sa)
	}
}

// policyFor returns the tunnel whose IKE policy answers a peer: one that
// names the peer as its remote gateway, else a dynamic-peer tunnel of the
// local gateway.
func (m *Machine) policyFor(local, remote netip.Addr) *tunnel {
	var dyn *tunnel
	for _, t := range m.tuns {
		if t.cfg.Local != local {
			continue
		}
		if t.gateway(remote) {
			return t
		}
		if dyn == nil && dynamic(t.cfg.Remote) {
			dyn = t
		}
	}
	return dyn
}

// localID returns the identity this side sends.
func localID(t *tunnel) ID {
	if !t.cfg.IKE.LocalID.isZero() {
		return t.cfg.IKE.LocalID.id()
	}
	return AddrIdentity(t.cfg.Local).id()
}

// acceptID reports whether the peer's phase-1 identity is one the policy
// accepts (any when it names none).
func acceptID(t *tunnel, id ID) bool {
	if len(t.cfg.IKE.RemoteIDs) == 0 {
		return true
	}
	for _, r := range t.cfg.IKE.RemoteIDs {
		if r.matches(id) {
			return true
		}
	}
	return false
}
