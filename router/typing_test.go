package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// routeLines returns n "set routing-options static route" lines.
func routeLines(n int, eol string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "set routing-options static route 10.%d.%d.0/24 next-hop 192.0.2.1%s", i/256, i%256, eol)
	}
	return b.String()
}

// BenchmarkTypeStaticRoutes20k types 20,000 static routes into the CLI
// through a pseudo-terminal (the line editor, echo and prompts included)
// and commits them; compare with BenchmarkConfigStaticRoutes20k, the same
// lines given as a startup configuration.
func BenchmarkTypeStaticRoutes20k(b *testing.B) {
	input := "configure\r" + routeLines(benchRoutes, "\r") + "commit and-quit\rquit\r"
	for i := 0; i < b.N; i++ {
		r, err := New(Options{Name: "type", StateDir: b.TempDir(), NoPlane: errors.New("benchmark")})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Start(context.Background(), ""); err != nil {
			b.Fatal(err)
		}
		master, tty, err := pty.Open()
		if err != nil {
			b.Skipf("no pty: %v", err)
		}
		pty.Setsize(master, &pty.Winsize{Rows: 24, Cols: 80})
		sh, done := r.NewShell(ShellOptions{In: tty, Out: tty, TTY: true, Term: "xterm", User: "lab"})
		drained := make(chan struct{})
		go func() { io.Copy(io.Discard, master); close(drained) }()
		go io.WriteString(master, input)
		if err := sh.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		done()
		tty.Close()
		master.Close()
		<-drained
		if n := len(r.DB.Active().Get("routing-options", "static").Entries("route")); n != benchRoutes {
			b.Fatalf("%d routes committed", n)
		}
		r.Stop()
	}
}

// BenchmarkConfigStaticRoutes20k commits the 20,000 static routes of
// BenchmarkTypeStaticRoutes20k as a startup configuration (--config).
func BenchmarkConfigStaticRoutes20k(b *testing.B) {
	text := routeLines(20000, "\n")
	for i := 0; i < b.N; i++ {
		r, err := New(Options{Name: "cfg", StateDir: b.TempDir(), NoPlane: errors.New("benchmark")})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Start(context.Background(), text); err != nil {
			b.Fatal(err)
		}
		r.Stop()
	}
}

// benchRoutes is the number of routes the typing benchmarks type.
var benchRoutes = 20000
