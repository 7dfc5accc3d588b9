// Package kernel is the operating-system side of an emulated MS PIC: the
// TUN devices that stand for the inside units of a service interface
// ("ms-4/0/0.1" is the Linux link "ms-4_0_0.1"), the raw and UDP sockets
// that carry ESP to and from the local gateway, and the policy rules that
// steer the traffic of interface-style service sets into their service
// interface. Every device and socket is opened inside the router's network
// namespace (through the Do function the caller gives) and keeps that
// namespace; all reads and writes go through the Go netpoller, so Close or
// a read deadline ends a blocked reader.
//
// Reads and sends are batched: ReadBatch fills several buffers in one
// wake-up (recvmmsg on sockets, reads until EAGAIN on a TUN device) and
// Sender.SendBatch hands a whole batch of outer packets to the kernel in
// one sendmmsg call. A TUN device works with segmentation offload (package
// offload): the kernel routes TCP super-packets of up to 64 KB into it,
// which ReadBatch returns as the segments they stand for, and
// TUN.WriteBatch merges the TCP segments of a batch into super-packets,
// so that the router and the hosts handle a stream a super-packet at a
// time. The Sender is a blocking socket outside the Go netpoller: the
// kernel does no poller wake-up for each packet it frees.
package kernel
