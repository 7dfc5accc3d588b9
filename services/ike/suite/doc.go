// Package suite holds the cryptographic algorithms that IKE (versions 1
// and 2) negotiates on an MS PIC, by their Junos names and by their IANA
// numbers on the wire:
//
//   - Diffie-Hellman groups (Group): the MODP groups group1, group2
//     (RFC 2409), group5, group14, group15, group16 (RFC 3526), group24
//     (MODP 2048 with a 256-bit prime-order subgroup, RFC 5114) and the
//     ECP groups group19, group20 (RFC 5903, through crypto/ecdh). A Group
//     value is its IANA transform ID (IKEv2 transform type 4 and the IKEv1
//     Group Description attribute share the numbers).
//   - Encryption algorithms (Encryption): des-cbc, 3des-cbc,
//     aes-128/192/256-cbc and aes-128/192/256-gcm (16-octet ICV: RFC 5282
//     in IKEv2, RFC 4106 in ESP), with the IKEv2/ESP transform IDs and the
//     IKEv1 phase-1 class values.
//   - Hash algorithms of an IKE proposal (Hash: md5, sha1, sha-256,
//     sha-384), used as HMAC pseudo-random functions (IKEv2 PRF, IKEv1
//     hash) and mapped to their truncated integrity algorithm.
//   - Integrity algorithms (Integrity: hmac-md5-96, hmac-sha1-96,
//     hmac-sha-256-128, hmac-sha-384-192) for the IKEv2 SK payload and for
//     ESP.
//
// The ESP algorithms map to the data path of package esp (Encryption.ESP,
// Integrity.ESP, EncryptionOf, IntegrityOf), so that a negotiated child SA
// becomes an esp.Config.
//
// Diffie-Hellman wire formats follow IKE: a MODP public value is the
// big-endian integer left-padded with zeros to the length of the prime,
// and so is the shared secret g^ir (RFC 7296 §2.14, RFC 2409 §5); an ECP
// public value is x | y without a point-format octet and the shared
// secret is the x coordinate (RFC 5903 §7). Group.Check validates a
// peer's public value the way RFC 6989 asks (range, subgroup membership,
// point on the curve) before any secret is computed.
//
// MODP arithmetic uses math/big, which is not constant time; keys live
// for one exchange. Everything in this package is safe for concurrent
// use; a DHKey belongs to the exchange that made it.
package suite
