package main

import "testing"

func TestParseUp(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		file   string
		ui     bool
		addr   string
		public bool
		err    bool
	}{
		{[]string{"t.yaml"}, "t.yaml", false, "", false, false},
		{[]string{"t.yaml", "--ui"}, "t.yaml", true, "", false, false},
		{[]string{"--ui", "t.yaml"}, "t.yaml", true, "", false, false},
		{[]string{"t.yaml", "--ui", "127.0.0.1:8080"}, "t.yaml", true, "127.0.0.1:8080", false, false},
		{[]string{"--ui", "8080", "t.yaml"}, "t.yaml", true, "8080", false, false},
		{[]string{"t.yaml", "--ui=0.0.0.0:8080", "--ui-public"}, "t.yaml", true, "0.0.0.0:8080", true, false},
		{[]string{"t.yaml", "other.yaml"}, "", false, "", false, true},
		{[]string{}, "", false, "", false, true},
		{[]string{"t.yaml", "--ui", "a", "b"}, "", false, "", false, true},
	} {
		file, web, public, err := parseUp(tc.args)
		if (err != nil) != tc.err {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if err == nil && (file != tc.file || web.set != tc.ui || web.value != tc.addr || public != tc.public) {
			t.Errorf("%q: file %q ui %v %q public %v", tc.args, file, web.set, web.value, public)
		}
	}
}
