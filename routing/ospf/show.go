package ospf

import (
	"fmt"
	"io"
	"time"

	"mxlab/routing"
)

// The displays are modelled on captures of Junos 18-23 routers (see the
// golden tests for the capture each one follows). They run in the
// instance's goroutine and read its state directly.

// Level is the detail of a display.
type Level int

// Levels of the show commands.
const (
	Brief Level = iota
	Detail
	Extensive
	Summary
)

// junosAge formats a duration as the neighbor and database displays do:
// "00:21:40", "1d 02:03:04", "3w0d 16:50:35".
func junosAge(d time.Duration) string { return routing.Age(d) }

// NeighborFilter selects neighbors.
type NeighborFilter struct {
	Address   string
	Interface string
	Area      string
}

// ShowNeighbors writes "show ospf neighbor".
func (in *Instance) ShowNeighbors(w io.Writer, level Level, f NeighborFilter) {
	now := in.now()
	first := true
	in.eachNeighbor(f, func(a *area, i *iface, n *nbr) {
		if first {
			io.WriteString(w, "Address          Interface              State     ID               Pri  Dead\n")
			first = false
		}
		dead := max(int(n.deadline.Sub(now)/time.Second), 0)
		fmt.Fprintf(w, "%-16s %-22s %-9s %-16s %3d  %4d\n", n.addr, i.name, n.state, n.id, n.pri, dead)
		if level >= Detail {
			fmt.Fprintf(w, "  Area %s, opt 0x%x, DR %s, BDR %s\n", a.id, n.options, n.dr, n.bdr)
			up := fmt.Sprintf("  Up %s", junosAge(now.Sub(n.created)))
			if n.state == nbrFull {
				up += ", adjacent " + junosAge(now.Sub(n.full))
			}
			fmt.Fprintln(w, up)
			io.WriteString(w, "  Topology default (ID 0) -> Bidirectional\n")
		}
	})
}

// ShowInterfaces writes "show ospf interface".
func (in *Instance) ShowInterfaces(w io.Writer, level Level, name string) {
	io.WriteString(w, "Interface           State   Area            DR ID           BDR ID          Nbrs\n")
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			if name != "" && i.name != name {
				continue
			}
			dr, bdr := i.drID, i.bdrID
			fmt.Fprintf(w, "%-19s %-7s %-15s %-15s %-15s %4d\n", i.name, i.state, a.id, dr, bdr, len(i.nbrs))
			if level >= Detail {
				in.interfaceDetail(w, i)
			}
		}
	}
}

func (in *Instance) interfaceDetail(w io.Writer, i *iface) {
	addr, mask := "0.0.0.0", "0.0.0.0"
	if i.addr.IsValid() {
		addr, mask = i.addr.Addr().String(), maskOf(i.addr.Bits()).String()
	}
	mtu := i.link.MTU
	if i.loop {
		mtu = 65535
	}
	fmt.Fprintf(w, "  Type: %s, Address: %s, Mask: %s, MTU: %d, Cost: %d\n", i.typeName(), addr, mask, mtu, i.cost)
	if !i.p2p() && i.dr != 0 {
		if i.bdr != 0 {
			fmt.Fprintf(w, "  DR addr: %s, BDR addr: %s, Priority: %d\n", i.dr, i.bdr, i.cfg.Priority)
		} else {
			fmt.Fprintf(w, "  DR addr: %s, Priority: %d\n", i.dr, i.cfg.Priority)
		}
	}
	adj := 0
	for _, n := range i.nbrs {
		if n.state == nbrFull {
			adj++
		}
	}
	passive := ""
	if i.cfg.Passive {
		passive = ", Passive"
	}
	fmt.Fprintf(w, "  Adj count: %d%s\n", adj, passive)
	fmt.Fprintf(w, "  Hello: %d, Dead: %d, ReXmit: %d, %s\n", i.helloInterval(), i.deadInterval(), int(i.rxmt()/time.Second), stubWord(i.area))
	switch i.cfg.Auth.Type {
	case AuthSimple:
		io.WriteString(w, "  Auth type: Password\n")
	case AuthCrypto:
		k := i.cfg.Auth.Keys[len(i.cfg.Auth.Keys)-1]
		fmt.Fprintf(w, "  Auth type: MD5, Active key ID: %d, Start time: 1970 Jan  1 00:00:00 UTC\n", k.ID)
	default:
		io.WriteString(w, "  Auth type: None\n")
	}
	io.WriteString(w, "  Protection type: None\n")
	if i.cfg.Passive {
		fmt.Fprintf(w, "  Topology default (ID 0) -> Passive, Cost: %d\n", i.cost)
	} else {
		fmt.Fprintf(w, "  Topology default (ID 0) -> Cost: %d\n", i.cost)
	}
}

func stubWord(a *area) string {
	switch {
	case a.cfg.NSSA:
		return "Stub NSSA"
	case a.cfg.Stub:
		return "Stub"
	}
	return "Not Stub"
}

// ShowOverview writes "show ospf overview".
func (in *Instance) ShowOverview(w io.Writer) {
	now := in.now()
	fmt.Fprintf(w, "Instance: %s\n", in)
	fmt.Fprintf(w, "  Router ID: %s\n", in.rid)
	fmt.Fprintf(w, "  Route table index: %d\n", in.table)
	if in.cfg.Overload {
		if in.cfg.OverloadUntil > 0 {
			left := in.cfg.OverloadUntil - now.Sub(in.started)
			fmt.Fprintf(w, "  Configured overload, expires in %d seconds\n", max(int(left/time.Second), 0))
		} else {
			io.WriteString(w, "  Configured overload\n")
		}
	}
	if in.isABR() {
		io.WriteString(w, "  Area border router\n")
	}
	if in.isASBR() {
		io.WriteString(w, "  AS boundary router\n")
	}
	fmt.Fprintf(w, "  LSA refresh time: %d minutes\n", in.refreshSeconds()/60)
	io.WriteString(w, "  Post Convergence Backup: Disabled\n")
	for _, a := range in.areas {
		fmt.Fprintf(w, "  Area: %s\n", a.id)
		fmt.Fprintf(w, "    Stub type: %s\n", areaType(a))
		fmt.Fprintf(w, "    Authentication Type: %s\n", areaAuth(a))
		fmt.Fprintf(w, "    Area border routers: %d, AS boundary routers: %d\n", a.abrs, a.asbrs)
		full := 0
		for _, i := range a.ifaces {
			for _, n := range i.nbrs {
				if n.state == nbrFull {
					full++
				}
			}
		}
		io.WriteString(w, "    Neighbors\n")
		fmt.Fprintf(w, "      Up (in full state): %d\n", full)
		for _, r := range a.cfg.Ranges {
			fmt.Fprintf(w, "    Area range: %s%s\n", r.Prefix, map[bool]string{true: ", restrict"}[r.Restrict])
		}
	}
	runs := 0
	for _, a := range in.areas {
		runs = max(runs, a.spfRuns)
	}
	io.WriteString(w, "  Topology: default (ID 0)\n")
	fmt.Fprintf(w, "    Prefix export count: %d\n", len(in.exported))
	fmt.Fprintf(w, "    Full SPF runs: %d\n", runs)
	fmt.Fprintf(w, "    SPF delay: %.6f sec, SPF holddown: %d sec, SPF rapid runs: %d\n",
		in.cfg.SPFDelay.Seconds(), int(in.cfg.SPFHolddown/time.Second), in.cfg.SPFRapidRuns)
	io.WriteString(w, "    Backup SPF: Not Needed\n")
}

func areaType(a *area) string {
	switch {
	case a.cfg.NSSA && a.cfg.NoSummaries:
		return "Not so Stubby, No summaries"
	case a.cfg.NSSA:
		return "Not so Stubby"
	case a.cfg.Stub && a.cfg.NoSummaries:
		return "Stub, No summaries"
	case a.cfg.Stub:
		return "Stub"
	}
	return "Not Stub"
}

// areaAuth is the authentication of the area's interfaces ("None" when
// they differ or have none).
func areaAuth(a *area) string {
	t := -1
	for _, i := range a.ifaces {
		if i.loop {
			continue
		}
		if t >= 0 && t != int(i.cfg.Auth.Type) {
			return "None"
		}
		t = int(i.cfg.Auth.Type)
	}
	switch t {
	case AuthSimple:
		return "Password"
	case AuthCrypto:
		return "MD5"
	}
	return "None"
}

// ShowStatistics writes "show ospf statistics".
func (in *Instance) ShowStatistics(w io.Writer) {
	s := &in.stats
	s.dropped = in.dropped.Load()
	s5, r5 := s.last5()
	io.WriteString(w, "Packet type             Total                  Last 5 seconds\n")
	io.WriteString(w, "                   Sent      Received        Sent      Received\n")
	for _, t := range []struct {
		name string
		typ  int
	}{{"Hello", TypeHello}, {"DbD", TypeDBD}, {"LSReq", TypeLSR}, {"LSUpdate", TypeLSU}, {"LSAck", TypeLSAck}} {
		fmt.Fprintf(w, "%9s%15d%14d%12d%14d\n", t.name, s.sent[t.typ], s.recv[t.typ], s5[t.typ], r5[t.typ])
	}
	io.WriteString(w, "\n")
	rex := 0
	lsreq := 0
	for _, a := range in.areas {
		for _, i := range a.ifaces {
			for _, n := range i.nbrs {
				rex += len(n.rxmt)
				lsreq += len(n.requests)
			}
		}
	}
	counter := func(label string, v uint64) {
		fmt.Fprintf(w, "%-23s: %20d, last 5 seconds : %10d\n", label, v, 0)
	}
	counter("DBDs retransmitted", s.dbdRxmt)
	counter("LSAs flooded", s.lsaFlooded)
	counter("LSAs flooded high-prio", 0)
	counter("LSAs retransmitted", s.lsaRxmt)
	counter("LSAs transmitted to nbr", s.lsuSent)
	counter("LSAs requested", s.lsrSent)
	counter("LSAs acknowledged", s.ackRecv)
	io.WriteString(w, "\n")
	fmt.Fprintf(w, "%-23s: %15d\n", "Flood queue depth", len(in.pkts))
	fmt.Fprintf(w, "%-23s: %15d\n", "Total rexmit entries", rex)
	fmt.Fprintf(w, "%-23s: %15d\n", "db summaries", 0)
	fmt.Fprintf(w, "%-23s: %15d\n", "lsreq entries", lsreq)
	io.WriteString(w, "\nReceive errors:\n")
	errs := s.receiveErrors()
	if len(errs) == 0 {
		io.WriteString(w, "       None\n")
	}
	for _, e := range errs {
		fmt.Fprintf(w, "%10d %s\n", e.n, e.what)
	}
}
