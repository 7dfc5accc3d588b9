// Package ike is the key-management engine (the kmd) of an MS PIC: it
// negotiates the dynamic security associations of the service sets on
// the card with IKE and installs the ESP SAs it agrees on into the
// card's data path (package mspic), so that anti-replay, tunnel MTU, DF
// handling, passive mode, traceroute and the counters work for them as
// for manual SAs.
//
// # Engine
//
// A KMD is one goroutine per MS PIC that owns every IKE SA of the card;
// other goroutines reach it by messages, like the card's engine:
// Configure (the tunnels after a commit), Deliver (an IKE message the
// card received), Acquire (cleartext for a tunnel without SAs, for
// establish-tunnels on-traffic), SetOnline, ClearIKE, ClearIPsec and
// Status. Deliver and Acquire never block: the card's I/O goroutines call
// them, and a full queue drops (and counts) the message.
//
//	card UDP 500 socket ----------------------.
//	card UDP 4500 socket (non-ESP marker) ----+--> Deliver --> engine --> Protocol.Receive
//	card device (no SA for a tunnel) ----------------> Acquire --> engine --> Protocol.Initiate
//	Protocol --> Host.Send --> engine's raw socket (IPv4 + UDP, marker on 4500)
//	Protocol --> Host.Install/Remove --> card (InstallSA/RemoveSA)
//
// The card owns the UDP sockets on 500 and 4500 of each local gateway
// with dynamic tunnels (4500 is shared with ESP in UDP, RFC 3948), so a
// PIC that is offline neither receives IKE nor ESP; the engine sends
// through a raw socket of its own in the router's namespace.
//
// # Protocols
//
// Each IKE version is a Protocol (ikev2 here, ikev1 in its own
// package). The engine hands each protocol the tunnels whose IKE policy
// has its version (Configure) and the messages whose header carries its
// major version (the version octet at offset 17 is 0x10 for ISAKMP,
// 0x20 for IKEv2); everything else about the version is the protocol's:
// exchanges, SA tables, retransmission, rekey, DPD, NAT detection.
//
// A protocol talks to the engine only through Host, and only on the
// engine's goroutine (inside a Protocol call or a Host.AfterFunc
// function), so it needs no locks. To plug a version in, implement
// Protocol and give the engine a constructor:
//
//	func New(h ike.Host) ike.Protocol
//
// A protocol:
//   - answers messages for tunnels of its version, with the Tunnel whose
//     Local and Remote (or Backup) gateways match the addresses the
//     message came on and whose policies accept the proposal;
//   - installs each negotiated child SA with Host.Install (a Child holds
//     the SPIs, algorithms, both directions' keys, the ESP endpoints, UDP
//     ports after NAT traversal) and removes it with Host.Remove when it
//     is deleted or replaced; on a rekey it installs the new child before
//     it removes the old one;
//   - rekeys before the hard lifetime (soft lifetime with jitter), runs
//     DPD when the tunnel asks for it (Tunnel.DPD) and, when the peer is
//     declared dead, deletes its SAs and initiates to the other gateway
//     (Backup) when one is configured;
//   - logs exchanges and state changes with Host.Logf, never keys;
//   - counts what it drops in Drops and reports its IKE SAs in SAStatus.
//
// # Hardware and operator events
//
// A PIC that goes offline loses the ESP SAs of its card; the engine
// keeps its IKE SAs unless clear-ike-sas-on-pic-restart is configured.
// When the PIC comes back, the child SAs are negotiated again (at once,
// or per establish-tunnels with clear-ipsec-sas-on-pic-restart); the
// IKE SAs too when they were cleared. "clear services ipsec-vpn ike
// security-associations" deletes IKE SAs, "clear services ipsec-vpn
// ipsec security-associations" child SAs, with delete notifications;
// tunnels then come back per establish-tunnels: at once (immediately),
// on the next packet (on-traffic), or when the peer initiates
// (responder-only).
package ike
