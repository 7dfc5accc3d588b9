package config

import (
	"errors"
	"strings"
	"testing"

	"mxlab/internal/junosxml"
)

func parseXML(t *testing.T, doc string) *junosxml.Elem {
	t.Helper()
	e, err := junosxml.Parse([]byte(doc), junosxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestLoadXML(t *testing.T) {
	base := []string{
		"system host-name r1",
		"interfaces ge-1/0/0 description old",
		"interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24",
		"interfaces ge-1/0/1 unit 0 family inet address 10.0.1.1/24",
	}
	for _, tt := range []struct {
		name string
		mode LoadMode
		xml  string
		want string // set lines of the candidate
	}{
		{"merge", LoadMerge, `<configuration><system><host-name>r2</host-name></system>
			<interfaces><interface><name>ge-1/0/2</name><disable/></interface></interfaces></configuration>`,
			"set system host-name r2\nset interfaces ge-1/0/0 description old\n" +
				"set interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24\n" +
				"set interfaces ge-1/0/1 unit 0 family inet address 10.0.1.1/24\nset interfaces ge-1/0/2 disable\n"},
		{"delete attribute", LoadMerge, `<configuration><interfaces>
			<interface operation="delete"><name>ge-1/0/1</name></interface>
			<interface><name>ge-1/0/0</name><description delete="delete"/></interface>
			<interface operation="delete"><name>ge-1/0/9</name></interface></interfaces></configuration>`,
			"set system host-name r1\nset interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24\n"},
		{"replace", LoadReplace, `<configuration><interfaces><interface replace="replace"><name>ge-1/0/0</name>
			<unit><name>0</name><family><inet><address><name>10.9.9.9/24</name></address></inet></family></unit>
			</interface></interfaces></configuration>`,
			"set system host-name r1\nset interfaces ge-1/0/0 unit 0 family inet address 10.9.9.9/24\n" +
				"set interfaces ge-1/0/1 unit 0 family inet address 10.0.1.1/24\n"},
		{"override", LoadOverride, `<configuration><system><host-name>only</host-name></system></configuration>`,
			"set system host-name only\n"},
		{"inactive", LoadMerge, `<configuration><interfaces><interface inactive="inactive"><name>ge-1/0/1</name></interface></interfaces></configuration>`,
			"set system host-name r1\nset interfaces ge-1/0/0 description old\n" +
				"set interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24\n" +
				"set interfaces ge-1/0/1 unit 0 family inet address 10.0.1.1/24\ndeactivate interfaces ge-1/0/1\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, s := newSession(t)
			mustSet(t, s, base...)
			if err := s.LoadXML(tt.mode, parseXML(t, tt.xml)); err != nil {
				t.Fatal(err)
			}
			if got := s.Candidate().SetLines(nil); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestLoadXMLErrors(t *testing.T) {
	for _, tt := range []struct{ xml, token string }{
		{`<configuration><nosuch/></configuration>`, "nosuch"},
		{`<configuration><system><host-name><x/></host-name></system></configuration>`, "x"},
		{`<configuration><interfaces><interface><description>x</description></interface></interfaces></configuration>`, "interface"},
		{`<configuration><system><host-name operation="rename">x</host-name></system></configuration>`, "host-name"},
		{`<configuration><interfaces><interface><name>ge-1/0/0</name><mtu>99999999999</mtu></interface></interfaces></configuration>`, "99999999999"},
	} {
		_, s := newSession(t)
		mustSet(t, s, "system host-name r1")
		err := s.LoadXML(LoadMerge, parseXML(t, tt.xml))
		var le *LoadError
		if !errors.As(err, &le) || le.Token != tt.token {
			t.Errorf("%s: %v (token %q), want a load error on %q", tt.xml, err, tokenOf(le), tt.token)
		}
		if got := s.Candidate().SetLines(nil); got != "set system host-name r1\n" {
			t.Errorf("%s: a failed load changed the candidate:\n%s", tt.xml, got)
		}
	}
}

func tokenOf(le *LoadError) string {
	if le == nil {
		return ""
	}
	return le.Token
}

func TestFilter(t *testing.T) {
	_, s := newSession(t)
	mustSet(t, s, "system host-name r1", "system domain-name lab.net",
		"interfaces ge-1/0/0 description a", "interfaces ge-1/0/0 unit 0 family inet address 10.0.0.1/24",
		"interfaces ge-1/0/1 description b")
	for _, tt := range []struct{ filter, want string }{
		{`<configuration><system><domain-name/></system></configuration>`, "set system domain-name lab.net\n"},
		{`<configuration><interfaces><interface><name>ge-1/0/1</name></interface></interfaces></configuration>`,
			"set interfaces ge-1/0/1 description b\n"},
		{`<configuration><interfaces><interface><description/></interface></interfaces></configuration>`,
			"set interfaces ge-1/0/0 description a\nset interfaces ge-1/0/1 description b\n"},
		{`<configuration><system/></configuration>`, "set system host-name r1\nset system domain-name lab.net\n"},
		{`<configuration><nosuch/></configuration>`, ""},
	} {
		got := Filter(s.Candidate(), parseXML(t, tt.filter)).SetLines(nil)
		if got != tt.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tt.filter, got, tt.want)
		}
	}
	if x := Filter(s.Candidate(), parseXML(t, `<configuration><system><host-name/></system></configuration>`)).XML(1); !strings.Contains(x, "<host-name>r1</host-name>") {
		t.Errorf("filtered XML:\n%s", x)
	}
}
