package netconf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mxlab/config"
	"mxlab/internal/junosxml"
)

// configOp is a configuration RPC; write ones need the configure
// permission.
type configOp struct {
	write bool
	run   func(s *session, op *junosxml.Elem) string
}

var configOps map[string]configOp

func init() {
	configOps = map[string]configOp{
		"get-configuration":    {run: (*session).getConfiguration},
		"get-config":           {run: (*session).getConfig},
		"get":                  {run: (*session).get},
		"load-configuration":   {write: true, run: (*session).loadConfiguration},
		"edit-config":          {write: true, run: (*session).editConfig},
		"commit-configuration": {write: true, run: (*session).commitConfiguration},
		"commit":               {write: true, run: (*session).commit},
		"validate":             {run: (*session).validate},
		"discard-changes":      {write: true, run: (*session).discardChanges},
		"lock-configuration":   {write: true, run: (*session).lock},
		"unlock-configuration": {write: true, run: (*session).unlock},
		"lock":                 {write: true, run: (*session).lockTarget},
		"unlock":               {write: true, run: (*session).unlockTarget},
		"open-configuration":   {write: true, run: (*session).openConfiguration},
		"close-configuration":  {write: true, run: (*session).closeConfiguration},
	}
}

// edit returns the session's configuration session, entering shared
// configuration mode ("configure") the first time.
func (s *session) edit() (*config.Session, error) {
	if s.cs != nil {
		return s.cs, nil
	}
	cs, _, _, err := s.o.DB.Begin(s.o.Who, config.Shared)
	if err != nil {
		return nil, err
	}
	s.cs = cs
	return cs, nil
}

// candidate returns a copy of the candidate this session sees.
func (s *session) candidate() *config.Node {
	if s.cs != nil {
		return s.cs.Candidate()
	}
	return s.o.DB.SharedCandidate()
}

// lockErr renders a failure to enter configuration mode.
func (s *session) lockErr(err error) string {
	var le *config.LockError
	switch {
	case errors.As(err, &le):
		return s.rpcErr(rpcError{Tag: "lock-denied", Message: le.Error()})
	case errors.Is(err, config.ErrModified), errors.Is(err, config.ErrSharedModified):
		return s.rpcErr(rpcError{Tag: "lock-denied", Message: err.Error()})
	}
	return s.errText(err)
}

func (s *session) getConfiguration(op *junosxml.Elem) string {
	for _, k := range op.Kids {
		if k.Name != "configuration" {
			return s.rpcErr(rpcError{Message: "syntax error", BadElement: k.Name})
		}
	}
	db, _ := op.Attr("database")
	format, _ := op.Attr("format")
	var root *config.Node
	if db == "committed" {
		root = s.o.DB.Active()
	} else {
		root = s.candidate()
	}
	if v, _ := op.Attr("compare"); v == "rollback" {
		return s.compare(op, root)
	}
	if f := op.Kid("configuration"); f != nil && len(f.Kids) > 0 {
		root = config.Filter(root, f)
	}
	return s.renderConfig(root, format, db == "committed")
}

// compare answers get-configuration compare="rollback": the differences
// between rollback N and the candidate, as "show | compare" prints them.
func (s *session) compare(op *junosxml.Elem, cand *config.Node) string {
	n := 0
	if v, ok := op.Attr("rollback"); ok {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 0 || n > config.MaxRollback {
			return s.rpcErr(rpcError{Tag: "invalid-value", Message: "invalid rollback number", BadElement: v})
		}
	}
	base, err := s.o.DB.Rollback(n)
	if err != nil {
		return s.rpcErr(rpcError{Message: "rollback file not found", BadElement: strconv.Itoa(n)})
	}
	diff := config.Compare(base, cand)
	if diff == "" {
		diff = "\n" // Junos's text for no changes
	}
	return "<configuration-information>\n<configuration-output>" + junosxml.Escape(diff) +
		"</configuration-output>\n</configuration-information>\n"
}

// renderConfig renders a configuration in a get-configuration format.
func (s *session) renderConfig(root *config.Node, format string, committed bool) string {
	var b strings.Builder
	switch format {
	case "text":
		b.WriteString("<configuration-text>")
		b.WriteString(junosxml.Escape(s.lastCommitLine() + s.versionLine(root, "version %s;\n") + root.Text()))
		b.WriteString("</configuration-text>\n")
	case "set":
		b.WriteString("<configuration-set>")
		b.WriteString(junosxml.Escape(s.versionLine(root, "set version %s\n") + root.SetLines(nil)))
		b.WriteString("</configuration-set>\n")
	case "json":
		b.WriteString(junosxml.Escape("{\n    \"configuration\" : {\n" + root.JSON(2) + "    }\n}\n"))
	default:
		b.WriteString("<configuration" + s.commitAttrs(committed) + ">\n")
		b.WriteString(root.XML(1))
		b.WriteString("</configuration>\n")
	}
	return b.String()
}

func (s *session) versionLine(root *config.Node, format string) string {
	if root.Kid("version") != nil {
		return ""
	}
	return fmt.Sprintf(format, s.o.Release)
}

func (s *session) lastCommitLine() string {
	h := s.o.DB.History()
	if len(h) == 0 {
		return ""
	}
	return fmt.Sprintf("## Last commit: %s by %s\n", h[0].Time.UTC().Format("2006-01-02 15:04:05 MST"), h[0].User)
}

// commitAttrs are the junos:commit-* attributes of a configuration.
func (s *session) commitAttrs(committed bool) string {
	h := s.o.DB.History()
	if len(h) == 0 {
		return ""
	}
	t := h[0].Time
	if committed {
		return fmt.Sprintf(` junos:commit-seconds="%d" junos:commit-localtime="%s" junos:commit-user="%s"`,
			t.Unix(), t.Format("2006-01-02 15:04:05 MST"), attrEscape(h[0].User))
	}
	return fmt.Sprintf(` junos:changed-seconds="%d" junos:changed-localtime="%s"`, t.Unix(), t.Format("2006-01-02 15:04:05 MST"))
}

// getConfig is RFC 6241 get-config: running or candidate, with a subtree
// filter, in <data>.
func (s *session) getConfig(op *junosxml.Elem) string {
	src := op.Kid("source")
	var root *config.Node
	switch {
	case src.Has("running"):
		root = s.o.DB.Active()
	case src.Has("candidate"):
		root = s.candidate()
	default:
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: "unsupported source", BadElement: "source"})
	}
	if f := op.Kid("filter").Kid("configuration"); f != nil && len(f.Kids) > 0 {
		root = config.Filter(root, f)
	}
	return "<" + s.p + "data>\n" + s.renderConfig(root, "xml", src.Has("running")) + "</" + s.p + "data>\n"
}

// get is RFC 6241 get: the running configuration.
func (s *session) get(*junosxml.Elem) string {
	return "<" + s.p + "data>\n" + s.renderConfig(s.o.DB.Active(), "xml", true) + "</" + s.p + "data>\n"
}

// loadMode maps a load-configuration action to a load mode.
func loadMode(action string) (config.LoadMode, bool) {
	if action == "" {
		return config.LoadMerge, true
	}
	return config.ParseLoadMode(action)
}

func (s *session) loadConfiguration(op *junosxml.Elem) string {
	cs, err := s.edit()
	if err != nil {
		return s.lockErr(err)
	}
	if v, ok := op.Attr("rollback"); ok {
		n, err := strconv.Atoi(v)
		if err == nil {
			err = cs.Rollback(n)
		} else {
			err = errors.New("invalid rollback number")
		}
		return s.loadResults(err)
	}
	if _, ok := op.Attr("url"); ok {
		return s.loadResults(&config.LoadError{Msg: "loading from a URL is not supported", Token: "url"})
	}
	action, _ := op.Attr("action")
	mode, ok := loadMode(action)
	if !ok {
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: "invalid action", BadElement: action})
	}
	return s.loadResults(s.load(cs, mode, op))
}

// load loads the configuration an RPC carries, in whatever form.
func (s *session) load(cs *config.Session, mode config.LoadMode, op *junosxml.Elem) error {
	switch {
	case op.Has("configuration-set") || mode == config.LoadSet:
		text, _ := op.KidText("configuration-set")
		return cs.Load(config.LoadSet, text, "netconf", false)
	case op.Has("configuration-text"):
		text, _ := op.KidText("configuration-text")
		return cs.Load(mode, text, "netconf", false)
	case op.Has("configuration-json"):
		text, _ := op.KidText("configuration-json")
		root, err := junosxml.ParseJSON([]byte(text), junosxml.Limits{})
		if err != nil {
			return &config.LoadError{Msg: "syntax error: " + err.Error()}
		}
		if root.Name != "configuration" {
			return &config.LoadError{Msg: "syntax error", Token: root.Name}
		}
		return cs.LoadXML(mode, root)
	case op.Has("configuration"):
		return cs.LoadXML(mode, op.Kid("configuration"))
	}
	return &config.LoadError{Msg: "syntax error, expecting <configuration>"}
}

// loadResults is the reply of load-configuration.
func (s *session) loadResults(err error) string {
	if err != nil {
		return "<load-configuration-results>\n" + s.errText(err) + "<load-error-count>1</load-error-count>\n</load-configuration-results>\n"
	}
	return "<load-configuration-results>\n" + s.ok() + "</load-configuration-results>\n"
}

// editConfig is RFC 6241 edit-config on the candidate.
func (s *session) editConfig(op *junosxml.Elem) string {
	if !op.Kid("target").Has("candidate") {
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: "only the candidate configuration can be edited", BadElement: "target"})
	}
	cs, err := s.edit()
	if err != nil {
		return s.lockErr(err)
	}
	mode := config.LoadMerge
	if v, _ := op.KidText("default-operation"); strings.TrimSpace(v) == "replace" {
		mode = config.LoadOverride
	}
	var lerr error
	switch {
	case op.Kid("config").Has("configuration"):
		lerr = cs.LoadXML(mode, op.Kid("config").Kid("configuration"))
	case op.Kid("config-text").Has("configuration-text"):
		text, _ := op.Kid("config-text").KidText("configuration-text")
		lerr = cs.Load(mode, text, "netconf", false)
	case op.Has("config"):
		lerr = nil // an empty configuration changes nothing
	default:
		return s.rpcErr(rpcError{Tag: "missing-element", Message: "missing <config>", BadElement: "edit-config"})
	}
	if lerr != nil {
		return s.errText(lerr)
	}
	return s.ok()
}

// commitOptions reads the options of commit-configuration.
func commitOptions(op *junosxml.Elem) (config.CommitOptions, error) {
	o := config.CommitOptions{Via: "netconf"}
	if v, ok := op.KidText("log"); ok {
		o.Comment = v
	}
	if op.Has("confirmed") {
		o.Confirm = 10
		if v, ok := op.KidText("confirm-timeout"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > 65535 {
				return o, &OpError{Msg: "invalid confirm-timeout", BadElement: "confirm-timeout"}
			}
			o.Confirm = n
		}
	}
	if op.Has("at-time") {
		return o, &OpError{Msg: "commit at a time is not supported", BadElement: "at-time"}
	}
	return o, nil
}

func (s *session) commitConfiguration(op *junosxml.Elem) string {
	cs, err := s.edit()
	if err != nil {
		return s.lockErr(err)
	}
	re := `<routing-engine junos:style="normal">` + "\n<name>re0</name>\n"
	if op.Has("check") {
		warns, err := cs.CommitCheck()
		if err != nil {
			return "<commit-results>\n" + s.errText(err) + "</commit-results>\n"
		}
		return "<commit-results>\n" + s.warnings(warns) + re + "<commit-check-success/>\n</routing-engine>\n</commit-results>\n"
	}
	opts, err := commitOptions(op)
	if err != nil {
		return s.errText(err)
	}
	warns, err := cs.Commit(s.ctx, opts)
	if err != nil {
		return "<commit-results>\n" + s.errText(err) + "</commit-results>\n"
	}
	return "<commit-results>\n" + s.warnings(warns) + re + "<commit-success/>\n</routing-engine>\n</commit-results>\n"
}

func (s *session) warnings(warns []*config.CommitError) string {
	var errs []rpcError
	for _, w := range warns {
		errs = append(errs, rpcError{Type: "application", Warning: true,
			Path: "[edit " + strings.Join(w.Path, " ") + "]", Message: w.Msg, BadElement: w.Statement})
	}
	return s.rpcErr(errs...)
}

// commit is RFC 6241 commit: confirm-timeout is in seconds there.
func (s *session) commit(op *junosxml.Elem) string {
	cs, err := s.edit()
	if err != nil {
		return s.lockErr(err)
	}
	o := config.CommitOptions{Via: "netconf"}
	if op.Has("confirmed") {
		secs := 600
		if v, ok := op.KidText("confirm-timeout"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 {
				return s.rpcErr(rpcError{Tag: "invalid-value", Message: "invalid confirm-timeout", BadElement: "confirm-timeout"})
			}
			secs = n
		}
		o.Confirm = int((time.Duration(secs)*time.Second + time.Minute - 1) / time.Minute)
	}
	if op.Has("persist") || op.Has("persist-id") {
		return s.rpcErr(rpcError{Tag: "operation-not-supported", Message: "persistent confirmed commit is not supported", BadElement: "persist"})
	}
	warns, err := cs.Commit(s.ctx, o)
	if err != nil {
		return s.errText(err)
	}
	return s.warnings(warns) + s.ok()
}

func (s *session) validate(op *junosxml.Elem) string {
	src := op.Kid("source")
	switch {
	case src.Has("running"):
		return s.ok()
	case src.Has("candidate"), src == nil:
	default:
		return s.rpcErr(rpcError{Tag: "operation-not-supported", Message: "only the candidate can be validated", BadElement: "source"})
	}
	cs, err := s.edit()
	if err != nil {
		return s.lockErr(err)
	}
	warns, err := cs.CommitCheck()
	if err != nil {
		return s.errText(err)
	}
	return s.warnings(warns) + s.ok()
}

func (s *session) discardChanges(*junosxml.Elem) string {
	if s.cs == nil && !s.o.DB.SharedDirty() {
		return s.ok()
	}
	cs, err := s.edit()
	if err != nil {
		return s.lockErr(err)
	}
	if err := cs.Rollback(0); err != nil {
		return s.errText(err)
	}
	return s.ok()
}

// lock takes the exclusive lock of the candidate (configure exclusive).
func (s *session) lock(*junosxml.Elem) string {
	if s.locked {
		return s.rpcErr(rpcError{Tag: "lock-denied", Message: "configuration database already locked by this session", SessionID: s.o.ID})
	}
	if s.private {
		return s.rpcErr(rpcError{Tag: "lock-denied", Message: "a private configuration is open"})
	}
	if s.cs != nil {
		s.cs.Close()
		s.cs = nil
	}
	cs, _, _, err := s.o.DB.Begin(s.o.Who, config.Exclusive)
	if err != nil {
		return s.lockErr(err)
	}
	s.cs, s.locked = cs, true
	return s.ok()
}

// unlock releases the lock; uncommitted changes go with it.
func (s *session) unlock(*junosxml.Elem) string {
	if !s.locked {
		return s.rpcErr(rpcError{Message: "configuration database is not locked by this session"})
	}
	s.cs.Close()
	s.cs, s.locked = nil, false
	return s.ok()
}

func (s *session) lockTarget(op *junosxml.Elem) string {
	if !op.Kid("target").Has("candidate") {
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: "only the candidate configuration can be locked", BadElement: "target"})
	}
	return s.lock(op)
}

func (s *session) unlockTarget(op *junosxml.Elem) string {
	if !op.Kid("target").Has("candidate") {
		return s.rpcErr(rpcError{Tag: "invalid-value", Message: "only the candidate configuration can be unlocked", BadElement: "target"})
	}
	return s.unlock(op)
}

// openConfiguration opens a private candidate (or takes the lock).
func (s *session) openConfiguration(op *junosxml.Elem) string {
	switch {
	case op.Has("exclusive"):
		return s.lock(op)
	case op.Has("private"):
		if s.locked || s.private {
			return s.rpcErr(rpcError{Message: "configuration database already open"})
		}
		if s.cs != nil {
			s.cs.Close()
			s.cs = nil
		}
		cs, _, _, err := s.o.DB.Begin(s.o.Who, config.Private)
		if err != nil {
			return s.lockErr(err)
		}
		s.cs, s.private = cs, true
		return s.ok()
	}
	return s.ok()
}

func (s *session) closeConfiguration(*junosxml.Elem) string {
	if s.cs != nil {
		s.cs.Close()
	}
	s.cs, s.locked, s.private = nil, false, false
	return s.ok()
}
