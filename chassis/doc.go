// Package chassis is a router's hardware: the model catalogue (MX240,
// MX480, MX960, MX104 and their cards), the FPCs and PICs of one router
// (package fpc and package pic run them, one goroutine per card), the
// interface inventory, the chassis alarms and the operational commands that
// show and change them ("show chassis ...", "request chassis ...",
// "show interfaces ...", "clear interfaces statistics").
//
// # Layout
//
// A router's hardware is described by a small YAML file:
//
//	model: mx480              # mx240, mx480 (default), mx960, mx104
//	boot-delay: 300ms         # FPC then PIC boot time after "online"; -1ns for none
//	fpcs:
//	  1:
//	    type: mpc             # MPC Type 2 3D: two MICs, PIC slots 0-3
//	    pics:
//	      0: 10x1ge           # MIC 0: 3D 20x 1GE(LAN) SFP (ge-1/0/0..9)
//	      1: 10x1ge           #        second half of the MIC (ge-1/1/0..9)
//	      2: ms-mic           # MIC 1: MS-MIC-16G (ms-1/2/0)
//	  4:
//	    type: ms-mpc          # MS-MPC: ms-4/0/0 .. ms-4/3/0
//	  5:
//	    type: ms-dpc          # MS-DPC: sp-5/0/0, sp-5/1/0
//
// PIC types on an MPC are 10x1ge (ge-), 2x10ge and 1x10ge (xe-), 4xoc3
// (so-) and ms-mic (ms-, a whole MIC: PIC slot 0 or 2). A services PIC
// written as {type: ms-mic, adaptive-services: true} also answers as
// sp-F/P/0. On an MX104, FPC 0 and FPC 1 are built-in MIC carriers and FPC 2
// is the built-in 4x 10GE(LAN) SFP+ (xe-2/0/0..3). Without fpcs, a model
// gets its default cards; the default MX480 carries so-0/0/0 (FPC 0),
// ge-1/0/0..9, ge-1/1/0..9, ms-1/2/0 and sp-1/2/0 (FPC 1), besides lo0 and
// fxp0 which every router has.
//
// Serial numbers and MAC addresses derive from the router name, so a router
// shows the same inventory every time it starts.
//
// # Running
//
// New builds the chassis; Start brings every card up Online at once; Stop
// ends every goroutine and waits. "request chassis fpc slot N offline" takes
// the FPC and its PICs offline: their interfaces disappear from
// "show interfaces" (as on Junos, "error: device ge-1/0/0 not found"), an
// alarm is raised and an Event is published to every Watch channel;
// "online" boots the FPC, then its PICs, and the interfaces come back with
// the configuration applied. Configure takes the committed configuration
// as plain structs (the chassis does not import the config package);
// interfaces configured but absent from the hardware are kept and simply
// not shown. SetCounters connects the forwarding plane's counters; without
// it every counter reads zero.
//
// # Fidelity
//
// Output formats follow captures of real MX routers. Where no capture is
// known the text is an approximation: the alarm texts ("FPC 1 offline",
// "FPC 1 PIC 2 offline"), the errors for empty slots, the
// "request chassis pic" replies (taken from the T Series documentation),
// the part numbers of the SONET MIC and the MS-MPC, and every line of
// "show interfaces" for ms- interfaces (modelled on the sp- capture).
// Temperatures, CPU and memory figures are fixed per card type.
package chassis
