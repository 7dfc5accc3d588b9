package chassis

import (
	"fmt"
	"io"
	"strings"

	"mxlab/pic"
	"mxlab/shell/cmdtree"
)

func write(w io.Writer, b *strings.Builder) error {
	_, err := io.WriteString(w, b.String())
	return err
}

func showFPC(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	slot, err := intArg(args, "slot", -1)
	if err != nil {
		return err
	}
	v := c.snapshot()
	var b strings.Builder
	if args.Has("detail") {
		v.fpcDetail(&b, slot)
		return write(env.Out, &b)
	}
	b.WriteString("                     Temp  CPU Utilization (%)   CPU Utilization (%)  Memory    Utilization (%)\n")
	b.WriteString("Slot State            (C)  Total  Interrupt      1min   5min   15min  DRAM (MB) Heap     Buffer\n")
	for s := 0; s < c.hw.model.FPCSlots; s++ {
		if slot >= 0 && s != slot {
			continue
		}
		f := v.fpc(s)
		switch {
		case f == nil:
			fmt.Fprintf(&b, "%3d  Empty\n", s)
		case f.st.State == pic.Online:
			n := f.hw.typ.nom
			fmt.Fprintf(&b, "%3d  %-16s%4d%7d%11d%9d%7d%7d    %-9d%4d%11d\n", s, "Online", n.Temp,
				n.CPU, n.Intr, n.CPU, n.CPU, n.CPU, n.DRAM, n.Heap, n.Buf)
		case f.st.State == pic.Offline:
			fmt.Fprintf(&b, "%3d  %-16s---Offlined by cli command---\n", s, "Offline")
		default:
			fmt.Fprintf(&b, "%3d  %s\n", s, f.st.State)
		}
	}
	return write(env.Out, &b)
}

func (v *view) fpc(slot int) *fpcView {
	for i := range v.fpcs {
		if v.fpcs[i].hw.slot == slot {
			return &v.fpcs[i]
		}
	}
	return nil
}

func (v *view) fpcDetail(b *strings.Builder, slot int) {
	for _, f := range v.fpcs {
		if slot >= 0 && f.hw.slot != slot {
			continue
		}
		n := f.hw.typ.nom
		fmt.Fprintf(b, "Slot %d information:\n", f.hw.slot)
		fmt.Fprintf(b, "  %-36s%s\n", "State", f.st.State)
		if f.st.State != pic.Online {
			continue
		}
		fmt.Fprintf(b, "  %-30s%5d degrees C / %d degrees F\n", "Temperature", n.Temp, fahrenheit(n.Temp))
		fmt.Fprintf(b, "  %-30s%5d MB\n", "Total CPU DRAM", n.DRAM)
		fmt.Fprintf(b, "  %-30s%5d MB\n", "Total RLDRAM", n.RLDRAM)
		fmt.Fprintf(b, "  %-30s%5d MB\n", "Total DDR DRAM", n.DDR)
		fmt.Fprintf(b, "  %-36s%s\n", "FIPS Capable", "False")
		fmt.Fprintf(b, "  %-36s%s\n", "FIPS Mode", "False")
		fmt.Fprintf(b, "  %-36s%s\n", "Start time", junosTime(f.st.Since))
		fmt.Fprintf(b, "  %-36s%s\n", "Uptime", uptime(v.at.Sub(f.st.Since)))
	}
}

func showPICStatus(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	slot, err := intArg(args, "slot", -1)
	if err != nil {
		return err
	}
	v := c.snapshot()
	var b strings.Builder
	for _, f := range v.fpcs {
		if slot >= 0 && f.hw.slot != slot {
			continue
		}
		fmt.Fprintf(&b, "%-9s%-13s%s\n", fmt.Sprintf("Slot %d", f.hw.slot), f.st.State, f.hw.typ.board.Desc)
		if f.st.State != pic.Online {
			continue
		}
		for _, p := range f.pics {
			fmt.Fprintf(&b, "  %-7s%-13s%s\n", fmt.Sprintf("PIC %d", p.hw.slot), p.st.State, p.hw.typ.desc)
		}
	}
	return write(env.Out, &b)
}

// picSlots reads the fpc-slot and pic-slot arguments of the PIC commands.
func picSlots(args cmdtree.Args) (fpc, pic int, err error) {
	if fpc, err = intArg(args, "fpc-slot", -1); err != nil {
		return 0, 0, err
	}
	if pic, err = intArg(args, "pic-slot", -1); err != nil {
		return 0, 0, err
	}
	return fpc, pic, nil
}

func showPIC(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	fs, ps, err := picSlots(args)
	if err != nil {
		return err
	}
	v := c.snapshot()
	f := v.fpc(fs)
	var p *picView
	if f != nil {
		for i := range f.pics {
			if f.pics[i].hw.slot == ps {
				p = &f.pics[i]
			}
		}
	}
	if p == nil {
		return &CLIError{Msg: fmt.Sprintf("FPC %d PIC %d is empty", fs, ps)}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "FPC slot %d, PIC slot %d information:\n", fs, ps)
	fmt.Fprintf(&b, "  %-33s%s\n", "Type", p.hw.typ.desc)
	st := p.st.State
	if f.st.State != pic.Online {
		st = pic.Offline
	}
	fmt.Fprintf(&b, "  %-33s%-10s\n", "State", st)
	fmt.Fprintf(&b, "  %-28s%s\n", "PIC version", p.hw.typ.ver)
	if st == pic.Online {
		fmt.Fprintf(&b, "  Uptime\t\t\t %s\n", uptime(v.at.Sub(p.st.Since)))
	}
	return write(env.Out, &b)
}

func showAlarms(env *cmdtree.Env, c *Chassis, _ cmdtree.Args) error {
	al := c.Alarms()
	var b strings.Builder
	if len(al) == 0 {
		b.WriteString("No alarms currently active\n")
		return write(env.Out, &b)
	}
	fmt.Fprintf(&b, "%d alarms currently active\n", len(al))
	b.WriteString("Alarm time               Class  Description\n")
	for _, a := range al {
		fmt.Fprintf(&b, "%-25s%-7s%s\n", junosTime(a.Time), a.Class, a.Desc)
	}
	return write(env.Out, &b)
}

// reNominal are the fixed operating figures of a Routing Engine.
var reNominal = struct{ temp, cpuTemp, mem, user, kernel, intr, idle int }{39, 35, 19, 1, 1, 0, 98}

func (c *Chassis) reSerial(slot int) string {
	if c.hw.model.re.Part == builtin {
		return builtin
	}
	return c.ser.re(fmt.Sprintf("re %d", slot))
}

func requestFPC(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	slot, err := intArg(args, "slot", -1)
	if err != nil {
		return err
	}
	var verb string
	switch {
	case args.Has("offline"):
		verb = "Offline"
		_, err = c.FPCOnline(slot, false)
	case args.Has("online"):
		verb = "Online"
		_, err = c.FPCOnline(slot, true)
	case args.Has("restart"):
		verb = "Restart"
		err = c.FPCRestart(slot)
	default:
		return &CLIError{Msg: "syntax error, expecting offline, online or restart"}
	}
	if err != nil {
		return requestError(err, slot, -1)
	}
	_, err = fmt.Fprintf(env.Out, "%s initiated, use \"show chassis fpc\" to verify\n", verb)
	return err
}

func requestPIC(env *cmdtree.Env, c *Chassis, args cmdtree.Args) error {
	fs, ps, err := picSlots(args)
	if err != nil {
		return err
	}
	online := args.Has("online")
	if !online && !args.Has("offline") {
		return &CLIError{Msg: "syntax error, expecting offline or online"}
	}
	verb := map[bool]string{true: "online", false: "offline"}[online]
	was, err := c.PICOnline(fs, ps, online)
	if err != nil {
		return requestError(err, fs, ps)
	}
	if online && was == pic.Booting {
		_, err = fmt.Fprintf(env.Out, "FPC %d PIC %d already transitioning to online\n", fs, ps)
		return err
	}
	_, err = fmt.Fprintf(env.Out, "fpc %d pic %d %s initiated, use \"show chassis fpc pic-status\" to verify\n", fs, ps, verb)
	return err
}

// requestError words a failed request as Junos does.
func requestError(err error, fs, ps int) error {
	var se *SlotError
	switch {
	case asSlotError(err, &se) && se.PIC < 0:
		return &CLIError{Msg: fmt.Sprintf("FPC %d not present", fs)}
	case asSlotError(err, &se):
		return &CLIError{Msg: fmt.Sprintf("FPC %d PIC %d not present", fs, ps)}
	case isNotOnline(err):
		return &CLIError{Msg: fmt.Sprintf("FPC %d is not online", fs)}
	}
	return err
}
