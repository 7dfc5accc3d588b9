package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestExpectSession runs tests/expect/session.exp with Tcl expect against
// the binary on a pseudo-terminal without a window size: once as an xterm
// (the line editor) and once with TERM=dumb (the cooked terminal). The
// session log must hold no escape sequence at all.
func TestExpectSession(t *testing.T) {
	expect, err := exec.LookPath("expect")
	if err != nil {
		t.Skip("expect is not installed (apt-get install expect, or scripts/deps)")
	}
	for _, term := range []string{"xterm", "dumb"} {
		t.Run(term, func(t *testing.T) {
			dir := t.TempDir()
			logFile := filepath.Join(dir, "session.log")
			cmd := exec.Command(expect, "expect/session.exp", mxlabBin, filepath.Join(dir, "state"), e2Config, logFile,
				fmt.Sprintf("x%d-%s", os.Getpid(), term))
			cmd.Env = append(os.Environ(), "TERM="+term)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.WaitDelay = 5 * time.Second
			err := cmd.Run()
			log, _ := os.ReadFile(logFile)
			if err != nil {
				t.Fatalf("expect: %v\n%s\nsession log:\n%s", err, out.Bytes(), tail(log, 3000))
			}
			if i := bytes.IndexByte(log, 0x1b); i >= 0 {
				t.Errorf("escape sequence in the session log at byte %d: %q", i, log[max(0, i-40):min(len(log), i+20)])
			}
		})
	}
}

// tail returns the last n bytes of b.
func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
