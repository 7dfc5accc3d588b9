package routing

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"
)

// ipv4 builds an IPv4 header for proto from src to dst around payload.
func ipv4(proto, ttl byte, src, dst [4]byte, payload []byte) []byte {
	h := make([]byte, 20, 20+len(payload))
	h[0], h[8], h[9] = 0x45, ttl, proto
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(h[4:], 0x45fd)
	copy(h[12:], src[:])
	copy(h[16:], dst[:])
	binary.BigEndian.PutUint16(h[10:], checksum(h))
	return append(h, payload...)
}

func TestParseICMPEchoReply(t *testing.T) {
	req := echoRequest(0x1234, 7, 56, 0)
	req[0] = icmpEchoReply
	m, err := parseICMP(ipv4(1, 62, [4]byte{10, 0, 0, 2}, [4]byte{10, 0, 0, 1}, req))
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != icmpEchoReply || m.ID != 0x1234 || m.Seq != 7 || m.ICMPLen != 64 || m.IP.TTL != 62 || m.IP.Src.String() != "10.0.0.2" {
		t.Errorf("parseICMP = %+v", m)
	}
}

func TestParseICMPError(t *testing.T) {
	inner := ipv4(1, 0x3c, [4]byte{192, 168, 10, 143}, [4]byte{10, 0, 12, 2}, echoRequest(0x99, 3, 56, 0))
	msg := append([]byte{icmpUnreachable, 0, 0, 0, 0, 0, 0, 0}, inner[:28]...)
	m, err := parseICMP(ipv4(1, 64, [4]byte{4, 68, 38, 157}, [4]byte{192, 168, 10, 143}, msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Inner == nil || m.Inner.Dst.String() != "10.0.12.2" || m.ICMPLen != 36 {
		t.Fatalf("parseICMP = %+v", m)
	}
	var out bytes.Buffer
	p := &pinger{w: &out, id: 0x99, sent: map[int]time.Time{3: t0}, o: PingOptions{}}
	if !p.handle(m, t0) {
		t.Fatal("error about our request not handled")
	}
	want := "36 bytes from 4.68.38.157: Destination Net Unreachable\n" +
		"Vr HL TOS  Len   ID Flg  off TTL Pro  cks      Src      Dst\n" +
		fmt.Sprintf(" 4  5  00 0054 45fd   0 0000  3c  01 %04x 192.168.10.143  10.0.12.2\n\n", binary.BigEndian.Uint16(inner[10:12]))
	if out.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", out.String(), want)
	}
}

func TestParseICMPShort(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{0x45},
		ipv4(1, 64, [4]byte{}, [4]byte{}, []byte{0, 0}),
		ipv4(1, 64, [4]byte{}, [4]byte{}, []byte{3, 0, 0, 0, 0, 0, 0, 0, 0x45}),
		{0x4f, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4},
	} {
		if _, err := parseICMP(b); !errors.Is(err, errShortPacket) {
			t.Errorf("parseICMP(%x) error = %v; want errShortPacket", b, err)
		}
	}
}

func FuzzParseICMP(f *testing.F) {
	req := echoRequest(1, 1, 56, 0)
	f.Add(ipv4(1, 64, [4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, req))
	inner := ipv4(17, 1, [4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, make([]byte, 20))
	f.Add(ipv4(1, 64, [4]byte{9, 9, 9, 9}, [4]byte{1, 2, 3, 4}, append([]byte{11, 0, 0, 0, 0, 0, 0, 0}, inner...)))
	f.Add([]byte{0x46, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseICMP(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		p := &pinger{w: &out, id: m.ID, sent: map[int]time.Time{m.Seq: t0}}
		p.handle(m, t0)
		if m.Inner != nil {
			writeIPHeaderDump(&out, m.Inner)
			(&tracer{o: TracerouteOptions{Host: m.Inner.Dst}}).isOurs(m, 0)
			annotation(m)
		}
	})
}
