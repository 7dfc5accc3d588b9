package ikev2

import (
	"mxlab/services/ike/suite"
	"mxlab/services/ipsec"
	"mxlab/services/ipsec/esp"
)

// ikeTransforms returns the transforms of one configured IKE proposal.
func ikeTransforms(p *ipsec.IKEProposal) []Transform {
	id, bits := p.Encryption.TransformID()
	ts := []Transform{{Kind: TransformENCR, ID: id, KeyLen: bits}, {Kind: TransformPRF, ID: p.Hash.PRFID()}}
	if !p.Encryption.AEAD() {
		ts = append(ts, Transform{Kind: TransformINTEG, ID: p.Hash.Integrity().TransformID()})
	}
	return append(ts, Transform{Kind: TransformDH, ID: uint16(p.Group)})
}

// ikeSAPayload is the SA payload offering the policy's IKE proposals
// (spi: empty in IKE_SA_INIT, the new SPI in an IKE rekey).
func ikeSAPayload(pol *ipsec.IKEPolicy, spi []byte) *SA {
	sa := &SA{}
	for i, p := range pol.Proposals {
		sa.Proposals = append(sa.Proposals, Proposal{Num: uint8(i + 1), Protocol: ProtoIKE, SPI: spi, Transforms: ikeTransforms(p)})
	}
	return sa
}

// espTransforms returns the transforms of one IPsec proposal, with the
// PFS group when pfs is not 0; ok is false when the proposal cannot be
// negotiated (hmac-sha-256-96).
func espTransforms(p *ipsec.IPsecProposal, pfs suite.Group) ([]Transform, bool) {
	e, ok := suite.EncryptionOf(p.Encryption)
	if !ok {
		return nil, false
	}
	id, bits := e.TransformID()
	ts := []Transform{{Kind: TransformENCR, ID: id, KeyLen: bits}}
	if !e.AEAD() {
		i, ok := suite.IntegrityOf(p.Authentication)
		if !ok {
			return nil, false
		}
		ts = append(ts, Transform{Kind: TransformINTEG, ID: i.TransformID()})
	}
	if pfs != 0 {
		ts = append(ts, Transform{Kind: TransformDH, ID: uint16(pfs)})
	}
	return append(ts, Transform{Kind: TransformESN, ID: 0}), true
}

// espSAPayload offers the policy's ESP proposals with the inbound SPI.
func espSAPayload(pol *ipsec.IPsecPolicy, spi uint32, pfs suite.Group) *SA {
	sa := &SA{}
	for _, p := range pol.Proposals {
		ts, ok := espTransforms(p, pfs)
		if !ok {
			continue
		}
		sa.Proposals = append(sa.Proposals, Proposal{Num: uint8(len(sa.Proposals) + 1), Protocol: ProtoESP,
			SPI: spiBytes(spi), Transforms: ts})
	}
	return sa
}

func spiBytes(spi uint32) []byte {
	return []byte{byte(spi >> 24), byte(spi >> 16), byte(spi >> 8), byte(spi)}
}

func spiValue(b []byte) uint32 {
	if len(b) != 4 {
		return 0
	}
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// offers reports whether proposal pr offers transform t (same type, ID
// and key length, no unknown attribute).
func offers(pr *Proposal, t Transform) bool {
	for _, x := range pr.Transforms {
		if x.Kind == t.Kind && x.ID == t.ID && x.KeyLen == t.KeyLen && !x.Unknown {
			return true
		}
	}
	return false
}

// hasType reports whether the proposal has a transform of the given type.
func hasType(pr *Proposal, kind uint8) bool {
	for _, x := range pr.Transforms {
		if x.Kind == kind {
			return true
		}
	}
	return false
}

// knownTypes reports whether every transform type of the proposal is one
// this package knows (RFC 7296 §3.3.6: reject a proposal with an unknown
// transform type).
func knownTypes(pr *Proposal) bool {
	for _, x := range pr.Transforms {
		if x.Kind < TransformENCR || x.Kind > TransformESN {
			return false
		}
	}
	return true
}

// chooseIKE picks the first of the peer's IKE proposals that one of the
// configured proposals matches, and returns the reply proposal.
func chooseIKE(offer *SA, pol *ipsec.IKEPolicy) (*ipsec.IKEProposal, Proposal, bool) {
	for i := range offer.Proposals {
		pr := &offer.Proposals[i]
		if pr.Protocol != ProtoIKE || !knownTypes(pr) || hasType(pr, TransformESN) {
			continue
		}
		for _, mine := range pol.Proposals {
			ts := ikeTransforms(mine)
			ok := true
			for _, t := range ts {
				ok = ok && offers(pr, t)
			}
			if ok {
				return mine, Proposal{Num: pr.Num, Protocol: ProtoIKE, SPI: pr.SPI, Transforms: ts}, true
			}
		}
	}
	return nil, Proposal{}, false
}

// ikeAlgorithms are the algorithms of a configured IKE proposal.
func ikeAlgorithms(p *ipsec.IKEProposal) Algorithms {
	a := Algorithms{Encryption: p.Encryption, PRF: p.Hash, Group: p.Group}
	if !p.Encryption.AEAD() {
		a.Integrity = p.Hash.Integrity()
	}
	return a
}

// acceptIKE checks the responder's reply proposal against the policy.
func acceptIKE(reply *SA, pol *ipsec.IKEPolicy) (*ipsec.IKEProposal, bool) {
	if len(reply.Proposals) != 1 {
		return nil, false
	}
	p, _, ok := chooseIKE(reply, pol)
	if !ok || len(reply.Proposals[0].Transforms) != len(ikeTransforms(p)) {
		return nil, false
	}
	return p, true
}

// espChoice is a negotiated ESP proposal.
type espChoice struct {
	proposal *ipsec.IPsecProposal
	enc      esp.Encryption
	integ    esp.Authentication
	pfs      suite.Group
	peerSPI  uint32
	reply    Proposal
}

// chooseESP picks the first of the peer's ESP proposals that one of the
// policy's proposals matches. withKE tells whether the exchange carries a
// KE payload (CREATE_CHILD_SA); in IKE_AUTH the DH transforms are ignored
// (RFC 7296 §1.2). pfs is the group the policy asks for (0: none).
func chooseESP(offer *SA, pol *ipsec.IPsecPolicy, withKE bool) (espChoice, bool) {
	for i := range offer.Proposals {
		pr := &offer.Proposals[i]
		if pr.Protocol != ProtoESP || len(pr.SPI) != 4 || !knownTypes(pr) || spiValue(pr.SPI) < 256 {
			continue
		}
		for _, mine := range pol.Proposals {
			ts, ok := espTransforms(mine, 0)
			if !ok {
				continue
			}
			match := true
			var reply []Transform
			for _, t := range ts {
				if t.Kind == TransformESN {
					continue
				}
				match = match && offers(pr, t)
				reply = append(reply, t)
			}
			if !match {
				continue
			}
			if hasType(pr, TransformESN) && !offers(pr, Transform{Kind: TransformESN, ID: 0}) {
				continue // only extended sequence numbers offered
			}
			c := espChoice{proposal: mine, enc: mine.Encryption, integ: mine.Authentication, peerSPI: spiValue(pr.SPI)}
			if mine.Encryption.AEAD() {
				c.integ = esp.NoAuthentication
			}
			if withKE {
				switch {
				case pol.PFS != 0 && !offers(pr, Transform{Kind: TransformDH, ID: uint16(pol.PFS)}):
					continue
				case pol.PFS != 0:
					c.pfs = pol.PFS
				case hasType(pr, TransformDH) && !offers(pr, Transform{Kind: TransformDH, ID: 0}):
					g := firstDH(pr)
					if !g.Supported() {
						continue
					}
					c.pfs = g // the peer insists on PFS: follow it
				}
				if c.pfs != 0 {
					reply = append(reply, Transform{Kind: TransformDH, ID: uint16(c.pfs)})
				}
			}
			reply = append(reply, Transform{Kind: TransformESN, ID: 0})
			c.reply = Proposal{Num: pr.Num, Protocol: ProtoESP, Transforms: reply}
			return c, true
		}
	}
	return espChoice{}, false
}

func firstDH(pr *Proposal) suite.Group {
	for _, t := range pr.Transforms {
		if t.Kind == TransformDH && t.ID != 0 {
			return suite.Group(t.ID)
		}
	}
	return 0
}

// acceptESP checks the responder's reply ESP proposal: exactly one
// proposal, one of ours; pfs is the group the request offered (0: none).
func acceptESP(reply *SA, pol *ipsec.IPsecPolicy, pfs suite.Group) (espChoice, bool) {
	if len(reply.Proposals) != 1 {
		return espChoice{}, false
	}
	pr := &reply.Proposals[0]
	if pr.Protocol != ProtoESP || len(pr.SPI) != 4 || spiValue(pr.SPI) < 256 {
		return espChoice{}, false
	}
	for _, mine := range pol.Proposals {
		ts, ok := espTransforms(mine, pfs)
		if !ok {
			continue
		}
		match := len(pr.Transforms) == len(ts)
		for _, t := range ts {
			match = match && offers(pr, t)
		}
		if !match {
			continue
		}
		c := espChoice{proposal: mine, enc: mine.Encryption, integ: mine.Authentication, pfs: pfs, peerSPI: spiValue(pr.SPI)}
		if mine.Encryption.AEAD() {
			c.integ = esp.NoAuthentication
		}
		return c, true
	}
	return espChoice{}, false
}
