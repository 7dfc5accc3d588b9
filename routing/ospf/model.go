package ospf

import (
	"net/netip"
	"time"

	"mxlab/routing/policy"
)

// Config is the OSPF configuration of one routing instance, as parsed from
// [edit protocols ospf] or [edit routing-instances NAME protocols ospf].
type Config struct {
	Instance string // "" for the master instance
	Disable  bool
	// RouterID is routing-options router-id of the instance; when unset
	// the router ID is chosen from the interfaces (RouterIDOf).
	RouterID       ID
	Areas          []AreaConfig
	Export         []string
	Import         []string
	RefBandwidth   uint64 // bits per second; 0: the default 100 Mbps
	Overload       bool
	OverloadUntil  time.Duration // overload timeout after start; 0: none
	Preference     int           // internal routes (10)
	ExtPreference  int           // external routes (150)
	SPFDelay       time.Duration
	SPFHolddown    time.Duration
	SPFRapidRuns   int
	RefreshMinutes int // lsa-refresh-interval (50)
	NoRFC1583      bool
	Trace          Trace
	Policies       *policy.Set
}

// AreaConfig is one area.
type AreaConfig struct {
	ID            ID
	Stub          bool
	NSSA          bool
	NoSummaries   bool
	DefaultMetric uint32       // stub default-metric: the default summary an ABR sends in; 0 for none
	NSSADefault   *NSSADefault // nssa default-lsa
	Ranges        []Range
	NSSARanges    []Range
	Interfaces    []IfConfig
}

// NSSADefault is "nssa default-lsa".
type NSSADefault struct {
	Metric     uint32
	MetricType int // 1 or 2
	Type7      bool
}

// Range is an area-range.
type Range struct {
	Prefix   netip.Prefix
	Restrict bool
	Exact    bool
	Override uint32 // override-metric; 0 when not set
}

// IfConfig is an interface of an area.
type IfConfig struct {
	Name     string // logical interface ("ge-1/0/0.0")
	Disable  bool
	P2P      bool // interface-type p2p
	Passive  bool
	Metric   uint16 // 0: from the reference bandwidth
	Priority int
	Hello    uint16
	Dead     uint32
	Rxmt     uint16
	Auth     Auth
}

// Trace is traceoptions.
type Trace struct {
	File  string
	Flags []string
	Size  int64
	Files int
}

// Defaults of Junos OSPF.
const (
	DefaultPriority     = 128
	DefaultHello        = 10
	DefaultRxmt         = 5
	DefaultPreference   = 10
	DefaultExtPref      = 150
	DefaultRefBandwidth = 100_000_000
	DefaultRefresh      = 50
	DefaultSPFDelay     = 200 * time.Millisecond
	DefaultSPFHolddown  = 5 * time.Second
	DefaultSPFRapidRuns = 3
	// InfTransDelay is the transit delay added to the age of flooded LSAs.
	InfTransDelay = 1
	// MinLSInterval is the least time between two originations of an LSA
	// and MinLSArrival the least between two accepted instances.
	MinLSInterval = time.Second
	MinLSArrival  = time.Second
)

// IfState is what the router knows of a logical interface: its addresses
// and whether it is up.
type IfState struct {
	Name  string
	Addrs []netip.Prefix
	Up    bool
}

// Link is the kernel link of a logical interface.
type Link struct {
	Index int
	MTU   int
}

// Received is a packet read from the network: its interface, IP source
// and destination, and the OSPF packet (without the IP header).
type Received struct {
	IfIndex  int
	Src, Dst netip.Addr
	Data     []byte
}

// Conn sends the packets of one instance and joins its multicast groups.
type Conn interface {
	Join(ifindex int) error
	Send(ifindex int, src, dst netip.Addr, b []byte) error
	Close() error
}

// Net is the router's network as OSPF uses it.
type Net interface {
	// Listen opens a connection for an instance; deliver gets every OSPF
	// packet received, from the connection's reader goroutine, until
	// Close returns.
	Listen(deliver func(Received)) (Conn, error)
	// Link finds the kernel link of a logical interface.
	Link(ifl string) (Link, error)
}
