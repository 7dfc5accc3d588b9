package esp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"hash"
	"net/netip"
	"sync/atomic"
	"time"

	"mxlab/services/ipsec/replay"
)

// DFMode says how the don't-fragment bit is handled at tunnel entry
// ([edit services service-set S ipsec-vpn-options] and rule terms).
type DFMode uint8

const (
	// DFDefault is the Junos default: the inner header is not changed and
	// the outer header carries a copy of the inner DF bit.
	DFDefault DFMode = iota
	// DFClear (clear-dont-fragment-bit) clears DF in every IPv4 packet
	// entering the tunnel; packets too big for the tunnel are fragmented
	// before encapsulation.
	DFClear
	// DFCopy (copy-dont-fragment-bit) copies the inner DF to the outer
	// header only.
	DFCopy
	// DFSet (set-dont-fragment-bit) sets DF in the outer header only.
	DFSet
)

var dfNames = [...]string{"default", "clear-dont-fragment-bit", "copy-dont-fragment-bit", "set-dont-fragment-bit"}

func (m DFMode) String() string {
	if int(m) < len(dfNames) {
		return dfNames[m]
	}
	return fmt.Sprintf("dfmode(%d)", uint8(m))
}

// Defaults.
const (
	DefaultTunnelMTU    = 1500 // tunnel-mtu when not configured, whatever the interface MTU
	MinTunnelMTU        = 256
	MaxTunnelMTU        = 9192
	NATTPort            = 4500 // RFC 3948 ESP-in-UDP after NAT detection
	DefaultUDPEncapPort = 4565 // udp-encapsulate dest-port default
	DefaultTTL          = 64   // TTL of the outer header
	MinSPI              = 256  // SPIs 0..255 are reserved (RFC 4303 §2.1)
)

// UDPEncap selects ESP-in-UDP (RFC 3948): NAT-T with ports 4500/4500, or
// Junos udp-encapsulate (multipath forwarding) with DstPort, default 4565.
// On an inbound SA, DstPort is the local port the packets arrive on.
type UDPEncap struct {
	SrcPort uint16 // 0: a per-flow port from the inner addresses (ECMP entropy)
	DstPort uint16
}

// Config describes one direction of a tunnel-mode ESP SA.
type Config struct {
	SPI               uint32
	Encryption        Encryption
	EncryptionKey     []byte // for AES-GCM: key then 4-byte salt
	Authentication    Authentication
	AuthenticationKey []byte
	Local, Remote     netip.Addr // tunnel endpoints (IPv4): outer source and destination when sending

	ReplayWindow int  // inbound: anti-replay-window-size; 0 means replay.DefaultSize
	NoAntiReplay bool // inbound: no-anti-replay
	ESN          bool // 64-bit extended sequence numbers (RFC 4303 §2.2.1)

	TunnelMTU   int // largest encapsulated packet; 0 means DefaultTunnelMTU
	DF          DFMode
	UDP         *UDPEncap // nil: plain ESP (IP protocol 50)
	Passive     bool      // passive-mode-tunneling
	NoTunnelHop bool      // no-ipsec-tunnel-in-traceroute
	TTL         uint8     // outer TTL; 0 means DefaultTTL
	// InitialSeq is the last sequence number sent with this SA's keys
	// before this SA object existed: sending resumes after it. RFC 4303
	// §3.3.3 asks a sender whose keys are manual to keep its counter
	// across restarts when the receiver checks for replays.
	InitialSeq uint64
}

// cbcMode is a CBC BlockMode whose IV can be reset, so one is reused for
// every packet (the standard library's CBC modes implement SetIV).
type cbcMode interface {
	cipher.BlockMode
	SetIV([]byte)
}

// SA is one direction of an ESP security association in tunnel mode. The
// configuration is fixed at creation. Encapsulate and Decapsulate must be
// called from one goroutine at a time (the owner of the SA); Stats, Seq and
// the accessors may be called from any goroutine.
type SA struct {
	cfg     Config
	created time.Time
	enc     encInfo
	icvLen  int
	align   int // payload alignment: lcm(block, 4)

	seq  atomic.Uint64 // last sequence number sent
	ipID atomic.Uint32

	block    cipher.Block
	cbcEnc   cbcMode
	cbcDec   cbcMode
	ivCipher cipher.Block // encrypts the sequence number into a CBC IV
	aead     cipher.AEAD
	salt     [4]byte
	mac      hash.Hash
	ivFunc   func(seq uint64, iv []byte) // overrides IV generation in tests

	nonce [12]byte
	iv    [16]byte
	ivIn  [16]byte
	sum   [64]byte
	hi    [4]byte
	frag  []byte

	window replay.Filter
	c      counters
}

// NewSA validates cfg and returns a ready SA.
func NewSA(cfg Config) (*SA, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.EncryptionKey = append([]byte(nil), cfg.EncryptionKey...)
	cfg.AuthenticationKey = append([]byte(nil), cfg.AuthenticationKey...)
	if cfg.UDP != nil {
		u := *cfg.UDP
		cfg.UDP = &u
	}
	sa := &SA{cfg: cfg, created: time.Now(), enc: cfg.Encryption.info()}
	sa.seq.Store(cfg.InitialSeq)
	if err := sa.initCrypto(); err != nil {
		return nil, err
	}
	sa.icvLen = sa.enc.icvLen + cfg.Authentication.ICVLen()
	sa.align = 4
	if sa.enc.block > 4 {
		sa.align = sa.enc.block
	}
	size := cfg.ReplayWindow
	if size == 0 {
		size = replay.DefaultSize
	}
	if cfg.NoAntiReplay {
		size = replay.Disabled
	}
	if err := sa.window.Reset(size); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return sa, nil
}

func (c *Config) validate() error {
	if c.SPI < MinSPI {
		return fmt.Errorf("%w: spi %d is reserved", ErrConfig, c.SPI)
	}
	in := c.Encryption.info()
	if in.name == "" {
		return fmt.Errorf("%w: encryption %v", ErrAlgorithm, c.Encryption)
	}
	if err := checkKey(in.name, in.keyLen, c.EncryptionKey); err != nil {
		return err
	}
	a := c.Authentication.info()
	switch {
	case a.name == "":
		return fmt.Errorf("%w: authentication %v", ErrAlgorithm, c.Authentication)
	case c.Encryption.AEAD() && c.Authentication != NoAuthentication:
		return fmt.Errorf("%w: HMAC Authentication is not compatible with AES-GCM", ErrConfig)
	}
	if err := checkKey(a.name, a.keyLen, c.AuthenticationKey); err != nil {
		return err
	}
	if !c.Local.Is4() || !c.Remote.Is4() {
		return fmt.Errorf("%w: tunnel endpoints must be IPv4 addresses", ErrConfig)
	}
	if c.TunnelMTU == 0 {
		c.TunnelMTU = DefaultTunnelMTU
	}
	if c.TunnelMTU < MinTunnelMTU || c.TunnelMTU > MaxTunnelMTU {
		return fmt.Errorf("%w: tunnel-mtu %d (valid %d..%d)", ErrConfig, c.TunnelMTU, MinTunnelMTU, MaxTunnelMTU)
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.DF > DFSet {
		return fmt.Errorf("%w: %v", ErrConfig, c.DF)
	}
	return nil
}

func (sa *SA) initCrypto() error {
	b, aead, salt, err := sa.cfg.Encryption.newCipher(sa.cfg.EncryptionKey)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	sa.block, sa.aead = b, aead
	copy(sa.salt[:], salt)
	if b != nil {
		enc, dec, err := sa.cfg.Encryption.newCBC(b, sa.cfg.EncryptionKey)
		if err != nil {
			return err
		}
		sa.cbcEnc, sa.cbcDec = enc, dec
		var k [16]byte
		rand.Read(k[:])
		if sa.ivCipher, err = aes.NewCipher(k[:]); err != nil {
			return err
		}
	}
	sa.mac = sa.cfg.Authentication.newMAC(sa.cfg.AuthenticationKey)
	return nil
}

// SPI returns the security parameter index.
func (sa *SA) SPI() uint32 { return sa.cfg.SPI }

// Config returns a copy of the configuration the SA was created with
// (defaults filled in).
func (sa *SA) Config() Config {
	c := sa.cfg
	c.EncryptionKey = append([]byte(nil), c.EncryptionKey...)
	c.AuthenticationKey = append([]byte(nil), c.AuthenticationKey...)
	if c.UDP != nil {
		u := *c.UDP
		c.UDP = &u
	}
	return c
}

// Created returns the time the SA was created.
func (sa *SA) Created() time.Time { return sa.created }

// Seq returns the last sequence number sent.
func (sa *SA) Seq() uint64 { return sa.seq.Load() }

// Overhead returns the bytes that encapsulation adds to an inner packet of
// length n (outer IPv4 header, UDP, ESP header, IV, padding, trailer, ICV).
func (sa *SA) Overhead(n int) int { return sa.outerLen(n) - n }

func (sa *SA) outerLen(n int) int {
	return sa.headerLen() + sa.paddedLen(n) + sa.icvLen
}

// headerLen is the length of outer IPv4 + UDP + ESP header + IV.
func (sa *SA) headerLen() int {
	h := ipv4HeaderLen + espHeaderLen + sa.enc.ivLen
	if sa.cfg.UDP != nil {
		h += udpHeaderLen
	}
	return h
}

// paddedLen is the encrypted payload length for an inner packet of n bytes.
func (sa *SA) paddedLen(n int) int {
	return (n + 2 + sa.align - 1) / sa.align * sa.align
}

// InnerMTU returns the largest inner packet that fits the tunnel MTU.
func (sa *SA) InnerMTU() int {
	room := sa.cfg.TunnelMTU - sa.headerLen() - sa.icvLen
	return room/sa.align*sa.align - 2
}
