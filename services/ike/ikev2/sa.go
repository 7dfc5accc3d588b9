package ikev2

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/netip"
	"time"

	"mxlab/services/ike"
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
)

// saState is the state of an IKE SA.
type saState int

const (
	stateInitSent    saState = iota // initiator: IKE_SA_INIT request sent
	stateAuthSent                   // initiator: IKE_AUTH request sent
	stateHalfOpen                   // responder: IKE_SA_INIT answered
	stateEstablished                // authenticated
	stateDeleting                   // delete sent, or rekeyed and waiting for its delete
)

var stateNames = [...]string{"INIT_SENT", "AUTH_SENT", "HALF_OPEN", "ESTABLISHED", "DELETING"}

func (s saState) String() string { return stateNames[s] }

// ikeSA is one IKE SA.
type ikeSA struct {
	p         *Protocol
	initiator bool // the original initiator
	spii      [8]byte
	spir      [8]byte
	local     netip.AddrPort
	remote    netip.AddrPort
	tunnel    *ike.Tunnel // the tunnel the SA was negotiated for
	policy    *ipsec.IKEPolicy
	proposal  *ipsec.IKEProposal
	alg       Algorithms
	keys      *keys
	state     saState

	ni, nr   []byte
	dh       *suite.DHKey
	group    suite.Group // group of the KE sent (initiator)
	cookie   []byte      // COOKIE notify data to echo (initiator)
	initReq  []byte      // the IKE_SA_INIT request as sent or received
	initResp []byte      // the IKE_SA_INIT response as sent or received
	nat      bool        // NAT detected: IKE on 4500, ESP in UDP
	behind   bool        // this side is behind a NAT: send keepalives

	peerHashes []uint16 // the peer's SIGNATURE_HASH_ALGORITHMS

	created     time.Time
	established time.Time
	lastRecv    time.Time
	children    []*child
	pending     []*ike.Tunnel // tunnels waiting for a child SA

	// Requests this side sends (window size 1).
	nextID uint32
	out    *request
	queue  []func(*ikeSA) // requests waiting for the outstanding one

	// Requests the peer sends.
	peerID   uint32 // next expected message ID
	lastResp []byte // the response to message peerID-1
	lastReq  []byte // that request, to recognise its retransmissions

	rekeyT, expireT, dpdT, keepaliveT, halfOpenT ike.Timer
	rekeying                                     bool   // a rekey of this IKE SA is under way
	rekeyedTo                                    *ikeSA // the SA that replaced this one
	stats                                        ike.SAStats
}

// request is a request this side sent and waits for the response to.
type request struct {
	id        uint32
	exchange  uint8
	raw       []byte
	tries     int
	max       int // transmissions before giving up
	interval  time.Duration
	backoff   bool // the interval doubles after each transmission
	timer     ike.Timer
	sent      time.Time
	onReply   func(m *Message)
	onTimeout func()
}

// ourSPI is the SPI of this side: the key of the SA table.
func (sa *ikeSA) ourSPI() [8]byte {
	if sa.initiator {
		return sa.spii
	}
	return sa.spir
}

func (sa *ikeSA) logf(format string, args ...any) {
	sa.p.h.Logf("IKEv2 SA %x:%x %s -> %s: %s", sa.spii, sa.spir, sa.local, sa.remote, fmt.Sprintf(format, args...))
}

// send sends raw to the peer, counting it.
func (sa *ikeSA) send(raw []byte) {
	sa.stats.OutPackets++
	sa.stats.OutBytes += uint64(len(raw))
	sa.p.h.Send(sa.local, sa.remote, raw)
}

// cipherOut and cipherIn protect what this side sends and receives.
func (sa *ikeSA) cipherOut() *skCipher {
	if sa.initiator {
		return sa.keys.i
	}
	return sa.keys.r
}

func (sa *ikeSA) cipherIn() *skCipher {
	if sa.initiator {
		return sa.keys.r
	}
	return sa.keys.i
}

func (sa *ikeSA) header(exchange uint8, id uint32, response bool) Header {
	h := Header{SPIi: sa.spii, SPIr: sa.spir, Exchange: exchange, MsgID: id}
	if sa.initiator {
		h.Flags |= FlagInitiator
	}
	if response {
		h.Flags |= FlagResponse
	}
	return h
}

// enqueue runs f, which sends one request, now if no request is
// outstanding, else after the outstanding ones. f gets the SA that sends
// it: the one that replaced sa when an IKE rekey happened meanwhile.
func (sa *ikeSA) enqueue(f func(*ikeSA)) {
	if sa.state == stateDeleting && sa.rekeyedTo != nil {
		sa.rekeyedTo.enqueue(f)
		return
	}
	sa.queue = append(sa.queue, f)
	sa.next()
}

// next sends the queued requests while none is outstanding.
func (sa *ikeSA) next() {
	for sa.out == nil && len(sa.queue) > 0 && sa.state != stateDeleting {
		f := sa.queue[0]
		sa.queue = sa.queue[1:]
		f(sa)
	}
}

// request sends an encrypted request; no other may be outstanding (see
// enqueue). onReply gets the decrypted response; onTimeout runs when
// every retransmission went unanswered.
func (sa *ikeSA) request(exchange uint8, payloads []Payload, onReply func(*Message), onTimeout func()) {
	sa.requestWith(exchange, payloads, sa.p.opts.Retransmits+1, sa.p.opts.RetransmitTimeout, sa.p.opts.Backoff, onReply, onTimeout)
}

func (sa *ikeSA) requestWith(exchange uint8, payloads []Payload, max int, interval time.Duration, backoff bool, onReply func(*Message), onTimeout func()) {
	m := &Message{Header: sa.header(exchange, sa.nextID, false), Payloads: payloads}
	r := &request{id: sa.nextID, exchange: exchange, raw: sa.cipherOut().seal(m), max: max,
		interval: interval, backoff: backoff, onReply: onReply, onTimeout: onTimeout}
	sa.nextID++
	sa.transmit(r)
}

// transmit sends (again) the outstanding request r and arms its timer.
func (sa *ikeSA) transmit(r *request) {
	sa.out = r
	r.tries++
	if r.tries > 1 {
		sa.stats.Retransmits++
	}
	r.sent = sa.p.h.Now()
	sa.send(r.raw)
	d := r.interval
	if r.backoff {
		d <<= min(r.tries-1, 6)
	}
	r.timer = sa.p.h.AfterFunc(jitter(d), func() {
		if sa.out != r {
			return
		}
		if r.tries < r.max {
			sa.transmit(r)
			return
		}
		sa.out = nil
		sa.logf("no response to message %d after %d transmissions", r.id, r.tries)
		if r.onTimeout != nil {
			r.onTimeout()
		}
	})
}

// respond sends an encrypted response to request req and keeps it for
// retransmissions of req.
func (sa *ikeSA) respond(req *Message, raw []byte, payloads []Payload) {
	m := &Message{Header: sa.header(req.Exchange, req.MsgID, true), Payloads: payloads}
	sa.lastResp = sa.cipherOut().seal(m)
	sa.lastReq = raw
	sa.peerID = req.MsgID + 1
	sa.send(sa.lastResp)
}

// stopTimers stops every timer of the SA.
func (sa *ikeSA) stopTimers() {
	for _, t := range []ike.Timer{sa.rekeyT, sa.expireT, sa.dpdT, sa.keepaliveT, sa.halfOpenT} {
		if t != nil {
			t.Stop()
		}
	}
	if sa.out != nil && sa.out.timer != nil {
		sa.out.timer.Stop()
	}
	sa.out = nil
	sa.queue = nil
}

// jitter returns d less up to 10 % at random, so that peers do not act in
// step (RFC 7296 §2.4 asks for randomised retransmission).
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(d)/10+1))
	return d - time.Duration(n.Int64())
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// newSPI returns a random non-zero IKE SPI.
func newSPI() [8]byte {
	var s [8]byte
	for s == ([8]byte{}) {
		rand.Read(s[:])
	}
	return s
}
