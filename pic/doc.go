// Package pic models a Physical Interface Card: a port PIC (Gigabit or
// 10-Gigabit Ethernet, SONET) or a services PIC (MS-MIC, MS-MPC PIC, MS-DPC
// PIC). Each Card is one goroutine that owns the PIC's state: its
// Empty/Offline/Booting/Online state, its ports and their link state, the
// statistics baselines set by "clear interfaces statistics" and, for a
// services PIC, its service package. Other code reaches a Card only through
// its methods, which send a closure to the goroutine and wait for the reply.
//
//	c := pic.New(pic.Spec{FPC: 1, Slot: 0, Kind: pic.Kind{Prefix: "ge", Ports: 10}}, pic.Options{})
//	c.Start(ctx)            // the goroutine runs until ctx ends or Stop
//	c.SetOnline(false)      // ports go away, an Event is published
//	st, _ := c.Status()     // a snapshot owned by the caller
//	c.Stop()                // waits for the goroutine
package pic
