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

// Alarms returns the active chassis alarms, newest first.
func (c *Chassis) Alarms() []Alarm { return c.snapshot().alarms() }
