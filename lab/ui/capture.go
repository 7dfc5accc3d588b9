package ui

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"mxlab/lab"
	"mxlab/netns"
)

// Capture limits.
const (
	defaultCapture = 10 * time.Second
	maxCapture     = 300 * time.Second
	maxCaptureSize = 64 << 20 // bytes of pcap
	snapLen        = 1 << 18  // the largest packet a veth hands over (GRO)
)

// serveCapture captures a link: ?link=ID&seconds=N. The pcap streams as
// packets come and ends after N seconds (or at maxCaptureSize).
func (s *Server) serveCapture(w http.ResponseWriter, r *http.Request) {
	t := s.lab.Topology()
	q := r.URL.Query()
	id, err := strconv.Atoi(q.Get("link"))
	if err != nil || id < 0 || id >= len(t.Links) {
		http.Error(w, fmt.Sprintf("no link %q (lab %s has %d)", q.Get("link"), t.Name, len(t.Links)), http.StatusNotFound)
		return
	}
	d := defaultCapture
	if v := q.Get("seconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || time.Duration(n)*time.Second > maxCapture {
			http.Error(w, fmt.Sprintf("seconds: 1 to %d", int(maxCapture.Seconds())), http.StatusBadRequest)
			return
		}
		d = time.Duration(n) * time.Second
	}
	if !s.enterCapture() {
		http.Error(w, fmt.Sprintf("%d captures are running already", maxCaptures), http.StatusTooManyRequests)
		return
	}
	defer s.leaveCapture()
	end := t.Links[id].A
	h := s.lab.Namespace(end.Node)
	if h == nil {
		http.Error(w, "node "+end.Node+" has no namespace", http.StatusServiceUnavailable)
		return
	}
	ifname := end.Port
	if t.Node(end.Node).Kind == lab.KindRouter {
		ifname, _ = netns.LinuxName(end.Port)
	}
	f, err := openPacket(h, ifname)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	name := fmt.Sprintf("%s-%s-%s-%s.pcap", t.Name, end.Node, strings.ReplaceAll(end.Port, "/", "_"), time.Now().UTC().Format("20060102-150405"))
	w.Header().Set("Content-Type", "application/vnd.tcpdump.pcap")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	capture(r.Context(), f, time.Now().Add(d), w)
}

// enterCapture counts a capture, refusing more than maxCaptures and any
// when the server is closing.
func (s *Server) enterCapture() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.caps >= maxCaptures {
		return false
	}
	s.caps++
	s.wg.Add(1)
	return true
}

func (s *Server) leaveCapture() {
	s.mu.Lock()
	s.caps--
	s.mu.Unlock()
	s.wg.Done()
}

// openPacket opens a packet socket on one link of a namespace: every frame
// the link sends or receives.
func openPacket(h *netns.Handle, ifname string) (*os.File, error) {
	li, err := h.Link(ifname)
	if err != nil {
		return nil, err
	}
	var fd int
	err = netns.Do(h, func() error {
		// Protocol 0 receives nothing until bound to the link.
		var err error
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("packet socket in %s: %w", h.Name(), err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: li.Index}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("packet socket on %s: %w", ifname, err)
	}
	return os.NewFile(uintptr(fd), "capture "+ifname), nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// capture writes the frames read from f to w as a pcap until the deadline,
// ctx's end, a write error or maxCaptureSize.
func capture(ctx context.Context, f *os.File, deadline time.Time, w io.Writer) error {
	f.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
	defer stop()
	flush := func() {}
	if fl, ok := w.(http.Flusher); ok {
		flush = fl.Flush
	}
	if err := writePcapHeader(w, snapLen); err != nil {
		return err
	}
	flush()
	buf := make([]byte, snapLen)
	size := int64(pcapHeaderLen)
	for {
		n, err := f.Read(buf)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil
			}
			return err
		}
		if size += int64(pcapRecordLen + n); size > maxCaptureSize {
			return nil
		}
		if err := writePcapRecord(w, time.Now(), buf[:n], n); err != nil {
			return err
		}
		flush()
	}
}

// The pcap format: a file header, then a record header before each frame.
const (
	pcapHeaderLen = 24
	pcapRecordLen = 16
	linkEthernet  = 1
)

func writePcapHeader(w io.Writer, snaplen uint32) error {
	var b [pcapHeaderLen]byte
	le := binary.LittleEndian
	le.PutUint32(b[0:], 0xa1b2c3d4) // microsecond timestamps
	le.PutUint16(b[4:], 2)
	le.PutUint16(b[6:], 4)
	le.PutUint32(b[16:], snaplen)
	le.PutUint32(b[20:], linkEthernet)
	_, err := w.Write(b[:])
	return err
}

func writePcapRecord(w io.Writer, t time.Time, data []byte, orig int) error {
	b := make([]byte, pcapRecordLen+len(data))
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(t.Unix()))
	le.PutUint32(b[4:], uint32(t.Nanosecond()/1000))
	le.PutUint32(b[8:], uint32(len(data)))
	le.PutUint32(b[12:], uint32(orig))
	copy(b[pcapRecordLen:], data)
	_, err := w.Write(b)
	return err
}
