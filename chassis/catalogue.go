package chassis

import "mxlab/pic"

// item is one row of "show chassis hardware": a field-replaceable unit.
type item struct {
	Version string // "REV 07"; "" for none
	Part    string // "750-047862" or "BUILTIN"
	Desc    string
}

// builtin marks items whose part and serial numbers read BUILTIN.
const builtin = "BUILTIN"

// nominal are the fixed operating figures of a card type, as
// "show chassis fpc" prints them.
type nominal struct {
	Temp      int // degrees C
	CPU, Intr int // percent
	DRAM      int // MB
	Heap, Buf int // percent
	RLDRAM    int // MB
	DDR       int // MB
}

// Model is a router model of the catalogue.
type Model struct {
	Name     string // "mx480"
	Desc     string // "MX480"
	FPCSlots int
	REs      int
	midplane item
	fpm      *item
	pem      item
	pems     int
	re       item
	reDRAM   int // MB
	cb       *item
	cbs      int
	afeb     *item
	fan      item
	fans     int
	// fixed are FPCs built into the chassis (MX104), whatever the layout.
	fixed    map[int]FPCLayout
	defaults map[int]FPCLayout
	// fpcType is the card type of an FPC slot whose layout names none.
	fpcType string
}

// cardType is an FPC type of the catalogue.
type cardType struct {
	board, cpu item
	nom        nominal
	// pics fixes the PICs of cards without MIC slots (MS-MPC, MS-DPC).
	pics      map[int]string
	micSlots  int  // MIC slots (each holds PIC slots 2m and 2m+1)
	builtinID bool // part and serial read BUILTIN
}

// picType is a PIC (and the MIC that carries it) of the catalogue.
type picType struct {
	kind  pic.Kind
	mic   item // the MIC around the PIC; zero for PICs not on a MIC
	desc  string
	xcvr  *item
	speed string // "1000mbps"
	ver   string // PIC version
	// wide PICs take a whole MIC: their PIC slot must be 2m.
	wide bool
}

var models = map[string]*Model{
	"mx240": {Name: "mx240", Desc: "MX240", FPCSlots: 3, REs: 2,
		midplane: item{"REV 07", "750-047863", "Enhanced MX240 Backplane"},
		fpm:      &item{"REV 03", "760-021392", "Front Panel Display"},
		pem:      item{"Rev 10", "740-029970", "PS 1.4-2.52kW; 90-264V AC in"}, pems: 2,
		re: item{"REV 03", "740-051822", "RE-S-1800x4"}, reDRAM: 16384,
		cb: &item{"REV 07", "750-062572", "Enhanced MX SCB 2"}, cbs: 1,
		fan: item{"REV 01", "710-030216", "Enhanced Fan Tray"}, fans: 1,
		fpcType: "mpc",
		defaults: map[int]FPCLayout{1: {Type: "mpc", PICs: map[int]PICLayout{
			0: {Type: "10x1ge"}, 1: {Type: "10x1ge"}, 2: {Type: "ms-mic"}}}},
	},
	"mx480": {Name: "mx480", Desc: "MX480", FPCSlots: 6, REs: 2,
		midplane: item{"REV 40", "750-047862", "Enhanced MX480 Midplane"},
		fpm:      &item{"REV 04", "760-059208", "Front Panel Display"},
		pem:      item{"Rev 01", "740-063046", "PS 1.4-2.52kW; 90-264V AC in"}, pems: 4,
		re: item{"REV 03", "740-051822", "RE-S-1800x4"}, reDRAM: 16384,
		cb: &item{"REV 07", "750-062572", "Enhanced MX SCB 2"}, cbs: 2,
		fan: item{"REV 05", "740-031521", "Enhanced Fan Tray"}, fans: 1,
		fpcType: "mpc",
		defaults: map[int]FPCLayout{
			0: {Type: "mpc", PICs: map[int]PICLayout{0: {Type: "4xoc3"}}},
			1: {Type: "mpc", PICs: map[int]PICLayout{
				0: {Type: "10x1ge"}, 1: {Type: "10x1ge"}, 2: {Type: "ms-mic", AdaptiveServices: true}}},
		},
	},
	"mx960": {Name: "mx960", Desc: "MX960", FPCSlots: 12, REs: 2,
		midplane: item{"REV 03", "750-047853", "Enhanced MX960 Backplane"},
		fpm:      &item{"REV 03", "710-014974", "Front Panel Display"},
		pem:      item{"Rev 04", "740-027760", "PS 4.1kW; 200-240V AC in"}, pems: 4,
		re: item{"REV 03", "740-051822", "RE-S-1800x4"}, reDRAM: 16384,
		cb: &item{"REV 07", "750-062572", "Enhanced MX SCB 2"}, cbs: 3,
		fan: item{"REV 04", "740-031521", "Enhanced Fan Tray"}, fans: 2,
		fpcType: "mpc",
		defaults: map[int]FPCLayout{
			0: {Type: "mpc", PICs: map[int]PICLayout{0: {Type: "10x1ge"}, 1: {Type: "10x1ge"}}},
			1: {Type: "mpc", PICs: map[int]PICLayout{0: {Type: "10x1ge"}, 2: {Type: "ms-mic"}}},
		},
	},
	"mx104": {Name: "mx104", Desc: "MX104", FPCSlots: 3, REs: 1,
		midplane: item{"REV 49", "750-044219", "MX104"},
		pem:      item{"REV 04", "740-045933", "AC Power Entry Module"}, pems: 2,
		re: item{"REV 07", "750-054730", "RE-MX-104"}, reDRAM: 4096,
		afeb: &item{"", builtin, "Forwarding Engine Processor"},
		fan:  item{"REV 03", "711-049570", "Fan Tray"}, fans: 1,
		fpcType: "mx104-mpc",
		fixed:   map[int]FPCLayout{2: {Type: "mx104-xe", PICs: map[int]PICLayout{0: {Type: "4x10ge"}}}},
		defaults: map[int]FPCLayout{
			0: {Type: "mx104-mpc", PICs: map[int]PICLayout{0: {Type: "10x1ge"}, 1: {Type: "10x1ge"}}},
		},
	},
}

var cardTypes = map[string]*cardType{
	"mpc": {board: item{"REV 22", "750-031089", "MPC Type 2 3D"},
		cpu: item{"REV 06", "711-030686", "MPC PMB 2G"},
		nom: nominal{Temp: 38, CPU: 9, Intr: 0, DRAM: 2048, Heap: 18, Buf: 13, RLDRAM: 806, DDR: 2632}, micSlots: 2},
	"ms-mpc": {board: item{"REV 23", "750-049890", "MS-MPC"},
		cpu:  item{"REV 05", "711-049915", "MS-MPC-PMB"},
		nom:  nominal{Temp: 41, CPU: 5, Intr: 0, DRAM: 4096, Heap: 12, Buf: 0, RLDRAM: 806, DDR: 2632},
		pics: map[int]string{0: "ms-mpc-pic", 1: "ms-mpc-pic", 2: "ms-mpc-pic", 3: "ms-mpc-pic"}},
	"ms-dpc": {board: item{"REV 18", "750-024064", "MS-DPC"},
		cpu:  item{"REV 07", "710-013713", "DPC PMB"},
		nom:  nominal{Temp: 36, CPU: 4, Intr: 0, DRAM: 1024, Heap: 15, Buf: 0, RLDRAM: 256, DDR: 1024},
		pics: map[int]string{0: "ms-dpc-pic", 1: "ms-dpc-pic"}},
	"mx104-mpc": {board: item{"", builtin, "MPC BUILTIN"},
		nom:      nominal{Temp: 40, CPU: 11, Intr: 0, DRAM: 1920, Heap: 20, Buf: 13, RLDRAM: 518, DDR: 1536},
		micSlots: 2, builtinID: true},
	"mx104-xe": {board: item{"", builtin, "MPC BUILTIN"},
		nom:      nominal{Temp: 40, CPU: 11, Intr: 0, DRAM: 1920, Heap: 20, Buf: 13, RLDRAM: 518, DDR: 1536},
		micSlots: 1, builtinID: true},
}

var (
	sfpT    = &item{"REV 02", "740-013111", "SFP-T"}
	sfpp    = &item{"REV 01", "740-021308", "SFP+-10G-SR"}
	xfpSR   = &item{"REV 01", "740-014279", "XFP-10G-SR"}
	sfpOC3  = &item{"REV 01", "740-011782", "SFP-OC3-SR"}
	msMICId = item{"REV 19", "750-043688", "MS-MIC-16G"}
)

var picTypes = map[string]*picType{
	"10x1ge": {kind: pic.Kind{Prefix: "ge", Ports: 10}, mic: item{"REV 35", "750-028392", "3D 20x 1GE(LAN) SFP"},
		desc: "10x 1GE(LAN) SFP", xcvr: sfpT, speed: "1000mbps", ver: "1.35"},
	"2x10ge": {kind: pic.Kind{Prefix: "xe", Ports: 2}, mic: item{"REV 26", "750-028387", "3D 4x 10GE  XFP"},
		desc: "2x 10GE  XFP", xcvr: xfpSR, speed: "10Gbps", ver: "1.26"},
	"1x10ge": {kind: pic.Kind{Prefix: "xe", Ports: 1}, mic: item{"REV 25", "750-028380", "3D 2x 10GE XFP"},
		desc: "1x 10GE XFP", xcvr: xfpSR, speed: "10Gbps", ver: "1.25"},
	"4x10ge": {kind: pic.Kind{Prefix: "xe", Ports: 4}, mic: item{"", builtin, "4x 10GE(LAN) SFP+"},
		desc: "4x 10GE(LAN) SFP+", xcvr: sfpp, speed: "10Gbps", ver: "0.0"},
	"4xoc3": {kind: pic.Kind{Prefix: "so", Ports: 4}, mic: item{"REV 12", "750-034627", "3D 8x OC3/OC12 4x OC48 SFP"},
		desc: "4x OC-3 OC-12 SFP", xcvr: sfpOC3, speed: "OC3", ver: "1.12"},
	"ms-mic": {kind: pic.Kind{Prefix: "ms", Ports: 1, Services: true, Package: "extension-provider"},
		mic: msMICId, desc: "MS-MIC-16G", speed: "800mbps", ver: "1.19", wide: true},
	"ms-mpc-pic": {kind: pic.Kind{Prefix: "ms", Ports: 1, Services: true, Package: "extension-provider"},
		desc: "MS-MPC-PIC", speed: "800mbps", ver: "1.23"},
	"ms-dpc-pic": {kind: pic.Kind{Prefix: "sp", Ports: 1, Services: true},
		desc: "MS-DPC PIC", speed: "800mbps", ver: "1.18"},
}
