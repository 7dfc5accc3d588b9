package ikev1

import (
	"encoding/binary"
	"time"

	"mxlab/services/ike/suite"
)

// Phase-1 attribute values.
const (
	authPSK = 1 // Authentication Method: pre-shared key
)

// maxLifetime caps lifetimes read from the wire (a year).
const maxLifetime = 365 * 24 * time.Hour

// phase1SA returns the SA payload an initiator sends: one ISAKMP
// proposal whose transforms are the IKE proposals, in order.
func phase1SA(props []IKEProposal) SA {
	p := Proposal{Num: 1, Protocol: ProtoISAKMP}
	for i, x := range props {
		p.Transforms = append(p.Transforms, p1Transform(x, uint8(i+1)))
	}
	return SA{DOI: DOIIPsec, Situation: SituationIdentity, Proposals: []Proposal{p}}
}

func p1Transform(x IKEProposal, num uint8) Transform {
	id, bits, _ := x.Encryption.IKEv1ID()
	attrs := []Attr{intAttr(AttrEncryption, uint64(id))}
	if bits != 0 {
		attrs = append(attrs, intAttr(AttrKeyLength, uint64(bits)))
	}
	auth := uint64(authPSK)
	if x.Signatures {
		auth = authRSA
	}
	attrs = append(attrs,
		intAttr(AttrHash, uint64(x.Hash.IKEv1ID())),
		intAttr(AttrAuthMethod, auth),
		intAttr(AttrGroup, uint64(x.Group)),
		intAttr(AttrLifeType, LifeSeconds),
		intAttr(AttrLifeDur, uint64(x.Lifetime/time.Second)))
	return Transform{Num: num, ID: TransformKeyIKE, Attrs: attrs}
}

// lifetimes reads the (life type, life duration) pairs of a transform;
// typ and dur are the attribute types of the phase.
func lifetimes(t *Transform, typ, dur uint16) (secs time.Duration, kb uint64, ok bool) {
	kind := uint64(0)
	for _, a := range t.Attrs {
		switch a.Type {
		case typ:
			v, _ := a.Uint()
			if v != LifeSeconds && v != LifeKilobytes {
				return 0, 0, false
			}
			kind = v
		case dur:
			v, vok := a.Uint()
			if !vok || kind == 0 {
				return 0, 0, false
			}
			if kind == LifeSeconds {
				secs = time.Duration(min(v, uint64(maxLifetime/time.Second))) * time.Second
			} else {
				kb = v
			}
			kind = 0
		}
	}
	return secs, kb, true
}

// parseP1Transform reads a phase-1 transform; ok is false when it holds
// an attribute or value this package does not support.
func parseP1Transform(t *Transform) (p IKEProposal, ok bool) {
	if t.ID != TransformKeyIKE {
		return p, false
	}
	var enc, keyBits, hash, auth uint64
	for _, a := range t.Attrs {
		v, vok := a.Uint()
		if !vok {
			return p, false
		}
		switch a.Type {
		case AttrEncryption:
			enc = v
		case AttrKeyLength:
			keyBits = v
		case AttrHash:
			hash = v
		case AttrAuthMethod:
			auth = v
		case AttrGroup:
			p.Group = suite.Group(v)
		case AttrLifeType, AttrLifeDur:
		default: // group type, prime, PRF...: not supported
			return p, false
		}
	}
	if enc > 0xffff || keyBits > 0xffff || hash > 0xffff || auth != authPSK && auth != authRSA || !p.Group.Supported() {
		return p, false
	}
	p.Signatures = auth == authRSA
	var eok, hok bool
	p.Encryption, eok = suite.EncryptionFromIKEv1(uint16(enc), uint16(keyBits))
	p.Hash, hok = suite.HashFromIKEv1(uint16(hash))
	secs, _, lok := lifetimes(t, AttrLifeType, AttrLifeDur)
	if !eok || !hok || !lok {
		return p, false
	}
	p.Lifetime = secs
	return p, true
}

// chooseP1 picks, as a responder, the first transform of the
// initiator's SA that one of ours allows. The lifetime is the shorter of
// the two (an initiator that gives none gets ours). The returned SA
// holds the chosen transform alone, as the responder sends it back.
func chooseP1(sa SA, ours []IKEProposal, group suite.Group) (SA, IKEProposal, bool) {
	for _, prop := range sa.Proposals {
		if prop.Protocol != ProtoISAKMP {
			continue
		}
		for i := range prop.Transforms {
			t := &prop.Transforms[i]
			theirs, ok := parseP1Transform(t)
			if !ok || (group != 0 && theirs.Group != group) {
				continue
			}
			for _, o := range ours {
				if o.Encryption != theirs.Encryption || o.Hash != theirs.Hash || o.Group != theirs.Group || o.Signatures != theirs.Signatures {
					continue
				}
				got := o
				if theirs.Lifetime > 0 && theirs.Lifetime < o.Lifetime {
					got.Lifetime = theirs.Lifetime
				}
				reply := prop
				reply.Transforms = []Transform{*t}
				return SA{DOI: DOIIPsec, Situation: SituationIdentity, Proposals: []Proposal{reply}}, got, true
			}
		}
	}
	return SA{}, IKEProposal{}, false
}

// acceptP1 checks, as an initiator, the responder's SA: one transform
// that is one of ours.
func acceptP1(sa SA, ours []IKEProposal) (IKEProposal, bool) {
	if len(sa.Proposals) != 1 || sa.Proposals[0].Protocol != ProtoISAKMP || len(sa.Proposals[0].Transforms) != 1 {
		return IKEProposal{}, false
	}
	theirs, ok := parseP1Transform(&sa.Proposals[0].Transforms[0])
	if !ok {
		return IKEProposal{}, false
	}
	for _, o := range ours {
		if o.Encryption == theirs.Encryption && o.Hash == theirs.Hash && o.Group == theirs.Group && o.Signatures == theirs.Signatures {
			if theirs.Lifetime > 0 && theirs.Lifetime < o.Lifetime {
				o.Lifetime = theirs.Lifetime
			}
			return o, true
		}
	}
	return IKEProposal{}, false
}

// childProposal is a negotiated phase-2 transform.
type childProposal struct {
	IPsecProposal
	group suite.Group // PFS group, 0 for none
	encap uint64      // encapsulation mode
}

// phase2SA returns the SA payload of a quick-mode initiator: one ESP
// proposal with inbound SPI spi whose transforms are the IPsec
// proposals.
func phase2SA(props []IPsecProposal, spi uint32, pfs suite.Group, encap uint64) SA {
	p := Proposal{Num: 1, Protocol: ProtoESP, SPI: binary.BigEndian.AppendUint32(nil, spi)}
	for i, x := range props {
		p.Transforms = append(p.Transforms, p2Transform(childProposal{x, pfs, encap}, uint8(i+1)))
	}
	return SA{DOI: DOIIPsec, Situation: SituationIdentity, Proposals: []Proposal{p}}
}

func p2Transform(c childProposal, num uint8) Transform {
	id, bits := c.Encryption.TransformID()
	attrs := []Attr{
		intAttr(AttrSALifeType, LifeSeconds),
		intAttr(AttrSALifeDur, uint64(c.Lifetime/time.Second)),
	}
	if c.Kilobytes > 0 {
		attrs = append(attrs, intAttr(AttrSALifeType, LifeKilobytes), intAttr(AttrSALifeDur, c.Kilobytes))
	}
	if c.group != 0 {
		attrs = append(attrs, intAttr(AttrPFSGroup, uint64(c.group)))
	}
	attrs = append(attrs, intAttr(AttrEncapMode, c.encap))
	if c.Integrity != 0 {
		attrs = append(attrs, intAttr(AttrAuthAlg, uint64(c.Integrity.IKEv1ID())))
	}
	if bits != 0 {
		attrs = append(attrs, intAttr(AttrSAKeyLength, uint64(bits)))
	}
	return Transform{Num: num, ID: uint8(id), Attrs: attrs}
}

// parseP2Transform reads an ESP transform.
func parseP2Transform(t *Transform) (c childProposal, ok bool) {
	var auth, keyBits uint64
	c.encap = EncapTunnel
	for _, a := range t.Attrs {
		v, vok := a.Uint()
		if !vok {
			return c, false
		}
		switch a.Type {
		case AttrPFSGroup:
			c.group = suite.Group(v)
			if !c.group.Supported() {
				return c, false
			}
		case AttrEncapMode:
			c.encap = v
		case AttrAuthAlg:
			auth = v
		case AttrSAKeyLength:
			keyBits = v
		case AttrSALifeType, AttrSALifeDur:
		default: // key rounds, compression, ESN...: not supported
			return c, false
		}
	}
	if keyBits > 0xffff || auth > 0xffff {
		return c, false
	}
	var eok bool
	c.Encryption, eok = suite.EncryptionFromID(uint16(t.ID), uint16(keyBits))
	if !eok {
		return c, false
	}
	if c.Encryption.AEAD() != (auth == 0) {
		return c, false
	}
	if auth != 0 {
		var iok bool
		if c.Integrity, iok = suite.IntegrityFromIKEv1(uint16(auth)); !iok {
			return c, false
		}
		if _, espOK := c.Integrity.ESP(); !espOK {
			return c, false
		}
	}
	secs, kb, lok := lifetimes(t, AttrSALifeType, AttrSALifeDur)
	if !lok {
		return c, false
	}
	c.Lifetime, c.Kilobytes = secs, kb
	return c, true
}

// chooseP2 picks, as a responder, the first ESP transform of the
// initiator's SA that one of our proposals allows, with the PFS group
// we ask for (pfs; any group the initiator offers when we ask none) and
// an encapsulation mode that fits the NAT state (udp: one of the UDP
// tunnel modes). It returns the initiator's SPI and the chosen transform
// with the shorter lifetimes, and the SA to send back (spi: ours).
func chooseP2(sa SA, ours []IPsecProposal, pfs suite.Group, udp bool, spi uint32) (SA, uint32, childProposal, bool) {
	nums := map[uint8]int{}
	for _, p := range sa.Proposals {
		nums[p.Num]++
	}
	for _, prop := range sa.Proposals {
		if prop.Protocol != ProtoESP || len(prop.SPI) != 4 || nums[prop.Num] != 1 {
			continue // AH, IPComp and bundles are not offered by an MS-MPC
		}
		for i := range prop.Transforms {
			t := &prop.Transforms[i]
			theirs, ok := parseP2Transform(t)
			if !ok || !encapFits(theirs.encap, udp) || (pfs != 0 && theirs.group != pfs) {
				continue
			}
			for _, o := range ours {
				if o.Encryption != theirs.Encryption || o.Integrity != theirs.Integrity {
					continue
				}
				got := childProposal{o, theirs.group, theirs.encap}
				if theirs.Lifetime > 0 && theirs.Lifetime < o.Lifetime {
					got.Lifetime = theirs.Lifetime
				}
				if theirs.Kilobytes > 0 && (o.Kilobytes == 0 || theirs.Kilobytes < o.Kilobytes) {
					got.Kilobytes = theirs.Kilobytes
				}
				reply := Proposal{Num: prop.Num, Protocol: ProtoESP, SPI: binary.BigEndian.AppendUint32(nil, spi),
					Transforms: []Transform{p2Transform(got, t.Num)}}
				return SA{DOI: DOIIPsec, Situation: SituationIdentity, Proposals: []Proposal{reply}},
					binary.BigEndian.Uint32(prop.SPI), got, true
			}
		}
	}
	return SA{}, 0, childProposal{}, false
}

func encapFits(mode uint64, udp bool) bool {
	if udp {
		return mode == EncapUDPTunnel || mode == EncapUDPTunnelDraft
	}
	return mode == EncapTunnel
}

// acceptP2 checks, as a quick-mode initiator, the responder's SA: one
// ESP proposal with one transform that is one of ours, with our PFS
// group and encapsulation. It returns the responder's SPI.
func acceptP2(sa SA, ours []IPsecProposal, pfs suite.Group, encap uint64) (uint32, childProposal, bool) {
	if len(sa.Proposals) != 1 {
		return 0, childProposal{}, false
	}
	prop := sa.Proposals[0]
	if prop.Protocol != ProtoESP || len(prop.SPI) != 4 || len(prop.Transforms) != 1 {
		return 0, childProposal{}, false
	}
	theirs, ok := parseP2Transform(&prop.Transforms[0])
	if !ok || theirs.group != pfs || theirs.encap != encap {
		return 0, childProposal{}, false
	}
	for _, o := range ours {
		if o.Encryption == theirs.Encryption && o.Integrity == theirs.Integrity {
			got := childProposal{o, pfs, encap}
			if theirs.Lifetime > 0 && theirs.Lifetime < o.Lifetime {
				got.Lifetime = theirs.Lifetime
			}
			if theirs.Kilobytes > 0 && (o.Kilobytes == 0 || theirs.Kilobytes < o.Kilobytes) {
				got.Kilobytes = theirs.Kilobytes
			}
			return binary.BigEndian.Uint32(prop.SPI), got, true
		}
	}
	return 0, childProposal{}, false
}
