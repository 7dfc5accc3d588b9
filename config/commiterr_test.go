package config

import (
	"testing"
)

func TestCommitErrorFormat(t *testing.T) {
	sch := testSchema()
	root := &Node{S: sch}
	tset(t, root, "services service-set ss1 ipsec-vpn-rules r1")
	tset(t, root, "services ipsec-vpn rule r1")
	errs := checkMusts(root)
	if len(errs) != 1 {
		t.Fatalf("checkMusts = %v, want one error", errs)
	}
	want := "[edit services service-set ss1]\n  'ipsec-vpn-rules r1'\n    Local gateway must be configured with IPSec rules"
	if got := errs[0].Format(); got != want {
		t.Errorf("Format() =\n%s\nwant\n%s", got, want)
	}
	e := &CommitError{Statement: "ospf", Msg: "requires 'OSPF' license", Warning: true, Path: []string{"protocols"}}
	if got, want := e.Format(), "[edit protocols]\n  'ospf'\n    warning: requires 'OSPF' license"; got != want {
		t.Errorf("Format() =\n%s\nwant\n%s", got, want)
	}
	e = &CommitError{Statement: "system", Msg: "m"}
	if got, want := e.Format(), "[edit]\n  'system'\n    m"; got != want {
		t.Errorf("Format() =\n%s\nwant\n%s", got, want)
	}
	e = &CommitError{Statement: "x", Msg: "m", Path: []string{"policy-options", "policy-statement", "a b"}}
	if got, want := e.Format(), "[edit policy-options policy-statement \"a b\"]\n  'x'\n    m"; got != want {
		t.Errorf("Format() =\n%s\nwant\n%s", got, want)
	}
}
