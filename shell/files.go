package shell

import (
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"mxlab/internal/junosxml"
	"mxlab/shell/cmdtree"
)

// fileContent is "file show" (file-show).
type fileContent struct {
	name, text string
}

func fileShowReply(env *cmdtree.Env, a cmdtree.Args) (cmdtree.Reply, error) {
	s, err := sessionOf(env)
	if err != nil {
		return nil, err
	}
	name := a["filename"]
	p, err := s.ResolvePath(name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return nil, fmt.Errorf("could not resolve file: %s", name)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("could not resolve file: %s", name)
	}
	return fileContent{name: name, text: string(data)}, nil
}

func (f fileContent) Text(w io.Writer) error {
	_, err := io.WriteString(w, f.text)
	return err
}

func (f fileContent) XML() []*junosxml.Elem {
	return []*junosxml.Elem{junosxml.Leaf("file-content", f.text).SetAttr("filename", f.name)}
}

// dirList is "file list" (file-list).
type dirList struct {
	name    string   // as given
	path    string   // the clean router path
	missing bool     // no such file or directory
	file    bool     // the path is a file
	entries []string // names, directories with a trailing "/"
}

func fileListReply(env *cmdtree.Env, a cmdtree.Args) (cmdtree.Reply, error) {
	s, err := sessionOf(env)
	if err != nil {
		return nil, err
	}
	return s.dirList(a.Get("path", s.Home()+"/"))
}

func (s *Session) dirList(name string) (*dirList, error) {
	p, err := s.ResolvePath(name)
	if err != nil {
		return nil, err
	}
	d := &dirList{name: name, path: s.routerPath(name)}
	st, err := os.Stat(p)
	switch {
	case err != nil:
		d.missing = true
		return d, nil
	case !st.IsDir():
		d.file = true
		return d, nil
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil, fmt.Errorf("could not list %s: %w", name, err)
	}
	for _, e := range ents {
		n := e.Name()
		if s.hidden(path.Join(d.path, n)) {
			continue
		}
		if e.IsDir() {
			n += "/"
		}
		d.entries = append(d.entries, n)
	}
	sort.Strings(d.entries)
	return d, nil
}

// dir is the directory's path with its trailing "/".
func (d *dirList) dir() string {
	if d.path == "/" {
		return d.path
	}
	return d.path + "/"
}

func (d *dirList) Text(w io.Writer) error {
	var b strings.Builder
	switch {
	case d.missing:
		fmt.Fprintf(&b, "\n%s: No such file or directory\n", d.name)
	case d.file:
		fmt.Fprintf(&b, "\n%s\n", d.path)
	default:
		fmt.Fprintf(&b, "\n%s:\n", d.dir())
		for _, n := range d.entries {
			b.WriteString(n + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (d *dirList) XML() []*junosxml.Elem {
	list := junosxml.New("directory-list").SetAttr("root-path", d.dir())
	switch {
	case d.missing:
		list.Add(junosxml.Leaf("output", d.name+": No such file or directory"))
	case d.file:
		list.Add(junosxml.New("file-information", junosxml.Leaf("file-name", d.path)))
	default:
		dir := junosxml.New("directory").SetAttr("name", d.dir())
		for _, n := range d.entries {
			fi := junosxml.New("file-information", junosxml.Leaf("file-name", strings.TrimSuffix(n, "/")))
			if strings.HasSuffix(n, "/") {
				fi.Add(junosxml.New("file-directory"))
			}
			dir.Add(fi)
		}
		list.Add(dir)
	}
	return []*junosxml.Elem{list}
}

// uptimeInfo is "show system uptime" (get-system-uptime-information).
type uptimeInfo struct {
	now, booted time.Time
	configured  time.Time
	by          string // "" when never configured
	users       int
	load        [3]string
	version     string
}

func uptimeReply(env *cmdtree.Env, _ cmdtree.Args) (cmdtree.Reply, error) {
	s, err := sessionOf(env)
	if err != nil {
		return nil, err
	}
	u := &uptimeInfo{now: s.opts.Now(), booted: s.opts.Booted, users: len(s.logins()), version: s.opts.Version.Junos}
	if s.opts.LastConfigured != nil {
		if at, user, ok := s.opts.LastConfigured(); ok {
			u.configured, u.by = at, user
		}
	}
	copy(u.load[:], strings.Split(loadAverages(), ", "))
	return u, nil
}

func (u *uptimeInfo) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Current time: %s\n", stamp(u.now))
	b.WriteString("Time Source:  LOCAL CLOCK\n")
	fmt.Fprintf(&b, "System booted: %s (%s ago)\n", stamp(u.booted), since(u.now.Sub(u.booted)))
	fmt.Fprintf(&b, "Protocols started: %s (%s ago)\n", stamp(u.booted), since(u.now.Sub(u.booted)))
	if u.by != "" {
		fmt.Fprintf(&b, "Last configured: %s (%s ago) by %s\n", stamp(u.configured), since(u.now.Sub(u.configured)), u.by)
	}
	b.WriteString(wLine(u.now, u.booted, u.users) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (u *uptimeInfo) XML() []*junosxml.Elem {
	at := func(name string, t time.Time, ago bool) *junosxml.Elem {
		e := junosxml.New(name, junosxml.Leaf("date-time", stamp(t)).SetAttr("junos:seconds", strconv.FormatInt(t.Unix(), 10)))
		if ago {
			d := u.now.Sub(t)
			e.Add(junosxml.Leaf("time-length", since(d)).SetAttr("junos:seconds", strconv.FormatInt(int64(d/time.Second), 10)))
		}
		return e
	}
	info := junosxml.New("system-uptime-information").SetAttr("xmlns", junosxml.Namespace(u.version, ""))
	info.Add(at("current-time", u.now, false), junosxml.Leaf("time-source", " LOCAL CLOCK "),
		at("system-booted-time", u.booted, true), at("protocols-started-time", u.booted, true))
	if u.by != "" {
		info.Add(at("last-configured-time", u.configured, true).AddLeaf("user", u.by))
	}
	users := fmt.Sprintf("%d users", u.users)
	if u.users == 1 {
		users = "1 user"
	}
	up := u.now.Sub(u.booted)
	info.Add(junosxml.New("uptime-information",
		junosxml.Leaf("date-time", strings.TrimSpace(clock(u.now))).SetAttr("junos:seconds", strconv.FormatInt(u.now.Unix(), 10)),
		junosxml.Leaf("up-time", strings.TrimSuffix(upFor(up), ",")).SetAttr("junos:seconds", strconv.FormatInt(int64(up/time.Second), 10)),
		junosxml.Leaf("active-user-count", strconv.Itoa(u.users)).SetAttr("junos:format", users),
		junosxml.Leaf("load-average-1", u.load[0]),
		junosxml.Leaf("load-average-5", u.load[1]),
		junosxml.Leaf("load-average-15", u.load[2]),
	))
	return []*junosxml.Elem{info}
}
