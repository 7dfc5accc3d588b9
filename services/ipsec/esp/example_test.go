package esp_test

import (
	"errors"
	"fmt"
	"net/netip"

	"mxlab/services/ipsec/esp"
)

func Example() {
	cfg := esp.Config{
		SPI:               16000,
		Encryption:        esp.AES128CBC,
		EncryptionKey:     []byte("1234567890123456"),
		Authentication:    esp.HMACSHA1_96,
		AuthenticationKey: []byte("12345678901234567890"),
		Local:             netip.MustParseAddr("192.0.2.1"),
		Remote:            netip.MustParseAddr("192.0.2.2"),
	}
	out, err := esp.NewSA(cfg)
	if err != nil {
		panic(err)
	}
	cfg.Local, cfg.Remote = cfg.Remote, cfg.Local
	in, err := esp.NewSA(cfg)
	if err != nil {
		panic(err)
	}
	table := esp.NewTable()
	if err := table.Add(in); err != nil {
		panic(err)
	}

	// A 28-byte ICMP echo request from 10.1.0.1 to 10.2.0.1, TTL 64.
	inner := []byte{
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0x66, 0xdc, 10, 1, 0, 1, 10, 2, 0, 1,
		8, 0, 0xf7, 0xfe, 0, 1, 0, 0,
	}
	wire, err := out.Encapsulate(nil, inner)
	if err != nil {
		panic(err)
	}
	got, sa, err := table.Decapsulate(nil, wire)
	if err != nil {
		panic(err)
	}
	fmt.Printf("outer %d bytes, inner %d bytes, spi %d, ttl %d\n", len(wire), len(got), sa.SPI(), got[8])

	_, _, err = table.Decapsulate(nil, wire)
	fmt.Println(errors.Is(err, esp.ErrReplay), in.Stats().ReplayErrors)
	// Output:
	// outer 88 bytes, inner 28 bytes, spi 16000, ttl 63
	// true 1
}
