package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mxlab/config/schema/internal/yanggen"
)

// TestGeneratedUpToDate regenerates the table in memory and fails when
// junos_gen.go differs: run go generate ./config/schema after changing the
// generator.
func TestGeneratedUpToDate(t *testing.T) {
	if _, err := os.Stat(yangDir); os.IsNotExist(err) {
		t.Skip("skipping: " + yangDir + " is absent (the Junos YANG is not in this repository)")
	}
	want, err := yanggen.Generate(yangDir, "24.4R1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("junos_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("junos_gen.go is stale: run go generate ./config/schema")
	}
	again, err := yanggen.Generate(yangDir, "24.4R1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Fatal("the generator is not deterministic")
	}
}

// TestNoDescriptions checks that no YANG description text reached the
// table: no long description appears in the sources and no help text
// equals a description.
func TestNoDescriptions(t *testing.T) {
	files, _ := filepath.Glob(yangDir + "/*.yang")
	if len(files) == 0 {
		t.Skip("skipping: " + yangDir + " is absent (the Junos YANG is not in this repository)")
	}
	var table []byte
	for _, f := range []string{"junos_gen.go", "help.go", "overlay.go", "overlay_system.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		table = append(table, b...)
	}
	descs := map[string]bool{}
	desc := regexp.MustCompile(`description "([^"]+)"`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range desc.FindAllSubmatch(src, -1) {
			d := strings.TrimSpace(string(m[1]))
			descs[d] = true
			if len(d) >= 30 && bytes.Contains(table, []byte(d)) {
				t.Errorf("the table holds the YANG description %q", d)
			}
		}
	}
	if len(descs) < 100 {
		t.Fatalf("only %d descriptions found in the YANG", len(descs))
	}
	for _, h := range helpTexts {
		if descs[h.value] {
			t.Errorf("help of %q is a YANG description: %q", h.path, h.value)
		}
	}
}
