package routing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// PingOptions are the arguments of `ping`.
type PingOptions struct {
	Host     netip.Addr
	Count    int // 0: until interrupted (5 with Rapid)
	Size     int // data bytes, 56 by default
	Rapid    bool
	TTL      int
	Source   netip.Addr
	Device   string // Linux name of `interface`
	Mark     int    // table of `routing-instance`
	DF       bool
	Wait     time.Duration // how long to wait for a reply, 1 s by default (rapid: 2 s)
	Interval time.Duration // between requests, 1 s by default
}

// pingStats are the counters of the statistics footer.
type pingStats struct {
	sent, received int
	rtts           []float64 // milliseconds
}

// Ping sends ICMP echo requests from inside the namespace do runs in and
// prints what Junos (FreeBSD) ping prints, until Count requests were
// answered or timed out, or ctx is cancelled (Ctrl-C).
func Ping(ctx context.Context, w io.Writer, do func(func() error) error, o PingOptions) error {
	o = pingDefaults(o)
	var s *rawSocket
	err := do(func() (err error) {
		s, err = openSocket(unix.SOCK_RAW, unix.IPPROTO_ICMP, sockOpts{Source: o.Source, Device: o.Device, Mark: o.Mark, TTL: o.TTL, DF: o.DF})
		return err
	})
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	defer s.Close()
	fmt.Fprintf(w, "PING %s (%s): %d data bytes\n", o.Host, o.Host, o.Size)
	p := &pinger{w: w, s: s, o: o, id: rand.IntN(0xffff) + 1, buf: make([]byte, 65536)}
	interrupted := p.run(ctx)
	if interrupted {
		io.WriteString(w, "^C\n")
	} else if !o.Rapid || p.stats.sent > 0 {
		io.WriteString(w, "\n")
	}
	p.stats.write(w, o.Host)
	return nil
}

func pingDefaults(o PingOptions) PingOptions {
	if o.Size == 0 {
		o.Size = 56
	}
	if o.Rapid && o.Count == 0 {
		o.Count = 5
	}
	if o.Wait == 0 {
		o.Wait = time.Second
		if o.Rapid {
			o.Wait = 2 * time.Second
		}
	}
	if o.Interval == 0 {
		o.Interval = time.Second
	}
	return o
}

type pinger struct {
	w     io.Writer
	s     *rawSocket
	o     PingOptions
	id    int
	buf   []byte
	stats pingStats
	sent  map[int]time.Time // outstanding requests by sequence number
}

// run sends and receives until done; it reports whether ctx ended it.
func (p *pinger) run(ctx context.Context) bool {
	p.sent = map[int]time.Time{}
	next := time.Now()
	var last time.Time
	for {
		if ctx.Err() != nil {
			return true
		}
		now := time.Now()
		more := p.o.Count == 0 || p.stats.sent < p.o.Count
		if more && !now.Before(next) && (!p.o.Rapid || len(p.sent) == 0) {
			p.send(now)
			last, next = now, now.Add(p.o.Interval)
		}
		p.expire(now)
		if !more && (len(p.sent) == 0 || now.Sub(last) > p.o.Wait) {
			return false
		}
		deadline := now.Add(50 * time.Millisecond)
		if more && next.Before(deadline) && !p.o.Rapid {
			deadline = next
		}
		p.receive(deadline)
	}
}

func (p *pinger) send(now time.Time) {
	seq := p.stats.sent
	pkt := echoRequest(p.id, seq&0xffff, p.o.Size, now.UnixNano())
	p.stats.sent++
	if err := p.s.sendTo(pkt, p.o.Host, 0); err != nil {
		if !discarded(err) {
			fmt.Fprintf(p.w, "ping: sendto: %s\n", errnoText(err))
		}
		return
	}
	p.sent[seq&0xffff] = now
}

// expire forgets requests whose reply is overdue (rapid prints '.').
func (p *pinger) expire(now time.Time) {
	for seq, t := range p.sent {
		if now.Sub(t) > p.o.Wait {
			delete(p.sent, seq)
			if p.o.Rapid {
				io.WriteString(p.w, ".")
			}
		}
	}
}

// receive reads packets until deadline, handling the ones for us.
func (p *pinger) receive(deadline time.Time) {
	for {
		n, err := p.s.read(p.buf, deadline)
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				time.Sleep(time.Until(deadline))
			}
			return
		}
		m, err := parseICMP(p.buf[:n])
		if err != nil {
			continue
		}
		if p.handle(m, time.Now()) && p.o.Rapid {
			return
		}
	}
}

// handle prints a reply or an ICMP error about one of our requests and
// reports whether it was one.
func (p *pinger) handle(m icmpMessage, now time.Time) bool {
	switch {
	case m.Type == icmpEchoReply && m.ID == p.id:
		t, ok := p.sent[m.Seq]
		if !ok {
			return false
		}
		delete(p.sent, m.Seq)
		rtt := float64(now.Sub(t).Microseconds()) / 1000
		p.stats.received++
		p.stats.rtts = append(p.stats.rtts, rtt)
		if p.o.Rapid {
			io.WriteString(p.w, "!")
		} else {
			fmt.Fprintf(p.w, "%d bytes from %s: icmp_seq=%d ttl=%d time=%.3f ms\n", m.ICMPLen, m.IP.Src, m.Seq, m.IP.TTL, rtt)
		}
		return true
	case m.Inner != nil && m.Inner.Proto == protoICMP && int(m.InnerL4[4])<<8|int(m.InnerL4[5]) == p.id:
		seq := int(m.InnerL4[6])<<8 | int(m.InnerL4[7])
		if _, ok := p.sent[seq]; !ok {
			return false
		}
		delete(p.sent, seq)
		if p.o.Rapid {
			io.WriteString(p.w, "U")
			return true
		}
		fmt.Fprintf(p.w, "%d bytes from %s: %s\n", m.ICMPLen, m.IP.Src, unreachableText(m))
		writeIPHeaderDump(p.w, m.Inner)
		return true
	}
	return false
}

func (s pingStats) write(w io.Writer, host netip.Addr) {
	loss := 0
	if s.sent > 0 {
		loss = (s.sent - s.received) * 100 / s.sent
	}
	fmt.Fprintf(w, "--- %s ping statistics ---\n", host)
	fmt.Fprintf(w, "%d packets transmitted, %d packets received, %d%% packet loss\n", s.sent, s.received, loss)
	if len(s.rtts) == 0 {
		return
	}
	lo, hi, sum, sq := math.Inf(1), 0.0, 0.0, 0.0
	for _, r := range s.rtts {
		lo, hi, sum, sq = min(lo, r), max(hi, r), sum+r, sq+r*r
	}
	n := float64(len(s.rtts))
	avg := sum / n
	fmt.Fprintf(w, "round-trip min/avg/max/stddev = %.3f/%.3f/%.3f/%.3f ms\n", lo, avg, hi, math.Sqrt(max(sq/n-avg*avg, 0)))
}

// errnoText is a send error as the Junos (FreeBSD) kernel reports it.
// Junos always has a route: what matches nothing else takes the permanent
// reject default, so Linux's "Network is unreachable" (no route) is
// "No route to host" there, as for a reject route.
func errnoText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		switch errno {
		case unix.ENETUNREACH, unix.EHOSTUNREACH:
			return "No route to host"
		case unix.EMSGSIZE:
			return "Message too long"
		case unix.ENOBUFS:
			return "No buffer space available"
		case unix.EACCES, unix.EPERM:
			return "Permission denied"
		case unix.ENETDOWN:
			return "Network is down"
		}
	}
	s := err.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// discarded reports whether a send failed because a discard route took
// the packet: Linux refuses it (EINVAL), Junos drops it silently and the
// request just goes unanswered.
func discarded(err error) bool { return errors.Is(err, unix.EINVAL) }
