package routing

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// TracerouteOptions are the arguments of `traceroute`.
type TracerouteOptions struct {
	Host      netip.Addr
	MaxTTL    int // `ttl`: 30 by default
	Source    netip.Addr
	Mark      int // table of `routing-instance`
	NoResolve bool
	Wait      time.Duration // per probe, 5 s by default
}

// tracePort is the first UDP destination port of the probes, as in
// traceroute(8).
const (
	tracePort    = 33434
	probesPerHop = 3
	probeData    = 12 // 40-byte probes: IP 20 + UDP 8 + 12
)

// Traceroute sends UDP probes with growing TTLs from inside the namespace
// do runs in and prints what Junos traceroute prints.
func Traceroute(ctx context.Context, w io.Writer, do func(func() error) error, o TracerouteOptions) error {
	if o.MaxTTL == 0 {
		o.MaxTTL = 30
	}
	if o.Wait == 0 {
		o.Wait = 5 * time.Second
	}
	var udp, icmp *rawSocket
	err := do(func() (err error) {
		// Bound at once, so the probes' source port is known before
		// the first one leaves.
		so := sockOpts{Source: o.Source, Mark: o.Mark}
		if !so.Source.IsValid() {
			so.Source = netip.IPv4Unspecified()
		}
		if udp, err = openSocket(unix.SOCK_DGRAM, unix.IPPROTO_UDP, so); err != nil {
			return err
		}
		if icmp, err = openSocket(unix.SOCK_RAW, unix.IPPROTO_ICMP, sockOpts{Mark: o.Mark}); err != nil {
			udp.Close()
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("traceroute: %w", err)
	}
	defer udp.Close()
	defer icmp.Close()
	port, err := udp.localPort()
	if err != nil {
		return fmt.Errorf("traceroute: %w", err)
	}
	from := ""
	if o.Source.IsValid() {
		from = " from " + o.Source.String()
	}
	fmt.Fprintf(w, "traceroute to %s (%s)%s, %d hops max, %d byte packets\n", o.Host, o.Host, from, o.MaxTTL, 28+probeData)
	t := &tracer{w: w, udp: udp, icmp: icmp, o: o, srcPort: port, buf: make([]byte, 65536)}
	for ttl := 1; ttl <= o.MaxTTL; ttl++ {
		done, err := t.hop(ctx, ttl)
		if err != nil || done {
			return err
		}
	}
	return nil
}

type tracer struct {
	w         io.Writer
	udp, icmp *rawSocket
	o         TracerouteOptions
	srcPort   int
	seq       int
	buf       []byte
	hopNumber string // " 1 ": printed before the hop's first output
}

// out prints s on the line of the hop being probed.
func (t *tracer) out(s string) {
	io.WriteString(t.w, t.hopNumber+s)
	t.hopNumber = ""
}

// probeResult is what came back for one probe.
type probeResult struct {
	from netip.Addr
	rtt  time.Duration
	msg  icmpMessage
	ok   bool
}

// hop probes one TTL and prints its line; done is true once the target
// answered (or said it cannot be reached).
func (t *tracer) hop(ctx context.Context, ttl int) (done bool, err error) {
	t.hopNumber = fmt.Sprintf("%2d ", ttl)
	defer t.out("\n")
	if err := t.udp.setTTL(ttl); err != nil {
		return true, fmt.Errorf("traceroute: ttl %d: %w", ttl, err)
	}
	var last netip.Addr
	for range probesPerHop {
		if ctx.Err() != nil {
			return true, nil
		}
		r := t.probe(ctx)
		if !r.ok {
			t.out(" *")
			continue
		}
		if r.from != last {
			if t.o.NoResolve {
				t.out(" " + r.from.String())
			} else {
				t.out(fmt.Sprintf(" %s (%s)", r.from, r.from))
			}
			last = r.from
		}
		t.out(fmt.Sprintf("  %.3f ms%s", float64(r.rtt.Microseconds())/1000, annotation(r.msg)))
		if r.msg.Type == icmpUnreachable {
			done = true
		}
	}
	return done, nil
}

// annotation marks ICMP unreachables other than "port unreachable" the
// way traceroute(8) does.
func annotation(m icmpMessage) string {
	if m.Type != icmpUnreachable {
		return ""
	}
	switch m.Code {
	case 3:
		return ""
	case 0:
		return " !N"
	case 1:
		return " !H"
	case 2:
		return " !P"
	case 4:
		return " !F"
	case 13:
		return " !X"
	}
	return fmt.Sprintf(" !<%d>", m.Code)
}

// probe sends one UDP probe and waits for the ICMP message about it.
func (t *tracer) probe(ctx context.Context) probeResult {
	port := tracePort + t.seq
	t.seq++
	start := time.Now()
	if err := t.udp.sendTo(make([]byte, probeData), t.o.Host, port); err != nil {
		if !discarded(err) {
			// traceroute(8) reports the error (on standard error, so
			// before the hop number waiting in its output buffer) and
			// the short write, then counts the probe as lost.
			fmt.Fprintf(t.w, "traceroute: sendto: %s\n", errnoText(err))
			t.out(fmt.Sprintf("traceroute: wrote %s %d chars, ret=-1\n", t.o.Host, 28+probeData))
			return probeResult{}
		}
		// A discard route: the probe is dropped silently.
	}
	end := start.Add(t.o.Wait)
	for time.Now().Before(end) && ctx.Err() == nil {
		dl := time.Now().Add(100 * time.Millisecond)
		if end.Before(dl) {
			dl = end
		}
		n, err := t.icmp.read(t.buf, dl)
		if err != nil {
			continue
		}
		m, err := parseICMP(t.buf[:n])
		if err != nil || m.Inner == nil || !t.isOurs(m, port) {
			continue
		}
		return probeResult{from: m.IP.Src, rtt: time.Since(start), msg: m, ok: true}
	}
	return probeResult{}
}

// isOurs reports whether an ICMP error quotes the probe sent to port.
func (t *tracer) isOurs(m icmpMessage, port int) bool {
	in := m.Inner
	sport := int(m.InnerL4[0])<<8 | int(m.InnerL4[1])
	dport := int(m.InnerL4[2])<<8 | int(m.InnerL4[3])
	return in.Proto == protoUDP && in.Dst == t.o.Host && sport == t.srcPort && dport == port
}
