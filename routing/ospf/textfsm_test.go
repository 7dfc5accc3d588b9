package ospf

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// debianPython is the interpreter the python3-textfsm package installs for.
const debianPython = "/usr/bin/python3"

// TestNTCTemplateNeighbor parses "show ospf neighbor" with the
// ntc-templates TextFSM template (testdata, from networktocode/ntc-templates)
// the way automation tools do.
func TestNTCTemplateNeighbor(t *testing.T) {
	if err := exec.Command(debianPython, "-c", "import textfsm").Run(); err != nil {
		t.Skip("textfsm is not installed for /usr/bin/python3 (apt-get install python3-textfsm, or scripts/deps)")
	}
	script := `import json, sys, textfsm
t = textfsm.TextFSM(open(sys.argv[1]))
print(json.dumps(t.ParseText(open(sys.argv[2]).read())))`
	out, err := exec.Command(debianPython, "-c", script, filepath.Join("testdata", "juniper_junos_show_ospf_neighbor.textfsm"),
		filepath.Join("testdata", "neighbor.golden")).Output()
	if err != nil {
		t.Fatalf("textfsm: %v", err)
	}
	var rows [][]string
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("textfsm output %q: %v", out, err)
	}
	// IP_ADDRESS, INTERFACE, STATE, NEIGHBOR_ID, PRIORITY, DEAD_TIME
	want := [][]string{
		{"10.0.12.1", "ge-0/0/0.0", "Full", "192.0.2.1", "128", "31"},
		{"10.0.0.3", "ge-0/0/1.0", "Full", "192.0.2.3", "128", "31"},
		{"10.0.0.4", "ge-0/0/1.0", "Full", "192.0.2.4", "128", "31"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("parsed %v, want %v", rows, want)
	}
}
