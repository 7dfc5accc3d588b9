package chassis

import (
	"testing"
	"time"

	"mxlab/internal/layouttest"
)

// The captures below are excerpts of real router output, quoted to compare
// layouts; the source of each is given above it. Where a source lost the
// indentation of nested lines (the Genie fixtures strip it), only lines
// whose indentation it kept are compared.

// MX480 (networktocode/ntc-templates,
// tests/juniper_junos/show_chassis_hardware/juniper_junos_show_chassis_hardware4.raw).
const captureHardware = `Hardware inventory:
Item             Version  Part number  Serial number     Description
Chassis                                JN1111111         MX480
Midplane         REV 40   750-047862   A111111           Enhanced MX480 Midplane
FPM Board        REV 04   760-059208   1111111           Front Panel Display
PEM 0            Rev 01   740-063046   Q111111111        PS 1.4-2.52kW; 90-264V AC in
Routing Engine 0 REV 03   740-051822   911111111         RE-S-1800x4
CB 0             REV 07   750-062572   C1111111          Enhanced MX SCB 2
FPC 0            REV 24   750-054902   C1111111          MPC3E NG PQ & Flex Q
  CPU            REV 13   711-045719   C1111111          RMPC PMB
  MIC 0          REV 35   750-028392   C111111           3D 20x 1GE(LAN) SFP
    PIC 0                 BUILTIN      BUILTIN           10x 1GE(LAN) SFP
      Xcvr 0     REV 02   740-013111   1111111           SFP-T
`

// Physical MX304 (a public MX304 capture; junos-cli.md 2.3) and a vMX
// (CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowChassisFpc/cli/equal/golden_output_output.txt,
// header lines).
const captureFPC = `                     Temp  CPU Utilization (%)   CPU Utilization (%)  Memory    Utilization (%)
Slot State            (C)  Total  Interrupt      1min   5min   15min  DRAM (MB) Heap     Buffer
  0  Online            31      1          0        1      1      2    32768      49          0
  1  Empty
`

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowChassisFpcPicStatus/cli/equal/golden_output_output.txt.
const capturePICStatus = `Slot 0   Online       DPCE 2x 10GE R
  PIC 0  Online       1x 10GE(LAN/WAN)
`

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowChassisAlarms/cli/equal/golden_output_2_output.txt.
const captureAlarms = `2 alarms currently active
Alarm time               Class  Description
2020-12-22 14:48:15 EST  Major  SPMB 1 not online
`

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowChassisPicFpcSlotPicSlot/cli/equal/golden_output_2_output.txt
// (the Uptime line holds tabs).
const capturePIC = "FPC slot 1, PIC slot 1 information:\n" +
	"  Type                             24X10GE SFPP\n" +
	"  State                            Online\n" +
	"  PIC version                 2.35\n"

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowInterfacesTerse/cli/equal/golden_output_output.txt
// (vMX), and a vMX's internal interfaces (junos-cli.md 2.6; a public vMX
// write-up on GitHub, "Juniper playing with Junos PyEZ").
const captureTerse = `Interface               Admin Link Proto    Local                 Remote
ge-0/0/0                up    up
ge-0/0/0.0              up    up   inet     10.0.1.1/24
                                   multiservice
lc-0/0/0                up    up
lc-0/0/0.32769          up    up   vpls
pfe-0/0/0.16383         up    up   inet
                                   inet6
pfh-0/0/0.16384         up    up   inet
ge-0/0/2                up    down
em1.0                   up    up   inet     10.0.0.4/8
                                            128.0.0.1/2
                                   inet6    fe80::ea7:f1ff:fe05:1/64
                                   tnp      0x4
fxp0.0                  up    up   inet     172.25.192.114/24
jsrv.1                  up    up   inet     128.0.0.127/2
lo0.0                   up    up   inet     10.1.1.1            --> 0/0
lo0.16384               up    up   inet     127.0.0.1           --> 0/0
lo0.16385               up    up   inet
`

// A port and a logical interface (networktocode/ntc-templates,
// tests/juniper_junos/show_interfaces/juniper_junos_show_interfaces.raw
// and juniper_junos_show_interfaces2.raw, MX with screen width 511).
const capturePort = `Physical interface: ge-0/0/0, Enabled, Physical link is Up
  Interface index: 134, SNMP ifIndex: 502
  Description: Test
  Link-level type: Ethernet, MTU: 9114, MRU: 9122, LAN-PHY mode, Speed: 10Gbps, BPDU Error: None, Loop Detect PDU Error: None, MAC-REWRITE Error: None, Loopback: None, Source filtering: Disabled, Flow control: Enabled, Speed Configuration: 1G
  Pad to minimum frame size: Disabled
  Device flags   : Present Running
  Interface flags: SNMP-Traps Internal: 0x4000
  Link flags     : None
  CoS queues     : 8 supported, 8 maximum usable queues
  Current address: 00:0c:29:5e:2c:1a, Hardware address: 00:0c:29:5e:2c:1a
  Last flapped   : 2016-02-09 13:37:59 UTC (23:39:35 ago)
  Input rate     : 0 bps (0 pps)
  Output rate    : 0 bps (0 pps)
  Active alarms  : None
  Active defects : None
  Interface transmit statistics: Disabled

  Logical interface ge-0/0/0.2036 (Index 74) (SNMP ifIndex 535)
    Input packets : 12439041
    Output packets: 2552075
    Protocol inet, MTU: 1500
      Flags: Sendbcast-pkt-to-re
      Addresses, Flags: Is-Preferred Is-Primary
        Destination: 10.10.199.176/29, Local: 10.10.199.180, Broadcast: 10.10.199.183
`

// A vMX's internal interfaces (CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowInterfaces/cli/equal/golden_output_1_output.txt;
// the words of each line, the fixture having lost their indentation).
const captureInternal = `Physical interface: dsc, Enabled, Physical link is Up
Interface index: 5, SNMP ifIndex: 5
Type: Software-Pseudo, MTU: Unlimited
Interface flags: Point-To-Point SNMP-Traps
Physical interface: lc-0/0/0, Enabled, Physical link is Up
Speed: 800mbps
Logical interface lc-0/0/0.32769 (Index 329) (SNMP ifIndex 520)
Flags: Up Encapsulation: ENET2
Physical interface: esi, Enabled, Physical link is Up
Type: Software-Pseudo, Link-level type: VxLAN-Tunnel-Endpoint, MTU: Unlimited, Speed: Unlimited
Physical interface: jsrv, Enabled, Physical link is Up
Logical interface jsrv.1 (Index 325) (SNMP ifIndex 514)
Flags: Up 0x24004000 Encapsulation: unknown
Routing Instance: None Bridging Domain: None
Physical interface: lo0, Enabled, Physical link is Up
Type: Loopback, MTU: Unlimited
Device flags   : Present Running Loopback
Logical interface lo0.16384 (Index 322) (SNMP ifIndex 21)
Flags: SNMP-Traps Encapsulation: Unspecified
Max nh cache: 0, New hold nh limit: 0, Curr nh cnt: 0, Curr new hold cnt: 0, NH drop cnt: 0
Physical interface: pp0, Enabled, Physical link is Up
Type: PPPoE, Link-level type: PPPoE, MTU: 1532
`

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowInterfacesDescriptions/cli/equal/golden_output_output.txt.
const captureDescriptions = `Interface       Admin Link Description
ge-0/0/0        up    up   none/100G/in/hktGCS002_ge-0/0/0
`

func TestLayoutMatchesCaptures(t *testing.T) {
	c, clk := newTestChassis(t, "r1", "boot-delay: -1ns")
	c.Configure(labConfig())
	clk.advance(49 * time.Hour)
	r := testRegistry()
	run := func(cmd string) string {
		t.Helper()
		out, err := runCommand(r, c, cmd)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return out
	}
	// The rows whose columns are compared, by their first words.
	layouttest.Compare(t, captureHardware, run("show chassis hardware"), "Hardware inventory:", "Item ",
		"Chassis ", "Midplane ", "FPM Board ", "PEM 0 ", "Routing Engine 0 ", "CB 0 ", "~5:  CPU ", "      Xcvr 0 ")
	layouttest.Compare(t, captureFPC, run("show chassis fpc"), "                     Temp", "Slot State", "  0  Online", "^ +\\d  Empty$")
	layouttest.Compare(t, capturePICStatus, run("show chassis fpc pic-status"), "~3:Slot 0 ", "~3:  PIC 0 ")
	layouttest.Compare(t, capturePIC, run("show chassis pic fpc-slot 1 pic-slot 0"), "=FPC slot", "~1:  Type", "  State", "  PIC version")
	layouttest.Compare(t, captureTerse, run("show interfaces terse"), "Interface ", "^ge-\\d/0/0 +up +up$",
		"^ge-\\d/0/0.0 +up +up +inet", "                                   multiservice", "lc-0/0/0 ", "lc-0/0/0.32769 ",
		"pfe-0/0/0.16383", "                                   inet6", "pfh-0/0/0.16384", "em1.0", "                                            128.0.0.1/2",
		"                                   tnp", "fxp0.0", "jsrv.1", "lo0.0 ", "lo0.16384", "lo0.16385")
	layouttest.Compare(t, capturePort, run("show interfaces ge-1/0/0"), "Physical interface:", "  Interface index:",
		"~1:  Description:", "  Pad to minimum", "  Device flags", "  Interface flags", "  Link flags", "  CoS queues",
		"  Current address", "  Input rate", "  Output rate", "  Active alarms", "  Active defects", "  Interface transmit",
		"=  Logical interface", "    Input packets", "    Output packets", "    Protocol inet,", "      Flags: Sendbcast", "      Addresses, Flags",
		"=        Destination:")
	internal := ""
	for _, cmd := range []string{"dsc", "lc-0/0/0", "esi", "jsrv", "lo0", "pp0"} {
		internal += run("show interfaces " + cmd)
	}
	var trimmed string
	for _, l := range splitLines(internal) {
		trimmed += trimLeft(l) + "\n"
	}
	layouttest.Compare(t, captureInternal, trimmed, "=Physical interface: dsc", "=Interface index: 5,", "Type: Software-Pseudo, MTU: Unlimited",
		"Interface flags: Point-To-Point", "Speed: 800mbps", "=Logical interface lc-0/0/0.32769", "Flags: Up Encapsulation",
		"Type: Software-Pseudo, Link-level type: VxLAN", "=Logical interface jsrv.1", "Flags: Up 0x24004000", "Routing Instance:",
		"Type: Loopback", "Device flags   : Present Running Loopback", "=Logical interface lo0.16384", "Flags: SNMP-Traps",
		"Max nh cache: 0", "Type: PPPoE")
	layouttest.Compare(t, captureDescriptions, run("show interfaces descriptions"), "Interface ", "~3:ge-")

	c.FPCOnline(3, false)
	_, _ = c.FPCOnline(1, false)
	layouttest.Compare(t, captureAlarms, run("show chassis alarms"), "Alarm time")
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func trimLeft(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
}
