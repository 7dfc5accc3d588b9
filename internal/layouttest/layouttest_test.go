package layouttest

import "testing"

func TestColumns(t *testing.T) {
	capture := "lo0.0                   up    up   inet     10.1.1.1            --> 0/0"
	tests := []struct {
		got string
		ok  bool
	}{
		{"lo0.0                   up    up   inet     192.0.2.1           --> 0/0", true},
		{"lo0.0                   up    up   inet     192.0.2.1             --> 0/0", false}, // remote two columns off
		{"lo0.0                   up    down inet     192.0.2.1           --> 0/0", false},   // another state
		{"lo0.0                   up    up   inet     192.0.2.1", false},                     // a column missing
		{"lo0.16384               up    up   inet     127.0.0.1           --> 0/0", true},
	}
	for _, tt := range tests {
		if err := Columns(capture, tt.got); (err == nil) != tt.ok {
			t.Errorf("Columns(%q): %v; want ok=%v", tt.got, err, tt.ok)
		}
	}
	// Right-aligned numbers match on their last column.
	if err := Columns("default            perm     0                    rjct       36     1",
		"default            perm     0                    rjct      595     1"); err != nil {
		t.Error(err)
	}
}

func TestFlowingAndFreeTail(t *testing.T) {
	capture := "  Logical interface ge-0/0/0.2036 (Index 74) (SNMP ifIndex 535)"
	if err := Flowing(capture, "  Logical interface ge-1/0/0.0 (Index 337) (SNMP ifIndex 566)"); err != nil {
		t.Error(err)
	}
	if err := Flowing(capture, "  Logical interface ge-1/0/0.0  (Index 337) (SNMP ifIndex 566)"); err == nil {
		t.Error("two blanks before (Index not seen")
	}
	row := "Slot 0   Online       DPCE 2x 10GE R"
	if err := columns(row, "Slot 4   Online       MS-MPC", 3); err != nil {
		t.Error(err)
	}
	if err := columns(row, "Slot 4   Online      MS-MPC", 3); err == nil {
		t.Error("description a column off not seen")
	}
}
