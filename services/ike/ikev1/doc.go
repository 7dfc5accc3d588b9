// Package ikev1 is IKE version 1 (RFC 2407, 2408, 2409), the Junos
// default "version 1" of an IKE policy, as a protocol of the MS PIC's
// key-management engine (package ike): main and aggressive mode with
// pre-shared keys, quick mode with and without perfect forward secrecy,
// informational exchanges, NAT traversal (RFC 3947, and the drafts 02/03
// strongSwan and others still announce), dead peer detection (RFC 3706).
//
// # Layers
//
//   - The codec: the ISAKMP header and payload chain (Decode,
//     ParsePayloads), SA/proposal/transform payloads with basic and
//     variable attributes (ParseSA, SA.Append), ID, notification, delete,
//     certificate and request payloads, vendor IDs. Decoders copy nothing
//     and bound what a message can ask for (payloads, proposals,
//     transforms, SPIs).
//   - The key schedule (RFC 2409 §5, Appendix B): SKEYID from the
//     pre-shared key and the nonces, SKEYID_d/a/e, the encryption key
//     expanded from SKEYID_e when it is too short, HASH_I/HASH_R, the
//     quick-mode KEYMAT of each direction, and the CBC IV chains: the
//     phase-1 chain from hash(g^xi | g^xr), one per quick mode from
//     hash(last phase-1 block | M-ID), informational messages from the
//     same start and never chained.
//   - The Machine: every phase-1 SA, quick mode and tunnel of one PIC. It
//     is a plain state machine with no goroutine and no clock of its own:
//     its owner calls Receive, Configure, Initiate, DeleteIKE,
//     DeleteChildren, Expired and, at the time Next returns, Tick, always
//     with the current time; it sends and installs through a Host.
//   - New wraps a Machine as an ike.Protocol: engine tunnels become
//     Tunnels, negotiated pairs become ike.Child values, and one engine
//     timer stands for the machine's next deadline.
//
// # Flow
//
//	configure ─▶ tunnel wanted (establish-tunnels immediately, Initiate on traffic)
//	  └▶ no phase-1 SA with the peer: main (or aggressive) mode ─▶ established
//	       └▶ quick mode per tunnel ─▶ Host.Install (pair) ─▶ soft lifetime ─▶ quick mode again
//	            └▶ new pair installed, old one deleted after a grace period (make before break)
//	peer silent for the DPD interval ─▶ R-U-THERE … threshold unanswered ─▶ SAs removed,
//	  backup-remote-gateway tried
//
// Phase-1 SAs are shared by the tunnels between the same two gateways;
// the initiator renews its phase-1 SA before it expires, without
// touching the IPsec SAs. Every exchange has one side waiting for the
// next message, which retransmits after 2, 4, 8, 16 and 16 seconds (±10 %)
// and gives up; a repeated message is answered with the last answer.
// Half-open phase-1 SAs this side answers are bounded (MaxHalfOpen) and
// abandoned after a minute. Malformed, unexpected, unauthenticated,
// replayed or unknown-payload messages are dropped and counted (Stats),
// never answered with state; a first message whose proposals this side
// cannot accept gets an unprotected NO-PROPOSAL-CHOSEN, which holds
// nothing.
//
// strongSwan 5.9.8 is the reference peer: the interop tests run charon
// in network namespaces (package internal/swantest), compare the ESP
// keys of every pair with the ones charon logs, and ping through the
// pairs with package esp.
package ikev1
