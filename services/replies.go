package services

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"mxlab/internal/junosxml"
	"mxlab/services/ipsec/esp"
	"mxlab/services/mspic"
	"mxlab/shell/cmdtree"
)

// saInfo is "show services ipsec-vpn ipsec security-associations"
// (get-services-security-associations-information): the status of the
// cards, read once.
type saInfo struct {
	cards   []mspic.Status
	set     string
	level   int
	now     time.Time
	release string
}

// statsInfo is "show services ipsec-vpn ipsec statistics"
// (get-services-ipsec-statistics-information).
type statsInfo saInfo

func (s *Services) saReply(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) {
	if err := s.checkSet(args); err != nil {
		return nil, err
	}
	return &saInfo{cards: s.Status(), set: args.Get("service-set", ""), level: level(args), now: s.opts.Now(),
		release: env.Version}, nil
}

func (s *Services) statsReply(env *cmdtree.Env, args cmdtree.Args) (cmdtree.Reply, error) {
	if err := s.checkSet(args); err != nil {
		return nil, err
	}
	return &statsInfo{cards: s.Status(), set: args.Get("service-set", ""), level: level(args), release: env.Version}, nil
}

func (i *saInfo) Text(w io.Writer) error {
	ShowSAs(w, i.cards, i.set, i.level, i.now)
	return nil
}

func (i *statsInfo) Text(w io.Writer) error {
	ShowStats(w, i.cards, i.set, i.level)
	return nil
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

// XML follows the element names of the MS-MPC replies.
func (i *saInfo) XML() []*junosxml.Elem {
	info := junosxml.New("services-security-associations-information").
		SetAttr("xmlns", junosxml.Namespace(i.release, "services-ipsec"))
	for _, c := range i.cards {
		for _, ss := range c.Sets {
			if i.set != "" && ss.Name != i.set || len(ss.Tunnels) == 0 {
				continue
			}
			block := junosxml.New("services-security-associations-block",
				junosxml.Leaf("svc-set-name", ss.Name),
				junosxml.Leaf("outside-service-interface-routing-instance", "default"))
			for _, t := range ss.Tunnels {
				block.Add(tunnelXML(ss, t))
				for _, sa := range t.SAs {
					block.Add(saXML(sa, i.now))
				}
			}
			info.Add(block)
		}
	}
	return []*junosxml.Elem{info}
}

func tunnelXML(ss mspic.SetStatus, t mspic.TunnelStatus) *junosxml.Elem {
	tm := t.Term
	src, dst := tm.Selector(ss.Set.Style)
	udp, port := udpEncap(t)
	return junosxml.New("sa-tunnel-information",
		junosxml.Leaf("sa-rule-name", tm.Rule),
		junosxml.Leaf("sa-term-name", tm.Name),
		junosxml.Leaf("sa-tunnel-index", strconv.Itoa(tm.Index)),
		junosxml.Leaf("sa-local-gateway", ss.Set.LocalGateway.String()),
		junosxml.Leaf("sa-remote-gateway", tm.RemoteGateway.String()),
		junosxml.Leaf("sa-inside-interface", ss.Set.Device()),
		junosxml.Leaf("sa-tunnel-mtu", strconv.Itoa(cmpInt(tm.Options.TunnelMTU, esp.DefaultTunnelMTU))),
		junosxml.Leaf("sa-udp-encapsulate", udp),
		junosxml.Leaf("sa-udp-dst-port", strconv.Itoa(port)),
		junosxml.Leaf("sa-local-identity", identity(src)),
		junosxml.Leaf("sa-remote-identity", identity(dst)))
}

func saXML(sa mspic.SAStatus, now time.Time) *junosxml.Elem {
	state := "installed"
	if !sa.Installed {
		state = "not installed"
	}
	c := sa.Config
	e := junosxml.New("security-associations",
		junosxml.Leaf("sa-direction", sa.Direction),
		junosxml.Leaf("sa-spi", strconv.FormatUint(uint64(sa.SPI), 10)),
		junosxml.Leaf("sa-aux-spi", "0"),
		junosxml.Leaf("sa-mode", "tunnel"),
		junosxml.Leaf("sa-type", saType(sa)),
		junosxml.Leaf("sa-state", state),
		junosxml.Leaf("sa-protocol", "ESP"),
		junosxml.Leaf("sa-authentication-algorithm", fmt.Sprint(c.Authentication)),
		junosxml.Leaf("sa-encryption-algorithm", fmt.Sprint(c.Encryption)),
		junosxml.Leaf("sa-soft-lifetime", lifetime(sa, sa.Lifetime*9/10, now)),
		junosxml.Leaf("sa-hard-lifetime", lifetime(sa, sa.Lifetime, now)))
	if sa.Direction == "inbound" {
		if c.NoAntiReplay {
			e.AddLeaf("sa-anti-replay-service", "disabled")
		} else {
			e.AddLeaf("sa-anti-replay-service", "enabled").
				AddLeaf("sa-replay-window-size", strconv.Itoa(cmpInt(c.ReplayWindow, 128)))
		}
	}
	return e.AddLeaf("sa-copy-tos-from-inner-ip-header", "enabled").
		AddLeaf("sa-copy-ttl-from-inner-ip-header", "disabled").
		AddLeaf("sa-ttl-value", strconv.Itoa(int(c.TTL)))
}

func (i *statsInfo) XML() []*junosxml.Elem {
	info := junosxml.New("ipsec-total-statistics-information").
		SetAttr("xmlns", junosxml.Namespace(i.release, "services-ipsec"))
	for _, c := range i.cards {
		for _, ss := range c.Sets {
			if i.set != "" && ss.Name != i.set {
				continue
			}
			s := ss.Stats
			block := junosxml.New("ipsec-statistics-information",
				junosxml.Leaf("pic-name", c.Name),
				junosxml.Leaf("svc-set-name", ss.Name),
				junosxml.Leaf("esp-encrypted-bytes", u64(s.EncryptedBytes)),
				junosxml.Leaf("esp-decrypted-bytes", u64(s.DecryptedBytes)),
				junosxml.Leaf("esp-encrypted-packets", u64(s.EncryptedPackets)),
				junosxml.Leaf("esp-decrypted-packets", u64(s.DecryptedPackets)),
				junosxml.Leaf("ah-input-bytes", "0"),
				junosxml.Leaf("ah-output-bytes", "0"),
				junosxml.Leaf("ah-input-packets", "0"),
				junosxml.Leaf("ah-output-packets", "0"),
				junosxml.Leaf("ah-authentication-failures", "0"),
				junosxml.Leaf("replay-errors", u64(s.ReplayErrors)),
				junosxml.Leaf("esp-authentication-failures", u64(s.AuthErrors)),
				junosxml.Leaf("esp-decryption-failures", u64(s.DecryptErrors)),
				junosxml.Leaf("bad-headers", u64(s.BadHeaders+s.OuterErrors+s.LengthErrors)),
				junosxml.Leaf("bad-trailers", u64(s.BadTrailers)))
			info.Add(block)
		}
	}
	return []*junosxml.Elem{info}
}

// lifetime is a lifetime of an SA as the XML gives it: unlimited for a
// manual SA, counting down for a negotiated one.
func lifetime(sa mspic.SAStatus, d time.Duration, now time.Time) string {
	if !sa.Dynamic {
		return "Unlimited"
	}
	if s := int(sa.Created.Add(d).Sub(now).Seconds()); s > 0 {
		return fmt.Sprintf("Expires in %d seconds", s)
	}
	return "Expired"
}
