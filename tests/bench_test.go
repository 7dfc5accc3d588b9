package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartShowVersion runs `mxlab -c "show version"` from process
// start to exit, on a state directory that already exists.
func BenchmarkStartShowVersion(b *testing.B) {
	state := filepath.Join(b.TempDir(), "state")
	run := func() {
		out, err := exec.Command(mxlabBin, "--name", fmt.Sprintf("b%d", os.Getpid()), "--state-dir", state, "-c", "show version").Output()
		if err != nil || !bytes.Contains(out, []byte("Junos: ")) {
			b.Fatalf("mxlab -c: %v\n%s", err, out)
		}
	}
	run()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
}

// BenchmarkIdleRSS starts a router reading commands from a pipe, waits for
// its prompt and a second of idleness, and reports its resident memory
// (VmRSS of /proc/PID/status) as "RSS-MB".
func BenchmarkIdleRSS(b *testing.B) {
	var rss float64
	for i := 0; i < b.N; i++ {
		rss = idleRSS(b)
	}
	b.ReportMetric(rss, "RSS-MB")
}

func idleRSS(b *testing.B) float64 {
	cmd := exec.Command(mxlabBin, "--name", fmt.Sprintf("b%d", os.Getpid()), "--state-dir", filepath.Join(b.TempDir(), "state"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close()
		io.Copy(io.Discard, stdout)
		cmd.Wait()
	}()
	prompt := make([]byte, len("lab@mxlab> "))
	if _, err := io.ReadFull(stdout, prompt); err != nil || string(prompt) != "lab@mxlab> " {
		b.Fatalf("no prompt: %q %v", prompt, err)
	}
	time.Sleep(time.Second)
	kb, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	return float64(kb) / 1024
}

// vmRSS reads the resident set size of a process, in kB.
func vmRSS(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
