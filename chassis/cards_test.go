package chassis

import (
	"fmt"
	"strings"
	"testing"

	"mxlab/pic"
)

// TestCards checks Cards against "show chassis fpc pic-status" as a PIC
// and then its FPC go offline.
func TestCards(t *testing.T) {
	c, _ := newTestChassis(t, "r1", "boot-delay: -1ns")
	r := testRegistry()
	check := func(step string) {
		t.Helper()
		var b strings.Builder
		for _, f := range c.Cards() {
			fmt.Fprintf(&b, "%-9s%-13s%s\n", fmt.Sprintf("Slot %d", f.Slot), f.State, f.Desc)
			if f.State != pic.Online {
				for _, p := range f.PICs {
					if p.State != pic.Offline {
						t.Errorf("%s: PIC %d of FPC %d is %v on a card %v", step, p.Slot, f.Slot, p.State, f.State)
					}
				}
				continue
			}
			for _, p := range f.PICs {
				fmt.Fprintf(&b, "  %-7s%-13s%s\n", fmt.Sprintf("PIC %d", p.Slot), p.State, p.Desc)
			}
		}
		want, _ := runCommand(r, c, "show chassis fpc pic-status")
		if b.String() != want {
			t.Errorf("%s: Cards\n%s\nshow chassis fpc pic-status\n%s", step, b.String(), want)
		}
	}
	check("booted")
	if _, err := c.PICOnline(1, 2, false); err != nil {
		t.Fatal(err)
	}
	check("PIC 1/2 offline")
	if cs := c.Cards(); len(cs) != 2 || cs[1].Slot != 1 || len(cs[1].PICs) != 3 || cs[1].PICs[2].State != pic.Offline {
		t.Errorf("PIC 1/2 offline: Cards %+v", cs)
	}
	if _, err := c.FPCOnline(1, false); err != nil {
		t.Fatal(err)
	}
	check("FPC 1 offline")
}
