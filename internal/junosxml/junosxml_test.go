package junosxml

import (
	"errors"
	"strings"
	"testing"
)

func TestParseNamespaces(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<nc:rpc xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="urn:uuid:1">
  <nc:get-configuration format="text" xmlns:junos="http://xml.juniper.net/junos/*/junos">
    <configuration junos:changed="changed"><system><host-name>r1 &amp; co</host-name></system></configuration>
  </nc:get-configuration>
</nc:rpc>`
	e, err := Parse([]byte(doc), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "rpc" || e.Space != "urn:ietf:params:xml:ns:netconf:base:1.0" {
		t.Errorf("root %q in %q", e.Name, e.Space)
	}
	if id, _ := e.Attr("message-id"); id != "urn:uuid:1" {
		t.Errorf("message-id %q", id)
	}
	gc := e.Kid("get-configuration")
	if f, _ := gc.Attr("format"); f != "text" {
		t.Errorf("format %q", f)
	}
	cfg := gc.Kid("configuration")
	if cfg.Space != "" {
		t.Errorf("unprefixed element in %q, want no namespace", cfg.Space)
	}
	if v, ok := cfg.Attr("changed"); !ok || v != "changed" {
		t.Errorf("junos:changed = %q %v", v, ok)
	}
	if h, _ := cfg.Kid("system").KidText("host-name"); h != "r1 & co" {
		t.Errorf("host-name %q", h)
	}
	if gc.Text != "" {
		t.Errorf("indentation kept as text: %q", gc.Text)
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200)
	for _, tt := range []struct{ name, doc string }{
		{"empty", ""},
		{"unclosed", "<rpc><get>"},
		{"mismatched", "<rpc></get>"},
		{"two roots", "<a/><b/>"},
		{"text outside", "<a/>junk"},
		{"dtd", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`},
		{"undeclared prefix", "<nc:rpc/>"},
		{"bad entity", "<a>&nope;</a>"},
		{"too deep", deep},
	} {
		if _, err := Parse([]byte(tt.doc), Limits{}); err == nil {
			t.Errorf("%s: parsed", tt.name)
		}
	}
	if _, err := Parse([]byte(deep), Limits{}); !errors.Is(err, ErrLimit) {
		t.Errorf("too deep: %v, want ErrLimit", err)
	}
}

func TestWrite(t *testing.T) {
	e := New("software-information", Leaf("host-name", "r<1>"), New("empty")).SetAttr("xmlns", "urn:x")
	want := `<software-information xmlns="urn:x">
    <host-name>r&lt;1&gt;</host-name>
    <empty/>
</software-information>
`
	if got := e.XML("    ", 0); got != want {
		t.Errorf("XML:\n%s\nwant:\n%s", got, want)
	}
	wantJSON := `{
    "software-information" : [
    {
        "attributes" : {"xmlns" : "urn:x"},
        "host-name" : [
        {
            "data" : "r<1>"
        }
        ],
        "empty" : [
        null
        ]
    }
    ]
}
`
	if got := JSON(e); got != wantJSON {
		t.Errorf("JSON:\n%s\nwant:\n%s", got, wantJSON)
	}
}

func TestParseJSON(t *testing.T) {
	e, err := ParseJSON([]byte(`{"configuration": {"system": {"host-name": "r1", "@host-name": {"operation": "delete"}},
		"interfaces": {"interface": [{"name": "ge-0/0/0", "disable": [null]}, {"name": "ge-0/0/1"}]}}}`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "configuration" {
		t.Fatalf("root %q", e.Name)
	}
	hn := e.Kid("system").Kid("host-name")
	if op, _ := hn.Attr("operation"); hn.Text != "r1" || op != "delete" {
		t.Errorf("host-name %q operation %q", hn.Text, op)
	}
	ifs := e.Kid("interfaces").Kids
	if len(ifs) != 2 || !ifs[0].Has("disable") || ifs[1].Kid("name").Text != "ge-0/0/1" {
		t.Errorf("interfaces: %+v", ifs)
	}
	for _, bad := range []string{`[]`, `{"a": 1, "b": 2}`, `{"a": {"b": true}`, `{"a": [[1]]}`} {
		if _, err := ParseJSON([]byte(bad), Limits{}); err == nil {
			t.Errorf("ParseJSON(%s) parsed", bad)
		}
	}
}

func TestNamespace(t *testing.T) {
	if got := Namespace("24.4R1.9", "chassis"); got != "http://xml.juniper.net/junos/24.4R0/junos-chassis" {
		t.Errorf("Namespace = %q", got)
	}
}

// FuzzParse checks that Parse never panics and that what it parses writes
// back to XML it parses again to the same tree.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`<rpc message-id="1"><get-configuration format="text"/></rpc>`))
	f.Add([]byte(`<nc:rpc xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><nc:lock><nc:target><nc:candidate/></nc:target></nc:lock></nc:rpc>`))
	f.Add([]byte(`<a><b x="&lt;">t&amp;</b><!-- c --><?pi x?></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data, Limits{Depth: 32, Elements: 1000})
		if err != nil {
			return
		}
		again, err := Parse([]byte(e.XML("", 0)), Limits{Depth: 32, Elements: 1000})
		if err != nil {
			t.Fatalf("written XML does not parse: %v\n%s", err, e.XML("", 0))
		}
		if again.XML("", 0) != e.XML("", 0) {
			t.Fatalf("round trip changed the tree:\n%s\n%s", e.XML("", 0), again.XML("", 0))
		}
	})
}

// FuzzParseJSON checks that ParseJSON never panics.
func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"configuration": {"system": {"host-name": "r1"}}}`))
	f.Add([]byte(`{"configuration": {"interfaces": {"interface": [{"name": "x", "@": {"inactive": "inactive"}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ParseJSON(data, Limits{Depth: 32, Elements: 1000})
	})
}
