package chassis

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"mxlab/shell/cmdtree"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// newTestChassis builds and starts a chassis on a fake clock.
func newTestChassis(t testing.TB, name, yml string) (*Chassis, *fakeClock) {
	t.Helper()
	l, err := ParseLayout([]byte(yml))
	if err != nil {
		t.Fatalf("ParseLayout: %v", err)
	}
	c, err := New(name, l)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)}
	c.now = clk.now
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c, clk
}

// runCommand parses line against the registry the way the shell does
// (keywords, then parameters) and runs it.
func runCommand(r *cmdtree.Registry, c *Chassis, line string) (string, error) {
	words := strings.Fields(line)
	n := r.Root()
	i := 0
	for ; i < len(words); i++ {
		ch := n.Child(words[i])
		if ch == nil {
			break
		}
		n = ch
	}
	if n.Run == nil {
		return "", fmt.Errorf("no command %q", line)
	}
	args := cmdtree.Args{}
	for ; i < len(words); i++ {
		w := words[i]
		matched := false
		for _, p := range n.Params {
			if p.Name != w {
				continue
			}
			matched = true
			if p.Value != "" && i+1 < len(words) {
				i++
				args[p.Name] = words[i]
			} else {
				args[p.Name] = ""
			}
		}
		if matched {
			continue
		}
		for _, p := range n.Params {
			if _, done := args[p.Name]; p.Positional && !done {
				args[p.Name] = w
				matched = true
				break
			}
		}
		if !matched {
			return "", fmt.Errorf("syntax error at %q", w)
		}
	}
	var out bytes.Buffer
	env := &cmdtree.Env{Ctx: context.Background(), Out: &out, Router: c, User: "lab"}
	err := n.Run(env, args)
	return out.String(), err
}

func testRegistry() *cmdtree.Registry {
	r := cmdtree.New()
	Register(r, func(env *cmdtree.Env) *Chassis { c, _ := env.Router.(*Chassis); return c })
	return r
}

func prefixes(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range s {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}
