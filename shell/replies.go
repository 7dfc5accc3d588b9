package shell

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// versionPackages are the software packages "show version" lists: the
// short name of the XML and the text of the CLI.
var versionPackages = []struct{ name, comment string }{
	{"os-kernel", "JUNOS OS Kernel 64-bit "},
	{"os-libs", "JUNOS OS libs"},
	{"os-runtime", "JUNOS OS runtime"},
	{"netstack", "JUNOS network stack and utilities"},
	{"junos-libs", "JUNOS libs"},
	{"junos-libs-mx", "JUNOS mx libs"},
	{"jservices-ipsec", "JUNOS Services IPSec"},
	{"jservices-crypto-base", "JUNOS Services Crypto"},
	{"junos-runtime", "JUNOS daemons"},
	{"junos-runtime-mx", "JUNOS mx daemons"},
}

// softwareInfo is "show version" (get-software-information).
type softwareInfo struct {
	host string
	v    Version
}

func versionReply(env *cmdtree.Env, _ cmdtree.Args) (cmdtree.Reply, error) {
	s, err := sessionOf(env)
	if err != nil {
		return nil, err
	}
	return softwareInfo{host: s.Hostname(), v: s.opts.Version}, nil
}

func (si softwareInfo) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Hostname: %s\nModel: %s\nJunos: %s\n", si.host, si.v.Model, si.v.Junos)
	for _, p := range versionPackages {
		fmt.Fprintf(&b, "%s [%s]\n", p.comment, si.v.Junos)
	}
	fmt.Fprintf(&b, "mxlab Junos router emulator [%s]\n", si.v.Mxlab)
	_, err := io.WriteString(w, b.String())
	return err
}

func (si softwareInfo) XML() []*junosxml.Elem {
	e := junosxml.New("software-information").
		AddLeaf("host-name", si.host).
		AddLeaf("product-model", si.v.Model).
		AddLeaf("product-name", si.v.Model).
		AddLeaf("junos-version", si.v.Junos)
	for _, p := range versionPackages {
		e.Add(junosxml.New("package-information").AddLeaf("name", p.name).
			AddLeaf("comment", fmt.Sprintf("%s [%s]", p.comment, si.v.Junos)))
	}
	e.Add(junosxml.New("package-information").AddLeaf("name", "mxlab").
		AddLeaf("comment", fmt.Sprintf("mxlab Junos router emulator [%s]", si.v.Mxlab)))
	return []*junosxml.Elem{e}
}

// usersInfo is "show system users" (get-system-users-information).
type usersInfo struct {
	now, booted time.Time
	logins      []Login
	load        [3]string
	version     string
}

func usersReply(env *cmdtree.Env, _ cmdtree.Args) (cmdtree.Reply, error) {
	s, err := sessionOf(env)
	if err != nil {
		return nil, err
	}
	u := usersInfo{now: s.opts.Now(), booted: s.opts.Booted, logins: s.logins(), version: s.opts.Version.Junos}
	copy(u.load[:], strings.Split(loadAverages(), ", "))
	return u, nil
}

func (u usersInfo) Text(w io.Writer) error {
	var b strings.Builder
	b.WriteString(wLine(u.now, u.booted, len(u.logins)) + "\n")
	fmt.Fprintf(&b, "%-8s %-8s %-33s %-7s %4s %s\n", "USER", "TTY", "FROM", "LOGIN@", "IDLE", "WHAT")
	for _, l := range u.logins {
		from := l.From
		if from == "" {
			from = "-"
		}
		fmt.Fprintf(&b, "%-8s %-8s %-33s %-7s %4s %s\n", l.User, l.Line, from,
			strings.TrimSpace(clock(l.Since)), idle(l.Idle), l.What)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (u usersInfo) XML() []*junosxml.Elem {
	up := u.now.Sub(u.booted)
	users := fmt.Sprintf("%d users", len(u.logins))
	if len(u.logins) == 1 {
		users = "1 user"
	}
	secs := func(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }
	info := junosxml.New("uptime-information",
		junosxml.Leaf("date-time", strings.TrimSpace(clock(u.now))).SetAttr("junos:seconds", strconv.FormatInt(u.now.Unix(), 10)),
		junosxml.Leaf("up-time", strings.TrimSuffix(upFor(up), ",")).SetAttr("junos:seconds", secs(up)),
		junosxml.Leaf("active-user-count", strconv.Itoa(len(u.logins))).SetAttr("junos:format", users),
		junosxml.Leaf("load-average-1", u.load[0]),
		junosxml.Leaf("load-average-5", u.load[1]),
		junosxml.Leaf("load-average-15", u.load[2]),
	)
	table := junosxml.New("user-table")
	for _, l := range u.logins {
		from := l.From
		if from == "" {
			from = "-"
		}
		table.Add(junosxml.New("user-entry",
			junosxml.Leaf("user", l.User),
			junosxml.Leaf("tty", l.Line),
			junosxml.Leaf("from", from),
			junosxml.Leaf("login-time", strings.TrimSpace(clock(l.Since))).SetAttr("junos:seconds", strconv.FormatInt(l.Since.Unix(), 10)),
			junosxml.Leaf("idle-time", idle(l.Idle)).SetAttr("junos:seconds", secs(l.Idle)),
			junosxml.Leaf("command", l.What),
		))
	}
	info.Add(table)
	return []*junosxml.Elem{junosxml.New("system-users-information", info).
		SetAttr("xmlns", junosxml.Namespace(u.version, ""))}
}
