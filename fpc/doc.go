// Package fpc models a Flexible PIC Concentrator: a line card slot of the
// chassis and the PICs it carries. A Card owns its PICs (it starts and stops
// their goroutines) and runs one goroutine of its own that owns the FPC's
// state; "request chassis fpc slot N offline|online|restart" and
// "request chassis pic ... offline|online" go through it, so an FPC that is
// offline keeps its PICs offline.
//
//	c := fpc.New(fpc.Spec{Slot: 1, PICs: []pic.Spec{{FPC: 1, Slot: 0, Kind: ge10}}}, fpc.Options{})
//	c.Start(ctx)
//	c.SetOnline(false) // the FPC and every PIC go Offline
//	c.Stop()           // waits for the FPC's and the PICs' goroutines
package fpc
