// Package esp is the user-space ESP data path of the MS-PIC emulation:
// tunnel-mode Encapsulating Security Payload (RFC 4303) over IPv4, plain (IP
// protocol 50) or in UDP (RFC 3948 NAT-T on port 4500, Junos udp-encapsulate
// on port 4565 by default).
//
// An SA is one direction of a security association: SPI, encryption and
// authentication algorithms with their keys (Junos names: 3des-cbc,
// aes-128-cbc, aes-256-gcm, hmac-sha1-96, hmac-sha-256-128, ...), an atomic
// sequence counter, an anti-replay window (package replay), tunnel endpoints
// and the tunnel options of a Junos service set or rule term: tunnel-mtu,
// clear/copy/set-dont-fragment-bit, passive-mode-tunneling and
// no-ipsec-tunnel-in-traceroute. AES-GCM follows RFC 4106 (4-byte salt at the
// end of the key material, 8-byte explicit IV taken from the sequence number,
// 16-byte ICV); CBC IVs are unpredictable per packet; ICVs are compared in
// constant time.
//
// SA.Encapsulate turns an inner IPv4 or IPv6 packet into one outer packet, or
// into several when it must be fragmented before encapsulation, and runs the
// active IP checks of the MS-PIC (header, checksum, addresses, land attack,
// options, TTL with the tunnel counted as a hop) unless the SA is passive.
// Table.Decapsulate finds the inbound SA by SPI, checks replay and ICV,
// decrypts and returns the inner packet. Every drop is a sentinel error
// (errors.Is) counted in the SA or the table; *MTUError and ErrTTLExceeded
// tell the caller to send the ICMP error that AppendICMPError builds.
//
// Both directions reuse the caller's buffer and allocate nothing per packet
// in the steady state. On amd64 with AES-NI, AES-CBC runs in assembly
// (aescbc_amd64.s): the encryption chain in one loop, decryption four
// blocks at a time; elsewhere the standard library's CBC mode is used. An SA and a Table belong to one goroutine; their
// counters are atomics that any goroutine may read, best effort.
package esp
