package shell

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"mxlab/shell/cmdtree"
)

// RegisterBuiltins adds the commands the shell owns to r: configure,
// quit/exit, help, set cli, show cli, show version, show system uptime and
// users, show log, file list/show/copy, and the "clear" group.
func RegisterBuiltins(r *cmdtree.Registry) {
	r.Group([]string{"show"}, "Show system information")
	r.Group([]string{"clear"}, "Clear information in the system")
	r.Group([]string{"file"}, "Perform file operations")
	r.Register([]string{"configure"}, "Manipulate software configuration information",
		[]cmdtree.Param{
			{Name: "exclusive", Help: "Obtain exclusive lock (other users cannot make changes)"},
			{Name: "private", Help: "Work in private database"},
		}, runConfigure)
	quit := func(*cmdtree.Env) error { return errQuit }
	r.Register([]string{"exit"}, "Exit the management session", nil, cmdtree.Func(quit))
	r.Register([]string{"quit"}, "Exit the management session", nil, cmdtree.Func(quit))
	r.Register([]string{"help"}, "Provide help information", nil, cmdtree.Func(runHelp))
	registerCLI(r)
	r.RegisterReply([]string{"show", "version"}, "Show software process revision levels",
		[]cmdtree.Param{{Name: "brief", Help: "Display brief output"}, {Name: "detail", Help: "Display detailed output"}},
		"get-software-information", versionReply)
	r.Group([]string{"show", "system"}, "Show system information")
	r.RegisterReply([]string{"show", "system", "uptime"}, "Show time since the system rebooted and processes started",
		nil, "get-system-uptime-information", uptimeReply)
	r.RegisterReply([]string{"show", "system", "users"}, "Show users who are currently logged in",
		nil, "get-system-users-information", usersReply)
	r.Register([]string{"show", "log"}, "Show contents of log file",
		[]cmdtree.Param{{Name: "filename", Value: "<filename>", Help: "Name of log file", Positional: true}}, showLog)
	r.RegisterReply([]string{"file", "list"}, "List file information",
		[]cmdtree.Param{{Name: "path", Value: "<path>", Help: "Path name", Positional: true}}, "file-list", fileListReply)
	r.RegisterReply([]string{"file", "show"}, "Show contents of a file",
		[]cmdtree.Param{{Name: "filename", Value: "<filename>", Help: "Name of file", Positional: true,
			Required: true}}, "file-show", fileShowReply)
	registerFileCopy(r)
}

func runConfigure(env *cmdtree.Env, a cmdtree.Args) error {
	s, err := sessionOf(env)
	if err != nil {
		return err
	}
	variant := ""
	switch {
	case a.Has("private") && a.Has("exclusive"):
		return errors.New("private and exclusive are mutually exclusive")
	case a.Has("private"):
		variant = "private"
	case a.Has("exclusive"):
		variant = "exclusive"
	}
	if s.opts.ConfigMode == nil {
		return errors.New("configuration mode is not available")
	}
	m, err := s.opts.ConfigMode.Enter(s, variant, env.Out)
	if err != nil {
		return err
	}
	s.next = m
	return nil
}

func runHelp(env *cmdtree.Env) error {
	_, err := io.WriteString(env.Out, `Type '?' after a command, or after the first letters of a word, to list
what may come next. Tab completes the word being typed; so does space
unless "set cli complete-on-space off". Words may be shortened to any
unique prefix ("sh ver"). Filter output with '|' (match, except, find,
count, last, no-more, save, display xml, display json). Ctrl-C cancels the
line or the running command; "quit" leaves the CLI.
`)
	return err
}

// versionInfo is what "show version" reports.
type versionInfo struct {
	Hostname, Model, Junos string
	Packages               []string // "JUNOS OS libs" ...: each printed with the release
	Mxlab                  string   // the emulator's own release ("show version detail")
}

// junosPackages are the software packages of an MX running Junos OS with
// upgraded FreeBSD, in the order "show version" lists them.
var junosPackages = []string{
	"JUNOS OS Kernel 64-bit", "JUNOS OS libs", "JUNOS OS runtime", "JUNOS OS time zone information",
	"JUNOS network stack and utilities", "JUNOS libs", "JUNOS runtime", "JUNOS py base",
	"JUNOS OS crypto", "JUNOS mx libs", "JUNOS mx runtime", "JUNOS common platform support",
	"JUNOS mx modules", "JUNOS modules", "JUNOS daemons", "JUNOS mx daemons",
	"JUNOS Services IPSec", "JUNOS Services Crypto", "JUNOS Services Flowd MS-MPC Software package",
	"JUNOS Online Documentation", "JUNOS jail runtime",
}

// renderVersion writes "show version" ("brief": the first three lines;
// "detail": the packages and the release of the emulator, which a real
// router does not print and parsers of the plain form do not see).
func renderVersion(v versionInfo, level string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hostname: %s\nModel: %s\nJunos: %s\n", v.Hostname, v.Model, v.Junos)
	if level == "brief" {
		return b.String()
	}
	for _, pkg := range v.Packages {
		fmt.Fprintf(&b, "%s [%s]\n", pkg, v.Junos)
	}
	if level == "detail" {
		fmt.Fprintf(&b, "MXLAB release %s, a Junos router emulator\n", v.Mxlab)
	}
	return b.String()
}

// logins returns the users logged in to the router.
func (s *Session) logins() []Login {
	if s.opts.Logins != nil {
		return s.opts.Logins()
	}
	return []Login{s.Login()}
}

// Login describes this session for "show system users".
func (s *Session) Login() Login {
	line := s.opts.Line
	if line == "" {
		line = "u0"
	}
	return Login{User: s.opts.User, Line: line, From: s.opts.From, Since: s.login,
		Idle: s.opts.Now().Sub(s.lastKeyAt()), What: "-cli (cli)"}
}

func showLog(env *cmdtree.Env, a cmdtree.Args) error {
	s, err := sessionOf(env)
	if err != nil {
		return err
	}
	name, ok := a["filename"]
	if !ok {
		return s.listDir(env.Out, "/var/log")
	}
	if !strings.HasPrefix(name, "/") {
		name = "/var/log/" + name
	}
	return s.catFile(env.Out, name, a["filename"])
}

// catFile copies a router file to out; shown is the name in errors.
func (s *Session) catFile(out io.Writer, name, shown string) error {
	p, err := s.ResolvePath(name)
	if err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("could not resolve file: %s", shown)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("could not resolve file: %s", shown)
	}
	_, err = io.Copy(out, f)
	return err
}

// listDir lists a router directory the way "file list" does.
func (s *Session) listDir(out io.Writer, name string) error {
	d, err := s.dirList(name)
	if err != nil {
		return err
	}
	return d.Text(out)
}
