package mspic

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"time"

	"mxlab/services/ipsec/esp"
)

// Batch is the number of packets read and sent per system call.
const Batch = 64

// bufSize holds any packet a device or socket delivers (jumbo MTU and
// outer headers).
const bufSize = 9216 + 256

// txDepth is the number of batches of outer packets per device: one is
// filled while the others are sent.
const txDepth = 3

// outbound is the reader of one device: it encapsulates what the kernel
// routes into the unit and hands the outer packets to its sending
// goroutine, so that encryption and sending overlap.
type outbound struct {
	c      *Card
	unit   string
	dev    Device
	snd    Sender
	bufs   [][]byte
	sizes  []int
	out    []byte   // outer packets of the batch being built, back to back
	offs   [][2]int // start, end of each outer packet in out
	errLog bool
}

// txBatch is a batch of outer packets on its way to the Sender.
type txBatch struct {
	out  []byte
	offs [][2]int
	pkts [][]byte
	errs *setCounters // where send errors count
}

func newOutbound(c *Card, unit string, dev Device, snd Sender) *outbound {
	o := &outbound{c: c, unit: unit, dev: dev, snd: snd, sizes: make([]int, Batch)}
	o.bufs = make([][]byte, Batch)
	for i := range o.bufs {
		o.bufs[i] = make([]byte, bufSize)
	}
	return o
}

// run reads the device until ctx ends; the sending goroutine it starts
// ends with it.
func (o *outbound) run(ctx context.Context) {
	full, free := make(chan *txBatch, txDepth), make(chan *txBatch, txDepth)
	for range txDepth {
		free <- &txBatch{out: make([]byte, 0, Batch*2048), offs: make([][2]int, 0, Batch), pkts: make([][]byte, 0, Batch)}
	}
	done := make(chan struct{})
	go func() { defer close(done); o.send(full, free) }()
	defer func() { close(full); <-done }()
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
		b := <-free
		if o.batch(b, o.bufs[:n], o.sizes[:n]) {
			full <- b
		} else {
			free <- b
		}
	}
}

// send sends the batches of full and gives them back through free.
func (o *outbound) send(full <-chan *txBatch, free chan<- *txBatch) {
	logged := false
	for b := range full {
		sent, err := o.snd.SendBatch(b.pkts)
		if err != nil && b.errs != nil {
			b.errs.sendErrors.Add(uint64(len(b.pkts) - sent))
		}
		if err != nil && !logged {
			// Once per run of the reader: a send that fails fails for
			// every packet (the drops are counted on the ms- interface).
			logged = true
			o.c.opts.Log("error", o.unit+": cannot send ESP: "+err.Error())
		}
		free <- b
	}
}

// batch encapsulates a batch of cleartext packets into b and reports
// whether there is anything to send.
func (o *outbound) batch(b *txBatch, bufs [][]byte, sizes []int) bool {
	p := o.c.cur.Load()
	var d *devPlane
	if p != nil {
		d = p.devs[o.unit]
	}
	o.out, o.offs = b.out[:0], b.offs[:0]
	for i, buf := range bufs {
		o.packet(d, buf[:sizes[i]])
	}
	b.out, b.offs, b.pkts, b.errs = o.out, o.offs, b.pkts[:0], nil
	for _, r := range b.offs {
		b.pkts = append(b.pkts, b.out[r[0]:r[1]])
	}
	if d != nil && len(d.sets) > 0 {
		b.errs = d.sets[0].c
	}
	return len(b.pkts) > 0
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
	if tp.out == nil {
		o.acquire(tp)
		return
	}
	sa := tp.out
	if len(tp.peers) > 1 && len(pkt) >= 20 {
		sa = tp.outFor(netip.AddrFrom4([4]byte(pkt[16:20])))
	}
	start := len(o.out)
	out, err := sa.Encapsulate(o.out, pkt)
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
			if (tp.out != nil || tp.t.Dynamic != nil) && tp.t.MatchOut(sp.cfg.Style, src, dst) {
				return tp
			}
		}
	}
	return nil
}

// acquire drops a packet for a dynamic term without SA and, at most
// once a second, tells the key manager (establish-tunnels on-traffic).
func (o *outbound) acquire(tp *termPlane) {
	tp.set.c.noSA.Add(1)
	km := o.c.opts.Keys
	if km == nil || tp.acquired == nil {
		return
	}
	now := time.Now().UnixNano()
	last := tp.acquired.Load()
	if now-last < int64(time.Second) || !tp.acquired.CompareAndSwap(last, now) {
		return
	}
	km.Acquire(tp.set.cfg.Name, tp.t.Index)
}

// icmpError answers a packet the tunnel refused with the ICMP error the
// SA asks for (time exceeded in the tunnel hop, fragmentation needed),
// from the set's hop source (see ipsec.ServiceSet.HopSource), sent with
// the batch.
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
	src := tp.set.cfg.HopSource
	if !src.IsValid() {
		src = tp.set.cfg.LocalGateway
	}
	b, ok := esp.AppendICMPError(o.out, src, typ, code, mtu, pkt)
	o.out = b
	if !ok {
		return
	}
	// Sent by the router itself: a packet with a local source address
	// written into the device would be dropped as a martian.
	o.offs = append(o.offs, [2]int{start, len(o.out)})
	tp.set.c.icmp.Add(1)
}

// errClosed is what a read returns once its device or socket is closed.
var errClosed = os.ErrClosed
