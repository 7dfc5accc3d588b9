package yanggen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/openconfig/goyang/pkg/yang"
)

// rootModule is the module holding the configuration container.
const rootModule = "junos-conf-root"

// load parses every .yang file of dir and returns the resolved
// configuration container. The Junos files escape quotes as \' inside
// double-quoted strings, which goyang rejects; they are unescaped in memory.
func load(dir string) (*yang.Entry, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yang"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .yang files in %s", dir)
	}
	sort.Strings(files)
	ms := yang.NewModules()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		src := strings.ReplaceAll(string(b), `\'`, `'`)
		if err := ms.Parse(src, filepath.Base(f)); err != nil {
			return nil, fmt.Errorf("parse %s: %w", filepath.Base(f), err)
		}
	}
	if errs := ms.Process(); len(errs) > 0 {
		return nil, fmt.Errorf("resolve yang: %w", errors.Join(errs...))
	}
	m := ms.Modules[rootModule]
	if m == nil {
		return nil, fmt.Errorf("module %s not found in %s", rootModule, dir)
	}
	cfg := yang.ToEntry(m).Dir["configuration"]
	if cfg == nil {
		return nil, fmt.Errorf("module %s has no configuration container", rootModule)
	}
	return cfg, nil
}
