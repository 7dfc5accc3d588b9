package services_test

import (
	"encoding/json"
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestInterfaceRates: during an iperf3 stream through the tunnel, "show
// interfaces" on the ports it crosses shows the rate iperf3 measures
// (within 10 %: the interface counts the Ethernet, IP and UDP headers of
// each datagram too).
func TestInterfaceRates(t *testing.T) {
	if _, err := exec.LookPath("iperf3"); err != nil {
		t.Skip("skipping: iperf3 is not installed (Debian package iperf3; make deps installs it)")
	}
	l := newLab(t, e2Config(t, "r1"), e2Config(t, "r2"))
	l.waitPing("h1", "192.168.0.10")
	srv := exec.Command("ip", "netns", "exec", l.ns["h2"].Name(), "iperf3", "-s", "-1", "-p", "5301")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	time.Sleep(300 * time.Millisecond)
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := l.exec("h1", "iperf3", "-c", "192.168.0.10", "-p", "5301", "-u", "-b", "40M", "-l", "1200", "-t", "8", "-J")
		done <- result{out, err}
	}()
	time.Sleep(6 * time.Second)
	show := l.cli(l.r1, "show interfaces ge-1/0/0; show interfaces ge-1/0/1")
	res := <-done
	if res.err != nil {
		t.Fatalf("iperf3: %v\n%s", res.err, res.out)
	}
	var report struct {
		End struct {
			Sum struct {
				BitsPerSecond float64 `json:"bits_per_second"`
			} `json:"sum"`
		} `json:"end"`
	}
	if err := json.Unmarshal([]byte(res.out), &report); err != nil {
		t.Fatalf("iperf3 report: %v\n%s", err, res.out)
	}
	want := report.End.Sum.BitsPerSecond
	rates := regexp.MustCompile(`(Input|Output) rate\s+: (\d+) bps \((\d+) pps\)`).FindAllStringSubmatch(show, -1)
	if len(rates) != 4 {
		t.Fatalf("rates not found in\n%s", show)
	}
	// ge-1/0/0 receives the cleartext from h1; ge-1/0/1 sends it encrypted.
	for _, c := range []struct {
		what string
		row  []string
		over float64 // the headers each packet adds on that port
	}{{"ge-1/0/0 input", rates[0], 14 + 20 + 8}, {"ge-1/0/1 output", rates[3], 14 + 20 + 8 + 73}} {
		got, _ := strconv.ParseFloat(c.row[2], 64)
		expect := want * (1200 + c.over) / 1200
		t.Logf("%s: %.0f bps; iperf3 %.0f bps of payload, %.0f with headers", c.what, got, want, expect)
		if math.Abs(got-expect)/expect > 0.10 {
			t.Errorf("%s: %.0f bps, iperf3 measured %.0f bps of payload (%.0f bps with headers)\n%s", c.what, got, want, expect, show)
		}
	}
}
