package routing

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

const legend = "+ = Active Route, - = Last Active, * = Both\n"

// KernelView says which routes of a table the kernel holds (for the KRT
// lines of `extensive`); nil when not asked.
type KernelView func(t *Table) map[netip.Prefix][]string

// ShowRoute writes `show route` for q over rib, at time now.
func ShowRoute(w io.Writer, rib *RIB, q Query, now time.Time, krt KernelView) {
	for _, t := range rib.Tables {
		if !tableMatches(q.Table, t.Name) {
			continue
		}
		dests := q.shownDests(t)
		d, n, a, h := t.Counts()
		fmt.Fprintf(w, "\n%s: %d destinations, %d routes (%d active, 0 holddown, %d hidden)\n", t.Name, d, n, a, h)
		if len(dests) == 0 {
			continue
		}
		switch q.Format {
		case Brief:
			io.WriteString(w, legend+"\n")
			for _, d := range dests {
				writeBrief(w, d, q, now)
			}
		case Terse:
			io.WriteString(w, legend+"\n")
			writeTerse(w, dests, q)
		default:
			var inKernel map[netip.Prefix][]string
			if q.Format == Extensive && krt != nil {
				inKernel = krt(t)
			}
			for _, d := range dests {
				writeDetail(w, d, q, now, inKernel)
			}
		}
	}
}

// shownDests are the destinations of t with at least one route q shows.
func (q Query) shownDests(t *Table) []*Dest {
	var out []*Dest
	for _, d := range q.selectDests(t) {
		for _, r := range d.Routes {
			if q.routeShown(r) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

func marker(r *Route) string {
	if r.Active {
		return "*"
	}
	return " "
}

func writeBrief(w io.Writer, d *Dest, q Query, now time.Time) {
	first := true
	for _, r := range d.Routes {
		if !q.routeShown(r) {
			continue
		}
		head := fmt.Sprintf("%s[%s/%d] %s%s", marker(r), r.Protocol, r.Preference, briefAge(now.Sub(r.Since)), attrs(r))
		switch p := d.Prefix.String(); {
		case !first:
			fmt.Fprintf(w, "%19s%s\n", "", head)
		case len(p) > 18:
			fmt.Fprintf(w, "%s\n%19s%s\n", p, "", head)
		default:
			fmt.Fprintf(w, "%-19s%s\n", p, head)
		}
		first = false
		for _, l := range hopLines(r) {
			fmt.Fprintf(w, "%20s%s\n", "", l)
		}
	}
}

// hopLines are the next-hop lines of a route in the brief format, each
// starting with the selection mark: Junos 24 prints the mark, two blanks
// and the next hop (">  to 10.0.0.2 via ge-0/0/0.0"), and aligns the
// lines without a mark ("Local via", "Discard") on the next hop.
func hopLines(r *Route) []string {
	switch {
	case r.Kind != 0:
		return []string{"   " + kindWord(r)}
	case r.Protocol == Local:
		return []string{"   Local via " + r.Hops[0].Interface}
	}
	var out []string
	for i, h := range r.Hops {
		mark := "   "
		if r.selected(i) {
			mark = ">  "
		}
		out = append(out, mark+hopText(h))
	}
	return out
}

// selected reports whether hop i forwards: the selected hop, or every hop
// of a multipath route.
func (r *Route) selected(i int) bool {
	return !r.Hidden && (i == r.Selected || r.Multipath)
}

// attrs are the metric and tag of the brief format: ", metric 2, tag 0".
func attrs(r *Route) string {
	s := ""
	if r.Metric != nil {
		s += fmt.Sprintf(", metric %d", *r.Metric)
	}
	if r.Tag != nil {
		s += fmt.Sprintf(", tag %d", *r.Tag)
	}
	return s
}

func hopText(h Hop) string {
	switch {
	case !h.Gateway.IsValid():
		return "via " + h.Interface
	case h.Interface == "":
		return "to " + h.Gateway.String()
	}
	return "to " + h.Gateway.String() + " via " + h.Interface
}

func kindWord(r *Route) string {
	if r.Kind == 1 {
		return "Discard"
	}
	return "Reject"
}

func writeTerse(w io.Writer, dests []*Dest, q Query) {
	io.WriteString(w, "A V Destination        P Prf   Metric 1   Metric 2  Next hop        AS path\n")
	for _, d := range dests {
		first := true
		for _, r := range d.Routes {
			if !q.routeShown(r) {
				continue
			}
			dst := ""
			if first {
				dst = d.Prefix.String()
			}
			first = false
			hops := terseHops(r)
			m1 := ""
			if r.Metric != nil {
				m1 = fmt.Sprint(*r.Metric)
			}
			line := fmt.Sprintf("%s ? %-18s %c %3d %10s %10s %s", marker(r), dst, r.Protocol.String()[0], r.Preference, m1, "", hops[0])
			if len(dst) > 18 {
				line = fmt.Sprintf("%s ? %s\n%23s%c %3d %10s %10s %s", marker(r), dst, "", r.Protocol.String()[0], r.Preference, m1, "", hops[0])
			}
			fmt.Fprintln(w, strings.TrimRight(line, " "))
			for _, h := range hops[1:] {
				fmt.Fprintf(w, "%51s%s\n", "", h)
			}
		}
	}
}

// terseHops are the next-hop column entries of a route, each with its
// selection mark.
func terseHops(r *Route) []string {
	switch {
	case r.Kind != 0:
		return []string{" " + kindWord(r)}
	case r.Protocol == Local:
		return []string{" Local"}
	}
	var out []string
	for i, h := range r.Hops {
		mark := " "
		if r.selected(i) {
			mark = ">"
		}
		if h.Gateway.IsValid() {
			out = append(out, mark+h.Gateway.String())
		} else {
			out = append(out, mark+h.Interface)
		}
	}
	return out
}

// Age formats a duration the way the brief route display, and the OSPF
// neighbor and database displays, print ages: "00:01:02", "1d 02:03:04",
// "5w2d 15:42:25".
func Age(d time.Duration) string { return briefAge(d) }

// briefAge is a route's age as the brief format prints it: "00:01:02",
// "1d 02:03:04", "5w2d 15:42:25".
func briefAge(d time.Duration) string {
	s := max(int64(d/time.Second), 0)
	hms := fmt.Sprintf("%02d:%02d:%02d", s/3600%24, s/60%60, s%60)
	days := s / 86400
	switch {
	case days >= 7:
		return fmt.Sprintf("%dw%dd %s", days/7, days%7, hms)
	case days > 0:
		return fmt.Sprintf("%dd %s", days, hms)
	}
	return hms
}

// detailAge is a route's age in the detail format: "45", "9:22",
// "1:21:08", "2d 16:19:14".
func detailAge(d time.Duration) string {
	s := max(int64(d/time.Second), 0)
	days := s / 86400
	switch {
	case days >= 7:
		return fmt.Sprintf("%dw%dd %02d:%02d:%02d", days/7, days%7, s/3600%24, s/60%60, s%60)
	case days > 0:
		return fmt.Sprintf("%dd %02d:%02d:%02d", days, s/3600%24, s/60%60, s%60)
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	case s >= 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return fmt.Sprint(s)
}
