package routing

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

const detailIndent = "                "

func writeDetail(w io.Writer, d *Dest, q Query, now time.Time, inKernel map[netip.Prefix][]string) {
	n, announced := 0, 0
	for _, r := range d.Routes {
		if q.routeShown(r) {
			n++
		}
		if r.Active {
			announced = 1
		}
	}
	entry := "entries"
	if n == 1 {
		entry = "entry"
	}
	fmt.Fprintf(w, "%s (%d %s, %d announced)\n", d.Prefix, n, entry, announced)
	if hops, ok := inKernel[d.Prefix]; ok && q.Format == Extensive {
		fmt.Fprintf(w, "TSI:\nKRT in-kernel %s -> {%s}\n", d.Prefix, strings.Join(hops, ", "))
	}
	for _, r := range d.Routes {
		if q.routeShown(r) {
			writeDetailRoute(w, r, now)
		}
	}
	io.WriteString(w, "\n")
}

func writeDetailRoute(w io.Writer, r *Route, now time.Time) {
	fmt.Fprintf(w, "        %s%-7sPreference: %d\n", marker(r), r.Protocol, r.Preference)
	line := func(f string, a ...any) { fmt.Fprintf(w, detailIndent+f+"\n", a...) }
	switch {
	case r.Kind != 0:
		line("Next hop type: %s, Next hop index: 0", kindWord(r))
	case r.Protocol == Local:
		line("Next hop type: Local, Next hop index: 0")
		line("Interface: %s", r.Hops[0].Interface)
	case r.Protocol == Direct:
		line("Next hop type: Interface, Next hop index: 0")
	default:
		line("Next hop type: Router, Next hop index: 0")
	}
	if r.Kind == 0 && r.Protocol != Local {
		for i, h := range r.Hops {
			sel := ""
			if r.selected(i) {
				sel = ", selected"
			}
			line("Next hop: %s%s", strings.TrimPrefix(hopText(h), "to "), sel)
		}
	}
	line("State: <%s>", stateFlags(r))
	if !r.Active && !r.Hidden {
		line("Inactive reason: Route Preference")
	}
	if r.Metric != nil {
		line("Age: %s \tMetric: %d ", detailAge(now.Sub(r.Since)), *r.Metric)
	} else {
		line("Age: %s", detailAge(now.Sub(r.Since)))
	}
	if r.Tag != nil {
		line("Tag: %d ", *r.Tag)
	}
	line("Validation State: unverified")
	task := map[Protocol]string{Direct: "IF", Local: "IF", Static: "RT", OSPF: "OSPF"}[r.Protocol]
	line("Task: %s", task)
	if r.Active && r.Protocol != Local {
		line("Announcement bits (1): 0-KRT")
	}
	line("AS path: I")
}

func stateFlags(r *Route) string {
	var f []string
	switch {
	case r.Hidden:
		f = append(f, "Hidden")
	case r.Active:
		f = append(f, "Active")
	}
	if r.Protocol == Local {
		f = append(f, "NoReadvrt")
	}
	f = append(f, "Int")
	if r.Protocol == Static || r.Protocol == OSPF && r.Tag != nil {
		f = append(f, "Ext")
	}
	return strings.Join(f, " ")
}
