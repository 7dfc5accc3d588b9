package ikev1

import (
	"bytes"
	"crypto/md5"
)

// Vendor IDs this package sends and recognises.
var (
	// vidDPD announces RFC 3706 dead peer detection (version 1.0).
	vidDPD = []byte{0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00}
	// vidRFC3947 announces NAT traversal as RFC 3947 defines it.
	vidRFC3947 = md5sum("RFC 3947")
	// The drafts 02 and 03 of RFC 3947: NAT-D is payload 130 and the
	// UDP encapsulation modes are 61443/61444. Some implementations
	// hashed draft 02's name with a trailing newline.
	vidDraft03  = md5sum("draft-ietf-ipsec-nat-t-ike-03")
	vidDraft02  = md5sum("draft-ietf-ipsec-nat-t-ike-02")
	vidDraft02n = md5sum("draft-ietf-ipsec-nat-t-ike-02\n")
)

func md5sum(s string) []byte {
	h := md5.Sum([]byte(s))
	return h[:]
}

// NATT is the NAT-traversal dialect two peers share.
type NATT uint8

// NAT-traversal dialects, weakest first.
const (
	NATTNone NATT = iota
	NATTDraft
	NATTRFC
)

// natdPayload returns the NAT-D payload type of the dialect.
func (n NATT) natdPayload() PayloadType {
	if n == NATTDraft {
		return PayloadNATDDraft
	}
	return PayloadNATD
}

// udpTunnel returns the encapsulation mode of UDP-encapsulated tunnels.
func (n NATT) udpTunnel() uint64 {
	if n == NATTDraft {
		return EncapUDPTunnelDraft
	}
	return EncapUDPTunnel
}

// vendors is what a peer's vendor ID payloads announce.
type vendors struct {
	dpd  bool
	natt NATT
	// nattVID is the best NAT-T vendor ID received, which a responder
	// sends back.
	nattVID []byte
}

// nattVIDs lists the NAT-T vendor IDs in order of preference.
var nattVIDs = []struct {
	id   []byte
	natt NATT
}{{vidRFC3947, NATTRFC}, {vidDraft03, NATTDraft}, {vidDraft02, NATTDraft}, {vidDraft02n, NATTDraft}}

// parseVendors reads the vendor IDs of a message; unknown ones are
// ignored.
func parseVendors(m *Message) vendors {
	var v vendors
	best := len(nattVIDs)
	for _, p := range m.All(PayloadVendor) {
		if bytes.Equal(p.Body, vidDPD) {
			v.dpd = true
			continue
		}
		for i, n := range nattVIDs[:best] {
			if bytes.Equal(p.Body, n.id) {
				best, v.natt, v.nattVID = i, n.natt, n.id
				break
			}
		}
	}
	return v
}

// addVendors adds the vendor IDs of a first phase-1 message: DPD always,
// and, unless NAT traversal is off, the NAT-T ones (an initiator offers
// RFC 3947 and the drafts; a responder answers with the best one it
// received, peer).
func addVendors(c *chain, nattOn, initiator bool, peer []byte) {
	c.add(PayloadVendor, vidDPD)
	if !nattOn {
		return
	}
	if initiator {
		c.add(PayloadVendor, vidRFC3947)
		c.add(PayloadVendor, vidDraft03)
		c.add(PayloadVendor, vidDraft02n)
		return
	}
	if peer != nil {
		c.add(PayloadVendor, peer)
	}
}
