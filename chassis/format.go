package chassis

import (
	"fmt"
	"strings"
	"time"
)

// junosTime formats a time as Junos does ("2020-07-16 13:36:25 UTC").
func junosTime(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST") }

// uptime formats a duration as Junos does in "Uptime" lines
// ("1 day, 10 hours, 17 minutes, 18 seconds"), leading zero units left out.
func uptime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	parts := []struct {
		n    int64
		unit string
	}{{s / 86400, "day"}, {s / 3600 % 24, "hour"}, {s / 60 % 60, "minute"}, {s % 60, "second"}}
	var out []string
	for i, p := range parts {
		if p.n == 0 && len(out) == 0 && i < len(parts)-1 {
			continue
		}
		w := p.unit
		if p.n != 1 {
			w += "s"
		}
		out = append(out, fmt.Sprintf("%d %s", p.n, w))
	}
	return strings.Join(out, ", ")
}

// ago formats the age of an event as Junos does in parentheses
// ("1w1d 00:22 ago", "03:17:16 ago").
func ago(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	w, days := s/(7*86400), s/86400%7
	h, m, sec := s/3600%24, s/60%60, s%60
	switch {
	case w > 0:
		return fmt.Sprintf("%dw%dd %02d:%02d ago", w, days, h, m)
	case days > 0:
		return fmt.Sprintf("%dd %02d:%02d ago", days, h, m)
	}
	return fmt.Sprintf("%02d:%02d:%02d ago", h, m, sec)
}

// fahrenheit converts a temperature for "degrees C / NN degrees F".
func fahrenheit(c int) int { return c*9/5 + 32 }
