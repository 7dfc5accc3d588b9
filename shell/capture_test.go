package shell_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"mxlab/internal/layouttest"
	"mxlab/shell"
)

// The captures below are excerpts of real router output, quoted to compare
// layouts column for column; the source of each is given above it.

// networktocode/ntc-templates,
// tests/juniper_junos/show_version/juniper_junos_show_version_srx_cluster.raw
// (the first three lines) and .../juniper_junos_show_version_vmhost.raw
// (a package line of a recent release: one blank before the build).
const captureVersion = `Hostname: lab
Model: srx1500
Junos: 19.4R3-S1.3
JUNOS OS Kernel 64-bit [20220419.9889e6f_builder_stable_11]
JUNOS OS libs [20220419.9889e6f_builder_stable_11]
`

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowSystemUptime/cli/equal/golden_output_1_output.txt
// and the "w" line of .../golden_output_3_output.txt.
const captureUptime = `Current time: 2020-03-26 08:16:41 UTC
Time Source:  LOCAL CLOCK
System booted: 2019-08-29 09:02:22 UTC (29w6d 23:14 ago)
Protocols started: 2019-08-29 09:03:25 UTC (29w6d 23:13 ago)
Last configured: 2020-03-05 16:04:34 UTC (2w6d 16:12 ago) by cisco
12:31PM  up 15 days, 5 mins, 1 user, load averages: 0.07, 0.09, 0.04
`

// CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowSystemUsers/cli/equal/golden_output_2_output.txt
// (header; the rows' anonymised names shifted their columns by one).
const captureUsers = `11:31PM  up 2 days,  1:04, 1 user, load averages: 0.04, 0.03, 0.01
USER     TTY      FROM                              LOGIN@  IDLE WHAT
`

func TestLayoutMatchesCaptures(t *testing.T) {
	// run runs a command on a shell whose clock reads now, booted up ago.
	run := func(cmd string, now time.Time, up time.Duration) string {
		t.Helper()
		var out bytes.Buffer
		opts := testOptions("lab", "r1", t.TempDir())
		opts.Now = func() time.Time { return now }
		opts.Booted = now.Add(-up)
		opts.LastConfigured = func() (time.Time, string, bool) { return now.Add(-3 * 24 * time.Hour), "cisco", true }
		opts.Out = &out
		if shell.New(opts).RunCommands(context.Background(), cmd) {
			t.Fatalf("%s failed:\n%s", cmd, out.String())
		}
		return out.String()
	}
	now := time.Date(2026, 3, 5, 12, 31, 48, 0, time.UTC)
	layouttest.Compare(t, captureVersion, run("show version", now, time.Hour), "=Hostname:", "=Model:", "=Junos:", "=JUNOS OS Kernel", "=JUNOS OS libs")
	up := 15*24*time.Hour + 5*time.Minute
	layouttest.Compare(t, captureUptime, run("show system uptime", now, up), "=Current time:", "=Time Source:", "=System booted:",
		"=Protocols started:", "=Last configured:", "=^.*up .* user, load averages")
	now = time.Date(2026, 3, 5, 23, 31, 10, 0, time.UTC)
	up = 2*24*time.Hour + time.Hour + 4*time.Minute
	layouttest.Compare(t, captureUsers, run("show system users", now, up), "=^.*up .* user, load averages", "USER ")
}
