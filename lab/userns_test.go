package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nobody is the user the test runs a lab as, without root.
const nobody = "65534"

// TestUserNamespace runs a lab as an unprivileged user: it starts inside
// its own user namespace, answers on its socket, runs commands in its
// hosts through nsenter, and removes everything at "down".
func TestUserNamespace(t *testing.T) {
	needRoot(t)
	for _, tool := range []string{"setpriv", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: %s is not installed", tool)
		}
	}
	dir := nobodyDir(t)
	runDir := filepath.Join(dir, "run")
	name := fmt.Sprintf("u%d-line3", os.Getpid())
	env := []string{"LAB_FILE=" + filepath.Join(dir, "line3.yaml"), "LAB_NAME=" + name, "LAB_RUN_DIR=" + runDir, EnvRunDir + "=" + runDir}
	up := asNobody(dir, append(env, envHelper+"=up"))
	stdout, _ := up.StdoutPipe()
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	defer up.Process.Kill()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.Contains(line, "ready") {
		up.Wait()
		t.Skipf("skipping: this kernel refuses a lab in a user namespace: %s", line)
	}
	go io.Copy(io.Discard, stdout)
	labDir := filepath.Join(runDir, name)
	var out bytes.Buffer
	if status, err := Console(labDir, Request{Node: "r1", Commands: "ping 172.16.3.10 count 1"}, nil, &out, nil); err != nil || status != 0 || !strings.Contains(out.String(), "1 packets received") {
		t.Errorf("ping from r1: %d, %v\n%s", status, err, out.String())
	}
	ex := asNobody(dir, append(env, envHelper+"=exec", "LAB_DIR="+labDir, "LAB_NODE=h1", "LAB_CMD=ping -c 1 -W 1 172.16.3.10"))
	if o, err := ex.CombinedOutput(); err != nil || !strings.Contains(string(o), "1 received") {
		t.Errorf("exec ping in h1 as nobody: %v\n%s", err, o)
	}
	if err := Down(labDir); err != nil {
		t.Errorf("Down: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- up.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("lab process: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the lab process still runs 10 s after down")
	}
	if _, err := os.Stat(labDir); !os.IsNotExist(err) {
		t.Errorf("run directory left: %v", err)
	}
}

// nobodyDir makes a directory nobody can use, holding a copy of the test
// binary and of the line3 topology.
func nobodyDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "mxlab-userns")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, os.Args[0], filepath.Join(dir, "lab.test"), 0o755)
	ents, _ := os.ReadDir("testdata/line3")
	for _, e := range ents {
		copyFile(t, filepath.Join("testdata/line3", e.Name()), filepath.Join(dir, e.Name()), 0o644)
	}
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(run, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
}

// asNobody returns the test binary of dir run as nobody with env.
func asNobody(dir string, env []string) *exec.Cmd {
	cmd := exec.Command("setpriv", "--reuid", nobody, "--regid", nobody, "--clear-groups", filepath.Join(dir, "lab.test"), "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	return cmd
}
