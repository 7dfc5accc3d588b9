package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestStartDebugRefuses(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:6060", "192.0.2.1:6060", "localhost", "127.0.0.1", ":6060"} {
		t.Run(addr, func(t *testing.T) {
			t.Setenv(envDebugAddr, addr)
			if stop, err := startDebug(); err == nil {
				stop()
				t.Fatalf("%s=%s accepted", envDebugAddr, addr)
			} else if !strings.Contains(err.Error(), "loopback") {
				t.Errorf("error %q does not say what is wanted", err)
			}
		})
	}
}

func TestStartDebugOff(t *testing.T) {
	t.Setenv(envDebugAddr, "")
	stop, err := startDebug()
	if err != nil {
		t.Fatal(err)
	}
	stop()
}

func TestStartDebugServesProfiles(t *testing.T) {
	// A free loopback port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv(envDebugAddr, addr)
	stop, err := startDebug()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?debug=1")
	if err != nil {
		stop()
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "# HeapAlloc = ") {
		t.Errorf("heap profile: %s\n%.300s", resp.Status, body)
	}
	stop()
	if _, err := http.Get("http://" + addr + "/debug/pprof/"); err == nil {
		t.Error("still serving after stop")
	}
}
