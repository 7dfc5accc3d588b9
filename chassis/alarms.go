package chassis

import (
	"fmt"
	"sort"
	"time"

	"mxlab/pic"
)

// Alarm is an active chassis alarm.
type Alarm struct {
	Time  time.Time
	Class string // "Major" or "Minor"
	Desc  string
}

// alarms derives the active alarms from the card states: an FPC taken
// offline raises a Major alarm, a PIC offline on an online FPC a Minor one.
func (v *view) alarms() []Alarm {
	var out []Alarm
	for _, f := range v.fpcs {
		if f.st.State == pic.Offline {
			out = append(out, Alarm{f.st.Since, "Major", fmt.Sprintf("FPC %d offline", f.hw.slot)})
			continue
		}
		if f.st.State != pic.Online {
			continue
		}
		for _, p := range f.pics {
			if p.st.State == pic.Offline {
				out = append(out, Alarm{p.st.Since, "Minor", fmt.Sprintf("FPC %d PIC %d offline", f.hw.slot, p.hw.slot)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

// Alarms returns the active chassis alarms, newest first: those of the
// cards and those of the sources added with AddAlarmSource.
func (c *Chassis) Alarms() []Alarm {
	out := c.snapshot().alarms()
	c.mu.Lock()
	srcs := c.alarmSrcs
	c.mu.Unlock()
	for _, f := range srcs {
		out = append(out, f()...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out
}

// AddAlarmSource adds alarms raised outside the cards (a service that
// cannot run what was committed). f is called by every Alarms call and
// must not call back into the chassis.
func (c *Chassis) AddAlarmSource(f func() []Alarm) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.alarmSrcs = append(c.alarmSrcs, f)
}
