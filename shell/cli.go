package shell

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mxlab/shell/cmdtree"
)

// Settings are the CLI settings of a session ("set cli ...").
type Settings struct {
	ScreenLength    int    // lines per screen; 0 turns the pager off
	ScreenWidth     int    // characters per line
	CompleteOnSpace bool   // a space completes the word being typed
	Timestamp       string // strftime format printed before each output, "" when off
}

// defaultTimestamp is the format "set cli timestamp" turns on.
const defaultTimestamp = "%b %d %T"

// sessionOf returns the session running a command.
func sessionOf(env *cmdtree.Env) (*Session, error) {
	s, ok := env.Session.(*Session)
	if !ok {
		return nil, fmt.Errorf("no CLI session")
	}
	return s, nil
}

// rangeCheck returns a Check accepting integers in lo..hi (and 0 when
// zero is set).
func rangeCheck(lo, hi int, zero bool) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("invalid numeric value: '%s'", v)
		}
		if (n < lo || n > hi) && !(zero && n == 0) {
			return fmt.Errorf("value %d is not within range (%d..%d)", n, lo, hi)
		}
		return nil
	}
}

// registerCLI adds "set cli ..." and "show cli".
func registerCLI(r *cmdtree.Registry) {
	r.Group([]string{"set"}, "Set CLI properties, date/time, craft interface message")
	r.Group([]string{"set", "cli"}, "Set CLI properties")
	r.Register([]string{"set", "cli", "screen-length"}, "Set number of lines on screen",
		[]cmdtree.Param{{Name: "length", Value: "<length>", Help: "Number of lines on screen (0..100000)",
			Positional: true, Required: true, Check: rangeCheck(0, 100000, true)}},
		setCLI(func(s *Settings, a cmdtree.Args) string {
			s.ScreenLength, _ = strconv.Atoi(a["length"])
			return "Screen length set to " + a["length"]
		}))
	r.Register([]string{"set", "cli", "screen-width"}, "Set number of characters on a line",
		[]cmdtree.Param{{Name: "width", Value: "<width>", Help: "Number of characters on a line (0, 40..1024)",
			Positional: true, Required: true, Check: rangeCheck(40, 1024, true)}},
		setCLI(func(s *Settings, a cmdtree.Args) string {
			s.ScreenWidth, _ = strconv.Atoi(a["width"])
			return "Screen width set to " + a["width"]
		}))
	r.Group([]string{"set", "cli", "complete-on-space"}, "Set whether typing space completes current word")
	r.Register([]string{"set", "cli", "complete-on-space", "on"}, "Enable complete-on-space", nil,
		setCLI(func(s *Settings, _ cmdtree.Args) string {
			s.CompleteOnSpace = true
			return "Enabling complete-on-space"
		}))
	r.Register([]string{"set", "cli", "complete-on-space", "off"}, "Disable complete-on-space", nil,
		setCLI(func(s *Settings, _ cmdtree.Args) string {
			s.CompleteOnSpace = false
			return "Disabling complete-on-space"
		}))
	registerTimestamp(r)
	r.Register([]string{"show", "cli"}, "Show command-line interface settings", nil, cmdtree.Func(showCLI))
}

func registerTimestamp(r *cmdtree.Registry) {
	on := func(format string) string { return "CLI timestamp set to: " + format }
	r.Register([]string{"set", "cli", "timestamp"}, "Timestamp CLI output", nil,
		setCLIStamped(func(s *Settings, _ cmdtree.Args) string {
			s.Timestamp = defaultTimestamp
			return on(s.Timestamp)
		}))
	r.Register([]string{"set", "cli", "timestamp", "disable"}, "Disable timestamp", nil,
		setCLI(func(s *Settings, _ cmdtree.Args) string {
			s.Timestamp = ""
			return "CLI timestamp disabled"
		}))
	r.Register([]string{"set", "cli", "timestamp", "format"}, "Set timestamp format",
		[]cmdtree.Param{{Name: "format", Value: "<format>", Help: "Timestamp format (strftime)",
			Positional: true, Required: true}},
		setCLIStamped(func(s *Settings, a cmdtree.Args) string {
			s.Timestamp = a["format"]
			return on(s.Timestamp)
		}))
}

// setCLI makes a command that changes a setting and prints its message.
func setCLI(f func(*Settings, cmdtree.Args) string) cmdtree.RunFunc {
	return func(env *cmdtree.Env, a cmdtree.Args) error {
		s, err := sessionOf(env)
		if err != nil {
			return err
		}
		_, err = io.WriteString(env.Out, f(&s.settings, a)+"\n")
		return err
	}
}

// setCLIStamped is setCLI for the commands that turn the timestamp on:
// the time is printed before the message, as before every later output.
func setCLIStamped(f func(*Settings, cmdtree.Args) string) cmdtree.RunFunc {
	return func(env *cmdtree.Env, a cmdtree.Args) error {
		s, err := sessionOf(env)
		if err != nil {
			return err
		}
		was := s.settings.Timestamp
		msg := f(&s.settings, a)
		if was == "" {
			msg = strftime(s.settings.Timestamp, s.opts.Now()) + "\n" + msg
		}
		_, err = io.WriteString(env.Out, msg+"\n")
		return err
	}
}

func showCLI(env *cmdtree.Env) error {
	s, err := sessionOf(env)
	if err != nil {
		return err
	}
	st := s.settings
	onOff := map[bool]string{true: "on", false: "off"}
	stamp := "CLI timestamp disabled"
	if st.Timestamp != "" {
		stamp = "CLI timestamp set to: " + st.Timestamp
	}
	termType := s.opts.Term
	if termType == "" {
		termType = "dumb"
	}
	_, err = fmt.Fprintf(env.Out, "CLI complete-on-space set to %s\nCLI idle-timeout disabled\n"+
		"CLI screen-length set to %d\nCLI screen-width set to %d\nCLI terminal is '%s'\n%s\n"+
		"CLI working directory is '%s'\n",
		onOff[st.CompleteOnSpace], st.ScreenLength, st.ScreenWidth, termType, stamp, s.Home())
	return err
}

// strftime formats t with the conversions Junos timestamps use: %a %b %d
// %e %H %I %j %m %M %p %S %T %y %Y %Z %%.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		b.WriteString(conversion(format[i], t))
	}
	return b.String()
}

// layouts are the strftime conversions that a Go time layout renders.
var layouts = map[byte]string{
	'a': "Mon", 'b': "Jan", 'd': "02", 'H': "15", 'I': "03", 'm': "01",
	'M': "04", 'p': "PM", 'S': "05", 'T': "15:04:05", 'y': "06", 'Y': "2006",
	'Z': "MST",
}

func conversion(c byte, t time.Time) string {
	if l, ok := layouts[c]; ok {
		return t.Format(l)
	}
	switch c {
	case 'e':
		return fmt.Sprintf("%2d", t.Day())
	case 'j':
		return fmt.Sprintf("%03d", t.YearDay())
	case '%':
		return "%"
	}
	return "%" + string(c)
}
