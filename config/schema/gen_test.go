package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
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
// table: the help texts are our own.
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
	desc := regexp.MustCompile(`description "([^"]{30,})`)
	checked := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range desc.FindAllSubmatch(src, -1) {
			checked++
			if bytes.Contains(table, m[1]) {
				t.Errorf("the table holds the YANG description %q", m[1])
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d descriptions found in the YANG", checked)
	}
}
