package shell

import (
	"fmt"
	"os"
	"strings"
	"time"
)

func stamp(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST") }

// since formats an elapsed time as Junos does: "29w6d 23:14", "2d 03:04",
// "11:03:05".
func since(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	secs := int(d / time.Second)
	days, h, m, sec := secs/86400, secs/3600%24, secs/60%60, secs%60
	switch {
	case days >= 7:
		return fmt.Sprintf("%dw%dd %02d:%02d", days/7, days%7, h, m)
	case days > 0:
		return fmt.Sprintf("%dd %02d:%02d", days, h, m)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, sec)
}

// clock formats a time of day as " 8:16AM".
func clock(t time.Time) string {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return fmt.Sprintf("%2d:%02d%s", h, t.Minute(), t.Format("PM"))
}

// wLine is the BSD "w" summary line:
// " 8:16AM  up 209 days, 23:14, 5 users, load averages: 0.43, 0.43, 0.42".
func (s *Session) wLine(now time.Time) string {
	return wLine(now, s.opts.Booted, len(s.logins()))
}

func wLine(now, booted time.Time, n int) string {
	users := fmt.Sprintf("%d users", n)
	if n == 1 {
		users = "1 user"
	}
	return fmt.Sprintf("%s  up %s %s, load averages: %s", clock(now), upFor(now.Sub(booted)), users, loadAverages())
}

// upFor formats the uptime of the "w" line as FreeBSD does: "209 days,
// 23:14,", "2 days,  5 hrs,", "5 mins,", "27 secs,".
func upFor(d time.Duration) string {
	secs := int(d / time.Second)
	if secs > 60 {
		secs += 30 // rounded to the minute
	}
	days, h, m := secs/86400, secs/3600%24, secs/60%60
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%d day%s, ", days, plural(days))
	}
	switch {
	case h > 0 && m > 0:
		fmt.Fprintf(&b, "%2d:%02d,", h, m)
	case h > 0:
		fmt.Fprintf(&b, "%2d hr%s,", h, plural(h))
	case m > 0:
		fmt.Fprintf(&b, "%d min%s,", m, plural(m))
	default:
		n := secs % 60
		fmt.Fprintf(&b, "%d sec%s,", n, map[bool]string{true: "s"}[n > 1])
	}
	return b.String()
}

// loginTime formats when a user logged in, as FreeBSD's "w" does: the
// time of day (" 8:16AM"), the weekday and hour after a day ("Mon10PM"),
// the date after a week ("26Oct19").
func loginTime(t, now time.Time) string {
	switch {
	case now.Sub(t) > 7*24*time.Hour:
		return t.Format("02Jan06")
	case t.YearDay() != now.YearDay() || t.Year() != now.Year():
		return t.Format("Mon03PM")
	}
	return clock(t)
}

// idle formats an idle time like FreeBSD's "w", blanks included: "     - "
// under a minute, "    12 " minutes, " 1:26 " hours, " 3days " days.
func idle(d time.Duration) string {
	mins := int(d / time.Minute)
	switch {
	case d >= 36*time.Hour:
		days := mins / 1440
		return fmt.Sprintf(" %dday%s ", days, plural(days))
	case mins >= 60:
		return fmt.Sprintf(" %2d:%02d ", mins/60, mins%60)
	case mins == 0:
		return "     - "
	}
	return fmt.Sprintf("    %2d ", mins)
}

// loadAverages reads the host's load averages, which the router's
// processes share.
func loadAverages() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return "0.00, 0.00, 0.00"
	}
	return f[0] + ", " + f[1] + ", " + f[2]
}
