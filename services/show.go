package services

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
	"mxlab/services/mspic"
)

// Levels of output.
const (
	levelNone = iota
	levelBrief
	levelDetail
)

// ShowSAs renders "show services ipsec-vpn ipsec security-associations"
// for the service set named set ("" for all).
func ShowSAs(w io.Writer, cards []mspic.Status, set string, level int, now time.Time) {
	var b strings.Builder
	first := true
	for _, c := range cards {
		for _, ss := range c.Sets {
			if set != "" && ss.Name != set || len(ss.Tunnels) == 0 {
				continue
			}
			if !first {
				b.WriteString("\n")
			}
			first = false
			ri := "default"
			if ss.Set != nil && ss.Set.GatewayInstance != "" {
				ri = ss.Set.GatewayInstance
			}
			fmt.Fprintf(&b, "Service set: %s, IKE Routing-instance: %s\n", ss.Name, ri)
			for _, t := range ss.Tunnels {
				showTunnel(&b, ss.Set, t, level, now)
			}
		}
	}
	io.WriteString(w, b.String())
}

func showTunnel(b *strings.Builder, ss *ipsec.ServiceSet, t mspic.TunnelStatus, level int, now time.Time) {
	if d := t.Term.Dynamic; d != nil && d.Profile != "" {
		for _, p := range dynamicPeers(t) {
			showPeer(b, ss, p, level, now)
		}
		return
	}
	showPeer(b, ss, t, level, now)
}

// dynamicPeers splits the SAs of an access-profile tunnel by peer (its
// address and negotiated selector): each is shown as a tunnel of its own.
func dynamicPeers(t mspic.TunnelStatus) []mspic.TunnelStatus {
	var out []mspic.TunnelStatus
	type key struct {
		peer netip.Addr
		ts   netip.Prefix
	}
	at := map[key]int{}
	for _, sa := range t.SAs {
		k := key{sa.Config.Remote, sa.RemoteTS}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, mspic.TunnelStatus{Term: t.Term})
		}
		out[i].SAs = append(out[i].SAs, sa)
	}
	return out
}

// showPeer renders one tunnel; a dynamic peer's shows its address, port
// (after NAT), access profile and proxy pair.
func showPeer(b *strings.Builder, ss *ipsec.ServiceSet, t mspic.TunnelStatus, level int, now time.Time) {
	tm := t.Term
	remote := tm.RemoteGateway.String()
	var peer netip.AddrPort
	var remoteTS netip.Prefix
	dyn := tm.Dynamic != nil && tm.Dynamic.Profile != "" && len(t.SAs) > 0
	if dyn {
		sa := t.SAs[0]
		remote, remoteTS = sa.Config.Remote.String(), sa.RemoteTS
		port := uint16(500)
		for _, x := range t.SAs {
			if x.Config.UDP != nil && x.Direction == "outbound" {
				port = x.Config.UDP.DstPort
			}
		}
		peer = netip.AddrPortFrom(sa.Config.Remote, port)
	}
	fmt.Fprintf(b, "\n  Rule: %s, Term: %s, Tunnel index: %d\n", tm.Rule, tm.Name, tm.Index)
	fmt.Fprintf(b, "  Local gateway: %s, Remote gateway: %s\n", ss.LocalGateway, remote)
	if dyn {
		fmt.Fprintf(b, "  Dynamic peer: %s, Access profile: %s, Proxy pair: %s\n", peer, tm.Dynamic.Profile, tm.Dynamic.Pair)
	}
	if level != levelBrief {
		if level == levelDetail {
			mtu := cmpInt(tm.Options.TunnelMTU, esp.DefaultTunnelMTU)
			fmt.Fprintf(b, "  IPSec inside interface: %s, Tunnel MTU: %d\n", ss.Device(), mtu)
			udp, port := udpEncap(t)
			fmt.Fprintf(b, "  UDP encapsulate: %s, UDP Destination port: %d\n", udp, port)
		}
		src, dst := tm.Selector(ss.Style)
		if remoteTS.IsValid() {
			dst = remoteTS
		}
		fmt.Fprintf(b, "  Local identity: %s\n", identity(src))
		fmt.Fprintf(b, "  Remote identity: %s\n", identity(dst))
	}
	b.WriteString("\n")
	if level == levelDetail {
		for _, sa := range t.SAs {
			showSADetail(b, sa, now)
		}
		return
	}
	b.WriteString("    Direction SPI         AUX-SPI     Mode       Type     Protocol\n")
	for _, sa := range t.SAs {
		fmt.Fprintf(b, "    %-9s %-11d %-11d %-10s %-8s %s\n", sa.Direction, sa.SPI, 0, "tunnel", saType(sa), "ESP")
	}
}

func saType(sa mspic.SAStatus) string {
	if sa.Dynamic {
		return "dynamic"
	}
	return "manual"
}

// lifetimes renders the soft and hard lifetimes of an SA: unlimited for a
// manual SA, counting down for a negotiated one (the rekey starts at the
// soft lifetime, nine tenths of the hard one).
func lifetimes(b *strings.Builder, sa mspic.SAStatus, now time.Time) {
	if !sa.Dynamic {
		b.WriteString("    Soft lifetime: Unlimited\n    Hard lifetime: Unlimited\n")
		return
	}
	left := func(d time.Duration) string {
		s := int(sa.Created.Add(d).Sub(now).Seconds())
		if s <= 0 {
			return "Expired"
		}
		return fmt.Sprintf("Expires in %d seconds", s)
	}
	fmt.Fprintf(b, "    Soft lifetime: %s\n    Hard lifetime: %s\n", left(sa.Lifetime*9/10), left(sa.Lifetime))
}

func showSADetail(b *strings.Builder, sa mspic.SAStatus, now time.Time) {
	state := "Installed"
	if !sa.Installed {
		state = "Not installed"
	}
	c := sa.Config
	fmt.Fprintf(b, "    Direction: %s, SPI: %d, AUX-SPI: 0\n", sa.Direction, sa.SPI)
	fmt.Fprintf(b, "    Mode: tunnel, Type: %s, State: %s\n", saType(sa), state)
	fmt.Fprintf(b, "    Protocol: ESP, Authentication: %s, Encryption: %s\n", c.Authentication, c.Encryption)
	lifetimes(b, sa, now)
	if sa.Direction == "inbound" {
		if c.NoAntiReplay {
			b.WriteString("    Anti-replay service: Disabled\n")
		} else {
			fmt.Fprintf(b, "    Anti-replay service: Enabled, Replay window size: %d\n", cmpInt(c.ReplayWindow, 128))
		}
	}
	fmt.Fprintf(b, "    Copy ToS: Enabled, Copy TTL: Disabled, TTL: %d\n", c.TTL)
	df := "Copy"
	switch c.DF {
	case esp.DFClear:
		df = "Clear"
	case esp.DFSet:
		df = "Set"
	}
	passive := "Disabled"
	if c.Passive {
		passive = "Enabled"
	}
	fmt.Fprintf(b, "    DF bit: %s, Passive mode tunneling: %s\n\n", df, passive)
}

// identity is the Junos form of a traffic selector.
func identity(p netip.Prefix) string {
	if !p.IsValid() {
		p = netip.MustParsePrefix("0.0.0.0/0")
	}
	return fmt.Sprintf("ipv4_subnet(any:0,[0..7]=%s)", p)
}

func cmpInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// ShowStats renders "show services ipsec-vpn ipsec statistics".
func ShowStats(w io.Writer, cards []mspic.Status, set string, level int) {
	var b strings.Builder
	first := true
	for _, c := range cards {
		for _, ss := range c.Sets {
			if set != "" && ss.Name != set {
				continue
			}
			if !first {
				b.WriteString("\n")
			}
			first = false
			fmt.Fprintf(&b, "PIC: %s, Service set: %s\n\n", c.Name, ss.Name)
			showCounters(&b, ss.Stats, level)
		}
	}
	io.WriteString(w, b.String())
}

func counter(b *strings.Builder, label string, v uint64) {
	s := strconv.FormatUint(v, 10)
	pad := 35 - len(label) - len(s)
	if pad < 1 {
		pad = 1
	}
	b.WriteString(label + strings.Repeat(" ", pad) + s + "\n")
}

func showCounters(b *strings.Builder, s mspic.Stats, level int) {
	b.WriteString("ESP Statistics:\n")
	counter(b, "  Encrypted bytes:", s.EncryptedBytes)
	counter(b, "  Decrypted bytes:", s.DecryptedBytes)
	counter(b, "  Encrypted packets:", s.EncryptedPackets)
	counter(b, "  Decrypted packets:", s.DecryptedPackets)
	if level == levelBrief {
		return
	}
	b.WriteString("AH Statistics:\n")
	for _, l := range []string{"  Input bytes:", "  Output bytes:", "  Input packets:", "  Output packets:"} {
		counter(b, l, 0)
	}
	b.WriteString("Errors:\n")
	fmt.Fprintf(b, "  AH authentication failures: 0, Replay errors: %d\n", s.ReplayErrors)
	fmt.Fprintf(b, "  ESP authentication failures: %d, ESP decryption failures: %d\n", s.AuthErrors, s.DecryptErrors)
	fmt.Fprintf(b, "  Bad headers: %d, Bad trailers: %d\n", s.BadHeaders+s.OuterErrors+s.LengthErrors, s.BadTrailers)
	if level != levelDetail {
		return
	}
	fmt.Fprintf(b, "  Invalid SPI: %d, Policy errors: %d, No matching rule: %d\n", s.BadSPI, s.PolicyErrors, s.NoMatch)
	fmt.Fprintf(b, "  TTL exceeded: %d, MTU exceeded: %d, Fragmented: %d\n", s.TTLExceeded, s.TooBig, s.Fragmented)
	fmt.Fprintf(b, "  Land attacks: %d, Address errors: %d, IP option errors: %d\n", s.LandAttacks, s.AddressErrors, s.OptionErrors)
	fmt.Fprintf(b, "  ICMP errors sent: %d\n", s.ICMPSent)
}

// ShowSummary renders "show services service-sets summary": the service
// sets configured on each services PIC.
func ShowSummary(w io.Writer, cards []mspic.Status) {
	var b strings.Builder
	b.WriteString("             Service sets\n")
	b.WriteString("Interface    configured\n")
	for _, c := range cards {
		if len(c.Sets) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%-12s %10d\n", c.Name, len(c.Sets))
	}
	io.WriteString(w, b.String())
}

// compareIfNames orders interface names by their FPC/PIC/port numbers.
func compareIfNames(a, b string) int {
	na, nb := ifNumbers(a), ifNumbers(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] - nb[i]
		}
	}
	return strings.Compare(a, b)
}

func ifNumbers(s string) []int {
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[i+1:]
	}
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' }) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

// udpEncap is the UDP encapsulation of a tunnel as the displays show it:
// udp-encapsulate, or NAT-T on its negotiated outbound SA.
func udpEncap(t mspic.TunnelStatus) (state string, port int) {
	state = "Disabled"
	if t.Term.Options.UDPEncap {
		state, port = "Enabled", int(t.Term.Options.UDPPort)
	}
	for _, sa := range t.SAs {
		if u := sa.Config.UDP; sa.Dynamic && u != nil && sa.Direction == "outbound" {
			state, port = "Enabled", int(u.DstPort)
		}
	}
	return state, port
}
