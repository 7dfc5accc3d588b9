package mspic

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// Status is a snapshot of a card.
type Status struct {
	Name   string // "ms-4/0/0"
	Online bool
	Sets   []SetStatus
}

// SetStatus is a service set on the card.
type SetStatus struct {
	Name string
	Set  *ipsec.ServiceSet
	// Tunnels are the terms with installed (or not installed) SAs; empty
	// when the SAs are cleared (PIC offline, gateway down).
	Tunnels []TunnelStatus
	Stats   Stats
	// Fault says why the set's SAs cannot carry traffic although they are
	// configured (a socket of its local gateway could not be opened); its
	// SAs then show "Not installed". Empty when it works.
	Fault      string
	FaultSince time.Time
}

// TunnelStatus is a term and its SAs.
type TunnelStatus struct {
	Term *ipsec.Term
	SAs  []SAStatus
}

// SAStatus is one direction of an SA.
type SAStatus struct {
	Direction string // inbound, outbound
	SPI       uint32
	Config    esp.Config
	Installed bool
	Created   time.Time
	Stats     esp.Stats
	// Dynamic SAs were negotiated (IKE); they expire Lifetime after
	// Created. Newest is the term's current pair (older ones are being
	// replaced after a rekey).
	Dynamic  bool
	Lifetime time.Duration
	Newest   bool
	// RemoteTS is the peer's negotiated traffic selector (invalid for
	// manual SAs).
	RemoteTS netip.Prefix
}

// Stats are the IPsec statistics of a service set.
type Stats struct {
	esp.Stats
	BadSPI       uint64 // ESP for the set's local gateway with an unknown SPI
	OuterErrors  uint64 // outer headers dropped before the SPI lookup
	NoMatch      uint64 // cleartext that matched no term
	PolicyErrors uint64 // decrypted packets outside the term's addresses
	ICMPSent     uint64 // ICMP errors sent by the tunnel
	DeviceErrors uint64
	SendErrors   uint64
	NoSA         uint64 // cleartext for a dynamic term not negotiated yet
}

func (s *state) status() Status {
	st := Status{Name: s.c.opts.Name, Online: s.online}
	bySet := map[string]*setPlane{}
	if s.plane != nil {
		for _, sp := range s.plane.sets {
			bySet[sp.cfg.Name] = sp
		}
	}
	wires := s.wireStats()
	for _, ss := range s.cfg.Sets {
		x := SetStatus{Name: ss.Name, Set: ss}
		x.Stats = s.retired[ss.Name]
		if sp := bySet[ss.Name]; sp != nil {
			x.Fault = s.fault(sp)
			if x.Fault != "" {
				x.FaultSince = s.faultSince()
			}
			for _, tp := range sp.terms {
				x.Tunnels = append(x.Tunnels, tunnelStatus(tp, sp.installed && x.Fault == ""))
				x.Stats.addSA(tp, nil)
			}
		}
		c := s.counter(ss.Name)
		x.Stats.NoMatch += c.noMatch.Load()
		x.Stats.PolicyErrors += c.policy.Load()
		x.Stats.ICMPSent += c.icmp.Load()
		x.Stats.DeviceErrors += c.devErrors.Load()
		x.Stats.SendErrors += c.sendErrors.Load()
		x.Stats.NoSA += c.noSA.Load()
		for k, t := range wires {
			if k.addr == ss.LocalGateway {
				x.Stats.BadSPI += t.BadSPI
				x.Stats.OuterErrors += t.BadHeaders + t.LengthErrors
			}
		}
		x.Stats = x.Stats.minus(s.base[ss.Name])
		st.Sets = append(st.Sets, x)
	}
	return st
}

// fault says why a set cannot carry traffic: a socket of its local
// gateway or the sender of its device could not be opened.
func (s *state) fault(sp *setPlane) string {
	if s.io == nil {
		return ""
	}
	for k, err := range s.io.noWire {
		if k.addr == sp.cfg.LocalGateway {
			return fmt.Sprintf("local gateway %s cannot receive ESP: %v", k, err)
		}
	}
	if err, ok := s.io.noSender[sp.cfg.Device()]; ok {
		return fmt.Sprintf("cannot send ESP: %v", err)
	}
	return ""
}

// wireStats sums the table statistics of every socket, past and present.
func (s *state) wireStats() map[wireKey]esp.TableStats {
	out := map[wireKey]esp.TableStats{}
	for k, t := range s.wires {
		out[k] = t
	}
	if s.plane != nil {
		for k, w := range s.plane.wires {
			t := out[k]
			addTable(&t, w.table.Stats())
			out[k] = t
		}
	}
	return out
}

func tunnelStatus(tp *termPlane, installed bool) TunnelStatus {
	ts := TunnelStatus{Term: tp.t}
	for _, r := range tp.sas() {
		st := SAStatus{Direction: r.dir, SPI: r.sa.SPI(), Config: r.sa.Config(),
			Installed: installed, Created: tp.created, Stats: r.sa.Stats()}
		if d := r.dynamic; d != nil {
			st.Dynamic, st.Created, st.Lifetime = true, d.d.Created, d.d.Lifetime
			st.Newest = d.out == tp.out || slices.ContainsFunc(tp.peers, func(p peerOut) bool { return p.out == d.out })
			st.RemoteTS = d.d.RemoteTS
		}
		ts.SAs = append(ts.SAs, st)
	}
	return ts
}
