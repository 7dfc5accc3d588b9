package fpc

import (
	"context"
	"errors"
	"testing"
	"time"

	"mxlab/internal/leakcheck"
	"mxlab/pic"
)

func ge(slot int) pic.Spec { return pic.Spec{Slot: slot, Kind: pic.Kind{Prefix: "ge", Ports: 10}} }

func TestOfflineOnline(t *testing.T) {
	leakcheck.Check(t)
	c := New(Spec{Slot: 1, PICs: []pic.Spec{ge(0), ge(1)}}, Options{BootDelay: time.Millisecond})
	c.Start(context.Background())
	defer c.Stop()
	if was, err := c.SetOnline(false); err != nil || was != pic.Online {
		t.Fatalf("SetOnline(false) = %v, %v", was, err)
	}
	if st, _ := c.PIC(0).Status(); st.State != pic.Offline {
		t.Errorf("PIC 0 %v after FPC offline", st.State)
	}
	if _, err := c.SetPICOnline(0, true); !errors.Is(err, ErrNotOnline) {
		t.Errorf("PIC online on offline FPC: %v", err)
	}
	if _, err := c.SetOnline(true); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		st, _ := c.PIC(1).Status()
		if st.State == pic.Online {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PIC 1 still %v", st.State)
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := c.SetPICOnline(3, true); !errors.Is(err, ErrNoPIC) {
		t.Errorf("empty PIC slot: %v", err)
	}
}

func TestStop(t *testing.T) {
	leakcheck.Check(t)
	c := New(Spec{Slot: 0, PICs: []pic.Spec{ge(0)}}, Options{BootDelay: time.Hour})
	c.Start(context.Background())
	_ = c.Restart()
	c.Stop()
	c.Stop()
	if _, err := c.Status(); !errors.Is(err, pic.ErrStopped) {
		t.Errorf("Status after Stop: %v", err)
	}
}
