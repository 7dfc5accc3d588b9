package chassis

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// labConfig configures interfaces of the example layouts, some of them
// absent from a given chassis.
func labConfig() Config {
	return Config{
		Interfaces: []Interface{
			{Name: "ge-1/0/0", Description: "to R2 ge-1/0/0", Units: []Unit{{Number: 0, Inet: prefixes("10.0.1.1/30"), Inet6: prefixes("2001:db8:1::1/64")}}},
			{Name: "ge-1/0/1", Disable: true, Units: []Unit{{Number: 0, Inet: prefixes("172.16.0.1/16")}}},
			{Name: "ge-0/0/0", VlanTagging: true, Units: []Unit{{Number: 100, VlanID: 100, Description: "customer A", Inet: prefixes("10.10.0.1/24")}}},
			{Name: "so-0/0/0", Units: []Unit{{Number: 0, Inet: prefixes("10.0.2.1/30")}}},
			{Name: "ms-1/2/0", Units: []Unit{{Number: 1, ServiceDomain: "inside", Families: []string{"inet"}}, {Number: 2, ServiceDomain: "outside", Families: []string{"inet"}}}},
			{Name: "ms-4/0/0", Units: []Unit{{Number: 0, Families: []string{"inet"}}}},
			{Name: "ms-1/0/0", Units: []Unit{{Number: 0, Families: []string{"inet"}}}},
			{Name: "sp-1/2/0", Units: []Unit{{Number: 1, ServiceDomain: "inside", Families: []string{"inet"}}}},
			{Name: "lo0", Units: []Unit{{Number: 0, Inet: prefixes("10.255.0.1/32")}}},
			{Name: "fxp0", Units: []Unit{{Number: 0, Inet: prefixes("192.168.100.11/24")}}},
			{Name: "ge-9/0/0", Description: "not installed"},
		},
	}
}

var goldenCases = []struct {
	name, layout string
	commands     []string
}{
	{"mx480_default", "boot-delay: -1ns", []string{
		"show chassis hardware",
		"show chassis hardware detail",
		"show chassis fpc",
		"show chassis fpc 1",
		"show chassis fpc detail",
		"show chassis fpc pic-status",
		"show chassis pic fpc-slot 1 pic-slot 2",
		"show chassis pic fpc-slot 3 pic-slot 0",
		"show chassis alarms",
		"show chassis routing-engine",
		"show interfaces terse",
		"show interfaces terse ge-1/0/0",
		"show interfaces ge-1/0/0",
		"show interfaces ge-1/0/0 brief",
		"show interfaces ge-1/0/0 detail",
		"show interfaces ge-1/0/0 extensive",
		"show interfaces ge-1/0/0.0",
		"show interfaces ge-1/0/1",
		"show interfaces so-0/0/0",
		"show interfaces ms-1/2/0",
		"show interfaces sp-1/2/0 detail",
		"show interfaces lo0",
		"show interfaces fxp0",
		"show interfaces ge-9/0/0",
		"show interfaces descriptions",
		"clear interfaces statistics ge-1/0/0",
		"clear interfaces statistics all",
		"show interfaces ge-1/0/0 detail",
		"request chassis fpc slot 3 offline",
		"request chassis pic fpc-slot 1 pic-slot 2 offline",
		"show chassis fpc pic-status 1",
		"show chassis alarms",
		"request chassis pic fpc-slot 1 pic-slot 2 online",
		"request chassis fpc slot 1 offline",
		"show chassis fpc",
		"show chassis fpc pic-status",
		"show chassis alarms",
		"show interfaces terse",
		"show interfaces ge-1/0/0",
		"request chassis fpc slot 1 online",
		"show chassis fpc",
		"request chassis fpc slot 0 restart",
		"show chassis fpc detail",
		"show chassis alarms",
	}},
	{"mx960_msmpc", `
model: mx960
boot-delay: -1ns
fpcs:
  0: {type: mpc, pics: {0: 10x1ge, 2: 2x10ge, 3: 2x10ge}}
  4: {type: ms-mpc}
  5: {type: ms-dpc}
`, []string{
		"show chassis hardware",
		"show chassis fpc",
		"show chassis fpc pic-status",
		"show chassis fpc 4 detail",
		"show chassis pic fpc-slot 4 pic-slot 3",
		"show chassis alarms",
		"show chassis routing-engine",
		"show interfaces terse",
		"show interfaces ms-4/0/0",
		"show interfaces sp-5/1/0 brief",
		"show interfaces xe-0/3/1 extensive",
		"request chassis pic fpc-slot 4 pic-slot 1 offline",
		"show chassis fpc pic-status 4",
		"show chassis alarms",
		"request chassis fpc slot 7 online",
	}},
	{"mx104_msmic", `
model: mx104
boot-delay: -1ns
fpcs:
  0: {pics: {0: 10x1ge, 1: 10x1ge}}
  1: {pics: {0: ms-mic, 2: 1x10ge, 3: 1x10ge}}
`, []string{
		"show chassis hardware",
		"show chassis fpc",
		"show chassis fpc pic-status",
		"show chassis pic fpc-slot 1 pic-slot 0",
		"show chassis alarms",
		"show chassis routing-engine",
		"show interfaces terse",
		"show interfaces ms-1/0/0",
		"show interfaces descriptions",
		"request chassis fpc slot 1 offline",
		"show interfaces terse ms-1*",
		"show chassis alarms",
	}},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			// Render several times to catch unstable ordering.
			var first string
			for range 3 {
				got := transcript(t, tc.layout, tc.commands)
				if first != "" && got != first {
					t.Fatalf("output differs between runs")
				}
				first = got
			}
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(first), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if first != string(want) {
				t.Errorf("%s differs from the golden file (run with -update and review the diff)\n%s", path, first)
			}
		})
	}
}

func transcript(t *testing.T, layout string, commands []string) string {
	c, clk := newTestChassis(t, "r1", layout)
	c.Configure(labConfig())
	r := testRegistry()
	clk.advance(49*time.Hour + 3*time.Minute + 7*time.Second)
	var b strings.Builder
	for _, cmd := range commands {
		out, err := runCommand(r, c, cmd)
		b.WriteString("lab@r1> " + cmd + "\n" + out)
		if err != nil {
			b.WriteString("error: " + err.Error() + "\n")
		}
		b.WriteString("\n")
		clk.advance(61 * time.Second)
	}
	return b.String()
}
