package ui

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"mxlab/lab"
)

// chainLab starts a lab of n routers in a chain with a host at each end
// (the layout of bench/chain-topology) and stops it at the end.
func chainLab(tb testing.TB, n int) *lab.Lab {
	tb.Helper()
	needRoot(tb)
	topo, err := lab.Chain(fmt.Sprintf("uichain%d", os.Getpid()), n)
	if err != nil {
		tb.Fatal(err)
	}
	l, err := lab.Up(context.Background(), topo, lab.Options{RunDir: privateDir(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// TestBrowser50 draws a lab of 50 routers: every node and link, the links
// up, and a console that answers.
func TestBrowser50(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the 50-router lab in short mode")
	}
	chromium(t)
	l := chainLab(t, 50)
	s := serve(t, l, Options{})
	b := newBrowser(t)
	start := time.Now()
	b.navigate(s.url())
	b.waitFor("52 nodes and 51 links up", `document.querySelectorAll("#nodes g.node").length === 52 && document.querySelectorAll("#links g.link.up").length === 51`, 20*time.Second)
	t.Logf("50-router lab drawn with its state %v after loading the page", time.Since(start).Round(time.Millisecond))
	b.screenshot(t, "chain50")
	b.click("#node-r25 .box", 1)
	b.waitFor("r25's details", `document.querySelector("#details h2") !== null && document.querySelector("#details h2").textContent.startsWith("r25 ")`, 5*time.Second)
	b.click("button.open-console", 1)
	term := `mxlabConsoles["console-1"].text()`
	b.waitFor("r25's prompt", term+`.endsWith("lab@r25>")`, 10*time.Second)
	b.typeText("show route 172.16.2.0/24\r")
	b.waitFor("the route", term+`.includes("172.16.2.0/24") && `+term+`.trimEnd().endsWith("lab@r25>")`, 10*time.Second)
}

// BenchmarkRefresh50 reads the state of a 50-router lab once: the work of
// each second of the page (ns/op over one second is the share of a core).
func BenchmarkRefresh50(b *testing.B) {
	l := chainLab(b, 50)
	h := newHub(l, Options{Interval: time.Second})
	h.refresh(true)
	b.ResetTimer()
	for b.Loop() {
		h.refresh(true)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e7, "%core-at-1/s")
}

// BenchmarkIdleCPU50 measures the process's CPU while a 50-router lab is
// idle, without and then with the page open in Chromium (state pushed
// every second): the difference is the page's cost.
func BenchmarkIdleCPU50(b *testing.B) {
	chromium(b)
	l := chainLab(b, 50)
	s := serve(b, l, Options{})
	const d = 10 * time.Second
	time.Sleep(2 * time.Second) // the lab settles
	base := cpuOver(d)
	br := newBrowser(b)
	br.call("Page.navigate", map[string]any{"url": s.url()}, nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		if br.eval(`document.querySelectorAll("#links g.link.up").length === 51`, &ok); ok {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the page did not draw the lab")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	with := cpuOver(d)
	b.ReportMetric(base, "%core-lab-idle")
	b.ReportMetric(with, "%core-with-page")
	b.ReportMetric(with-base, "%core-page")
}

// cpuOver returns the CPU this process used over d, in percent of a core.
func cpuOver(d time.Duration) float64 {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c0, t0 := cpu(), time.Now()
	time.Sleep(d)
	return 100 * float64(cpu()-c0) / float64(time.Since(t0))
}
