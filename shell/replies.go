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

// softwareInfo is "show version" (get-software-information).
type softwareInfo struct {
	v     versionInfo
	level string // "", "brief" or "detail"
}

func versionReply(env *cmdtree.Env, a cmdtree.Args) (cmdtree.Reply, error) {
	s, err := sessionOf(env)
	if err != nil {
		return nil, err
	}
	v := s.opts.Version
	info := softwareInfo{v: versionInfo{Hostname: s.Hostname(), Model: v.Model, Junos: v.Junos, Packages: junosPackages, Mxlab: v.Mxlab}}
	switch {
	case a.Has("brief"):
		info.level = "brief"
	case a.Has("detail"):
		info.level = "detail"
	}
	return info, nil
}

func (si softwareInfo) Text(w io.Writer) error {
	_, err := io.WriteString(w, renderVersion(si.v, si.level))
	return err
}

// packageNames are the short names of the packages in the XML.
var packageNames = map[string]string{
	"JUNOS OS Kernel 64-bit": "os-kernel", "JUNOS OS libs": "os-libs", "JUNOS OS runtime": "os-runtime",
	"JUNOS OS time zone information": "zoneinfo", "JUNOS network stack and utilities": "netstack",
	"JUNOS libs": "junos-libs", "JUNOS runtime": "junos-runtime", "JUNOS py base": "junos-py-base",
	"JUNOS OS crypto": "os-crypto", "JUNOS mx libs": "junos-libs-mx", "JUNOS mx runtime": "junos-runtime-mx",
	"JUNOS common platform support": "junos-platform", "JUNOS mx modules": "junos-modules-mx",
	"JUNOS modules": "junos-modules", "JUNOS daemons": "junos-daemons", "JUNOS mx daemons": "junos-daemons-mx",
	"JUNOS Services IPSec": "jservices-ipsec", "JUNOS Services Crypto": "jservices-crypto-base",
	"JUNOS Services Flowd MS-MPC Software package": "jservices-mss", "JUNOS Online Documentation": "jdocs",
	"JUNOS jail runtime": "jail-runtime",
}

func (si softwareInfo) XML() []*junosxml.Elem {
	v := si.v
	e := junosxml.New("software-information").
		AddLeaf("host-name", v.Hostname).
		AddLeaf("product-model", v.Model).
		AddLeaf("product-name", v.Model).
		AddLeaf("junos-version", v.Junos)
	if si.level == "brief" {
		return []*junosxml.Elem{e}
	}
	for _, p := range v.Packages {
		name := packageNames[p]
		if name == "" {
			name = strings.ToLower(strings.ReplaceAll(p, " ", "-"))
		}
		e.Add(junosxml.New("package-information").AddLeaf("name", name).
			AddLeaf("comment", fmt.Sprintf("%s [%s]", p, v.Junos)))
	}
	if si.level == "detail" {
		e.Add(junosxml.New("package-information").AddLeaf("name", "mxlab").
			AddLeaf("comment", fmt.Sprintf("MXLAB release %s, a Junos router emulator", v.Mxlab)))
	}
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
	b.WriteString("USER     TTY      FROM                              LOGIN@  IDLE WHAT\n")
	for _, l := range u.logins {
		from := l.From
		if from == "" {
			from = "-"
		}
		fmt.Fprintf(&b, "%-8s %-8s %-33s %-7s%s%s\n", l.User, l.Line, from, loginTime(l.Since, u.now), idle(l.Idle), l.What)
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
			junosxml.Leaf("login-time", strings.TrimSpace(loginTime(l.Since, u.now))).SetAttr("junos:seconds", strconv.FormatInt(l.Since.Unix(), 10)),
			junosxml.Leaf("idle-time", strings.TrimSpace(idle(l.Idle))).SetAttr("junos:seconds", secs(l.Idle)),
			junosxml.Leaf("command", l.What),
		))
	}
	info.Add(table)
	return []*junosxml.Elem{junosxml.New("system-users-information", info).
		SetAttr("xmlns", junosxml.Namespace(u.version, ""))}
}
