package ikev1

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

func TestVendorIDs(t *testing.T) {
	// The values strongSwan, racoon and others send (independent of how
	// this package computes them).
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"RFC 3947", vidRFC3947, "4a131c81070358455c5728f20e95452f"},
		{"draft-03", vidDraft03, "7d9419a65310ca6f2c179d9215529d56"},
		{"draft-02", vidDraft02, "cd60464335df21f87cfdb2fc68b6a448"},
		{"draft-02\\n", vidDraft02n, "90cb80913ebb696e086381b5ec427b1f"},
		{"DPD", vidDPD, "afcad71368a1f1c96b8696fc77570100"},
	} {
		if got := hex.EncodeToString(tc.got); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestParseVendors(t *testing.T) {
	c := newChain()
	c.add(PayloadVendor, []byte("unknown vendor"))
	c.add(PayloadVendor, vidDraft02n)
	c.add(PayloadVendor, vidDPD)
	c.add(PayloadVendor, vidDraft03)
	m, err := Decode(encode(Header{Version: Version, Exchange: ExchMain}, c))
	if err != nil {
		t.Fatal(err)
	}
	v := parseVendors(m)
	if !v.dpd || v.natt != NATTDraft || !bytes.Equal(v.nattVID, vidDraft03) {
		t.Errorf("vendors %+v, want dpd, draft, draft-03", v)
	}
	c.add(PayloadVendor, vidRFC3947)
	m, _ = Decode(encode(Header{Version: Version, Exchange: ExchMain}, c))
	if v := parseVendors(m); v.natt != NATTRFC || !bytes.Equal(v.nattVID, vidRFC3947) {
		t.Errorf("vendors %+v, want RFC 3947", v)
	}
}

func TestSARoundTrip(t *testing.T) {
	sa := SA{DOI: DOIIPsec, Situation: SituationIdentity, Proposals: []Proposal{{
		Num: 1, Protocol: ProtoESP, SPI: []byte{1, 2, 3, 4},
		Transforms: []Transform{
			{Num: 1, ID: ESPAES, Attrs: []Attr{
				intAttr(AttrSALifeType, LifeSeconds), intAttr(AttrSALifeDur, 28800),
				intAttr(AttrSALifeType, LifeKilobytes), intAttr(AttrSALifeDur, 1<<33),
				intAttr(AttrEncapMode, EncapUDPTunnelDraft), intAttr(AttrAuthAlg, 2),
				intAttr(AttrSAKeyLength, 256),
			}},
			{Num: 2, ID: ESP3DES, Attrs: []Attr{intAttr(AttrAuthAlg, 1), {Type: 99, Value: []byte("opaque")}}},
		},
	}, {Num: 2, Protocol: ProtoESP, SPI: []byte{5, 6, 7, 8}, Transforms: []Transform{{Num: 1, ID: ESPAESGCM16}}}}}
	b := sa.Append(nil)
	got, err := ParseSA(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range got.Proposals {
		for i := range p.Transforms {
			if p.Transforms[i].Attrs == nil {
				p.Transforms[i].Attrs = []Attr{}
			}
		}
	}
	sa.Proposals[1].Transforms[0].Attrs = []Attr{}
	if !reflect.DeepEqual(got, sa) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, sa)
	}
	tr := got.Proposals[0].Transforms[0]
	for typ, want := range map[uint16]uint64{AttrSALifeDur: 28800, AttrEncapMode: EncapUDPTunnelDraft, AttrSAKeyLength: 256} {
		a, ok := tr.Attr(typ)
		v, _ := a.Uint()
		if !ok || v != want {
			t.Errorf("attribute %d = %d (%v), want %d", typ, v, ok, want)
		}
	}
	if a := tr.Attrs[3]; a.Basic || len(a.Value) != 8 {
		t.Errorf("a 2^33 lifetime is %+v, want an 8-byte variable attribute", a)
	}
	if !bytes.Equal(got.Append(nil), b) {
		t.Error("re-encoding differs")
	}
}

func TestParseSAErrors(t *testing.T) {
	good := (&SA{DOI: DOIIPsec, Situation: SituationIdentity, Proposals: []Proposal{{
		Num: 1, Protocol: ProtoISAKMP, Transforms: []Transform{{Num: 1, ID: TransformKeyIKE, Attrs: []Attr{intAttr(AttrHash, 2)}}},
	}}}).Append(nil)
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"short", good[:5], ErrShort},
		{"DOI", mut(func(b []byte) []byte { b[3] = 2; return b }), ErrPayload},
		{"situation", mut(func(b []byte) []byte { b[7] = 2; return b }), ErrPayload},
		{"no proposals", good[:8], ErrShort},
		{"proposal length beyond", mut(func(b []byte) []byte { b[11]++; return b }), ErrShort},
		{"proposal length too small", mut(func(b []byte) []byte { b[10], b[11] = 0, 3; return b }), ErrLength},
		{"transform count", mut(func(b []byte) []byte { b[15] = 2; return b }), ErrPayload},
		{"spi beyond", mut(func(b []byte) []byte { b[14] = 200; return b }), ErrShort},
		{"attribute cut", mut(func(b []byte) []byte { return b[:len(b)-1] }), ErrShort},
		{"trailing", append(append([]byte(nil), good...), 0), ErrLength},
	} {
		if _, err := ParseSA(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestHeader(t *testing.T) {
	h := Header{ICookie: Cookie{1, 2, 3, 4, 5, 6, 7, 8}, Next: PayloadSA, Version: Version,
		Exchange: ExchMain, Flags: FlagEncrypted, MsgID: 0xdeadbeef, Length: HeaderLen}
	b := h.Append(nil)
	got, err := ParseHeader(b)
	if err != nil || got != h {
		t.Fatalf("ParseHeader = %+v, %v; want %+v", got, err, h)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"short", b[:27], ErrShort},
		{"version 2", func() []byte { c := append([]byte(nil), b...); c[17] = 0x20; return c }(), ErrVersion},
		{"length small", func() []byte { c := append([]byte(nil), b...); c[27] = 27; return c }(), ErrLength},
		{"length big", func() []byte { c := append([]byte(nil), b...); c[27] = 29; return c }(), ErrShort},
	} {
		if _, err := ParseHeader(tc.b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := Decode(b); err == nil {
		t.Error("Decode of an encrypted message: no error")
	}
}

func TestPayloadChain(t *testing.T) {
	c := newChain()
	c.add(PayloadHash, []byte{1, 2, 3})
	c.add(PayloadNonce, []byte("nonce"))
	c.add(PayloadVendor)
	if tail := c.bytesAfter(0); len(tail) != 4+5+4 || tail[0] != byte(PayloadVendor) {
		t.Errorf("bytesAfter(0) = %x", tail)
	}
	ps, err := ParsePayloads(c.first, c.b, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].Type != PayloadHash || string(ps[1].Body) != "nonce" || len(ps[2].Body) != 0 {
		t.Errorf("payloads %+v", ps)
	}
	padded := append(append([]byte(nil), c.b...), 0, 0, 0)
	if _, err := ParsePayloads(c.first, padded, false); !errors.Is(err, ErrLength) {
		t.Errorf("trailing bytes in clear: %v, want ErrLength", err)
	}
	if ps, err := ParsePayloads(c.first, padded, true); err != nil || len(ps) != 3 {
		t.Errorf("padding after decryption: %d payloads, %v", len(ps), err)
	}
	// A chain that never ends (each payload says another follows) is
	// bounded by the number of payloads.
	var loop []byte
	for range maxPayloadsPerMsg + 1 {
		loop = append(loop, byte(PayloadVendor), 0, 0, 4)
	}
	if _, err := ParsePayloads(PayloadVendor, loop, false); err == nil {
		t.Error("endless chain accepted")
	}
}

func TestIDPrefix(t *testing.T) {
	for _, tc := range []struct {
		id   ID
		want string
	}{
		{SubnetID(netip.MustParsePrefix("172.16.0.0/16")), "172.16.0.0/16"},
		{SubnetID(netip.MustParsePrefix("0.0.0.0/0")), "0.0.0.0/0"},
		{SubnetID(netip.MustParsePrefix("2001:db8::/32")), "2001:db8::/32"},
		{ID{Type: IDIPv4, Data: []byte{10, 0, 1, 1}}, "10.0.1.1/32"},
		{ID{Type: IDIPv4Range, Data: []byte{10, 0, 0, 0, 10, 0, 0, 255}}, "10.0.0.0/24"},
		{ID{Type: IDIPv4Range, Data: []byte{10, 0, 0, 1, 10, 0, 0, 255}}, ""},
		{ID{Type: IDIPv4Subnet, Data: []byte{10, 0, 0, 0, 255, 0, 255, 0}}, ""},
		{ID{Type: IDIPv4Subnet, Data: []byte{10, 0, 0, 0, 255}}, ""},
		{ID{Type: IDIPv4, Data: []byte{10, 0, 1}}, ""},
		{ID{Type: IDFQDN, Data: []byte("r1.example.net")}, ""},
	} {
		p, ok := tc.id.Prefix()
		got := ""
		if ok {
			got = p.String()
		}
		if got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.id, got, tc.want)
		}
	}
	id := SubnetID(netip.MustParsePrefix("192.168.0.0/16"))
	b := id.Append(nil)
	if hex.EncodeToString(b) != "04000000c0a80000ffff0000" {
		t.Errorf("subnet ID body %x", b)
	}
	if got, err := ParseID(b); err != nil || !got.Equal(id) {
		t.Errorf("ParseID = %+v, %v", got, err)
	}
}

func TestNotifyDelete(t *testing.T) {
	n := Notify{DOI: DOIIPsec, Proto: ProtoISAKMP, Type: NotifyRUThere, SPI: make([]byte, 16), Data: []byte{0, 0, 0, 7}}
	got, err := ParseNotify(n.Append(nil))
	if err != nil || !reflect.DeepEqual(got, n) {
		t.Errorf("notify round trip %+v, %v", got, err)
	}
	if _, err := ParseNotify([]byte{0, 0, 0, 1, 1, 16, 0x8d, 0x28, 1}); !errors.Is(err, ErrShort) {
		t.Errorf("notify SPI beyond the payload: %v", err)
	}
	d := Delete{DOI: DOIIPsec, Proto: ProtoESP, SPIs: [][]byte{{1, 2, 3, 4}, {5, 6, 7, 8}}}
	gd, err := ParseDelete(d.Append(nil))
	if err != nil || !reflect.DeepEqual(gd, d) {
		t.Errorf("delete round trip %+v, %v", gd, err)
	}
	bad := d.Append(nil)
	bad[7] = 3
	if _, err := ParseDelete(bad); !errors.Is(err, ErrLength) {
		t.Errorf("delete count beyond the payload: %v", err)
	}
	if _, err := ParseDelete([]byte{0, 0, 0, 1, 3, 0, 0, 5}); !errors.Is(err, ErrLength) {
		t.Errorf("delete of SPIs of size 0: %v", err)
	}
	c := Cert{Encoding: 4, Data: []byte("der")}
	if gc, err := ParseCert(c.Append(nil)); err != nil || !reflect.DeepEqual(gc, c) {
		t.Errorf("cert round trip %+v, %v", gc, err)
	}
}
