package services

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"time"

	"mxlab/services/ike"
)

// IKEStatus is the key management of one PIC.
type IKEStatus struct {
	PIC   string
	SAs   []ike.SAStatus
	Drops ike.Drops
}

// IKEStatus returns the IKE SAs of every PIC, in interface order.
func (s *Services) IKEStatus() []IKEStatus {
	s.mu.Lock()
	names := make([]string, 0, len(s.kmds))
	kmds := make(map[string]*ike.KMD, len(s.kmds))
	for n, k := range s.kmds {
		names = append(names, n)
		kmds[n] = k
	}
	s.mu.Unlock()
	slices.SortFunc(names, compareIfNames)
	var out []IKEStatus
	for _, n := range names {
		sas, d, err := kmds[n].Status()
		if err != nil {
			continue
		}
		out = append(out, IKEStatus{PIC: n, SAs: sas, Drops: d})
	}
	return out
}

// ClearIKE deletes the IKE SAs with peer (every peer when peer is not
// valid); tunnels come back per establish-tunnels.
func (s *Services) ClearIKE(peer netip.Addr) error {
	s.mu.Lock()
	kmds := make([]*ike.KMD, 0, len(s.kmds))
	for _, k := range s.kmds {
		kmds = append(kmds, k)
	}
	s.mu.Unlock()
	for _, k := range kmds {
		if err := k.ClearIKE(peer); err != nil {
			return err
		}
	}
	return nil
}

// ikeState is how the show commands name an IKE SA's state.
func ikeState(sa ike.SAStatus) string {
	if sa.Matured {
		return "Matured"
	}
	return "Not matured"
}

// ShowIKESAs renders "show services ipsec-vpn ike security-associations"
// for peer (every peer when not valid).
func ShowIKESAs(w io.Writer, pics []IKEStatus, peer netip.Addr, level int, now time.Time) {
	var b strings.Builder
	if level != levelDetail {
		b.WriteString("Remote Address  State         Initiator cookie  Responder cookie  Exchange type\n")
	}
	first := true
	for _, p := range pics {
		for _, sa := range p.SAs {
			if peer.IsValid() && sa.Remote.Addr() != peer {
				continue
			}
			if level != levelDetail {
				fmt.Fprintf(&b, "%-15s %-13s %x  %x  %s\n", sa.Remote.Addr(), ikeState(sa), sa.SPIi, sa.SPIr, sa.Exchange)
				continue
			}
			if !first {
				b.WriteString("\n")
			}
			first = false
			showIKEDetail(&b, sa, now)
		}
	}
	io.WriteString(w, b.String())
}

func showIKEDetail(b *strings.Builder, sa ike.SAStatus, now time.Time) {
	fmt.Fprintf(b, "IKE peer %s\n", sa.Remote.Addr())
	fmt.Fprintf(b, "  Role: %s, State: %s\n", sa.Role, ikeState(sa))
	fmt.Fprintf(b, "  Initiator cookie: %x, Responder cookie: %x\n", sa.SPIi, sa.SPIr)
	fmt.Fprintf(b, "  Exchange type: %s, Authentication method: %s\n", sa.Exchange, sa.AuthMethod)
	set, ri := "", "default"
	if sa.Tunnel != nil {
		set = sa.Tunnel.Set.Name
		if gi := sa.Tunnel.Set.GatewayInstance; gi != "" {
			ri = gi
		}
	}
	fmt.Fprintf(b, "  Service set: %s, Routing instance: %s\n", set, ri)
	if sa.Tunnel != nil && sa.Tunnel.Profile != "" {
		fmt.Fprintf(b, "  Dynamic peer: %s, Access profile: %s\n", sa.Remote, sa.Tunnel.Profile)
	}
	fmt.Fprintf(b, "  Local: %s, Remote: %s\n", sa.Local, sa.Remote)
	if sa.Expires.IsZero() {
		b.WriteString("  Lifetime: Not established\n")
	} else {
		fmt.Fprintf(b, "  Lifetime: Expires in %d seconds\n", max(int(sa.Expires.Sub(now).Seconds()), 0))
	}
	nat := "Not detected"
	if sa.NAT {
		nat = "Detected, IKE and ESP in UDP port 4500"
	}
	fmt.Fprintf(b, "  NAT traversal: %s\n", nat)
	b.WriteString("  Algorithms:\n")
	integ := "none"
	if sa.Integrity != 0 {
		integ = sa.Integrity.String()
	}
	fmt.Fprintf(b, "   Authentication        : %s\n", integ)
	fmt.Fprintf(b, "   Encryption            : %s\n", sa.Encryption)
	fmt.Fprintf(b, "   Pseudo random function: hmac-%s\n", sa.Hash)
	fmt.Fprintf(b, "   Diffie-Hellman group  : %d\n", uint16(sa.Group))
	b.WriteString("  Traffic statistics:\n")
	st := sa.Stats
	fmt.Fprintf(b, "   Input  bytes  : %20d\n", st.InBytes)
	fmt.Fprintf(b, "   Output bytes  : %20d\n", st.OutBytes)
	fmt.Fprintf(b, "   Input  packets: %20d\n", st.InPackets)
	fmt.Fprintf(b, "   Output packets: %20d\n", st.OutPackets)
	flags := "IKE SA created"
	if !sa.Matured {
		flags = "IKE SA negotiation in progress"
	}
	fmt.Fprintf(b, "  Flags: %s\n", flags)
	fmt.Fprintf(b, "  IPSec security associations: %d created, %d deleted\n", st.ChildrenCreated, st.ChildrenDeleted)
}

// ShowIKEStats renders "show services ipsec-vpn ike statistics" for peer
// (every peer when not valid): each IKE SA's counters, then the messages
// each PIC dropped.
func ShowIKEStats(w io.Writer, pics []IKEStatus, peer netip.Addr) {
	var b strings.Builder
	for _, p := range pics {
		for _, sa := range p.SAs {
			if peer.IsValid() && sa.Remote.Addr() != peer {
				continue
			}
			st := sa.Stats
			fmt.Fprintf(&b, "IKE peer %s\n", sa.Remote.Addr())
			fmt.Fprintf(&b, "  Initiator cookie: %x, Responder cookie: %x\n", sa.SPIi, sa.SPIr)
			fmt.Fprintf(&b, "  Local: %s, Remote: %s\n", sa.Local, sa.Remote)
			fmt.Fprintf(&b, "  Exchange type: %s\n", sa.Exchange)
			fmt.Fprintf(&b, "  IPSec SAs created: %d, deleted: %d, rekeys: %d\n", st.ChildrenCreated, st.ChildrenDeleted, st.ChildRekeys)
			fmt.Fprintf(&b, "  Traffic statistics:\n    Input  bytes: %d, packets: %d\n    Output bytes: %d, packets: %d\n",
				st.InBytes, st.InPackets, st.OutBytes, st.OutPackets)
			b.WriteString("  Payload statistics:\n")
			fmt.Fprintf(&b, "    Delete payloads received: %d, sent: %d\n", st.DeletesIn, st.DeletesOut)
			fmt.Fprintf(&b, "    DPD requests received: %d, sent: %d\n", st.DPDRequestsIn, st.DPDRequestsOut)
			fmt.Fprintf(&b, "    DPD responses received: %d, sent: %d, missed: %d, maximum delay: %d\n",
				st.DPDResponsesIn, st.DPDResponsesOut, st.DPDMissed, int(st.DPDMaxDelay.Seconds()))
			fmt.Fprintf(&b, "    Invalid SPI notifications received: %d, sent: %d\n", st.InvalidSPIIn, st.InvalidSPIOut)
			fmt.Fprintf(&b, "    Retransmissions: %d\n\n", st.Retransmits)
		}
	}
	for _, p := range pics {
		if peer.IsValid() {
			break
		}
		d := p.Drops
		fmt.Fprintf(&b, "PIC: %s, IKE messages dropped:\n", p.PIC)
		fmt.Fprintf(&b, "  Malformed: %d, Unknown SPI: %d, Authentication failures: %d\n", d.Malformed, d.UnknownSPI, d.BadAuth)
		fmt.Fprintf(&b, "  Replayed: %d, Unsupported critical payload: %d, Unexpected: %d\n", d.Replayed, d.Critical, d.Unexpected)
		fmt.Fprintf(&b, "  No proposal chosen: %d, Half-open limit: %d, Unknown version: %d, Queue overflow: %d\n",
			d.NoProposal, d.HalfOpen, d.BadVersion, d.Overflow)
		if d.ProxyRefused > 0 {
			fmt.Fprintf(&b, "  Proxy pairs refused by access profiles: %d\n", d.ProxyRefused)
		}
		if c := d.Certificates; c.Total() > 0 {
			fmt.Fprintf(&b, "  Certificates refused: unknown CA: %d, expired: %d, identity mismatch: %d, revoked: %d, other: %d\n",
				c.UnknownCA, c.Expired, c.IDMismatch, c.Revoked, c.Other)
		}
	}
	io.WriteString(w, b.String())
}
