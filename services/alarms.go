package services

import (
	"fmt"
	"slices"
	"time"
)

// Alarm is a condition of the services the chassis alarms show: something
// configured that cannot run (a socket, an address, a rule that failed).
type Alarm struct {
	Time  time.Time
	Class string // "Major" or "Minor"
	Desc  string
}

// Alarms returns the active alarms of the services: the faults Apply met,
// and the service sets whose PIC cannot carry their SAs.
func (s *Services) Alarms() []Alarm {
	s.mu.Lock()
	var out []Alarm
	for _, f := range s.faults {
		out = append(out, Alarm{Time: f.since, Class: "Minor", Desc: f.msg})
	}
	s.mu.Unlock()
	for _, st := range s.Status() {
		for _, ss := range st.Sets {
			if ss.Fault != "" {
				out = append(out, Alarm{Time: ss.FaultSince, Class: "Minor",
					Desc: fmt.Sprintf("%s service set %s: %s", st.Name, ss.Name, ss.Fault)})
			}
		}
	}
	slices.SortFunc(out, func(a, b Alarm) int { return b.Time.Compare(a.Time) })
	return out
}
