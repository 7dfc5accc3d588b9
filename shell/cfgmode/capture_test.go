package cfgmode_test

import (
	"strings"
	"testing"

	"mxlab/internal/layouttest"
)

// The commit lines of CiscoTestAutomation/genieparser,
// src/genie/libs/parser/junos/tests/ShowSystemCommit/cli/equal/golden_output_1_output.txt
// (a router in UTC, as mxlab's), and the comment line of
// JulioPDX/JulioPDX.github.io,
// docs/2021/12/06/my-journey-learning-about-juniper-junos/ (a commit
// comment, on the next line indented four spaces).
const captureCommit = `0   2020-03-05 16:04:34 UTC by cisco via cli
    This is a bad config
1   2020-03-05 16:01:49 UTC by cisco via cli
`

// TestCommitLayoutMatchesCapture compares show system commit with a real
// router's, column for column.
func TestCommitLayoutMatchesCapture(t *testing.T) {
	s := open(t, newRouter(t, t.TempDir()), "cisco", "pts/0")
	for _, line := range []string{"configure", "set system host-name r1", "commit",
		"set system location building b1", `commit comment "This is a bad config"`, "exit"} {
		s.do(line)
	}
	out := s.do("show system commit")
	out = out[:strings.LastIndex(out, "\n\n")+1] // the prompt after the blank line
	layouttest.Compare(t, captureCommit, out, "=^0 ", "    This", "=^1 ")
}
