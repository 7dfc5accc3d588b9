// Package mspic is the IPsec engine of one emulated MS PIC (ms-F/P/0): the
// service sets that run on it, their manual security associations and
// the ones its key manager negotiates, the data path between the devices
// of the service units and the ESP sockets of the local gateways, and the
// counters the show commands read.
//
// Negotiated SAs (dynamic.go) come from the key manager (package ike)
// through InstallSA and RemoveSA; a new plane is published with the SA
// objects already running and the new pair, so that a rekey is
// make-before-break. For local gateways with dynamic terms the card
// listens on UDP 500 (IKE) and 4500 (ESP in UDP and, behind the non-ESP
// marker, IKE) and hands IKE messages to the key manager (KeyManager),
// with cleartext for a dynamic term that has no SA yet (Acquire).
//
// A Card is one goroutine (run) that owns the configuration, the SA
// tables and the statistics baselines; other goroutines reach it through
// messages (Configure, SetOnline, SetGateway, ClearSAs, ClearStats,
// Status). The card publishes an immutable snapshot of its tables (a
// plane) that the I/O goroutines it starts read on every batch:
//
//	device (inside unit) --ReadBatch--> match term --Encapsulate--> Sender.SendBatch
//	ESP socket --ReadBatch--> Table.Decapsulate --policy check--> device.WriteBatch
//
// Statistics count packets as they are on the wire. A device whose kernel
// side uses segmentation offload (a TUN device with TSO) hands the card
// the segments of a TCP super-packet one by one, so each segment is one
// ESP packet, encrypted, sent and counted on its own; inbound, each ESP
// packet is counted when it is decrypted, whether or not the device then
// writes its inner packet merged with others (and a merged write that
// fails counts one device error per packet in it).
//
// The Sender sends ESP in UDP of one flow in runs (UDP segmentation
// offload) and the UDP socket receives merged datagrams that it splits
// again, so neither changes what the card sees or counts.
//
// Each outbound SA is used only by the reader of its device and each
// inbound SA only by the reader of its socket, as package esp requires.
// Counters are atomics, read best effort. Stop ends every goroutine.
package mspic
