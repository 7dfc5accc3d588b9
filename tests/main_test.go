package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// mxlabBin is the binary built by TestMain.
var mxlabBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mxlab-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	mxlabBin = filepath.Join(dir, "mxlab")
	if out, err := exec.Command(goTool(), "build", "-o", mxlabBin, "mxlab/cmd/mxlab").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building mxlab: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// goTool returns the go command that runs the tests.
func goTool() string {
	// The test binary runs where it was built, so the GOROOT it was built
	// with is the toolchain running the tests.
	//lint:ignore SA1019 see above
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// e2Config is the E2 router 1 example configuration.
const e2Config = "../services/testdata/examples/e2-r1.set"
