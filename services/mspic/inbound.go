package mspic

import (
	"context"
	"errors"
	"net/netip"

	"mxlab/services/ipsec/esp"
)

// inbound is the reader of one ESP socket: it decapsulates a batch of
// what arrives and writes the inner packets into the devices.
type inbound struct {
	c     *Card
	key   wireKey
	rx    Receiver
	bufs  [][]byte
	sizes []int
	cur   *rxBatch       // the batch being built
	from  netip.AddrPort // sender of the packet being processed (UDP)
}

// sourced is a Receiver that knows who sent each datagram of the last
// batch (a UDP socket).
type sourced interface {
	From(i int) netip.AddrPort
}

// rxBatch is a batch of inner packets for the devices.
type rxBatch struct {
	inner []byte      // inner packets, back to back
	offs  [][2]int    // start, end of each inner packet in inner
	sets  []*setPlane // the service set of each inner packet
	pkts  [][]byte    // a run of inner packets for one device
}

func newRxBatch() *rxBatch {
	return &rxBatch{inner: make([]byte, 0, Batch*2048), offs: make([][2]int, 0, Batch),
		sets: make([]*setPlane, 0, Batch), pkts: make([][]byte, 0, Batch)}
}

func (b *rxBatch) reset() { b.inner, b.offs, b.sets = b.inner[:0], b.offs[:0], b.sets[:0] }

func newInbound(c *Card, k wireKey, rx Receiver) *inbound {
	in := &inbound{c: c, key: k, rx: rx, sizes: make([]int, Batch)}
	in.bufs = make([][]byte, Batch)
	for i := range in.bufs {
		in.bufs[i] = make([]byte, bufSize)
	}
	return in
}

// run reads the socket until ctx ends or the socket is closed.
func (in *inbound) run(ctx context.Context) {
	in.cur = newRxBatch()
	for ctx.Err() == nil {
		n, err := in.rx.ReadBatch(in.bufs, in.sizes)
		if err != nil && n == 0 {
			if errors.Is(err, errClosed) || ctx.Err() != nil {
				return
			}
			continue
		}
		p := in.c.cur.Load()
		var w *wirePlane
		if p != nil {
			w = p.wires[in.key]
		}
		in.cur.reset()
		src, _ := in.rx.(sourced)
		for i := 0; i < n; i++ {
			if src != nil {
				in.from = src.From(i)
			}
			in.packet(w, in.bufs[i][:in.sizes[i]])
		}
		in.cur.deliver()
	}
}

// packet processes one received ESP packet (outer IPv4 header included,
// or the UDP payload for an ESP-in-UDP socket): decapsulation and the
// policy check of the inner addresses against the term; the inner packet
// joins the batch in.cur.
func (in *inbound) packet(w *wirePlane, pkt []byte) {
	if w == nil {
		return
	}
	if w.ike {
		in.ike(pkt)
		return
	}
	b := in.cur
	start := len(b.inner)
	var sa *esp.SA
	var err error
	if in.key.port == 0 {
		b.inner, sa, err = w.table.Decapsulate(b.inner, pkt)
	} else {
		b.inner, sa, err = w.table.DecapsulateUDP(b.inner, pkt, in.key.port)
	}
	if err != nil {
		if err == esp.ErrNonESP {
			in.ike(pkt[4:])
		}
		return
	}
	inner := b.inner[start:]
	tp := w.terms[sa.SPI()]
	sp := tp.set
	if !sp.installed || sp.dev == nil {
		b.inner = b.inner[:start]
		return
	}
	if len(inner) >= 20 && inner[0]>>4 == 4 && !tp.t.Options.Passive {
		src := netip.AddrFrom4([4]byte(inner[12:16]))
		dst := netip.AddrFrom4([4]byte(inner[16:20]))
		ts, peer := w.peerTS[sa.SPI()]
		if !tp.t.MatchIn(sp.cfg.Style, src, dst) || peer && !ts.Contains(src) {
			sp.c.policy.Add(1)
			b.inner = b.inner[:start]
			return
		}
	}
	b.offs = append(b.offs, [2]int{start, len(b.inner)})
	b.sets = append(b.sets, sp)
}

// deliver writes the inner packets into the devices of their service
// sets, in order, each run of packets of one set in one call (the device
// may merge TCP segments). A packet the device refuses counts once in the
// set's device errors.
func (b *rxBatch) deliver() {
	for i := 0; i < len(b.offs); {
		sp := b.sets[i]
		b.pkts = b.pkts[:0]
		for ; i < len(b.offs) && b.sets[i] == sp; i++ {
			b.pkts = append(b.pkts, b.inner[b.offs[i][0]:b.offs[i][1]])
		}
		if n, _ := sp.dev.dev.WriteBatch(b.pkts); n < len(b.pkts) {
			sp.c.devErrors.Add(uint64(len(b.pkts) - n))
		}
	}
}

// ike hands an IKE message to the key manager.
func (in *inbound) ike(msg []byte) {
	if km := in.c.opts.Keys; km != nil && in.from.IsValid() {
		km.IKE(netip.AddrPortFrom(in.key.addr, in.key.port), in.from, msg)
	}
}
