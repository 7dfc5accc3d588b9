package ikev2

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

// allPayloads is a message with one payload of every type the codec
// knows.
func allPayloads() *Message {
	return &Message{
		Header: Header{SPIi: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, SPIr: [8]byte{9}, Exchange: ExchangeAuth, Flags: FlagInitiator, MsgID: 1},
		Payloads: []Payload{
			&SA{Proposals: []Proposal{
				{Num: 1, Protocol: ProtoESP, SPI: []byte{0, 1, 0, 0}, Transforms: []Transform{
					{Kind: TransformENCR, ID: 12, KeyLen: 256}, {Kind: TransformINTEG, ID: 12}, {Kind: TransformESN}}},
				{Num: 2, Protocol: ProtoESP, SPI: []byte{0, 1, 0, 0}, Transforms: []Transform{{Kind: TransformENCR, ID: 20, KeyLen: 128}, {Kind: TransformESN}}},
			}},
			&KE{Group: 14, Data: bytes.Repeat([]byte{7}, 256)},
			&ID{Kind: PayloadIDi, IDType: IDIPv4, Data: []byte{10, 0, 1, 1}},
			&ID{Kind: PayloadIDr, IDType: IDFQDN, Data: []byte("r2.example.net")},
			&Auth{Method: AuthPSK, Data: bytes.Repeat([]byte{3}, 20)},
			&Nonce{Data: bytes.Repeat([]byte{4}, 32)},
			&Notify{Kind: NotifyInitialContact},
			&Notify{Protocol: ProtoESP, SPI: []byte{1, 2, 3, 4}, Kind: NotifyRekeySA},
			&Delete{Protocol: ProtoESP, SPIs: [][]byte{{1, 2, 3, 4}, {5, 6, 7, 8}}},
			&Delete{Protocol: ProtoIKE},
			&TS{Kind: PayloadTSi, Selectors: []Selector{prefixSelector(netip.MustParsePrefix("172.16.0.0/16"))}},
			&TS{Kind: PayloadTSr, Selectors: []Selector{
				{Proto: 6, StartPort: 80, EndPort: 80, Start: netip.MustParseAddr("192.168.0.1"), End: netip.MustParseAddr("192.168.0.1")},
				{StartPort: 0, EndPort: 65535, Start: netip.MustParseAddr("2001:db8::"), End: netip.MustParseAddr("2001:db8::ffff")}}},
			&Raw{Kind: PayloadVendorID, Data: []byte("mxlab")},
			&Raw{Kind: PayloadCP, Data: []byte{1, 0, 0, 0}},
		},
	}
}

func TestCodecRoundTrip(t *testing.T) {
	m := allPayloads()
	raw := m.Encode()
	got, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	m.Header.Next, m.Header.Version, m.Header.Length = PayloadSA, Version, uint32(len(raw))
	for i := range m.Payloads {
		if !reflect.DeepEqual(norm(got.Payloads[i]), norm(m.Payloads[i])) {
			t.Errorf("payload %d decoded as\n%#v\nwant\n%#v", i, got.Payloads[i], m.Payloads[i])
		}
	}
	if got.Header != m.Header || len(got.Payloads) != len(m.Payloads) {
		t.Fatalf("decoded %+v", got)
	}
	if again := got.Encode(); !bytes.Equal(again, raw) {
		t.Fatal("encoding is not stable")
	}
	// Every truncation fails cleanly (the length field then lies).
	for n := range raw {
		if _, err := Decode(raw[:n]); err == nil {
			t.Fatalf("%d of %d bytes decoded", n, len(raw))
		}
	}
}

// norm makes empty byte slices nil, so that decoded and built payloads
// compare equal.
func norm(p Payload) Payload {
	switch x := p.(type) {
	case *Notify:
		y := *x
		if len(y.SPI) == 0 {
			y.SPI = nil
		}
		if len(y.Data) == 0 {
			y.Data = nil
		}
		return &y
	}
	return p
}

func TestCodecErrors(t *testing.T) {
	good := allPayloads().Encode()
	set := func(off int, v ...byte) []byte { b := bytes.Clone(good); copy(b[off:], v); return b }
	tests := []struct {
		name string
		raw  []byte
		err  error
	}{
		{"short", good[:27], ErrTruncated},
		{"IKEv1", set(17, 0x10), ErrVersion},
		{"length too big", set(24, 0, 0, 0xff, 0xff), ErrLength},
		{"length too small", set(24, 0, 0, 0, 30), ErrLength},
		{"payload length past the end", set(28+2, 0xff, 0xff), ErrLength},
		{"payload length below 4", set(28+2, 0, 3), ErrLength},
		{"nonce too short", (&Message{Payloads: []Payload{&Nonce{Data: []byte{1}}}}).Encode(), ErrPayload},
		{"selector type", (&Message{Payloads: []Payload{&Raw{Kind: PayloadTSi, Data: []byte{1, 0, 0, 0, 9, 0, 0, 16, 0, 0, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4}}}}).Encode(), ErrPayload},
		{"no selectors", (&Message{Payloads: []Payload{&Raw{Kind: PayloadTSr, Data: []byte{0, 0, 0, 0}}}}).Encode(), ErrPayload},
		{"delete count", (&Message{Payloads: []Payload{&Raw{Kind: PayloadDelete, Data: []byte{3, 4, 0, 2, 1, 2, 3, 4}}}}).Encode(), ErrPayload},
		{"proposal flag", (&Message{Payloads: []Payload{&Raw{Kind: PayloadSA, Data: []byte{1, 0, 0, 8, 1, 1, 0, 0}}}}).Encode(), ErrPayload},
		{"transform count", (&Message{Payloads: []Payload{&Raw{Kind: PayloadSA, Data: []byte{0, 0, 0, 8, 1, 1, 0, 1}}}}).Encode(), ErrTruncated},
		{"data after SK", append(set(16, byte(PayloadSK)), 0), ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "data after SK" {
				b := (&Message{Payloads: []Payload{&Encrypted{Data: []byte{1, 2, 3}}, &Nonce{Data: make([]byte, 16)}}}).Encode()
				tt.raw = b
				tt.err = ErrPayload
			}
			_, err := Decode(tt.raw)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decode = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestUnknownPayloads(t *testing.T) {
	m := &Message{Payloads: []Payload{&Raw{Kind: 200, Data: []byte{1}}, &Nonce{Data: make([]byte, 16)}}}
	raw := m.Encode()
	d, err := Decode(raw)
	if err != nil || d.Critical() != NoNext {
		t.Fatalf("non-critical unknown payload: %v, critical %v", err, d.Critical())
	}
	raw[HeaderLen+1] = 0x80 // the critical bit of the first payload
	d, err = Decode(raw)
	if err != nil || d.Critical() != 200 {
		t.Fatalf("critical unknown payload: %v, critical %v", err, d.Critical())
	}
}
