package ikev2

import (
	"slices"
	"time"

	"mxlab/services/ike"
)

// informationalRequest answers an INFORMATIONAL request: deletes,
// liveness checks (empty requests) and notifications.
func (sa *ikeSA) informationalRequest(m *Message, raw []byte) {
	var reply []Payload
	deleteIKE := false
	var lost []*ike.Tunnel
	for _, x := range m.Payloads {
		d, ok := x.(*Delete)
		if !ok {
			continue
		}
		sa.stats.DeletesIn++
		switch d.Protocol {
		case ProtoIKE:
			deleteIKE = true
		case ProtoESP, ProtoAH:
			var ours [][]byte
			for _, spi := range d.SPIs {
				v := spiValue(spi)
				for _, c := range slices.Clone(sa.children) {
					if c.c.OutSPI != v {
						continue
					}
					if !c.rekeyed {
						lost = append(lost, c.tunnel)
					}
					ours = append(ours, spiBytes(c.c.InSPI))
					sa.logf("peer deleted child SA %08x/%08x", c.c.InSPI, c.c.OutSPI)
					sa.removeChild(c)
				}
			}
			if len(ours) > 0 {
				reply = append(reply, &Delete{Protocol: ProtoESP, SPIs: ours})
			}
		}
	}
	if len(m.Payloads) == 0 {
		sa.stats.DPDRequestsIn++
		sa.stats.DPDResponsesOut++
	}
	sa.respond(m, raw, reply)
	if deleteIKE {
		sa.logf("peer deleted the IKE SA")
		tunnels := sa.tunnels()
		sa.remove()
		for _, t := range tunnels {
			sa.p.retryTunnel(t)
		}
		return
	}
	for _, t := range lost {
		sa.p.retryTunnel(t)
	}
}

// tunnels are the tunnels the SA serves or negotiates for.
func (sa *ikeSA) tunnels() []*ike.Tunnel {
	var out []*ike.Tunnel
	for _, c := range sa.children {
		if !slices.Contains(out, c.tunnel) {
			out = append(out, c.tunnel)
		}
	}
	for _, t := range sa.pending {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) == 0 && sa.tunnel != nil && sa.initiator {
		out = append(out, sa.tunnel)
	}
	return out
}

// startDPD starts dead peer detection when the SA's tunnel asks for it:
// every interval without a message from the peer, an empty
// INFORMATIONAL request is sent, repeated every interval; threshold
// requests without an answer declare the peer dead.
func (sa *ikeSA) startDPD() {
	d := sa.tunnel.DPD
	if !d.Enabled || d.Interval <= 0 {
		return
	}
	var tick func()
	tick = func() {
		if sa.state != stateEstablished {
			return
		}
		idle := sa.p.h.Now().Sub(sa.lastRecv)
		if idle >= d.Interval && sa.out == nil {
			sent := sa.p.h.Now()
			sa.stats.DPDRequestsOut++
			sa.requestWith(ExchangeInformational, nil, max(d.Threshold, 1), d.Interval, false, func(*Message) {
				sa.stats.DPDResponsesIn++
				sa.stats.DPDMaxDelay = max(sa.stats.DPDMaxDelay, sa.p.h.Now().Sub(sent))
			}, func() {
				sa.stats.DPDMissed += uint64(max(d.Threshold, 1))
				sa.logf("dead peer detection: no answer to %d requests", max(d.Threshold, 1))
				sa.unreachable()
			})
		}
		sa.dpdT = sa.p.h.AfterFunc(d.Interval, tick)
	}
	sa.dpdT = sa.p.h.AfterFunc(d.Interval, tick)
}

// startKeepalive sends NAT keepalives while this side is behind a NAT.
func (sa *ikeSA) startKeepalive() {
	if !sa.behind || !sa.nat || sa.p.opts.KeepaliveInterval <= 0 {
		return
	}
	var tick func()
	tick = func() {
		if sa.state != stateEstablished {
			return
		}
		sa.p.h.Send(sa.local, sa.remote, []byte{0xff})
		sa.keepaliveT = sa.p.h.AfterFunc(sa.p.opts.KeepaliveInterval, tick)
	}
	sa.keepaliveT = sa.p.h.AfterFunc(sa.p.opts.KeepaliveInterval, tick)
}

// fail ends an SA whose negotiation failed; its tunnels are tried again
// later (establish-tunnels immediately).
func (sa *ikeSA) fail() {
	tunnels := sa.tunnels()
	sa.remove()
	for _, t := range tunnels {
		sa.p.scheduleRetry(t)
	}
}

// unreachable ends an SA whose peer stopped answering: DPD, or a request
// that exhausted its retransmissions. Tunnels with a backup gateway move
// to the other gateway.
func (sa *ikeSA) unreachable() {
	tunnels := sa.tunnels()
	sa.logf("peer unreachable: deleting the IKE SA")
	sa.remove()
	for _, t := range tunnels {
		sa.p.failover(t)
		sa.p.scheduleRetry(t)
	}
}

// retryTunnels negotiates again, per establish-tunnels, the tunnels of an
// SA that went away.
func (sa *ikeSA) retryTunnels() {
	for _, t := range sa.tunnels() {
		sa.p.retryTunnel(t)
	}
}

// delete deletes the SA and its children; with notify the peer is told
// first (one message, not retransmitted: the SA is gone either way).
func (sa *ikeSA) delete(notify bool) {
	if notify && sa.keys != nil && sa.state == stateEstablished {
		sa.stats.DeletesOut++
		m := &Message{Header: sa.header(ExchangeInformational, sa.nextID, false), Payloads: []Payload{&Delete{Protocol: ProtoIKE}}}
		sa.nextID++
		sa.send(sa.cipherOut().seal(m))
	}
	sa.remove()
}

// remove forgets the SA and takes its children out of the data path.
func (sa *ikeSA) remove() {
	if sa.state == stateDeleting && sa.p.sas[sa.ourSPI()] != sa {
		return
	}
	for _, c := range slices.Clone(sa.children) {
		sa.removeChild(c)
	}
	sa.stopTimers()
	sa.state = stateDeleting
	if sa.p.sas[sa.ourSPI()] == sa {
		delete(sa.p.sas, sa.ourSPI())
	}
	hk := halfKey{sa.remote.Addr(), sa.spii}
	if sa.p.halfOpen[hk] == sa {
		delete(sa.p.halfOpen, hk)
	}
	sa.pending = nil
	sa.logf("IKE SA removed")
}

// now is a shorthand for the host's clock.
func (sa *ikeSA) now() time.Time { return sa.p.h.Now() }
