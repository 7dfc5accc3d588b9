// Package ikev2 is IKE version 2 (RFC 7296) for the key-management engine
// of an MS PIC (package ike): a Protocol that negotiates IKE SAs and their
// child SAs with pre-shared keys.
//
// The codec (message.go, payload.go, sapayload.go) reads and writes the
// IKE header and every payload (SA with proposals, transforms and
// attributes, KE, IDi/IDr, AUTH, Nonce, Notify, Delete, TSi/TSr; CERT,
// CERTREQ, CP, EAP and vendor IDs kept raw), and the SK payload
// (crypto.go): AES-CBC, 3DES and DES with HMAC integrity, AES-GCM with a
// 16-octet ICV (RFC 5282). Every length is checked; a message that fails
// is counted and dropped. Fragmentation (RFC 7383) is not supported.
//
// The exchanges:
//   - IKE_SA_INIT (init.go): proposals from the IKE policy, the KE of the
//     first proposal's group and a retry with the group the responder asks
//     for (INVALID_KE_PAYLOAD), cookies as initiator and, past
//     Options.CookieThreshold half-open SAs, as responder (stateless until
//     the cookie checks), half-open SAs bounded (Options.HalfOpenLimit) and
//     timed out, NAT detection (NAT_DETECTION_*_IP) and the move to port
//     4500 with ESP in UDP when a NAT is seen;
//   - IKE_AUTH (auth.go): PSK authentication of both sides, identities
//     (local-id, remote-id), INITIAL_CONTACT, the first child SA;
//   - CREATE_CHILD_SA (child.go, rekey.go): more child SAs over one IKE SA,
//     child rekeys (REKEY_SA, PFS when the IPsec policy asks for it)
//     installed before the old child is deleted, IKE SA rekeys that move
//     the children to the new SA, TEMPORARY_FAILURE on collisions;
//   - INFORMATIONAL (info.go): deletes, liveness checks, and dead peer
//     detection when the tunnel asks for it, with failover to the backup
//     gateway.
//
// Traffic selectors are the term's addresses; a responder narrows what
// the initiator offers to its own (RFC 7296 §2.9) and answers
// TS_UNACCEPTABLE when nothing is left. Requests are retransmitted with
// exponential backoff and jitter; a responder answers a retransmitted
// request from its cache. Soft lifetimes (rekeys) come at nine tenths of
// the hard ones, less up to ten percent at random.
//
// A Protocol runs on the engine's goroutine only (see package ike) and is
// tested on a simulated network with a simulated clock (world_test.go).
package ikev2
