package mspic

import (
	"context"
	"errors"
	"net/netip"
	"os"

	"mxlab/services/ipsec/esp"
)

// Batch is the number of packets read and sent per system call.
const Batch = 64

// bufSize holds any packet a device or socket delivers (jumbo MTU and
// outer headers).
const bufSize = 9216 + 256

// outbound is the reader of one device: it encapsulates what the kernel
// routes into the unit and sends it.
type outbound struct {
	c      *Card
	unit   string
	dev    Device
	snd    Sender
	bufs   [][]byte
	sizes  []int
	out    []byte   // outer packets of a batch, back to back
	offs   [][2]int // start, end of each outer packet in out
	pkts   [][]byte
	errLog bool
}

func newOutbound(c *Card, unit string, dev Device, snd Sender) *outbound {
	o := &outbound{c: c, unit: unit, dev: dev, snd: snd, sizes: make([]int, Batch),
		out: make([]byte, 0, Batch*2048), pkts: make([][]byte, 0, Batch)}
	o.bufs = make([][]byte, Batch)
	for i := range o.bufs {
		o.bufs[i] = make([]byte, bufSize)
	}
	return o
}

func (o *outbound) run(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := o.dev.ReadBatch(o.bufs, o.sizes)
		if err != nil {
			if errors.Is(err, errClosed) {
				return
			}
			if ctx.Err() == nil && !o.errLog {
				o.errLog = true
				o.c.opts.Log("error", o.unit+": read: "+err.Error())
			}
			if n == 0 {
				continue
			}
		}
		o.batch(o.bufs[:n], o.sizes[:n])
	}
}

// batch encapsulates a batch of cleartext packets and sends it.
func (o *outbound) batch(bufs [][]byte, sizes []int) {
	p := o.c.cur.Load()
	var d *devPlane
	if p != nil {
		d = p.devs[o.unit]
	}
	o.out, o.offs = o.out[:0], o.offs[:0]
	for i, b := range bufs {
		o.packet(d, b[:sizes[i]])
	}
	o.pkts = o.pkts[:0]
	for _, r := range o.offs {
		o.pkts = append(o.pkts, o.out[r[0]:r[1]])
	}
	if len(o.pkts) == 0 {
		return
	}
	sent, err := o.snd.SendBatch(o.pkts)
	if err != nil && d != nil && len(d.sets) > 0 {
		d.sets[0].c.sendErrors.Add(uint64(len(o.pkts) - sent))
	}
}

// packet encapsulates one packet with the SA of the first matching term.
func (o *outbound) packet(d *devPlane, pkt []byte) {
	if d == nil || len(d.sets) == 0 {
		return
	}
	tp := match(d, pkt)
	if tp == nil {
		d.sets[0].c.noMatch.Add(1)
		return
	}
	start := len(o.out)
	out, err := tp.out.Encapsulate(o.out, pkt)
	o.out = out
	if err == nil {
		for q := range esp.Packets(o.out[start:]) {
			o.offs = append(o.offs, [2]int{start, start + len(q)})
			start += len(q)
		}
		return
	}
	o.icmpError(d, tp, pkt, err)
}

// match finds the term whose outbound SA takes a packet.
func match(d *devPlane, pkt []byte) *termPlane {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		if len(pkt) > 0 {
			// Only passive-mode sets tunnel what is not IPv4, with
			// their first term.
			for _, sp := range d.sets {
				if sp.installed && len(sp.terms) > 0 && sp.terms[0].out != nil && sp.terms[0].t.Options.Passive {
					return sp.terms[0]
				}
			}
		}
		return nil
	}
	src := netip.AddrFrom4([4]byte(pkt[12:16]))
	dst := netip.AddrFrom4([4]byte(pkt[16:20]))
	for _, sp := range d.sets {
		if !sp.installed {
			continue
		}
		for _, tp := range sp.terms {
			if tp.out != nil && tp.t.MatchOut(sp.cfg.Style, src, dst) {
				return tp
			}
		}
	}
	return nil
}

// icmpError answers a packet the tunnel refused with the ICMP error the
// SA asks for (time exceeded in the tunnel hop, fragmentation needed),
// from the local gateway, sent with the batch.
func (o *outbound) icmpError(d *devPlane, tp *termPlane, pkt []byte, err error) {
	var typ, code uint8
	mtu := 0
	var me *esp.MTUError
	switch {
	case errors.Is(err, esp.ErrTTLExceeded):
		typ, code = esp.ICMPTimeExceeded, esp.CodeTTLExceeded
	case errors.As(err, &me) && me.ICMP:
		typ, code, mtu = esp.ICMPDestUnreachable, esp.CodeFragNeeded, me.MTU
	default:
		return
	}
	start := len(o.out)
	b, ok := esp.AppendICMPError(o.out, tp.set.cfg.LocalGateway, typ, code, mtu, pkt)
	o.out = b
	if !ok {
		return
	}
	// Sent by the router itself: a packet with a local source address
	// written into the device would be dropped as a martian.
	o.offs = append(o.offs, [2]int{start, len(o.out)})
	tp.set.c.icmp.Add(1)
}

// inbound is the reader of one ESP socket.
type inbound struct {
	c     *Card
	key   wireKey
	rx    Receiver
	bufs  [][]byte
	sizes []int
	inner []byte
}

func newInbound(c *Card, k wireKey, rx Receiver) *inbound {
	in := &inbound{c: c, key: k, rx: rx, sizes: make([]int, Batch), inner: make([]byte, 0, bufSize)}
	in.bufs = make([][]byte, Batch)
	for i := range in.bufs {
		in.bufs[i] = make([]byte, bufSize)
	}
	return in
}

func (in *inbound) run(ctx context.Context) {
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
		for i := 0; i < n; i++ {
			in.packet(w, in.bufs[i][:in.sizes[i]])
		}
	}
}

// packet processes one received ESP packet (outer IPv4 header included,
// or the UDP payload for an ESP-in-UDP socket): decapsulation, the policy
// check of the inner addresses against the term, and delivery into the
// device of the service set.
func (in *inbound) packet(w *wirePlane, pkt []byte) {
	if w == nil {
		return
	}
	var inner []byte
	var sa *esp.SA
	var err error
	if in.key.port == 0 {
		inner, sa, err = w.table.Decapsulate(in.inner[:0], pkt)
	} else {
		inner, sa, err = w.table.DecapsulateUDP(in.inner[:0], pkt, in.key.port)
	}
	if err != nil {
		return
	}
	tp := w.terms[sa.SPI()]
	sp := tp.set
	if !sp.installed || sp.dev == nil {
		return
	}
	if len(inner) >= 20 && inner[0]>>4 == 4 && !tp.t.Options.Passive {
		src := netip.AddrFrom4([4]byte(inner[12:16]))
		dst := netip.AddrFrom4([4]byte(inner[16:20]))
		if !tp.t.MatchIn(sp.cfg.Style, src, dst) {
			sp.c.policy.Add(1)
			return
		}
	}
	if _, err := sp.dev.dev.Write(inner); err != nil {
		sp.c.devErrors.Add(1)
	}
}

// errClosed is what a read returns once its device or socket is closed.
var errClosed = os.ErrClosed
