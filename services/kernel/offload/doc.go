// Package offload does in user space what a NIC does for a TUN device that
// works with segmentation offload: the kernel hands over TCP super-packets
// (TSO: up to 64 KB of payload behind one set of headers, described by a
// virtio-net header) and takes them (GRO-style coalescing).
//
// A Segmenter cuts a packet read from the device into the packets that go
// on the wire, with the headers a NIC would give them, and completes a
// checksum the kernel left to the device. A Coalescer plans how a batch of
// packets is written: the TCP segments of a flow that continue each other
// are merged into one super-packet, written as a few pieces (Parts) with
// writev, so that the kernel forwards them and the receiving host takes
// them as one; a merged packet cut again gives back exactly the segments
// it was made of.
package offload
